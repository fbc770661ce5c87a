"""Curating a roundup: `roundup annotate` drafts, `roundup check` validates, seed loads it."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, col, select

from app import db
from app.cli import main
from app.config import get_settings
from app.ingest.document import AnnotatedResponse, ParsedResponse
from app.ingest.draft import draft_yaml, stance_note
from app.ingest.files import read_catalog, read_document
from app.ingest.parse import parse
from app.ingest.rules import annotate_rules
from app.ingest.seed import seed
from app.models import AnnotationSource, Answer, Argument, Stance
from tests.support.seed_facts import SEED_DIR, SEED_SLUG, SEED_SOURCE

FIXTURES = Path(__file__).parents[1] / "fixtures" / "roundups"
CATALOG = read_catalog(SEED_DIR)


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An unreachable database, and an engine that may not be built at all."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the database was touched")

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nowhere")
    monkeypatch.setattr(db, "build_engine", refuse)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def draft(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "drafts" / f"{SEED_SLUG}.yaml"
    assert main(["annotate", str(SEED_SOURCE), "-o", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"annotate: wrote {path} (7 responses); correct it, then `roundup check {path}`\n"
    )
    return path


def test_the_draft_is_the_rules_reading_quoted_verbatim(draft: Path) -> None:
    text = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    document = read_document(SEED_SOURCE, CATALOG, SEED_DIR / "annotations").document
    rules = annotate_rules(document, CATALOG.tag_rules, source_sha256="")
    assert text == draft_yaml(rules)
    assert (data["article"], data["annotator"]) == (SEED_SLUG, "curated")
    assert [(r["expert"], r["stance"], r["stance_phrase"]) for r in data["responses"]] == [
        (r.parsed.expert_name, r.stance.value, r.stance_phrase) for r in rules.responses
    ]
    for spec, response in zip(data["responses"], rules.responses, strict=True):
        assert [(a["text"], a["kind"], a["tags"]) for a in spec["arguments"]] == [
            (a.text, a.kind.value, list(a.tags)) for a in response.arguments if a.tags
        ]
        for argument in spec["arguments"]:
            assert response.parsed.body.count(argument["text"]) == 1
    comments = [line for line in text.splitlines() if line.startswith("  # rules: ")]
    assert comments == [
        "  # rules: yes from the explicit verdict 'Yes, of course Europe should be negotiating"
        " with Russia' (confident); 11 sentences, 6 tagged",
        "  # rules: not_yet from the explicit verdict 'Yes, but not yet.' (confident);"
        " 8 sentences, 7 tagged",
        "  # rules: unclear, no verdict in the opening; read the answer and set the stance;"
        " 11 sentences, 7 tagged",
        "  # rules: unclear, no verdict in the opening; read the answer and set the stance;"
        " 9 sentences, 8 tagged",
        "  # rules: unclear, no verdict in the opening; read the answer and set the stance;"
        " 10 sentences, 8 tagged",
        "  # rules: unclear, no verdict in the opening; read the answer and set the stance;"
        " 10 sentences, 9 tagged",
        "  # rules: yes from the explicit verdict 'Yes.' (confident); 12 sentences, 9 tagged",
    ]
    assert '      # no tag found: "That means two things."' in text.splitlines()


def test_annotate_never_overwrites(draft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = draft.read_text(encoding="utf-8")
    assert main(["annotate", str(SEED_SOURCE), "-o", str(draft)]) == 1
    assert capsys.readouterr().err == f"roundup annotate: {draft} exists; not overwriting it\n"
    assert draft.read_text(encoding="utf-8") == before


def test_annotate_prints_to_stdout_and_names_a_bad_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["annotate", str(FIXTURES / "verdicts.txt")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2] == 'article: "taking-the-pulse-should-europe-plant-more-forests"'
    broken = tmp_path / "broken.txt"
    broken.write_text("Taking the Pulse: Why?\n\nPublished on Smarch 1, 2025\n", encoding="utf-8")
    assert main(["annotate", str(broken)]) == 1
    assert capsys.readouterr().err == (
        f"roundup annotate: {broken}:3: cannot read the date 'Smarch 1, 2025';"
        " expected 'Month D, YYYY'\n"
    )


@pytest.mark.usefixtures("no_database")
def test_check_passes_the_draft_and_the_seed_without_a_database(
    draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(draft), str(SEED_DIR / "annotations")]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "check: 2 annotation file(s): 2 ok, 0 with problems; 0 problem(s)\n",
        "",
    )


def _broken(draft: Path, old: str, new: str) -> None:
    text = draft.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    draft.write_text(text.replace(old, new), encoding="utf-8")


def _line(draft: Path, fragment: str) -> int:
    lines = draft.read_text(encoding="utf-8").splitlines()
    (number,) = [index + 1 for index, line in enumerate(lines) if fragment in line]
    return number


@pytest.mark.usefixtures("no_database")
def test_check_names_file_and_line_of_every_problem(
    draft: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A quote that is not verbatim, one that is not unique, an unknown tag, an unknown
    # expert, a stance outside the enum is reported alone (the schema is checked first).
    _broken(draft, "doesn’t want it there.", "does not want it there.")
    _broken(draft, 'stance_phrase: "Yes, but not yet."', 'stance_phrase: "Russia"')
    _broken(draft, 'tags: ["deterrence"]', 'tags: ["deterrence", "forests"]')
    _broken(draft, 'expert: "Eugene Rumer"', 'expert: "Eugene Rumour"')
    assert main(["check", str(draft)]) == 1
    captured = capsys.readouterr()
    phrase_line = _line(draft, 'stance_phrase: "Russia"')
    assert captured.err.splitlines() == [
        f"{draft}:{_line(draft, 'responses:')}: no annotations for 'Eugene Rumer'",
        f"{draft}:{_line(draft, 'does not want it there.')}: not found verbatim in Veronica"
        " Anghel's answer: 'The EU needs a strategy to get a seat at the table precisely because"
        " Moscow does not want it there.'",
        f"{draft}:{_line(draft, 'forests')}: unknown tag(s): forests",
        f"{draft}:{phrase_line}: occurs 2 times in Samuel Greene's answer; quote more: 'Russia'",
        f"{draft}:{_line(draft, 'Eugene Rumour')}: no expert named 'Eugene Rumour' in the text",
    ]
    assert captured.out == "check: 1 annotation file(s): 0 ok, 1 with problems; 5 problem(s)\n"

    _broken(draft, 'stance: "not_yet"', 'stance: "probably"')
    assert main(["check", str(draft)]) == 1
    assert capsys.readouterr().err == (
        f"{draft}:{_line(draft, 'probably')}: responses.1.stance: Input should be 'yes',"
        " 'yes_conditional', 'not_yet', 'no', 'mixed' or 'unclear'\n"
    )


@pytest.mark.usefixtures("no_database")
def test_check_knows_sources_given_beside_and_names_the_file_import_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "forests.yaml"
    assert main(["annotate", str(FIXTURES / "verdicts.txt"), "-o", str(draft)]) == 0
    capsys.readouterr()
    slug = "taking-the-pulse-should-europe-plant-more-forests"
    assert main(["check", str(draft)]) == 1
    assert capsys.readouterr().err == (
        f"{draft}:3: no source text for article '{slug}'; pass its .txt file or folder\n"
    )
    assert main(["check", str(draft), str(FIXTURES / "verdicts.txt")]) == 1
    assert capsys.readouterr().err == (
        f"{draft}:3: name the file {slug}.yaml so that `roundup import` finds it\n"
    )
    draft.rename(tmp_path / f"{slug}.yaml")
    assert main(["check", str(tmp_path), str(FIXTURES / "verdicts.txt")]) == 0
    (tmp_path / "bad.yaml").write_text("article: [\n", encoding="utf-8")
    assert main(["check", str(tmp_path), str(FIXTURES / "verdicts.txt")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'bad.yaml'}:2: expected the node content, but found '<stream end>'"
    ]


def test_round_trip_annotate_check_seed_as_curated(
    draft: Path, seed_copy: Path, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """The draft, unchanged, is a valid curated file: seed loads it as curated."""
    assert main(["check", str(draft)]) == 0
    draft.replace(seed_copy / "annotations" / f"{SEED_SLUG}.yaml")
    seed(session, [seed_copy], seed_copy)
    rules = annotate_rules(
        read_document(SEED_SOURCE, CATALOG, SEED_DIR / "annotations").document,
        CATALOG.tag_rules,
        source_sha256="",
    )
    responses = session.exec(
        select(Answer.stance, Answer.stance_phrase, Answer.stance_source).order_by(
            col(Answer.position)
        )
    ).all()
    assert [tuple(r) for r in responses] == [
        (r.stance, r.stance_phrase, AnnotationSource.CURATED) for r in rules.responses
    ]
    arguments = session.exec(
        select(Argument.text, Argument.start, Argument.end, Argument.annotation_source)
        .join(Answer)
        .order_by(col(Answer.position), col(Argument.position))
    ).all()
    assert [tuple(a) for a in arguments] == [
        (a.text, a.start, a.end, AnnotationSource.CURATED)
        for r in rules.responses
        for a in r.arguments
        if a.tags
    ]


def test_a_stance_phrase_that_is_not_unique_becomes_its_sentence() -> None:
    document = parse(
        "Judy Asks: Is It?\n\nJane Doe\nFellow, Carnegie Europe\n"
        "No—as usual. Nobody knows why. No one asks.\n",
        published_on=date(2024, 1, 1),
    )
    rules = annotate_rules(document, CATALOG.tag_rules, source_sha256="")
    (response,) = rules.responses
    assert (response.stance, response.stance_phrase) == (Stance.NO, "No")
    assert '    stance_phrase: "No—as usual."' in draft_yaml(rules).splitlines()


def test_stance_notes() -> None:
    parsed = ParsedResponse(
        expert_name="Jane Doe",
        affiliation_line="Fellow, Carnegie Europe",
        affiliations=(),
        paragraphs=("Perhaps.",),
        line=1,
    )

    def note(stance: Stance, phrase: str | None) -> str:
        return stance_note(
            AnnotatedResponse(
                parsed=parsed,
                stance=stance,
                stance_phrase=phrase,
                stance_source=AnnotationSource.RULES,
                arguments=(),
            )
        )

    assert note(Stance.UNCLEAR, "Perhaps.") == (
        "rules: unclear, the opening 'Perhaps.' hedges; check the stance; 0 sentences, 0 tagged"
    )
    assert note(Stance.NO, "No.") == (
        "rules: no from the explicit verdict 'No.' (confident); 0 sentences, 0 tagged"
    )
