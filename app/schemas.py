"""Public response models: what the API returns (table models never leave the app)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models import AnnotationSource, ArgumentKind, SearchKind, Stance


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ExpertRef(PublicModel):
    slug: str
    name: str


class OrganizationRef(PublicModel):
    slug: str
    name: str
    short_name: str | None
    kind: str


class OrganizationWithParent(OrganizationRef):
    parent: OrganizationRef | None


NO_ORGANIZATION = 'Null when the role was printed with no organization ("Journalist and author").'


class PrintedAffiliation(PublicModel):
    role: str
    organization: OrganizationWithParent | None = Field(description=NO_ORGANIZATION)


class TagRef(PublicModel):
    slug: str
    label: str
    category: str


class ArgumentInResponse(PublicModel):
    position: int
    text: str
    start: int
    end: int
    kind: ArgumentKind
    annotation_source: AnnotationSource
    tags: list[TagRef]


class ResponseInArticle(PublicModel):
    position: int
    expert: ExpertRef
    affiliation_line: str
    affiliations: list[PrintedAffiliation]
    stance: Stance
    stance_phrase: str | None
    stance_source: AnnotationSource
    word_count: int
    body: str
    arguments: list[ArgumentInResponse]


class ArticleSummary(PublicModel):
    slug: str
    series: str | None
    title: str
    question: str
    dek: str | None
    published_on: date
    publisher: str
    image_credit: str | None
    source_url: str | None


class ArticleDetail(ArticleSummary):
    disclaimer: str | None
    source_sha256: str
    loaded_at: datetime
    responses: list[ResponseInArticle]


class ArticleRef(PublicModel):
    slug: str
    title: str
    published_on: date


class StanceCount(PublicModel):
    stance: Stance
    count: int


class ArticleListItem(ArticleSummary):
    response_count: int
    stances: list[StanceCount] = Field(
        description="How many experts took each stance, in the stance enum's order; zeros omitted."
    )


class ResponseItem(PublicModel):
    """One expert's answer, readable on its own."""

    article: ArticleRef
    position: int
    expert: ExpertRef
    affiliation_line: str
    affiliations: list[PrintedAffiliation]
    stance: Stance
    stance_phrase: str | None
    stance_source: AnnotationSource
    word_count: int
    body: str
    tags: list[str] = Field(description="Slugs of the tags on this answer's arguments.")
    argument_count: int


class ArgumentItem(PublicModel):
    """One argument with its response's expert, article and stance."""

    article: ArticleRef
    expert: ExpertRef
    response_position: int
    stance: Stance
    position: int
    text: str
    start: int
    end: int
    kind: ArgumentKind
    annotation_source: AnnotationSource
    tags: list[TagRef]


class FacetValue(PublicModel):
    value: str
    label: str
    count: int


class ExpertListItem(PublicModel):
    slug: str
    name: str
    response_count: int


class AffiliationHistory(PublicModel):
    role: str
    organization: OrganizationWithParent | None = Field(description=NO_ORGANIZATION)
    first_printed_on: date
    last_printed_on: date
    articles: list[str] = Field(description="Slugs of the articles that printed this affiliation.")


class ExpertResponse(PublicModel):
    article: ArticleRef
    position: int
    printed_name: str = Field(description="The expert's name as this roundup printed it.")
    affiliation_line: str
    stance: Stance
    stance_phrase: str | None
    word_count: int


class ExpertDetail(ExpertListItem):
    names: list[str] = Field(
        description="Every name the expert was printed under, in order of first printing"
        ' ("Kris Bledowski", "Krzysztof Błędowski"); `name` is the canonical one.'
    )
    affiliations: list[AffiliationHistory]
    responses: list[ExpertResponse]


class OrganizationListItem(OrganizationRef):
    parent: OrganizationRef | None
    expert_count: int


class OrganizationMember(PublicModel):
    expert: ExpertRef
    role: str
    organization: OrganizationRef = Field(description="This organization or one of its units.")
    last_printed_on: date


class OrganizationDetail(OrganizationListItem):
    children: list[OrganizationRef]
    experts: list[OrganizationMember]


class TagListItem(TagRef):
    description: str
    argument_count: int
    response_count: int
    expert_count: int


class ExpertCount(PublicModel):
    expert: ExpertRef
    argument_count: int


class TagCount(PublicModel):
    tag: TagRef
    count: int = Field(description="Arguments that carry both tags.")


class TagDetail(TagListItem):
    experts: list[ExpertCount]
    co_occurring: list[TagCount]


class SourceInfo(PublicModel):
    article: str
    source_sha256: str
    loaded_at: datetime


class Meta(PublicModel):
    api_version: str
    schema_revision: str | None
    data_version: str | None
    last_loaded_at: datetime | None
    counts: dict[str, int]
    sources: list[SourceInfo]


# --- Search ---------------------------------------------------------------------------------


class SearchHit(PublicModel):
    """A matching text: an article's title and dek, an expert's answer, or one argument."""

    type: SearchKind = Field(description="`article`, `response` (a whole answer) or `argument`.")
    article: ArticleRef
    expert: ExpertRef | None = Field(description="Who wrote it; null for article hits.")
    stance: Stance | None = Field(description="The answer's stance; null for article hits.")
    response_position: int | None = Field(
        description="The answer's printed position in the article; null for article hits."
    )
    argument_position: int | None = Field(
        description="The argument's position in its answer; null unless `type` is argument."
    )
    snippet: str = Field(
        description="HTML: up to about 30 words around the matches, matched words and phrases"
        " in <mark>...</mark>, everything else escaped, '…' where the text was cut."
    )


class SearchResults(PublicModel):
    query: str = Field(description="How the query was understood: folded words, canonical form.")
    items: list[SearchHit] = Field(description="Most relevant first.")
    total: int = Field(description="How many texts match, over all pages.")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")
    truncated: bool = Field(
        description="True when the words match more than 10,000 texts: then only the 10,000"
        " most recently indexed are ranked, filtered and counted in `total`. Add words to"
        " narrow the search."
    )


# --- Summaries ------------------------------------------------------------------------------


class StanceShare(PublicModel):
    stance: Stance
    label: str
    count: int
    share: float = Field(description="count / responses, rounded to 4 places (0 if none).")


class StanceWithExperts(StanceShare):
    experts: list[ExpertRef] = Field(description="Who took this stance, in printed order.")


class Consensus(PublicModel):
    """How concentrated the panel is on one stance; see docs/api.md#summaries."""

    modal_stances: list[Stance] = Field(description="The most frequent stance(s); ties list all.")
    plurality_stance: Stance | None = Field(
        description="The single most frequent stance; null when two or more tie."
    )
    majority_stance: Stance | None = Field(
        description="The stance of more than half of the experts; null when none has that."
    )
    modal_share: float = Field(description="Share of the most frequent stance: max(p).")
    herfindahl: float = Field(description="Herfindahl index: sum of p squared (1 = unanimous).")
    entropy_bits: float = Field(description="Shannon entropy: -sum p log2 p (0 = unanimous).")
    consensus: float = Field(
        description="1 - entropy_bits / log2(6) over the six stances: 1 unanimous, 0 evenly"
        " split across all six."
    )


class TagUse(PublicModel):
    tag: TagRef
    expert_count: int = Field(description="Experts with at least one argument carrying the tag.")
    argument_count: int
    experts: list[str] = Field(description="Their slugs, in printed order.")


class TagMatrixRow(PublicModel):
    expert: ExpertRef
    stance: Stance
    counts: list[int] = Field(
        description="This expert's arguments carrying each tag, in the order of `tags`."
    )


class TagMatrix(PublicModel):
    """Expert x tag counts, ready for a heat map: one row per expert in printed order."""

    tags: list[str] = Field(description="Column order: tag slugs as ranked in `tags`.")
    rows: list[TagMatrixRow]


class ArticleStanceSummary(PublicModel):
    article: ArticleRef
    question: str
    response_count: int
    stances: list[StanceWithExperts] = Field(
        description="Every stance in the enum's order, zeros included, so charts line up."
    )
    consensus: Consensus
    tags: list[TagUse] = Field(
        description="Tags raised, by how many experts raised them, then arguments, then slug."
    )
    matrix: TagMatrix


class Peer(PublicModel):
    expert: ExpertRef
    shared_articles: int = Field(description="Articles both experts answered.")
    same_stance: int = Field(description="Of those, how many they answered with the same stance.")
    stance_agreement: float | None = Field(
        description="same_stance / shared_articles (4 places); null when they share none."
    )
    shared_tags: list[str] = Field(description="Tags both raised, in any article, by slug.")
    tag_jaccard: float = Field(
        description="|tags both raised| / |tags either raised| (4 places); 0 if neither has tags."
    )


class ExpertAgreement(PublicModel):
    expert: ExpertRef
    articles: int = Field(description="How many loaded articles this expert answered.")
    tags: list[str] = Field(description="Tags this expert raised, by slug.")
    peers: list[Peer] = Field(
        description="Every other expert: most same-stance answers first, then most shared tags,"
        " then highest tag_jaccard, then name."
    )


class GroupStances(PublicModel):
    group: str | None = Field(description="The organization kind or series; null if none.")
    articles: int
    responses: int
    stances: list[StanceShare]


class Stats(PublicModel):
    totals: dict[str, int] = Field(
        description="articles, experts, organizations, responses, arguments, tags, words."
    )
    stances: list[StanceShare] = Field(description="Over every response loaded.")
    by_organization_kind: list[GroupStances] = Field(
        description="By the kind of the top-level organization of each printed affiliation; a"
        " response counts once in each kind it was printed with, and in the null group if it"
        " was printed with no organization."
    )
    by_series: list[GroupStances]


# --- Argument Interchange Format ------------------------------------------------------------


class AifModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class AifNode(AifModel):
    node_id: str = Field(alias="nodeID")
    text: str
    type: Literal["I", "L", "RA", "YA", "TA"]
    timestamp: str


class AifEdge(AifModel):
    edge_id: str = Field(alias="edgeID")
    from_id: str = Field(alias="fromID")
    to_id: str = Field(alias="toID")
    form_edge_id: None = Field(default=None, alias="formEdgeID")


class AifLocution(AifModel):
    node_id: str = Field(alias="nodeID")
    person_id: str = Field(alias="personID")
    timestamp: str
    start: None = None
    end: None = None
    source: None = None


class AifParticipant(AifModel):
    participant_id: str = Field(alias="participantID")
    firstname: str
    surname: str


class AifDocument(AifModel):
    """An AIF nodeset (AIFdb JSON); the mapping is documented in docs/api.md#aif."""

    nodes: list[AifNode]
    edges: list[AifEdge]
    locutions: list[AifLocution]
    participants: list[AifParticipant]
