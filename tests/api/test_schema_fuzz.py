"""Schemathesis over the app's own /openapi.json, in process: every operation, 100 cases each.

Each generated request must get no 5xx, a documented status code and content type, and a
body that matches the documented schema. Derandomized, so a failure reproduces. The cases
run per operation and the statuses they got are written to tests/artifacts/schema-fuzz.json.
"""

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import PROJECT_DIR
from app.db import get_session
from app.main import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 100
ARTIFACT = PROJECT_DIR / "tests" / "artifacts" / "schema-fuzz.json"

# The app is built at import (it touches no database then) so that the operations can be
# collected; its sessions come from the seeded test engine, bound by the fixture below.
APP = create_app()
ENGINES: list[Engine] = []
CASES: Counter[str] = Counter()
STATUSES: Counter[str] = Counter()


def _session() -> Iterator[Session]:
    with Session(ENGINES[-1]) as session:
        yield session


APP.api.dependency_overrides[get_session] = _session
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = {
    operation.label: bool(operation.query or operation.path_parameters)
    for operation in (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
}


@pytest.fixture(autouse=True, scope="module")
def _bind_engine(engine: Engine) -> Iterator[None]:
    ENGINES.append(engine)
    yield
    ENGINES.remove(engine)
    if set(CASES) == set(OPERATIONS):
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(
            json.dumps({"cases": CASES, "statuses": STATUSES}, indent=1, sort_keys=True)
        )
        # Operations without parameters have only a handful of distinct requests to make.
        assert {
            label: count
            for label, count in CASES.items()
            if OPERATIONS[label] and count < MAX_EXAMPLES
        } == {}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation(case: Case[Any]) -> None:
    CASES[case.operation.label] += 1
    response = case.call_and_validate(checks=CHECKS)
    STATUSES[f"{case.operation.label} {case.method} {response.status_code}"] += 1
