"""Deterministic synthetic corpus shaped like the real one, as annotated documents.

Every roundup has 7 responses of about 250 words; every response has 5 arguments that are
whole sentences of its answer (so their spans are exact) with 2 tags from the taxonomy. The
experts (500) and organizations (150, some of them units of others) are drawn from fixed
pools. Roundup `i` depends only on (seed, i), so a smaller corpus is a prefix of a larger one.
"""

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from app.ingest.document import (
    AnnotatedArgument,
    AnnotatedDocument,
    AnnotatedResponse,
    ParsedAffiliation,
    ParsedResponse,
    RoundupDocument,
)
from app.ingest.files import read_catalog
from app.ingest.load import Catalog
from app.ingest.specs import OrganizationKind, OrganizationSpec, TagSpec
from app.ingest.text import slugify
from app.models import AnnotationSource, ArgumentKind, Stance

DEFAULT_SEED = 20251204
RESPONSES_PER_ROUNDUP = 7
ARGUMENTS_PER_RESPONSE = 5
TAGS_PER_ARGUMENT = 2
EXPERT_COUNT = 500
ORGANIZATION_COUNT = 150
UNIT_COUNT = 40
SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
FIRST_DATE = date(1998, 1, 1)
PUBLISHER = "Carnegie Europe"
DISCLAIMER = (
    "Carnegie does not take institutional positions on public policy issues; the views"
    " represented herein are those of the author(s) and do not necessarily reflect the views"
    " of Carnegie, its staff, or its trustees."
)

_FIRST = (
    "Anna Bruno Carla Dmitri Elena Farid Greta Hugo Ines Jonas Katarina Lukas Marta Nikolai "
    "Olga Pavel Quentin Rosa Stefan Tamara Ulrich Vera Wojciech Xenia Yusuf Zofia Adrian "
    "Beatrix Cyril Daria Emil Flora Gustav Hanna Igor Julia Karel Lena Milan Nadia Oskar "
    "Petra Radek Sofia Tomas Ursula Viktor Wanda Yannis Zeynep"
).split()
_LAST = (
    "Anghel Bauer Costa Dragan Eriksen Fischer Galeotti Horvat Ivanova Jansen Kovacs Lindqvist "
    "Moreau Novak Orlov Petrov Quiroga Rossi Schmidt Tanaka Urban Varga Weber Yilmaz Zielinski "
    "Albrecht Berger Conti Dumont Esposito Ferrari Gruber Hoffmann Ionescu Jovanovic Keller "
    "Lambert Marino Nielsen Olsen Popescu Richter Santos Toth Vogel Wagner Zimmermann Brandt "
    "Caruso Dietrich"
).split()
_PLACES = (
    "Baltic Nordic Atlantic Danube Adriatic Carpathian Alpine Iberian Rhine Vistula Aegean "
    "Balkan Pannonian Caspian Mediterranean Continental European Eastern Western Central "
    "Northern Southern Transatlantic Black Sea"
).split()
_FIELDS = (
    "Security Studies|Foreign Policy|International Affairs|Strategic Studies|Economic Policy|"
    "Democracy Research|Energy Policy|Defence Analysis|Migration Studies|Global Governance|"
    "European Integration|Eastern European Studies|Conflict Research|Public Policy|"
    "Political Economy|Geopolitics"
).split("|")
_ROLES = (
    "Senior Fellow|Director|Associate Fellow|Nonresident Scholar|Research Fellow|"
    "Head of Programme|Senior Researcher|Visiting Fellow|Deputy Director|Senior Analyst"
).split("|")
_ACTORS = (
    "Europe|the EU|Brussels|NATO|Germany|France|Poland|the Baltic states|the European Commission|"
    "Central Europe|the Nordic countries|Southern Europe"
).split("|")
_QUESTIONS = (
    "Negotiate with Russia|Expand Its Defence Budget|Admit Ukraine Quickly|Use Frozen Assets|"
    "Tighten Sanctions|Build a European Army|Talk to Beijing|Rely on Washington|"
    "Open Its Own Channel to Moscow|Guarantee Ukraine's Security|Reform Its Enlargement Policy|"
    "Borrow Jointly for Defence"
).split("|")
_SUBJECTS = (
    "Europe|The EU|Brussels|Moscow|Washington|Kyiv|Berlin|Paris|Warsaw|Beijing|The Kremlin|"
    "European leaders|Member states|The Commission|NATO allies|Ukraine's partners|"
    "Any settlement|A ceasefire|The next government|European diplomacy|The transatlantic bond|"
    "Russia's economy|The sanctions regime|Public opinion|The defence industry"
).split("|")
_MODALS = "should|must|cannot|will|could|would|may|needs to|ought to|has to".split("|")
_VERBS = (
    "prepare|insist on|rethink|secure|resist|fund|negotiate|strengthen|accept|reject|delay|"
    "guarantee|test|rebuild|coordinate|expand|limit|defend|reconsider|sustain"
).split("|")
_OBJECTS = (
    "a credible security architecture|its own channel to Moscow|long-term funding for Ukraine|"
    "the frozen Russian assets|a seat at the negotiating table|a coherent sanctions policy|"
    "the European defence industry|deterrence on the eastern flank|a realistic peace plan|"
    "the sequencing of any talks|Ukraine's path to membership|energy independence|"
    "joint borrowing for rearmament|the unity of the twenty-seven|a durable ceasefire|"
    "military aid at scale|the territorial question|a common China policy|"
    "the rules of the international order|a stronger hand in Washington"
).split("|")
_CLAUSES = (
    "before the next round of talks begins|while the war continues to grind on|"
    "because the costs of waiting keep rising|even if the United States steps back|"
    "so that Ukraine is not forced into a bad deal|without giving Moscow a veto|"
    "as long as the Kremlin believes time is on its side|if it wants to be taken seriously|"
    "rather than leaving the matter to others|despite deep divisions among the capitals|"
    "unless it is ready to pay the price|once the front line stabilizes|"
    "to avoid repeating the mistakes of the past decade|for the sake of its own security|"
    "at a moment when every signal matters|in the face of mounting domestic pressure|"
    "when the balance on the battlefield shifts|with or without American support"
).split("|")
_OPENERS = (
    "In practice|Above all|For now|In the long run|At the same time|Put simply|In my view|"
    "Crucially|Realistically|Still|Equally|Meanwhile|Ultimately|First of all|Even so"
).split("|")
_STANCE_PHRASES: dict[Stance, tuple[str, ...]] = {
    Stance.YES: ("Yes, without a doubt.", "Yes, and the sooner the better.", "Absolutely, yes."),
    Stance.YES_CONDITIONAL: ("Yes, but only on clear conditions.", "Yes, if the terms are right."),
    Stance.NOT_YET: ("Yes, but not yet.", "Eventually, but not now."),
    Stance.NO: ("No.", "No, not on these terms.", "Not at all."),
    Stance.MIXED: ("It depends.", "Yes and no."),
    Stance.UNCLEAR: (),
}
_STANCE_WEIGHTS = (30, 25, 15, 15, 10, 5)
_KINDS = tuple(ArgumentKind)


@dataclass(frozen=True)
class Expert:
    name: str
    affiliations: tuple[ParsedAffiliation, ...]

    @property
    def affiliation_line(self) -> str:
        return "; ".join(
            ", ".join(part for part in (a.role, a.organization, a.parent) if part)
            for a in self.affiliations
        )


@dataclass(frozen=True)
class Corpus:
    """The generator: its catalog (taxonomy + gazetteer), expert pool and documents."""

    roundups: int
    seed: int
    catalog: Catalog
    experts: tuple[Expert, ...]

    def documents(self) -> Iterator[AnnotatedDocument]:
        for index in range(self.roundups):
            yield roundup(index, self.seed, self.catalog, self.experts)


def build(roundups: int, seed: int = DEFAULT_SEED, tags: Sequence[TagSpec] | None = None) -> Corpus:
    """A corpus of `roundups` roundups; tags default to the real taxonomy in seed/tags.yaml."""
    rng = random.Random(f"{seed}:pools")
    taxonomy = tuple(tags) if tags is not None else read_catalog(SEED_DIR).tags
    organizations = _organizations(rng)
    return Corpus(
        roundups=roundups,
        seed=seed,
        catalog=Catalog(tags=taxonomy, organizations=organizations),
        experts=_experts(rng, organizations),
    )


def _organizations(rng: random.Random) -> tuple[OrganizationSpec, ...]:
    names: list[tuple[str, OrganizationKind]] = []
    patterns: tuple[tuple[str, OrganizationKind], ...] = (
        ("{place} Institute for {field}", "think_tank"),
        ("{place} Centre for {field}", "think_tank"),
        ("{place} University", "university"),
        ("{place} Council on {field}", "think_tank"),
        ("{place} Forum for {field}", "other"),
    )
    seen: set[str] = set()
    while len(names) < ORGANIZATION_COUNT - UNIT_COUNT:
        pattern, kind = rng.choice(patterns)
        name = pattern.format(place=rng.choice(_PLACES), field=rng.choice(_FIELDS))
        if name not in seen:
            seen.add(name)
            names.append((name, kind))
    top = [
        OrganizationSpec(line=0, slug=slugify(name), name=name, short_name=_acronym(name), kind=k)
        for name, k in names
    ]
    units: list[OrganizationSpec] = []
    while len(units) < UNIT_COUNT:
        parent = rng.choice(top)
        name = f"{rng.choice(_FIELDS)} Programme of the {parent.name}"
        if name not in seen:
            seen.add(name)
            units.append(
                OrganizationSpec(
                    line=0, slug=slugify(name), name=name, kind="research_unit", parent=parent.slug
                )
            )
    return (*top, *units)


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isupper())


def _experts(rng: random.Random, organizations: Sequence[OrganizationSpec]) -> tuple[Expert, ...]:
    by_slug = {org.slug: org for org in organizations}
    names = [f"{first} {last}" for first in _FIRST for last in _LAST]
    rng.shuffle(names)
    experts = []
    for name in names[:EXPERT_COUNT]:
        printed = []
        for org in rng.sample(organizations, 2 if rng.random() < 0.2 else 1):
            parent = by_slug[org.parent] if org.parent else None
            printed.append(
                ParsedAffiliation(
                    role=rng.choice(_ROLES),
                    organization=org.name,
                    short_name=org.short_name,
                    parent=parent.name if parent else None,
                )
            )
        experts.append(Expert(name=name, affiliations=tuple(printed)))
    return tuple(experts)


def roundup(
    index: int, seed: int, catalog: Catalog, experts: Sequence[Expert]
) -> AnnotatedDocument:
    """Roundup number `index` (0-based); the same (seed, index) always gives the same one."""
    rng = random.Random(f"{seed}:roundup:{index}")
    question = f"Should {rng.choice(_ACTORS)} {rng.choice(_QUESTIONS)}?"
    series = "Taking the Pulse" if rng.random() < 0.7 else "Judy Asks"
    title = f"{series}: {question}"
    tag_slugs = [tag.slug for tag in catalog.tags]
    responses = tuple(
        _response(rng, expert, position, tag_slugs)
        for position, expert in enumerate(rng.sample(experts, RESPONSES_PER_ROUNDUP), start=1)
    )
    document = RoundupDocument(
        slug=f"{slugify(title)}-{index + 1}",
        series=series,
        title=title,
        question=question,
        dek=f"{_sentence(rng)} {_sentence(rng)}",
        published_on=FIRST_DATE + timedelta(days=index),
        image_credit="Getty",
        disclaimer=DISCLAIMER,
        publisher=PUBLISHER,
        responses=tuple(response.parsed for response in responses),
    )
    checksum = hashlib.sha256(document.model_dump_json().encode()).hexdigest()
    return AnnotatedDocument(
        document=document,
        publisher=PUBLISHER,
        source_url=f"https://example.org/roundups/{document.slug}",
        source_sha256=checksum,
        annotator=AnnotationSource.CURATED,
        responses=responses,
    )


def _response(
    rng: random.Random, expert: Expert, position: int, tag_slugs: Sequence[str]
) -> AnnotatedResponse:
    stance = rng.choices(tuple(Stance), weights=_STANCE_WEIGHTS)[0]
    phrases = _STANCE_PHRASES[stance]
    stance_phrase = rng.choice(phrases) if phrases else None
    # 14 sentences of about 17 words in 4 paragraphs: about 250 words an answer.
    sentences: list[str] = []
    while len(sentences) < 14:
        sentence = _sentence(rng)
        if sentence not in sentences:
            sentences.append(sentence)
    paragraphs = [sentences[0:3], sentences[3:7], sentences[7:11], sentences[11:14]]
    if stance_phrase is not None:
        paragraphs[0] = [stance_phrase, *paragraphs[0]]
    texts = [" ".join(paragraph) for paragraph in paragraphs]
    body = "\n\n".join(texts)
    chosen = sorted(rng.sample(range(len(sentences)), ARGUMENTS_PER_RESPONSE))
    arguments = []
    for number in chosen:
        text = sentences[number]
        start = body.index(text)
        arguments.append(
            AnnotatedArgument(
                text=text,
                start=start,
                end=start + len(text),
                kind=rng.choice(_KINDS),
                tags=tuple(rng.sample(tag_slugs, TAGS_PER_ARGUMENT)),
                annotation_source=AnnotationSource.CURATED,
            )
        )
    parsed = ParsedResponse(
        expert_name=expert.name,
        affiliation_line=expert.affiliation_line,
        affiliations=expert.affiliations,
        paragraphs=tuple(texts),
        line=10 * position,
    )
    return AnnotatedResponse(
        parsed=parsed,
        stance=stance,
        stance_phrase=stance_phrase,
        stance_source=AnnotationSource.CURATED,
        arguments=tuple(arguments),
    )


def _sentence(rng: random.Random) -> str:
    subject = rng.choice(_SUBJECTS)
    if subject.split()[0] in {"The", "A", "Any", "Public", "Member"}:
        subject = subject[0].lower() + subject[1:]
    return (
        f"{rng.choice(_OPENERS)}, {subject} {rng.choice(_MODALS)} {rng.choice(_VERBS)}"
        f" {rng.choice(_OBJECTS)} {rng.choice(_CLAUSES)}."
    )


def search_words() -> tuple[str, ...]:
    """Words that occur in generated answers, for search queries."""
    words = {
        word.strip(".,'").lower()
        for phrase in (*_OBJECTS, *_CLAUSES)
        for word in phrase.split()
        if len(word) > 6 and word.isalpha()
    }
    return tuple(sorted(words))


def digest(documents: Iterable[AnnotatedDocument]) -> str:
    """A fingerprint of the documents' full content, to check that generation is deterministic."""
    hasher = hashlib.sha256()
    for document in documents:
        hasher.update(document.model_dump_json().encode())
    return hasher.hexdigest()
