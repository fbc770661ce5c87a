"""Generated clients against this API: the document, the npm tools, and a live server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import api, live_server  # noqa: F401 - fixtures shared with e2e

CLIENTS_DIR = Path(__file__).resolve().parent
NODE_BIN = CLIENTS_DIR / "node_modules" / ".bin"


def node_tool(name: str) -> Path:
    """A pinned npm tool (tests/clients/package-lock.json, installed by `make clients`).
    Missing, the test is skipped, unless ROUNDUP_REQUIRE_CLIENTS is set (as `make test` does)."""
    tool = NODE_BIN / name
    if not tool.exists():
        if os.environ.get("ROUNDUP_REQUIRE_CLIENTS"):
            pytest.fail(f"{tool} is missing: run `make clients`")
        pytest.skip(f"{tool} is missing: run `make clients`")
    return tool


def run(*command: str | Path, cwd: Path = CLIENTS_DIR) -> str:
    """Run `command`; its combined output, which must be free of warnings and errors."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **os.environ,
            # The generators' hooks (openapi-python-client runs ruff) come from the venv.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1",
            "REDOCLY_TELEMETRY": "off",
        },
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


@pytest.fixture
def openapi_file(client: TestClient, tmp_path: Path) -> Path:
    """The document the app serves, as a file."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(client.get("/openapi.json").json()), encoding="utf-8")
    return path
