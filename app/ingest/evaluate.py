"""Measure the rules annotator against the curated annotations of the same roundup.

Tags are compared on the curated arguments: a curated argument's predicted tags are the tags
of every rules sentence that overlaps its span. Sentences no curator annotated are not
counted, since the curated files annotate a selection of each answer, not every sentence.
"""

from dataclasses import dataclass

from app.ingest.document import AnnotatedArgument, AnnotatedDocument
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
