"""Measure the rules annotator: against the curated annotations of the same roundup, against
the stance test set (answer openings, each with the stance a careful reader gives it), and on
synthetic topic roundups (the tags each must carry and the absurd ones it must not).

Tags are compared on the curated arguments: a curated argument's predicted tags are the tags
of every rules sentence that overlaps its span. Sentences no curator annotated are not
counted, since the curated files annotate a selection of each answer, not every sentence.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.ingest.document import AnnotatedArgument, AnnotatedDocument
from app.ingest.specs import StanceCaseSpec, TopicSpec
from app.ingest.stance import opening_stance
from app.models import ArgumentKind, Stance


@dataclass(frozen=True)
class StanceComparison:
    expert: str
    curated: Stance
    rules: Stance
    rules_phrase: str | None

    @property
    def explicit(self) -> bool:
        """The rules annotator found a verdict (a hedge or no verdict gives `unclear`)."""
        return self.rules is not Stance.UNCLEAR

    @property
    def correct(self) -> bool:
        return self.curated is self.rules


@dataclass(frozen=True)
class Evaluation:
    stances: tuple[StanceComparison, ...]
    tag_true_positives: int
    tag_false_positives: int
    tag_false_negatives: int
    arguments: int
    kind_agreements: int

    @property
    def tag_precision(self) -> float:
        predicted = self.tag_true_positives + self.tag_false_positives
        return self.tag_true_positives / predicted if predicted else 0.0

    @property
    def tag_recall(self) -> float:
        expected = self.tag_true_positives + self.tag_false_negatives
        return self.tag_true_positives / expected if expected else 0.0

    @property
    def stance_correct(self) -> int:
        return sum(s.correct for s in self.stances)

    @property
    def explicit(self) -> tuple[StanceComparison, ...]:
        return tuple(s for s in self.stances if s.explicit)


def evaluate(curated: AnnotatedDocument, rules: AnnotatedDocument) -> Evaluation:
    """Compare two annotations of the same parsed roundup, response by response."""
    if curated.document != rules.document:
        raise ValueError("the two annotations are of different documents")
    stances = []
    true_positives = false_positives = false_negatives = kind_agreements = arguments = 0
    for gold, guess in zip(curated.responses, rules.responses, strict=True):
        stances.append(
            StanceComparison(
                gold.parsed.expert_name, gold.stance, guess.stance, guess.stance_phrase
            )
        )
        for argument in gold.arguments:
            overlapping = [
                unit
                for unit in guess.arguments
                if unit.start < argument.end and argument.start < unit.end
            ]
            predicted = {tag for unit in overlapping for tag in unit.tags}
            expected = set(argument.tags)
            true_positives += len(predicted & expected)
            false_positives += len(predicted - expected)
            false_negatives += len(expected - predicted)
            arguments += 1
            kind_agreements += _kind_of_largest_overlap(overlapping, argument) is argument.kind
    return Evaluation(
        stances=tuple(stances),
        tag_true_positives=true_positives,
        tag_false_positives=false_positives,
        tag_false_negatives=false_negatives,
        arguments=arguments,
        kind_agreements=kind_agreements,
    )


def report_lines(slug: str, evaluation: Evaluation) -> list[str]:
    """The evaluation as `roundup evaluate` prints it."""
    e = evaluation
    explicit = e.explicit
    return [
        f"evaluate: {slug}: rules annotator against the curated annotations",
        f"stance: {e.stance_correct} of {len(e.stances)} right"
        f" ({e.stance_correct / len(e.stances):.2f}); explicit verdicts:"
        f" {sum(s.correct for s in explicit)} of {len(explicit)} right;"
        f" {len(e.stances) - len(explicit)} without a verdict -> unclear",
        *(
            f"  {s.expert}: curated {s.curated.value}, rules {s.rules.value}"
            + (f" ({s.rules_phrase!r})" if s.rules_phrase else "")
            for s in e.stances
        ),
        f"tags: precision {e.tag_precision:.2f}, recall {e.tag_recall:.2f}"
        f" ({e.tag_true_positives} right, {e.tag_false_positives} extra,"
        f" {e.tag_false_negatives} missed, over {e.arguments} curated arguments)",
        f"kinds: {e.kind_agreements} of {e.arguments} agree"
        f" ({e.kind_agreements / e.arguments if e.arguments else 0.0:.2f})",
    ]


def _kind_of_largest_overlap(
    units: list[AnnotatedArgument], argument: AnnotatedArgument
) -> ArgumentKind | None:
    if not units:
        return None
    best = max(units, key=lambda u: min(u.end, argument.end) - max(u.start, argument.start))
    return best.kind


@dataclass(frozen=True)
class StanceCase:
    line: int
    kind: str
    opening: str
    expected: Stance
    rules: Stance
    rules_phrase: str | None

    @property
    def correct(self) -> bool:
        return self.expected is self.rules


@dataclass(frozen=True)
class StanceSetEvaluation:
    """The rules' stances on a set of openings read by a careful reader."""

    cases: tuple[StanceCase, ...]

    @property
    def correct(self) -> int:
        return sum(case.correct for case in self.cases)

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.cases) if self.cases else 0.0

    @property
    def verdicts(self) -> tuple[StanceCase, ...]:
        """The cases the rules gave a verdict on (anything but `unclear`)."""
        return tuple(case for case in self.cases if case.rules is not Stance.UNCLEAR)

    @property
    def precision(self) -> float:
        """Share of the rules' verdicts that are right; a wrong verdict costs more than
        `unclear`, so this is the number to keep at 1.0."""
        verdicts = self.verdicts
        return sum(case.correct for case in verdicts) / len(verdicts) if verdicts else 1.0


def evaluate_stances(cases: Sequence[StanceCaseSpec]) -> StanceSetEvaluation:
    results = []
    for case in cases:
        stance, phrase = opening_stance(case.opening)
        results.append(StanceCase(case.line, case.kind, case.opening, case.stance, stance, phrase))
    return StanceSetEvaluation(tuple(results))


def stance_set_lines(path: str, evaluation: StanceSetEvaluation) -> list[str]:
    """The stance-set evaluation as `roundup evaluate` prints it: the totals, per class, then
    every opening the rules did not read as the reader did."""
    e = evaluation
    verdicts = e.verdicts
    by_kind: dict[str, list[StanceCase]] = {}
    for case in e.cases:
        by_kind.setdefault(case.kind, []).append(case)
    return [
        f"evaluate: stance set {path}: rules annotator against {len(e.cases)} openings",
        f"stance set: {e.correct} of {len(e.cases)} right ({e.accuracy:.2f}); verdicts:"
        f" {sum(c.correct for c in verdicts)} of {len(verdicts)} right (precision"
        f" {e.precision:.2f}); {len(e.cases) - len(verdicts)} read as unclear",
        "  by class: "
        + ", ".join(
            f"{kind} {sum(c.correct for c in cases)}/{len(cases)}"
            for kind, cases in by_kind.items()
        ),
        *(
            f"  {path}:{c.line}: reader {c.expected.value}, rules {c.rules.value}: {c.opening!r}"
            for c in e.cases
            if not c.correct
        ),
    ]


@dataclass(frozen=True)
class TopicResult:
    """The tags the rules gave one topic roundup, against what it should and must not get."""

    file: str
    expected: frozenset[str]
    forbidden: frozenset[str]
    found: frozenset[str]
    arguments: int
    tagged: int

    @property
    def missing(self) -> list[str]:
        return sorted(self.expected - self.found)

    @property
    def absurd(self) -> list[str]:
        return sorted(self.forbidden & self.found)

    @property
    def covered(self) -> bool:
        return not self.missing


def topic_result(spec: TopicSpec, rules: AnnotatedDocument) -> TopicResult:
    arguments = [argument for response in rules.responses for argument in response.arguments]
    return TopicResult(
        file=spec.file,
        expected=frozenset(spec.expected),
        forbidden=frozenset(spec.forbidden),
        found=frozenset(tag for argument in arguments for tag in argument.tags),
        arguments=len(arguments),
        tagged=sum(bool(argument.tags) for argument in arguments),
    )


def topic_lines(path: str, results: Sequence[TopicResult]) -> list[str]:
    """Tag coverage on the topic roundups as `roundup evaluate` prints it."""
    covered = sum(result.covered for result in results)
    arguments = sum(result.arguments for result in results)
    tagged = sum(result.tagged for result in results)
    return [
        f"evaluate: topics {path}: rules annotator against {len(results)} topic roundups",
        f"topics: expected tags all found in {covered} of {len(results)}"
        f" ({covered / len(results) if results else 0.0:.2f}); arguments with a tag:"
        f" {tagged} of {arguments} ({tagged / arguments if arguments else 0.0:.2f});"
        f" absurd tags: {sum(len(result.absurd) for result in results)}",
        *(
            f"  {result.file}: missing {', '.join(result.missing) or '-'};"
            f" absurd {', '.join(result.absurd) or '-'}"
            for result in results
            if result.missing or result.absurd
        ),
    ]
