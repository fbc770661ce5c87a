"""The whole dataset as one gzipped JSON Lines file, with its hash, license and attribution.

Line 1 is a `dump` record: format, data version, record counts, the SHA-256 of every line
after it (UTF-8, each ending in '\\n'), the license and the attribution of each article.
The file is byte-identical for the same data version (gzip mtime 0), as a strong ETag needs.
"""

import base64
import gzip
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class Dump:
    content: bytes
    sha256: str

    @property
    def repr_digest(self) -> str:
        """RFC 9530 Repr-Digest of the gzip file as served."""
        return f"sha-256=:{base64.b64encode(bytes.fromhex(self.sha256)).decode()}:"


def build_dump(
    records: Iterable[dict[str, Any]], version: str | None, as_of: datetime | None
) -> Dump:
    lines: list[bytes] = []
    kinds: Counter[str] = Counter()
    attribution: list[str] = []
    for record in records:
        lines.append(orjson.dumps(record) + b"\n")
        kinds[record["type"]] += 1
        if record["type"] == "article":
            attribution.append(_attribution(record))
    body = b"".join(lines)
    header = {
        "type": "dump",
        "format": FORMAT,
        "data_version": version,
        "as_of": as_of.isoformat() if as_of else None,
        "records": dict(sorted(kinds.items())),
        "content_sha256": hashlib.sha256(body).hexdigest(),
        "license": LICENSE,
        "attribution": attribution,
    }
    content = gzip.compress(orjson.dumps(header) + b"\n" + body, mtime=0)
    return Dump(content=content, sha256=hashlib.sha256(content).hexdigest())


def _attribution(article: dict[str, Any]) -> str:
    """`Title. Publisher, YYYY-MM-DD. URL` (the title keeps its own final ? or !)."""
    title = (
        article["title"] if article["title"].endswith(("?", "!", ".")) else f"{article['title']}."
    )
    source = f" {article['source_url']}" if article.get("source_url") else ""
    return f"{title} {article['publisher']}, {article['published_on']}.{source}"
