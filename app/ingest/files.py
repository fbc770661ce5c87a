"""Reading roundups from disk: the catalog, sources, and the annotations that go with them."""

import hashlib
import stat
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from app.ingest.annotate import apply_curated
from app.ingest.document import AnnotatedDocument, RoundupDocument
from app.ingest.errors import ParseError, SourceError
from app.ingest.limits import MAX_FILE_BYTES
from app.ingest.load import Catalog
from app.ingest.parse import parse
from app.ingest.rules import annotate_rules
from app.ingest.specs import (
    AnnotationSpec,
    ExpertSpec,
    OrganizationSpec,
    TagSpec,
    read_yaml,
    validate,
    validate_list,
)
from app.ingest.text import slugify


def read_catalog(seed_dir: Path) -> Catalog:
    tags_path, orgs_path = seed_dir / "tags.yaml", seed_dir / "organizations.yaml"
    return Catalog(
        tags=tuple(validate_list(TagSpec, read_yaml(tags_path), tags_path)),
        organizations=tuple(validate_list(OrganizationSpec, read_yaml(orgs_path), orgs_path)),
        experts=read_experts(seed_dir / "experts.yaml"),
    )


def read_experts(path: Path) -> tuple[ExpertSpec, ...]:
    """The curated expert aliases (optional file); a name that two entries claim is refused."""
    if not path.exists():
        return ()
    experts = tuple(validate_list(ExpertSpec, read_yaml(path), path))
    claimed: dict[str, str] = {}
    for expert in experts:
        for name in (expert.name, *expert.variants):
            key = slugify(name)
            if claimed.setdefault(key, expert.slug) != expert.slug:
                raise SourceError(
                    str(path), expert.line, f"{name!r} is already a name of {claimed[key]!r}"
                )
    return experts


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Roundup sources: files as given, folders expanded to their *.txt files, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.txt")))
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(str(path), 0, "no such file or folder")
    return found


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; a FIFO, socket, device or folder is not opened (reading a FIFO would
    wait for a writer forever), nor a file over `limit` bytes read."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(
                str(path), 0, f"not a regular file ({_kind(status.st_mode)}); skipped"
            )
        if status.st_size > limit:
            raise SourceError(
                str(path), 0, f"{status.st_size:,} bytes, over the limit of {limit:,}; skipped"
            )
        with path.open("rb") as file:
            raw = file.read(limit + 1)
    except OSError as error:
        raise SourceError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    if len(raw) > limit:  # it grew since
        raise SourceError(str(path), 0, f"over the limit of {limit:,} bytes; skipped")
    return raw


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def parse_source(
    name: str, raw: bytes, catalog: Catalog, *, published_on: date | None = None
) -> RoundupDocument:
    """Parse the source `raw` (read from `name`); errors name the file and line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(name, 1, f"cannot read as UTF-8 text: {error}") from None
    try:
        return parse(text, published_on=published_on, organizations=catalog.organization_names)
    except ParseError as error:
        raise SourceError(name, error.line, error.reason) from None


def annotated_document(
    name: str,
    raw: bytes,
    catalog: Catalog,
    annotations_dir: Path,
    *,
    require_curated: bool,
    published_on: date | None = None,
) -> AnnotatedDocument:
    """Parse the source `raw` (read from `name`) and annotate it: with annotations/<slug>.yaml
    when that file exists, else with the rules annotator (unless `require_curated`)."""
    document = parse_source(name, raw, catalog, published_on=published_on)
    sha256 = hashlib.sha256(raw).hexdigest()
    spec_path = annotations_dir / f"{document.slug}.yaml"
    if spec_path.is_file():
        spec = validate(AnnotationSpec, read_yaml(spec_path), spec_path)
        return apply_curated(
            document, spec, spec_path=spec_path, tag_slugs=catalog.tag_slugs, source_sha256=sha256
        )
    if require_curated:
        raise SourceError(name, 1, f"no curated annotations at {spec_path}")
    return annotate_rules(document, catalog.tag_rules, source_sha256=sha256)


def read_document(
    path: Path,
    catalog: Catalog,
    annotations_dir: Path,
    *,
    require_curated: bool = True,
    published_on: date | None = None,
) -> AnnotatedDocument:
    """Parse `path` and annotate it (see `annotated_document`)."""
    return annotated_document(
        str(path),
        read_bytes(path),
        catalog,
        annotations_dir,
        require_curated=require_curated,
        published_on=published_on,
    )
