"""Parser fuzzing: mutated and synthetic roundups, hostile Unicode, 10 MB inputs.

`parse` must return a document or raise ParseError (nothing else), quickly, and whatever it
returns must point exactly into the text: each expert at its line, each paragraph verbatim,
and each curated argument span `body[start:end] == text`.
"""

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.annotate import apply_curated
from app.ingest.document import RoundupDocument
from app.ingest.errors import ParseError, SourceError
from app.ingest.files import read_catalog
from app.ingest.parse import _disclaimer_start, parse
from app.ingest.specs import AnnotationSpec, read_yaml, validate
from tests.support.seed_facts import SEED_DIR, SEED_SLUG, SEED_SOURCE

SEED_TEXT = SEED_SOURCE.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")
CATALOG = read_catalog(SEED_DIR)
SPEC_PATH = SEED_DIR / "annotations" / f"{SEED_SLUG}.yaml"
SPEC = validate(AnnotationSpec, read_yaml(SPEC_PATH), SPEC_PATH)
SECONDS_PER_PARSE = 5.0  # generous: a parse of the seed takes about a millisecond
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text that stresses the parser: controls, BOM, line and paragraph separators, RTL marks,
# combining marks, look-alikes, and pieces of the layout it looks for.
HOSTILE_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            [
                "\x00", "\x07", "\x1b", "\x7f", "\r", "\r\n", "\ufeff", "\u2028", "\u2029",
                "\u200b", "\u202e", "\u0301", "\u00a0", "\ufffd", "’", "?", ":", ",",
                "Published on ", "Taking the Pulse: ", "Source: ", " does not take ",
                "institutional positions", "Senior Fellow, Carnegie Europe", "\n", "\n\n",
            ]
        ),
    ),
    max_size=60,
).map("".join)  # fmt: skip


def check_document(text: str, document: RoundupDocument) -> None:
    """Everything the parser returns points exactly into `text`."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = {line.strip() for line in lines}
    assert document.title in stripped
    for response in document.responses:
        line = lines[response.line - 1].strip()
        assert line.startswith(response.expert_name)
        if line == response.expert_name:
            following = next(line.strip() for line in lines[response.line :] if line.strip())
            assert following == response.affiliation_line
        else:  # name and affiliation on one line, with a separator
            assert line.endswith(response.affiliation_line)
        assert response.paragraphs
        for paragraph in response.paragraphs:
            # a whole line, or (a disclaimer glued on) the start of one
            assert paragraph in stripped or any(line.startswith(paragraph) for line in stripped)
        assert response.body == "\n\n".join(response.paragraphs)
    try:
        annotated = apply_curated(
            document,
            SPEC,
            spec_path=SPEC_PATH,
            tag_slugs=CATALOG.tag_slugs,
            source_sha256="0" * 64,
        )
    except SourceError:
        return
    for annotated_response in annotated.responses:
        body = annotated_response.parsed.body
        for argument in annotated_response.arguments:
            assert body[argument.start : argument.end] == argument.text


def parse_within_bound(text: str, seconds: float = SECONDS_PER_PARSE) -> RoundupDocument | None:
    started = time.monotonic()
    error: ParseError | None = None
    try:
        document: RoundupDocument | None = parse(text, organizations=CATALOG.organization_names)
    except ParseError as raised:
        document, error = None, raised
    assert time.monotonic() - started < seconds
    if error is not None:  # it names a line of the text, and why
        assert 1 <= error.line <= text.count("\n") + text.count("\r") + 1
        assert error.reason
    if document is not None:
        check_document(text, document)
    return document


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "edit"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "insert":
            lines.insert(index, draw(HOSTILE_TEXT))
        else:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            cut = draw(st.integers(0, 5))
            lines[index] = line[:at] + draw(HOSTILE_TEXT) + line[at + cut :]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


@settings(FUZZ, max_examples=300)
@given(mutated_seed())
def test_mutated_seed(text: str) -> None:
    parse_within_bound(text)


@settings(FUZZ, max_examples=200)
@given(HOSTILE_TEXT)
def test_arbitrary_text(text: str) -> None:
    parse_within_bound(text)


NAME_WORD = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True)
SENTENCE = st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)


@st.composite
def synthetic_roundup(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, list[str]]]]:
    names = draw(
        st.lists(st.tuples(NAME_WORD, NAME_WORD).map(" ".join), min_size=1, max_size=6, unique=True)
    )
    experts = [
        (
            name,
            f"{draw(st.sampled_from(['Senior Fellow', 'Director', 'Professor']))},"
            f" {draw(NAME_WORD)} Institute",
            draw(st.lists(SENTENCE, min_size=1, max_size=4)),
        )
        for name in names
    ]
    blank = draw(st.sampled_from(["\n", "\n\n", "\r\n\r\n"]))
    blocks = [
        "Taking the Pulse: Should Anyone Ask?",
        draw(SENTENCE),
        "Published on March 3, 2024",
        *(
            blank.join([name, affiliation, *paragraphs])
            for name, affiliation, paragraphs in experts
        ),
    ]
    return blank.join(blocks) + blank, experts


@settings(FUZZ, max_examples=150)
@given(synthetic_roundup())
def test_synthetic_roundups_round_trip(case: tuple[str, list[tuple[str, str, list[str]]]]) -> None:
    text, experts = case
    document = parse_within_bound(text)
    assert document is not None
    assert [
        (r.expert_name, r.affiliation_line, list(r.paragraphs)) for r in document.responses
    ] == experts


@pytest.mark.parametrize(
    "name",
    ["seed repeated", "one capitalized line", "dek without punctuation", "random lines"],
)
def test_ten_megabytes(name: str) -> None:
    size = 10 * 1024 * 1024
    head = SEED_TEXT[: SEED_TEXT.index("Veronica Anghel")]
    expert = "Jane Doe\nSenior Fellow, Some Institute\n"
    text = {
        "seed repeated": SEED_TEXT * (size // len(SEED_TEXT)),
        "one capitalized line": head + expert + "Aa " * (size // 3),
        "dek without punctuation": "Title\n"
        + "word " * (size // 5)
        + "\nPublished on May 1, 2025\n"
        + expert
        + "An answer.\n",
        "random lines": "\n".join(
            f"Line {i} {'Xy' * (i % 50)} {chr(0x400 + i % 200)}" for i in range(size // 60)
        ),
    }[name]
    assert len(text) >= size * 0.9
    parse_within_bound(text, seconds=30)


OLD_DISCLAIMER = re.compile(r"(?:[A-Z][\w’'&.-]*\s)+does not take institutional positions")


@settings(FUZZ, max_examples=400)
@given(
    st.lists(
        st.sampled_from(
            [
                *("A", "Carnegie", "x", "É", "_", "’", "&", ".", "-", " ", "  ", "\u00a0", "\t"),
                "does not take institutional positions",
                " does not take institutional positions",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_disclaimer_scan_matches_the_regex_it_replaced(text: str) -> None:
    match = OLD_DISCLAIMER.search(text)
    assert _disclaimer_start(text) == (match.start() if match else None)


def test_the_seed_parses_exactly() -> None:
    document = parse_within_bound(SEED_TEXT)
    assert document is not None
    assert len(document.responses) == 7
