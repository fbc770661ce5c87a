"""The endpoints under load and their randomized URL lists, drawn from the loaded corpus."""

import json
import random
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models import (
    Affiliation,
    Answer,
    Argument,
    Article,
    Organization,
    ResponseAffiliation,
    Tag,
)
from bench import corpus

DEEP_PAGE = 1000
PAGE_SIZE = 50


@dataclass(frozen=True)
class Endpoint:
    """One row of the table: a name, what it stands for, its URLs, the status it answers."""

    name: str
    label: str
    server: str
    lines: tuple[str, ...]
    expect: int = 200


@dataclass(frozen=True)
class Facts:
    """What the URLs are drawn from."""

    article_slugs: tuple[str, ...]
    tag_slugs: tuple[str, ...]
    stance_organizations: tuple[tuple[str, str], ...]
    arguments: int


def facts(engine: Engine, rng: random.Random, sample: int = 500) -> Facts:
    with Session(engine) as session:
        slugs = list(session.exec(select(Article.slug).order_by(col(Article.id))).all())
        tags = list(session.exec(select(Tag.slug).order_by(col(Tag.slug))).all())
        pairs = session.exec(
            select(Answer.stance, Organization.slug)
            .distinct()
            .join(ResponseAffiliation, col(ResponseAffiliation.response_id) == Answer.id)
            .join(Affiliation, col(Affiliation.id) == ResponseAffiliation.affiliation_id)
            .join(Organization, col(Organization.id) == Affiliation.organization_id)
            .order_by(col(Answer.stance), col(Organization.slug))
        ).all()
        arguments = session.exec(select(func.count()).select_from(Argument)).one()
    stance_organizations = [(str(stance), slug) for stance, slug in pairs]
    return Facts(
        article_slugs=tuple(rng.sample(slugs, min(sample, len(slugs)))),
        tag_slugs=tuple(tags),
        stance_organizations=tuple(
            rng.sample(stance_organizations, min(sample, len(stance_organizations)))
        ),
        arguments=int(arguments),
    )


def get(
    base_url: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET like wrk does it: no Accept, no Accept-Encoding (so no gzip)."""
    request = urllib.request.Request(base_url + path, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def fill(base_url: str, lines: Sequence[str], repeats: int, threads: int) -> int:
    """Request every path of `lines` `repeats` times, `threads` at a time, each on a new
    connection: the server's worker processes share the connections, so that each renders
    (and keeps in its response cache) every URL before a warm run is measured. Returns how
    many requests did not answer 200 (say, a 503 from a query past its statement timeout):
    those URLs are measured uncached."""
    paths = [line.split("\t")[0] for line in lines] * repeats
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda path: get(base_url, path)[0], paths))
    return sum(status != 200 for status in statuses)


def deep_cursor_paths(base_url: str, arguments: int, count: int = 10) -> tuple[int, list[str]]:
    """Paths of `count` consecutive pages of /v1/arguments from page 1,000 (or as deep as
    the corpus goes), reached by following `next_cursor` with large pages first."""
    pages = -(-arguments // PAGE_SIZE)
    page = max(2, min(DEEP_PAGE, pages - count))
    skip = PAGE_SIZE * (page - 1)
    cursor = None
    while skip > 0:
        limit = min(500, skip)
        query = {"limit": str(limit)} | ({"cursor": cursor} if cursor else {})
        status, _, body = get(base_url, "/v1/arguments?" + urllib.parse.urlencode(query))
        if status != 200:
            raise RuntimeError(f"/v1/arguments answered {status} while paging: {body[:200]!r}")
        cursor = json.loads(body)["next_cursor"]
        skip -= limit
        if cursor is None:  # the corpus has a single page (the seed): no deep page
            return page, []
    paths = []
    for _ in range(count):
        path = "/v1/arguments?" + urllib.parse.urlencode({"cursor": cursor})
        paths.append(path)
        status, _, body = get(base_url, path)
        cursor = json.loads(body)["next_cursor"] if status == 200 else None
        if cursor is None:
            break
    return page, paths


def endpoints(base_url: str, found: Facts, cache: Path | None) -> list[Endpoint]:
    """Every endpoint of the table, with URL lists (ETags and deep cursors read from the
    running server; deep cursors are cached in `cache`, if given, as they cost a hundred
    requests)."""
    slugs = found.article_slugs
    quote = urllib.parse.quote
    if cache is not None and cache.is_file():
        page, deep = json.loads(cache.read_text())
    else:
        page, deep = deep_cursor_paths(base_url, found.arguments)
        if cache is not None:
            cache.write_text(json.dumps([page, deep]))
    conditional = []
    for slug in slugs[:200]:
        path = f"/v1/articles/{slug}"
        status, headers, _ = get(base_url, path)
        etag = headers.get("ETag") or headers.get("etag")
        if status == 200 and etag:
            conditional.append(f"{path}\t{etag}")
    words = corpus.search_words()
    return [
        Endpoint(
            "article_detail",
            "GET /v1/articles/{slug}",
            "app",
            tuple(f"/v1/articles/{s}" for s in slugs),
        ),
        Endpoint(
            "not_modified",
            "GET /v1/articles/{slug}, If-None-Match (304)",
            "app",
            tuple(conditional) or ('/v1/articles/none\t"none"',),
            expect=304,
        ),
        Endpoint(
            "arguments_by_tag",
            "GET /v1/arguments?tag=",
            "app",
            tuple(f"/v1/arguments?tag={t}" for t in found.tag_slugs),
        ),
        Endpoint("arguments_page_1", "GET /v1/arguments (page 1)", "app", ("/v1/arguments",)),
        *(
            [
                Endpoint(
                    "arguments_deep_page",
                    f"GET /v1/arguments?cursor= (page {page})",
                    "app",
                    tuple(deep),
                )
            ]
            if deep
            else []
        ),
        Endpoint(
            "responses_stance_org",
            "GET /v1/responses?stance=&organization=",
            "app",
            tuple(
                f"/v1/responses?stance={s}&organization={o}" for s, o in found.stance_organizations
            ),
        ),
        Endpoint(
            "search", "GET /v1/search?q=", "app", tuple(f"/v1/search?q={quote(w)}" for w in words)
        ),
        Endpoint(
            "article_summary",
            "GET /v1/articles/{slug}/summary",
            "app",
            tuple(f"/v1/articles/{s}/summary" for s in slugs),
        ),
        Endpoint(
            "arguments_csv",
            "GET /v1/arguments?article=&format=csv",
            "app",
            tuple(f"/v1/arguments?article={s}&format=csv" for s in slugs),
        ),
        Endpoint(
            "fastapi_reference",
            "FastAPI route, constant bytes",
            "fastapi",
            tuple(f"/v1/articles/{s}" for s in slugs),
        ),
        Endpoint(
            "asgi_reference",
            "bare ASGI callable, constant bytes",
            "asgi",
            tuple(f"/v1/articles/{s}" for s in slugs),
        ),
    ]


# The Datasette query equivalent to /v1/arguments?tag=X: the same joins, filter, order and page
# size, each row with its tags (the API also counts the total; Datasette's array shape does not).
DATASETTE_SQL = """
select argument.id, article.slug as article, article.title, article.published_on,
  expert.slug as expert, expert.name as expert_name, response.position as response_position,
  response.stance, argument.position, argument.text, argument.start, argument."end",
  argument.kind, argument.annotation_source,
  (select group_concat(tag.slug, ',') from argument_tag
     join tag on tag.id = argument_tag.tag_id
   where argument_tag.argument_id = argument.id) as tags
from argument
join response on response.id = argument.response_id
join article on article.id = response.article_id
join expert on expert.id = response.expert_id
where argument.id in (
  select argument_tag.argument_id from argument_tag join tag on tag.id = argument_tag.tag_id
  where tag.slug = :tag)
order by article.published_on desc, article.slug, response.position, argument.position,
  argument.id
limit 50
"""


def datasette_endpoint(database: str, tags: tuple[str, ...]) -> Endpoint:
    lines = tuple(
        f"/{database}.json?"
        + urllib.parse.urlencode(
            {"sql": " ".join(DATASETTE_SQL.split()), "tag": tag, "_shape": "array"}
        )
        for tag in tags
    )
    return Endpoint(
        "datasette_arguments_by_tag", "Datasette SQL JSON API, same query", "datasette", lines
    )
