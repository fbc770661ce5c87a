"""Several server processes share one database and keep no data of their own."""

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_DIR
from tests.support.databases import migrate, scratch_database
from tests.support.seed_facts import SEED_SLUG
from tests.support.servers import wait_until_ready

pytestmark = pytest.mark.slow

PORTS = (8601, 8602)
ARTICLE = f"/v1/articles/{SEED_SLUG}"
# The last sentence of Jana Kobzova's answer; no curated argument quotes it.
OLD_ENDING = "But time is running out, and empty dialogue won’t fix anything."
NEW_ENDING = "But time is running out, and talk without leverage won’t fix anything."
SEED_SHA256 = "513f7bfb1b039eb5f472906bb1bc064938d903d8d0b96e415f05c6a9aad33e78"


def roundup(env: dict[str, str], *args: str) -> str:
    """Run the `roundup` command in its own process; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def server(env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """`roundup serve` on a loopback port until the block ends (killed even if it fails)."""
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=env,
            cwd=PROJECT_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def fetch(port: int) -> httpx.Response:
    response = httpx.get(f"http://127.0.0.1:{port}{ARTICLE}", timeout=10)
    assert response.status_code == 200
    return response


def fetch_changed(port: int, old_etag: str) -> httpx.Response:
    """The article once its ETag differs from `old_etag`: at once on SQLite (the version is
    read per request); within milliseconds on PostgreSQL (the NOTIFY reaches the watcher),
    allowed up to the 1 s poll interval here."""
    deadline = time.monotonic() + 1.5
    response = fetch(port)
    while response.headers["etag"] == old_etag and time.monotonic() < deadline:
        time.sleep(0.01)
        response = fetch(port)
    return response


def kobzova_ending(response: httpx.Response) -> str:
    kobzova = response.json()["responses"][2]
    assert kobzova["expert"]["slug"] == "jana-kobzova"
    return str(kobzova["body"]).rsplit("\n", 1)[-1].rsplit(". ", 1)[-1]


def test_a_reseed_reaches_every_server_process(tmp_path: Path, seed_copy: Path) -> None:
    source = seed_copy / f"{SEED_SLUG}.txt"
    with scratch_database(tmp_path) as url:
        migrate(url)
        # The response cache is on, as in production: each process keeps its own copy of the
        # rendered article, which the re-seed must invalidate in both.
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ROUNDUP_SEED_DIR": str(seed_copy),
            "ROUNDUP_RESPONSE_CACHE": "1",
        }
        assert roundup(env, "seed") == "seed: 154 inserted, 0 updated, 0 deleted\n"
        with ExitStack() as servers:
            for port in PORTS:
                servers.enter_context(server(env, port, tmp_path / f"serve-{port}.log"))
            before = [fetch(port) for port in PORTS]
            assert [fetch(port).content for port in PORTS] == [r.content for r in before]

            text = source.read_text(encoding="utf-8")
            assert text.count(OLD_ENDING) == 1
            source.write_text(text.replace(OLD_ENDING, NEW_ENDING), encoding="utf-8")
            assert roundup(env, "seed", str(source)) == "seed: 0 inserted, 2 updated, 0 deleted\n"

            after = [fetch_changed(port, before[0].headers["etag"]) for port in PORTS]

    new_sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    assert [(kobzova_ending(r), r.json()["source_sha256"]) for r in before] == [
        (OLD_ENDING, SEED_SHA256),
        (OLD_ENDING, SEED_SHA256),
    ]
    assert [(kobzova_ending(r), r.json()["source_sha256"]) for r in after] == [
        (NEW_ENDING, new_sha256),
        (NEW_ENDING, new_sha256),
    ]
    # Both processes agree on the ETag before and after, and the re-seed changed it.
    before_etags = {r.headers["etag"] for r in before}
    after_etags = {r.headers["etag"] for r in after}
    assert len(before_etags) == len(after_etags) == 1
    assert before_etags != after_etags
