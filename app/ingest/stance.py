"""The stance an answer's opening words state, read by rules: a verdict or an honest `unclear`.

A wrong verdict is worse than `unclear`, so every rule is narrow: the verdict must stand at the
start of the opening phrase, end its clause ("In the eyes of most citizens, clearly not."),
sit between commas ("..., no, it is clearly not doing enough.") or be given as the answer
("the answer is “it should.”"). Hedges, conditions in the preamble, counter-questions and
rejections of the question's premise give `unclear`.
"""

import re

from app.ingest.sentences import sentence_spans
from app.models import Stance

# A verdict ends its clause: "No—", "Yes.", "Yes, ...", "No - as ..."; "No one expects...",
# "Yes-men ..." or "Absolutely nothing..." are not verdicts.
_ENDS = r"(?=\s*(?:[.,;:!—–]|\s-|$))"
# Words other than "yes" affirm only when they stand alone: "Of course." is a verdict,
# "Of course, much depends on Washington." is not.
_ALONE = r"(?=\s*(?:[.!]|$))"
_AFFIRM = r"(?:absolutely|certainly|definitely|of\s+course)"
_INTENSIFIER = r"(?:absolutely|certainly|definitely|of\s+course|clearly|surely)"
_VERDICT_WORD = rf"(?:yes|no|{_AFFIRM})"
_CONDITION = r"(?:if|provided|as\s+long\s+as|on\s+condition)\b"
_LATER = r"(?:eventually|in\s+time|one\s+day|later|in\s+the\s+(?:long|longer)\s+(?:run|term))\b"

# Tried in order against the opening phrase; the first match decides.
VERDICTS: tuple[tuple[Stance, re.Pattern[str]], ...] = tuple(
    (stance, re.compile(pattern, re.IGNORECASE))
    for stance, pattern in (
        (
            Stance.MIXED,
            rf"(?:yes\W*(?:and|but|or)\s+no|no\W*(?:and|but|or)\s+yes){_ENDS}",
        ),
        (
            Stance.NOT_YET,
            rf"(?:(?:yes|no)\W+(?:but\s+)?)?not\s+(?:yet|now){_ENDS}"
            r"|not\s+(?:before|until)\b"
            rf"|yes\W+(?:but\s+)?{_LATER}",
        ),
        (
            Stance.YES_CONDITIONAL,
            rf"{_VERDICT_WORD}(?:\W+{_AFFIRM})?\W+(?:but\s+)?(?:only\s+)?{_CONDITION}"
            r"|only\s+if\b",
        ),
        (
            Stance.UNCLEAR,
            rf"{_VERDICT_WORD}(?:\W+{_AFFIRM})?\W+"
            r"(?:but|though|although|unless|except|in\s+principle|in\s+theory)\b"
            r"|yes\W+(?:no|maybe|perhaps)\b|no\W+(?:yes|maybe|perhaps)\b"
            r"|(?:(?:maybe|perhaps|possibly|probably)(?:\s+not)?|partly|it\s+depends"
            rf"|not\s+necessarily|not\s+really){_ENDS}",
        ),
        (
            Stance.YES,
            rf"yes(?:\W+{_AFFIRM})?{_ENDS}|{_AFFIRM}(?:\W+yes)?{_ALONE}",
        ),
        (
            Stance.NO,
            rf"(?:{_INTENSIFIER}\s+)?(?:no|not)(?:\s+at\s+all)?{_ENDS}|never{_ALONE}",
        ),
    )
)

# "the answer is “it should.”", "The short answer is no.": the verdict ends the phrase.
_ANSWER = re.compile(
    r"\b(?:the|my|our)\s+(?:(?:short|simple|honest|brief|plain|clear)\s+)?answer\s+"
    r"(?:is|must\s+be|has\s+to\s+be)\s*(?:(?:simple|short|clear|plain)\s*)?[:,]?\s*[“\"‘']?"
    r"(?P<verdict>yes|no|not\s+yet|(?:it|they|we|europe)\s+(?:should|must|can|will|does|do|is|are)"
    r"(?:n't|\s+not)?)"
    r"[\s.,!”\"’']*$",
    re.IGNORECASE,
)
# A verdict closing the opening or between commas: "In the eyes of most citizens, clearly
# not.", "Despite the summits, no, it is clearly not doing enough."
_LATE = re.compile(
    rf",\s*(?P<verdict>(?:{_INTENSIFIER}\s+)?(?:yes|no)|{_INTENSIFIER}\s+not)"
    r"\s*(?:[.!]?\s*$|,\s*(?P<rest>\S.*)$)",
    re.IGNORECASE,
)
# A preamble that makes the verdict conditional, hedged, temporary or reported as a question.
_UNSURE_PREAMBLE = re.compile(
    r"\b(?:if|unless|whether|when|although|though|perhaps|maybe|probably|possibly|arguably"
    r"|principle|theory|now|moment|present|currently|today|yet|ways?|respects?|sense|extent"
    r"|part|partly|largely|mostly)\b|[?“”\"]",
    re.IGNORECASE,
)
_HEDGED_REST = re.compile(
    r"(?:but|though|although|unless|except|if|only|provided|not\s+yet)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"\b(?:not|never|cannot|no\s+longer)\b|n't\b", re.IGNORECASE)

# The opening phrase is the first sentence, cut at its first dash, colon or semicolon:
# "No—the land is needed" -> "No"; "Yes, of course Europe should talk—but ..." -> "Yes, of
# course Europe should talk". A bare verdict keeps the qualifier that follows its dash
# ("Yes—but only if ..."), and "The answer is simple: no." keeps what follows its colon.
_CLAUSE_END = re.compile(r"\s*[—–;:]\s*|\s+-{1,2}\s+|\s*--\s*")
_BARE_VERDICT = re.compile(rf"{_VERDICT_WORD}\W*$", re.IGNORECASE)
_QUALIFIER = re.compile(
    rf"(?:but|though|although|only|unless|except|not\s+(?:yet|now)|{_CONDITION}|{_LATER})",
    re.IGNORECASE,
)
_ANSWER_HEAD = re.compile(r"\banswer\b[^,]*$", re.IGNORECASE)
_QUESTIONS_BEFORE_VERDICT = 2
# A second verdict later in the sentence ("The short answer is yes; the long answer is no.").
_SECOND_SIDE = re.compile(r"\banswer\b|\bin\s+practice\b|\bon\s+the\s+other\s+hand\b", re.I)


def opening_stance(body: str) -> tuple[Stance, str | None]:
    """The stance stated by the answer's opening words, and those words verbatim; an answer
    that opens without a verdict is `unclear` with no phrase.

    An opening question ("Should they? No.") is the expert restating or turning the question;
    the verdict may follow it, so up to two questions are read past.
    """
    spans = sentence_spans(body)
    for start, end in spans[: _QUESTIONS_BEFORE_VERDICT + 1]:
        sentence = body[start:end]
        phrase = opening_phrase(sentence)
        stance = verdict(phrase)
        if stance is not None and _SECOND_SIDE.search(sentence, len(phrase)):
            return Stance.UNCLEAR, None
        if stance is not None:
            return stance, phrase
        if not sentence.rstrip(" ”\"’'").endswith("?"):
            break
    return Stance.UNCLEAR, None


def opening_phrase(sentence: str) -> str:
    cut = _CLAUSE_END.search(sentence)
    if cut is None:
        return sentence
    head = sentence[: cut.start()]
    keeps_going = (_BARE_VERDICT.match(head) and _QUALIFIER.match(sentence, cut.end())) or (
        _ANSWER_HEAD.search(head) and ":" in cut.group()
    )
    if keeps_going:
        following = _CLAUSE_END.search(sentence, cut.end())
        return sentence[: following.start()] if following else sentence
    return head


def verdict(phrase: str) -> Stance | None:
    """The stance `phrase` states, `UNCLEAR` for a hedge, None when it states none."""
    for stance, pattern in VERDICTS:
        if pattern.match(phrase):
            return stance
    if (answer := _ANSWER.search(phrase)) and not _UNSURE_PREAMBLE.search(phrase[: answer.start()]):
        return _answer_stance(answer.group("verdict"))
    if (late := _LATE.search(phrase)) and not _UNSURE_PREAMBLE.search(phrase[: late.start()]):
        return _late_stance(late.group("verdict"), late.group("rest"))
    return None


def is_bare_verdict(sentence: str) -> bool:
    """A sentence that is nothing but a verdict ("Yes.", "Yes, but not yet.")."""
    for _, pattern in VERDICTS:
        if match := pattern.match(sentence):
            return not sentence[match.end() :].strip(" .,;:!?—–-")
    return False


def _answer_stance(given: str) -> Stance:
    words = given.lower()
    if words == "not yet":
        return Stance.NOT_YET
    if words == "no" or _NEGATION.search(words):
        return Stance.NO
    return Stance.YES


def _late_stance(given: str, rest: str | None) -> Stance | None:
    if rest is not None and _HEDGED_REST.match(rest):
        return None
    says_no = bool(re.search(r"\b(?:no|not)$", given, re.IGNORECASE))
    if not says_no and rest is not None and _NEGATION.search(rest):
        # "..., yes, it is not enough" contradicts itself: no verdict is read.
        return None
    return Stance.NO if says_no else Stance.YES
