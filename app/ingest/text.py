"""Small text helpers shared by the parser, the annotator and the loader."""

import hashlib
import re
import unicodedata

from text_unidecode import unidecode


def slugify(value: str) -> str:
    """ASCII slug: accents folded, apostrophes dropped, other runs of non-alphanumerics -> '-'.

    Latin letters that do not fold to ASCII ("ł", "ø", "ß") take their usual transliteration
    ("Błędowski" -> "bledowski"), as accents fold ("Kobzová" -> "kobzova"). Letters of other
    scripts (Cyrillic, Greek, CJK) are transliterated too ("Москва" -> "moskva"), and since that
    can make two names one ("Zhang Wei" and "张伟"), such a slug ends with a hash of the
    letters themselves (12 hex digits): names that differ only in accents, case or punctuation
    still share a slug, names in different scripts never do. Empty only when `value` has no
    letter or digit at all."""
    parts = []
    transliterated = False
    for char in unicodedata.normalize("NFKD", value):
        if char.isascii():
            parts.append(char)
        elif char.isalnum():
            parts.append(unidecode(char))
            transliterated = transliterated or not unicodedata.name(char, "").startswith("LATIN")
        # Other characters (combining accents, dashes, quotes, symbols) are dropped.
    folded = re.sub(r"['’]", "", "".join(parts).lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if transliterated:
        return f"{slug}-{_letters_hash(value)}".strip("-")
    return slug


# 48 bits: two crafted names share a slug after about 2^24 tries, not 2^12 as with 24 bits.
SLUG_HASH_HEX = 12


def _letters_hash(value: str) -> str:
    letters = "".join(
        char
        for char in unicodedata.normalize("NFKD", value.casefold())
        if char.isalnum() and not unicodedata.combining(char)
    )
    return hashlib.sha256(letters.encode()).hexdigest()[:SLUG_HASH_HEX]


def word_count(text: str) -> int:
    return len(text.split())
