"""Hostile import files: each is reported with a reason, quickly, and the files after it are
imported; none stores what one engine would refuse and the other keep."""

import os
import time
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.ingest import importer
from app.ingest.errors import ParseError
from app.ingest.files import read_catalog
from app.ingest.importer import Transaction
from app.ingest.load import Catalog, LoadReport, load
from app.ingest.parse import parse
from app.ingest.pool import Setup, Work, parse_one
from app.ingest.rows import DocumentRows
from app.ingest.text import slugify
from app.models import Article, Expert
from tests.ingest.test_importer import MINIMAL, run
from tests.support.seed_facts import SEED_DIR, SEED_SOURCE

HEAD = "Judy Asks: {title}\n\nPublished on May 1, 2025\n\n"
BLOCK = "{name}\n\nSenior Fellow, Carnegie Europe\n\n{answer}\n\n"
SETUP = Setup(read_catalog(SEED_DIR), SEED_DIR / "annotations", None)


def roundup(title: str = "Is this a roundup?", *names: str, answer: str = "Yes. It is.") -> str:
    """A roundup whose first expert answers `answer`, the others "No."."""
    first, *others = names or ("Jane Doe", "John Roe")
    return HEAD.format(title=title) + "".join(
        [
            BLOCK.format(name=first, answer=answer),
            *(BLOCK.format(name=n, answer="No.") for n in others),
        ]
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            roundup("Is this\x00 a roundup?"),
            1,
            "control character U+0000 at column 19; not text",
        ),
        (roundup(answer="Yes.\x1b[2J It is."), 9, "control character U+001B at column 5; not text"),
        (
            roundup("Is " + "very " * 120 + "long?"),
            1,
            "the roundup's title is 619 characters; at most 500",
        ),
        (
            roundup("Is " + "long " * 55 + "enough?"),
            1,
            "the title's slug is 294 characters; at most 200",
        ),
        (
            roundup("¿?").removeprefix("Judy Asks: "),
            1,
            "the title has no letter or digit to name the roundup by",
        ),
        (
            roundup(answer="Yes. " * 4001),
            9,
            "a line of 20,005 characters; the longest allowed is 20,000",
        ),
    ],
)
def test_what_no_column_could_hold_is_refused_with_its_line(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.reason) == (line, reason)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Jana Kobzová", "jana-kobzova"),
        ("JANA KOBZOVA", "jana-kobzova"),
        ("Łukasz Nowak", "lukasz-nowak"),  # a Latin letter: transliterated as accents fold
        ("Lukasz Nowak", "lukasz-nowak"),
        ("Krzysztof Błędowski", "krzysztof-bledowski"),
        ("Øresund Straße", "oresund-strasse"),
        ("Иван Петров", "ivan-petrov-7b4a7cd0dc43"),
        ("ИВАН ПЕТРОВ", "ivan-petrov-7b4a7cd0dc43"),
        ("Ivan Petrov", "ivan-petrov"),
        ("张伟", "zhang-wei-a3a0bafd0bee"),
        ("Zhang Wei", "zhang-wei"),
        ("Europe—ready?", "europeready"),
        ("🙂 ¿?", ""),
        # Two names crafted to share the 24-bit hash slugs used to end with (d36db9).
        (
            "Евгений Эвгэньэвич Пэрепэлэвецев-Семенэвский",
            "evgenii-evgenevich-perepelevetsev-semenevskii-d36db9c1b3c5",
        ),
        (
            "Евгэний Евгенъевич Пэрепэлевэцэв-Семеневский",
            "evgenii-evgenevich-perepelevetsev-semenevskii-d36db9df0f1c",
        ),
    ],
)
def test_slugs_transliterate_and_never_merge_on_a_lossy_key(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_names_in_other_scripts_are_imported_as_different_people(
    session: Session, transaction: Transaction, tmp_path: Path
) -> None:
    latin = write(tmp_path, "a.txt", roundup("Should Kyiv talk?", "Ivan Petrov", "Jane Doe"))
    cyrillic = write(
        tmp_path, "b.txt", roundup("Должен ли Киев говорить?", "Иван Петров", "Łukasz Nowak")
    )
    lines = run(transaction, latin, cyrillic)
    assert [line.split()[:3] for line in lines] == [
        ["inserted", str(latin), "judy-asks-should-kyiv-talk"],
        ["inserted", str(cyrillic), "judy-asks-dolzhen-li-kiev-govorit-a21ec12fee3c"],
    ]
    experts = session.exec(
        select(Expert.slug, Expert.name).where(
            col(Expert.slug).in_(["ivan-petrov", "ivan-petrov-7b4a7cd0dc43", "lukasz-nowak"])
        )
    ).all()
    assert sorted(tuple(row) for row in experts) == [
        ("ivan-petrov", "Ivan Petrov"),
        ("ivan-petrov-7b4a7cd0dc43", "Иван Петров"),
        ("lukasz-nowak", "Łukasz Nowak"),
    ]


def test_bad_files_are_reported_and_the_rest_imported(
    session: Session, transaction: Transaction, tmp_path: Path
) -> None:
    nul = write(tmp_path, "nul.txt", roundup("Is this\x00 a roundup?"))
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)  # reading it would wait for a writer forever
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    lines = run(transaction, nul, fifo, tmp_path, big, MINIMAL, SEED_SOURCE)
    assert lines[:4] == [
        f"failed    {nul}:1: control character U+0000 at column 19; not text",
        f"failed    {fifo}: not a regular file (a FIFO); skipped",
        f"failed    {tmp_path}: not a regular file (a folder); skipped",
        f"failed    {big}: 2,097,153 bytes, over the limit of 2,097,152; skipped",
    ]
    assert lines[4].startswith(f"failed    {MINIMAL}:")  # no date line, none supplied
    assert lines[5].split()[0] == "unchanged"
    assert all("\x00" not in title for title in session.exec(select(Article.title)))


def test_a_defect_loading_one_file_does_not_stop_the_rest(
    session: Session, transaction: Transaction, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = load
    first = write(tmp_path, "a.txt", roundup("Is the first one loaded?"))
    second = write(tmp_path, "b.txt", roundup("Is the second one loaded?"))

    def broken(session: Session, doc: DocumentRows, catalog: Catalog, report: LoadReport) -> None:
        if doc.article["title"].endswith("first one loaded?"):
            raise RuntimeError("boom")
        real_load(session, doc, catalog, report)

    monkeypatch.setattr(importer, "load", broken)
    lines = run(transaction, first, second)
    assert lines[0] == f"failed    {first}: cannot load: RuntimeError('boom')"
    assert lines[1].split()[0] == "inserted"


def _seconds(text: str) -> float:
    started = time.perf_counter()
    parse_one(Work("x.txt", text.encode()), SETUP)
    return time.perf_counter() - started


def test_long_pathological_inputs_parse_in_bounded_time() -> None:
    """A 57 KB roundup whose answer is three paragraphs of abbreviations (pysbd's worst case:
    its cost grows with the square of a paragraph), and a 1 MB line, against a normal
    roundup: about 10x and under 1x a normal file's time (75x and 200x without the bounds)."""
    normal = min(_seconds(SEED_SOURCE.read_text(encoding="utf-8")) for _ in range(3))
    worst = "\n\n".join(["U.S. " * 3800] * 3)
    hostile = roundup(answer=worst)
    assert 56_000 < len(hostile.encode()) < 66_000
    assert parse_one(Work("x.txt", hostile.encode()), SETUP).rows is not None
    assert _seconds(hostile) < 40 * normal
    line = roundup(answer="U.S. " * 200_000)
    assert len(line) > 1_000_000
    assert _seconds(line) < 10 * normal
