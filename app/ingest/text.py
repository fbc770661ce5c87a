"""Small text helpers shared by the parser, the annotator and the loader."""

import re
import unicodedata


def slugify(value: str) -> str:
    """ASCII slug: accents folded, apostrophes dropped, other runs of non-alphanumerics -> '-'."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"['’]", "", folded.lower())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def word_count(text: str) -> int:
    return len(text.split())
