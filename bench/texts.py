"""The synthetic corpus as roundup source texts, in the layout `roundup import` reads.

    python -m bench.texts --roundups 1000 --out bench/.cache/texts-1000

Roundup `i` is rendered from `corpus.roundup(i)`; its title carries its number, so every file
has its own slug. `changed` rewrites one answer's first sentence: a file to re-import.
"""

import argparse
from collections.abc import Iterator
from pathlib import Path

from app.ingest.document import AnnotatedDocument
from bench import corpus


def render(document: AnnotatedDocument, number: int, *, changed: bool = False) -> str:
    parsed = document.document
    question = parsed.question.removesuffix("?")
    day = parsed.published_on
    lines = [
        f"Source: {parsed.image_credit}" if parsed.image_credit else "",
        f"{parsed.series}: {question}, take {number}?" if parsed.series else f"{question}?",
        parsed.dek or "",
        f"Published on {day:%B} {day.day}, {day.year}",
    ]
    for index, response in enumerate(parsed.responses):
        paragraphs = list(response.paragraphs)
        if changed and index == 0:
            paragraphs[0] = "Changed: " + paragraphs[0]
        lines += [response.expert_name, response.affiliation_line, *paragraphs]
    if parsed.disclaimer:
        lines.append(parsed.disclaimer)
    return "\n\n".join(line for line in lines if line) + "\n"


def write(folder: Path, roundups: int, seed: int = corpus.DEFAULT_SEED) -> list[Path]:
    """Render roundups 0..roundups-1 into `folder` (roundup-00001.txt, ...); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, document in _numbered(roundups, seed):
        path = folder / f"roundup-{number:05d}.txt"
        path.write_text(render(document, number), encoding="utf-8")
        paths.append(path)
    return paths


def change(paths: list[Path], every: int, seed: int = corpus.DEFAULT_SEED) -> list[Path]:
    """Rewrite every `every`-th file with one answer changed; returns the rewritten paths."""
    generated = corpus.build(len(paths), seed)
    changed = []
    for number, path in enumerate(paths, start=1):
        if number % every == 0:
            document = corpus.roundup(number - 1, seed, generated.catalog, generated.experts)
            path.write_text(render(document, number, changed=True), encoding="utf-8")
            changed.append(path)
    return changed


def _numbered(roundups: int, seed: int) -> Iterator[tuple[int, AnnotatedDocument]]:
    return enumerate(corpus.build(roundups, seed).documents(), start=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roundups", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(f"{len(write(args.out, args.roundups))} files in {args.out}")


if __name__ == "__main__":
    main()
