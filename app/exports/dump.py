"""The whole dataset as one gzipped JSON Lines file, with its hash, license and attribution.

Line 1 is a `dump` record: format, data version, record counts, the SHA-256 of every line
after it (UTF-8, each ending in '\\n'), the license and the attribution of each article.
The file is byte-identical for the same data version (gzip mtime 0), as a strong ETag needs.
"""

import base64
import gzip
import hashlib
import io
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, BinaryIO

import orjson

FORMAT = "roundup-dump/1"
FILENAME = "roundup-dump.jsonl.gz"
MEDIA_TYPE = "application/gzip"
LICENSE = (
    "Texts: the articles' titles, questions and deks and the experts' answers are quoted"
    " verbatim from their publishers (for 'Taking the Pulse': Carnegie Europe), who hold the"
    " copyright; they are included for research and commentary. Attribution is required:"
    " cite the original article (title, publisher, date) whenever you quote or reuse them."
    " Annotations (stances, argument spans, kinds, tags), the organization gazetteer and the"
    " code: MIT License, the Roundup contributors. To cite the dataset, see CITATION.cff."
)


def repr_digest(sha256: str) -> str:
    """RFC 9530 Repr-Digest of the gzip file as served, from its SHA-256 in hex."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"


def write_dump(
    records: Iterable[dict[str, Any]], version: str | None, as_of: datetime | None, out: BinaryIO
) -> str:
    """Write the gzip file to `out`; returns its SHA-256 (hex). Memory stays flat: the lines
    go to a temporary file first, since the header that precedes them needs their hash."""
    kinds: Counter[str] = Counter()
    attribution: list[str] = []
    content = hashlib.sha256()
    with tempfile.TemporaryFile() as body:
        for record in records:
            line = orjson.dumps(record) + b"\n"
            body.write(line)
            content.update(line)
            kinds[record["type"]] += 1
            if record["type"] == "article":
                attribution.append(_attribution(record))
        header = {
            "type": "dump",
            "format": FORMAT,
            "data_version": version,
            "as_of": as_of.isoformat() if as_of else None,
            "records": dict(sorted(kinds.items())),
            "content_sha256": content.hexdigest(),
            "license": LICENSE,
            "attribution": attribution,
        }
        body.seek(0)
        digest = _Hashing(out)
        with gzip.GzipFile(filename="", mode="wb", fileobj=digest, mtime=0) as compressed:
            compressed.write(orjson.dumps(header) + b"\n")
            shutil.copyfileobj(body, compressed, 1 << 20)
    return digest.sha256.hexdigest()


class _Hashing(io.RawIOBase):
    """A writable stream that hashes what it passes on."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha256.update(data)
        self.out.write(data)
        return len(data)


def _attribution(article: dict[str, Any]) -> str:
    """`Title. Publisher, YYYY-MM-DD. URL` (the title keeps its own final ? or !)."""
    title = (
        article["title"] if article["title"].endswith(("?", "!", ".")) else f"{article['title']}."
    )
    source = f" {article['source_url']}" if article.get("source_url") else ""
    return f"{title} {article['publisher']}, {article['published_on']}.{source}"
