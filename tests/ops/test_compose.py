"""docker-compose.yml keeps its promises: PostgreSQL that the API waits for, or SQLite alone."""

import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from app.config import PROJECT_DIR

COMPOSE: dict[str, Any] = yaml.safe_load(
    (PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8")
)
SERVICES: dict[str, Any] = COMPOSE["services"]


def with_defaults(value: str) -> str:
    """Compose's ${NAME:-default} interpolation, as if no variable were set."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_docker_compose_up_starts_the_api_and_postgresql() -> None:
    assert sorted(name for name, service in SERVICES.items() if "profiles" not in service) == [
        "api",
        "db",
    ]


def test_the_api_waits_for_a_healthy_database() -> None:
    assert SERVICES["api"]["depends_on"] == {"db": {"condition": "service_healthy"}}


def test_the_database_is_postgresql_16_with_a_volume_and_a_healthcheck() -> None:
    db = SERVICES["db"]
    assert db["image"] == "postgres:16"
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in COMPOSE["volumes"]
    assert db["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U roundup -d roundup"]


def test_the_api_connects_to_the_database_it_waits_for() -> None:
    db = {key: with_defaults(value) for key, value in SERVICES["db"]["environment"].items()}
    url = make_url(with_defaults(SERVICES["api"]["environment"]["DATABASE_URL"]))
    assert (url.drivername, url.host, url.port) == ("postgresql+psycopg", "db", 5432)
    assert (url.username, url.password, url.database) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        db["POSTGRES_DB"],
    )


def test_the_sqlite_profile_runs_the_api_alone_with_its_database_on_a_volume() -> None:
    api = SERVICES["api-sqlite"]
    assert api["profiles"] == ["sqlite"]
    assert "depends_on" not in api
    assert api["volumes"] == ["sqlite-data:/data"]
    assert "sqlite-data" in COMPOSE["volumes"]
    database = make_url(api["environment"]["DATABASE_URL"]).database
    assert database is not None
    assert Path(database).parent == Path("/data")


def test_both_apis_run_the_image_built_from_this_dockerfile() -> None:
    for name in ("api", "api-sqlite"):
        api = SERVICES[name]
        assert (api["build"], api["image"]) == (".", "roundup:latest")
        assert [with_defaults(port) for port in api["ports"]] == ["127.0.0.1:8000:8000"]
    dockerfile = (PROJECT_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "EXPOSE 8000\n" in dockerfile
