"""Settings read once from the environment."""

import re
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_DIR / 'roundup.db'}"


class Settings(BaseSettings):
    """Every knob the service has; environment variables use the ROUNDUP_ prefix."""

    model_config = SettingsConfigDict(env_prefix="ROUNDUP_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    seed_dir: Path = Field(default=PROJECT_DIR / "seed")
    cache_max_age: int = Field(default=60, ge=0, description="Cache-Control max-age, seconds")
    cors_origins: list[str] = Field(default=["*"])
    pool_size: int = Field(default=5, ge=1)
    pool_max_overflow: int = Field(default=5, ge=0)
    concurrent_requests: int = Field(
        default=2,
        ge=1,
        description="requests a worker runs at once (at most pool_size + pool_max_overflow);"
        " the rest wait their turn in the event loop, and one running past 50 ms gives up its"
        " turn",
    )
    statement_timeout_ms: int = Field(default=5000, ge=0)
    host: str = Field(default="127.0.0.1", description="interface `roundup serve` binds to")
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="proxies trusted for X-Forwarded-For/-Proto: comma-separated IPs, or *",
    )
    migrate_on_start: bool = Field(
        default=True,
        validation_alias="ROUNDUP_MIGRATE",
        description="`roundup start` upgrades the schema before serving",
    )
    seed_on_start: bool = Field(
        default=True,
        validation_alias="ROUNDUP_SEED",
        description="`roundup start` loads seed_dir (idempotent) before serving",
    )

    response_cache: bool = Field(
        default=True,
        description="keep rendered GET responses per data version (off: every request renders)",
    )
    response_cache_mb: int = Field(
        default=64, ge=1, description="memory for the response cache, per worker process"
    )
    connect_timeout_s: int = Field(
        default=3,
        ge=1,
        description="PostgreSQL connect timeout: an unreachable database is a"
        " quick 503, not a hang",
    )
    pool_timeout_s: float = Field(
        default=5, gt=0, description="How long a request waits for a pooled connection"
    )
    max_url_length: int = Field(
        default=8192, ge=256, description="Longer request targets (path + query) are a 414"
    )
    max_page_size: int = Field(
        default=500, ge=1, le=500, description="Largest `limit` a list accepts (at most 500)"
    )
    request_timeout_s: float = Field(
        default=15, gt=0, description="A request not answered by then gets a 503 problem"
    )
    rate_limit_per_minute: int = Field(
        default=0, ge=0, description="Requests per minute per client IP, per process; 0 = off"
    )
    public_base_url: str = Field(
        default="",
        description="where clients reach the API, e.g. https://roundup.example.org: absolute"
        " URLs in Link headers and JSON-LD @ids start with it; empty: they are relative",
    )
    response_cache_entries: int = Field(
        default=10_000, ge=1, description="most responses the response cache keeps, per worker"
    )
    max_head_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        description="a request line and headers longer than this are refused with 431",
    )
    header_timeout_s: float = Field(
        default=10,
        gt=0,
        description="a connection whose request head is not complete by then is closed",
    )
    max_connections: int = Field(
        default=500, ge=1, description="open connections per worker; beyond it, 503"
    )
    export_concurrency: int = Field(
        default=2,
        ge=1,
        description="CSV/NDJSON downloads streaming at once, per worker process (more wait,"
        " then get a 503)",
    )
    export_send_timeout_s: float = Field(
        default=30, gt=0, description="A download whose client reads nothing for this long is cut"
    )
    idle_in_transaction_timeout_ms: int = Field(
        default=30000,
        ge=0,
        description="PostgreSQL idle_in_transaction_session_timeout for the app's sessions",
    )
    dump_cache_dir: Path = Field(
        default=Path(tempfile.gettempdir()) / "roundup-dump",
        description="Where /v1/dump files are built, one per data version (shared by workers)",
    )
    cursor_secret: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="Key that signs list cursors; unset: a random key the migrations stored",
    )

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_base(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^/?#@\s]+(/[^?#\s]*)?", value):
            raise ValueError("ROUNDUP_PUBLIC_BASE_URL must be http(s)://host[:port][/path]")
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The environment's settings: for the commands, the server and create_app's default.
    A request reads those of the app serving it (app.deps.SettingsDep)."""
    return Settings()
