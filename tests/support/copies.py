"""Seed folders for load tests: copies of the seed roundup under new titles, and edits."""

import shutil
from pathlib import Path

from tests.support.seed_facts import SEED_DIR, SEED_SLUG, SEED_SOURCE, SEED_TITLE


def seed_folder(target: Path, copies: int = 0) -> Path:
    """`target` holding the catalog, the seed roundup and `copies` renamed copies of it."""
    shutil.copytree(SEED_DIR, target)
    text = SEED_SOURCE.read_text(encoding="utf-8")
    spec = (target / "annotations" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8")
    for number in range(1, copies + 1):
        slug = f"{SEED_SLUG}-{number}"
        title = SEED_TITLE.replace("Russia?", f"Russia {number}?")
        (target / f"{slug}.txt").write_text(text.replace(SEED_TITLE, title), encoding="utf-8")
        (target / "annotations" / f"{slug}.yaml").write_text(
            spec.replace(f'article: "{SEED_SLUG}"', f'article: "{slug}"'), encoding="utf-8"
        )
    return target


def edit_source(folder: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur) in the seed roundup's source under `folder`."""
    source = folder / f"{SEED_SLUG}.txt"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")
