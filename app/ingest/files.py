"""Reading seed files from disk: the catalog, roundup sources and their annotations."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from app.ingest.annotate import apply_curated
from app.ingest.document import AnnotatedDocument
from app.ingest.errors import ParseError, SourceError
from app.ingest.load import Catalog
from app.ingest.parse import parse
from app.ingest.specs import (
    AnnotationSpec,
    OrganizationSpec,
    TagSpec,
    read_yaml,
    validate,
    validate_list,
)


def read_catalog(seed_dir: Path) -> Catalog:
    tags_path, orgs_path = seed_dir / "tags.yaml", seed_dir / "organizations.yaml"
    return Catalog(
        tags=tuple(validate_list(TagSpec, read_yaml(tags_path), tags_path)),
        organizations=tuple(validate_list(OrganizationSpec, read_yaml(orgs_path), orgs_path)),
    )


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


def read_document(path: Path, catalog: Catalog, annotations_dir: Path) -> AnnotatedDocument:
    """Parse `path` and join it to its curated annotations (annotations/<slug>.yaml)."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(str(path), 1, f"cannot read as UTF-8 text: {error}") from None
    try:
        document = parse(text, organizations=catalog.organization_names)
    except ParseError as error:
        raise SourceError(str(path), error.line, error.reason) from None
    spec_path = annotations_dir / f"{document.slug}.yaml"
    if not spec_path.is_file():
        raise SourceError(str(path), 1, f"no curated annotations at {spec_path}")
    spec = validate(AnnotationSpec, read_yaml(spec_path), spec_path)
    return apply_curated(
        document,
        spec,
        spec_path=spec_path,
        tag_slugs=catalog.tag_slugs,
        source_sha256=hashlib.sha256(raw).hexdigest(),
    )
