"""openapi-python-client generates a client, with no warnings, whose every operation parses
a live server's answer into its model (bytes for the dump, text for the exports), and whose
conditional requests get their 304."""

import base64
import hashlib
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.clients.conftest import run
from tests.support.seed_facts import SEED_SLUG

PACKAGE = "roundup_api_client"
UTC_Z = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z$")
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the live server's document, imported."""
    folder = tmp_path_factory.mktemp("python-client")
    document = folder / "openapi.json"
    document.write_bytes(httpx.get(live_server + "/openapi.json").content)
    output = run(
        GENERATOR,
        "generate",
        "--path",
        document,
        "--output-path",
        folder / PACKAGE,
        "--meta",
        "none",
        cwd=folder,
    )
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _operations(package: ModuleType) -> dict[str, ModuleType]:
    api = importlib.import_module(f"{PACKAGE}.api")
    found = {}
    for tag in pkgutil.iter_modules(api.__path__):
        group = importlib.import_module(f"{PACKAGE}.api.{tag.name}")
        for operation in pkgutil.iter_modules(group.__path__):
            found[operation.name] = importlib.import_module(f"{group.__name__}.{operation.name}")
    return found


def _calls(package: ModuleType) -> dict[str, tuple[str, dict[str, Any]]]:
    """Operation -> (the same request as a URL, the generated function's arguments)."""
    models = importlib.import_module(f"{PACKAGE}.models")
    slug = {"slug": SEED_SLUG}
    frozen = {"q": '"frozen assets"'}
    return {
        "healthz": ("/healthz", {}),
        "readyz": ("/readyz", {}),
        "get_meta": ("/v1/meta", {}),
        "list_articles": ("/v1/articles?limit=1", {"limit": 1}),
        "get_article": (f"/v1/articles/{SEED_SLUG}", slug),
        "list_experts": ("/v1/experts?limit=2", {"limit": 2}),
        "get_expert": ("/v1/experts/samuel-greene", {"slug": "samuel-greene"}),
        "list_organizations": ("/v1/organizations?kind=university", {"kind": ["university"]}),
        "get_organization": ("/v1/organizations/carnegie-europe", {"slug": "carnegie-europe"}),
        "list_responses": (
            "/v1/responses?stance=not_yet&stance=no&facets=stance",
            {"stance": [models.Stance.NOT_YET, models.Stance.NO], "facets": "stance"},
        ),
        "list_arguments": (
            "/v1/arguments?kind=claim&tag_match=all&tag=frozen-assets",
            {
                "kind": [models.ArgumentKind.CLAIM],
                "tag_match": models.TagMatch.ALL,
                "tag": ["frozen-assets"],
            },
        ),
        "list_tags": ("/v1/tags?category=actor", {"category": ["actor"]}),
        "get_tag": ("/v1/tags/frozen-assets", {"slug": "frozen-assets"}),
        "search": (
            '/v1/search?q="frozen assets"&type=response',
            {**frozen, "type_": [models.SearchKind.RESPONSE]},
        ),
        "article_summary": (f"/v1/articles/{SEED_SLUG}/summary", slug),
        "expert_agreement": ("/v1/experts/samuel-greene/agreement", {"slug": "samuel-greene"}),
        "corpus_stats": ("/v1/stats", {}),
        "article_aif": (f"/v1/articles/{SEED_SLUG}/aif", slug),
        "article_jsonld": (f"/v1/articles/{SEED_SLUG}/jsonld", slug),
        "download_dump": ("/v1/dump", {}),
        "export_articles": (
            "/v1/exports/articles?format=csv",
            {"format_": models.ExportFormat.CSV},
        ),
        "export_experts": (
            "/v1/exports/experts?format=ndjson",
            {"format_": models.ExportFormat.NDJSON},
        ),
        "export_organizations": ("/v1/exports/organizations", {}),
        "export_responses": ("/v1/exports/responses?stance=yes", {"stance": [models.Stance.YES]}),
        "export_arguments": (
            "/v1/exports/arguments?kind=claim",
            {"kind": [models.ArgumentKind.CLAIM]},
        ),
        "export_tags": ("/v1/exports/tags?format=ndjson", {"format_": models.ExportFormat.NDJSON}),
        "export_search": ('/v1/exports/search?q="frozen assets"', frozen),
    }


def utc_offsets(value: Any) -> Any:
    """`value` with `...Z` timestamps written `...+00:00`, as Python's isoformat() does."""
    if isinstance(value, dict):
        return {key: utc_offsets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [utc_offsets(item) for item in value]
    if isinstance(value, str):
        return UTC_Z.sub(r"\1+00:00", value)
    return value


def test_every_operation_parses_into_its_model(generated: ModuleType, api: httpx.Client) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    types = importlib.import_module(f"{PACKAGE}.types")
    operations = _operations(generated)
    calls = _calls(generated)
    assert sorted(operations) == sorted(calls)
    for name, (url, arguments) in calls.items():
        with client_module.Client(base_url=str(api.base_url)) as client:
            answer = operations[name].sync_detailed(client=client, **arguments)
        raw = api.get(url)
        assert (answer.status_code, raw.status_code) == (200, 200), name
        parsed = answer.parsed
        if name == "download_dump":
            assert isinstance(parsed, types.File)
            assert parsed.payload.read() == raw.content
        elif name.startswith("export_"):
            assert parsed == raw.text, name
            assert parsed != ""
        else:
            assert type(parsed).__module__.startswith(f"{PACKAGE}.models."), name
            assert parsed.to_dict() == utc_offsets(raw.json()), name


def test_the_dump_is_bytes_that_match_their_digest(
    generated: ModuleType, api: httpx.Client
) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    download = importlib.import_module(f"{PACKAGE}.api.exports.download_dump")
    with client_module.Client(base_url=str(api.base_url)) as client:
        answer = download.sync_detailed(client=client)
    digest = base64.b64encode(hashlib.sha256(answer.parsed.payload.read()).digest()).decode()
    assert answer.headers["repr-digest"] == f"sha-256=:{digest}:"


def test_a_conditional_request_gets_its_304(generated: ModuleType, api: httpx.Client) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    list_tags = importlib.import_module(f"{PACKAGE}.api.tags.list_tags")
    with client_module.Client(base_url=str(api.base_url)) as client:
        etag = list_tags.sync_detailed(client=client).headers["etag"]
    with client_module.Client(
        base_url=str(api.base_url), headers={"If-None-Match": etag}
    ) as client:
        answer = list_tags.sync_detailed(client=client)
    assert (answer.status_code, answer.parsed, answer.headers["etag"]) == (304, None, etag)


def test_errors_parse_into_problems(generated: ModuleType, api: httpx.Client) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    get_article = importlib.import_module(f"{PACKAGE}.api.articles.get_article")
    with client_module.Client(base_url=str(api.base_url)) as client:
        answer = get_article.sync_detailed(client=client, slug="missing")
    assert answer.status_code == 404
    assert isinstance(answer.parsed, models.Problem)
    assert answer.parsed.to_dict() == api.get("/v1/articles/missing").json()
