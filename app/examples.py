"""The OpenAPI examples: one real response per JSON operation, from the seed roundup."""

import json
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import PROJECT_DIR, get_settings
from app.db import build_engine, get_session
from app.ingest.seed import seed
from app.main import create_app
from app.openapi import EXAMPLES_FILE

SEED_SLUG = "taking-the-pulse-should-europe-negotiate-with-russia"
# Where the examples' links point: the address `make run` serves on.
BASE_URL = "http://127.0.0.1:8000"

# Operation path -> the request whose response is its example.
EXAMPLE_REQUESTS = {
    "/healthz": "/healthz",
    "/readyz": "/readyz",
    "/v1/meta": "/v1/meta",
    "/v1/articles": "/v1/articles",
    "/v1/articles/{slug}": f"/v1/articles/{SEED_SLUG}",
    "/v1/experts": "/v1/experts?limit=2",
    "/v1/experts/{slug}": "/v1/experts/samuel-greene",
    "/v1/organizations": "/v1/organizations?kind=university",
    "/v1/organizations/{slug}": "/v1/organizations/carnegie-europe",
    "/v1/responses": "/v1/responses?stance=not_yet&facets=stance",
    "/v1/arguments": "/v1/arguments?tag=frozen-assets&limit=2",
    "/v1/tags": "/v1/tags?category=actor",
    "/v1/tags/{slug}": "/v1/tags/frozen-assets",
    "/v1/search": '/v1/search?q="frozen assets"&type=response',
    "/v1/articles/{slug}/summary": f"/v1/articles/{SEED_SLUG}/summary",
    "/v1/articles/{slug}/aif": f"/v1/articles/{SEED_SLUG}/aif",
    "/v1/articles/{slug}/jsonld": f"/v1/articles/{SEED_SLUG}/jsonld",
    "/v1/experts/{slug}/agreement": "/v1/experts/samuel-greene/agreement",
    "/v1/stats": "/v1/stats",
}
# Operations without a JSON example whose request needs a parameter.
DOWNLOAD_REQUESTS = {"/v1/exports/search": '/v1/exports/search?q="frozen assets"'}
# Values that change on every load; examples show a fixed stand-in.
VOLATILE = {"loaded_at", "last_loaded_at", "data_version"}
STAND_IN = {
    "loaded_at": "2025-12-04T09:00:00Z",
    "last_loaded_at": "2025-12-04T09:00:00Z",
    "data_version": "3f6c0b8e2d4a4c1f9b7e5a2d1c0b9a8e",
}

# A cursor's signature depends on the deployment's secret; examples show a stand-in for it.
CURSOR_SIGNATURE = "deploymentMAC000"


def stable(value: Any) -> Any:
    """`value` with volatile fields replaced by their stand-ins, at any depth."""
    if isinstance(value, dict):
        return {
            k: STAND_IN[k] if k in VOLATILE else _unsigned(v) if k == "next_cursor" else stable(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def _unsigned(cursor: str | None) -> str | None:
    return None if cursor is None else cursor.split(".")[0] + "." + CURSOR_SIGNATURE


def collect_examples(get: Callable[[str], Any]) -> dict[str, Any]:
    """`get(url)` returns the decoded JSON body of a GET of the absolute `url`."""
    return {path: stable(get(BASE_URL + url)) for path, url in EXAMPLE_REQUESTS.items()}


def write_examples() -> int:
    """Write app/openapi_examples.json from a scratch database seeded with seed/."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/examples.db"
        config = Config(str(PROJECT_DIR / "alembic.ini"))
        config.set_main_option("sqlalchemy.url", url)
        command.upgrade(config, "head")
        engine = build_engine(url)
        seed_dir = get_settings().seed_dir
        with Session(engine) as session, session.begin():
            seed(session, [seed_dir], seed_dir)
        app = create_app()

        def session_override() -> Iterator[Session]:
            with Session(engine) as session:
                yield session

        app.api.dependency_overrides[get_session] = session_override
        with TestClient(app) as client:
            examples = collect_examples(lambda url: client.get(url).json())
        engine.dispose()
    EXAMPLES_FILE.write_text(
        json.dumps(examples, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(examples)} examples to {EXAMPLES_FILE}")
    return 0
