"""A roundup as schema.org JSON-LD: an Article whose main entity is a Question with Answers.

Each Answer's author is a Person with affiliation -> Organization (parentOrganization for
units); the answer's arguments are Claims in its hasPart; the stance and the tags are
DefinedTerms in keywords. @ids are this API's URLs, so the graph links back to the data: a
tag is /v1/tags/{slug} in the set /v1/tags; the stance and argument-kind sets are their enums
in /openapi.json; the publisher is its organization when the gazetteer has it.
"""

from typing import Any

from app.filters import KIND_LABELS, STANCE_LABELS
from app.schemas import (
    ArgumentInResponse,
    ArticleDetail,
    OrganizationRef,
    OrganizationWithParent,
    ResponseInArticle,
)

MEDIA_TYPE = "application/ld+json"
JsonLd = dict[str, Any]


def to_jsonld(detail: ArticleDetail, base_url: str, publisher_slug: str | None = None) -> JsonLd:
    """`base_url` ends with '/': the API's root, where the @ids point; `publisher_slug` is the
    publisher's organization, if known."""
    article_id = f"{base_url}v1/articles/{detail.slug}"
    document: JsonLd = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": article_id,
        "headline": detail.title,
        "description": detail.dek,
        "datePublished": detail.published_on.isoformat(),
        "publisher": {
            "@type": "Organization",
            "@id": f"{base_url}v1/organizations/{publisher_slug}" if publisher_slug else None,
            "name": detail.publisher,
        },
        "isPartOf": (
            {"@type": "CreativeWorkSeries", "name": detail.series} if detail.series else None
        ),
        "url": detail.source_url,
        "contributor": [{"@id": _person_id(base_url, response)} for response in detail.responses],
        "mainEntity": {
            "@type": "Question",
            "@id": f"{article_id}#question",
            "name": detail.question,
            "text": detail.question,
            "answerCount": len(detail.responses),
            "suggestedAnswer": [
                _answer(base_url, article_id, response) for response in detail.responses
            ],
        },
    }
    cleaned: JsonLd = _without_nulls(document)
    return cleaned


def _answer(base_url: str, article_id: str, response: ResponseInArticle) -> JsonLd:
    answer_id = f"{article_id}#response-{response.position}"
    return {
        "@type": "Answer",
        "@id": answer_id,
        "position": response.position,
        "text": response.body,
        "abstract": response.stance_phrase,
        "wordCount": response.word_count,
        "author": {
            "@type": "Person",
            "@id": _person_id(base_url, response),
            "name": response.expert.name,
            "jobTitle": [affiliation.role for affiliation in response.affiliations],
            "affiliation": [
                _organization(base_url, affiliation.organization)
                for affiliation in response.affiliations
                if affiliation.organization is not None
            ],
        },
        "keywords": [
            _term(
                response.stance.value,
                STANCE_LABELS[response.stance],
                _enum_set(base_url, "Stance", "Roundup stances"),
            )
        ],
        "hasPart": [
            _claim(base_url, answer_id, response, argument) for argument in response.arguments
        ],
    }


def _claim(
    base_url: str, answer_id: str, response: ResponseInArticle, argument: ArgumentInResponse
) -> JsonLd:
    return {
        "@type": "Claim",
        "@id": f"{answer_id}-argument-{argument.position}",
        "position": argument.position,
        "text": argument.text,
        "author": {"@id": _person_id(base_url, response)},
        "keywords": [
            _term(
                argument.kind.value,
                KIND_LABELS[argument.kind],
                _enum_set(base_url, "ArgumentKind", "Roundup argument kinds"),
            ),
            *(
                _term(
                    tag.slug,
                    tag.label,
                    {
                        "@type": "DefinedTermSet",
                        "@id": f"{base_url}v1/tags",
                        "name": "Roundup tags",
                    },
                    f"{base_url}v1/tags/{tag.slug}",
                )
                for tag in argument.tags
            ),
        ],
    }


def _organization(base_url: str, organization: OrganizationRef) -> JsonLd:
    found: JsonLd = {
        "@type": "Organization",
        "@id": f"{base_url}v1/organizations/{organization.slug}",
        "name": organization.name,
        "alternateName": organization.short_name,
    }
    if isinstance(organization, OrganizationWithParent) and organization.parent is not None:
        found["parentOrganization"] = _organization(base_url, organization.parent)
    return found


def _person_id(base_url: str, response: ResponseInArticle) -> str:
    return f"{base_url}v1/experts/{response.expert.slug}"


def _term(code: str, name: str, term_set: JsonLd, url: str | None = None) -> JsonLd:
    """A DefinedTerm; one with a page of its own (a tag) has that page as its @id."""
    return {
        "@type": "DefinedTerm",
        "@id": url,
        "termCode": code,
        "name": name,
        "url": url,
        "inDefinedTermSet": term_set,
    }


def _enum_set(base_url: str, schema: str, name: str) -> JsonLd:
    """A closed term set: its @id is the enum that defines it in the OpenAPI document."""
    return {
        "@type": "DefinedTermSet",
        "@id": f"{base_url}openapi.json#/components/schemas/{schema}",
        "name": name,
    }


def _without_nulls(value: Any) -> Any:
    """JSON-LD has no use for null: absent is the same and reads better."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value
