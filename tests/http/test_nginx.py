"""deploy/nginx.conf, as docs/deployment.md tells operators to use it, run with Debian's nginx
in front of `roundup serve`: a forged Host cannot poison what other clients get, and a forged
X-Forwarded-For cannot escape the rate limit. `make test` installs nginx; without it these
tests fail rather than skip."""

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_DIR
from tests.support.databases import seeded_database
from tests.support.servers import free_port, serving

pytestmark = pytest.mark.slow

NGINX = Path("/usr/sbin/nginx")
CONFIG = PROJECT_DIR / "deploy" / "nginx.conf"
NAME = "roundup.example.org"


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with seeded_database(tmp_path_factory.mktemp("nginx")) as url:
        yield url


def site_config(app_port: int, port: int, cache: Path) -> str:
    """deploy/nginx.conf with this test's addresses, ports and cache folder."""
    text = CONFIG.read_text(encoding="utf-8")
    text = re.sub(
        r"(    server \d+\.\d+\.\d+\.\d+:8000;\n)+", f"    server 127.0.0.1:{app_port};\n", text
    )
    text = text.replace("listen 80", f"listen 127.0.0.1:{port}")
    return text.replace("/var/cache/nginx/roundup", str(cache))


@pytest.fixture
def proxied(seeded_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """nginx with deploy/nginx.conf in front of `roundup serve`; yields nginx's base URL."""
    assert NGINX.exists(), "nginx is missing: `make test` installs Debian's package"
    env: dict[str, str] = getattr(request, "param", {})
    with serving(seeded_url, tmp_path, ROUNDUP_PUBLIC_BASE_URL=f"https://{NAME}", **env) as (
        app_url,
        _,
    ):
        port = free_port()
        site = tmp_path / "roundup.conf"
        site.write_text(site_config(int(app_url.rsplit(":", 1)[1]), port, tmp_path / "cache"))
        temp = tmp_path / "temp"
        temp.mkdir()
        main = tmp_path / "nginx.conf"
        main.write_text(
            f"user root;\ndaemon off;\npid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {temp}/body;\n"
            f" proxy_temp_path {temp}/proxy;\n fastcgi_temp_path {temp}/fastcgi;\n"
            f" uwsgi_temp_path {temp}/uwsgi;\n scgi_temp_path {temp}/scgi;\n include {site};\n}}\n"
        )
        checked = subprocess.run(
            [str(NGINX), "-t", "-c", str(main)], capture_output=True, text=True, timeout=30
        )
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen([str(NGINX), "-c", str(main)])
        try:
            base_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    httpx.get(f"{base_url}/healthz", headers={"Host": NAME})
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_forged_host_cannot_poison_the_cache(proxied: str) -> None:
    url = f"{proxied}/v1/arguments?limit=1"
    # Another name, in the Host header or in an absolute request line: no answer at all.
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url, headers={"Host": "evil.example"})
    port = int(proxied.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"GET http://evil.example/v1/arguments?limit=1 HTTP/1.1\r\nHost: %s\r\n\r\n"
            % NAME.encode()
        )
        assert sock.recv(100) == b""
    # Our name, with forged forwarding headers: the URLs are the configured ones.
    forged = httpx.get(
        url,
        headers={
            "Host": NAME,
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "gopher",
            "Forwarded": "host=evil.example",
        },
    )
    cursor = forged.json()["next_cursor"]
    expected = f'<https://{NAME}/v1/arguments?limit=1&cursor={cursor}>; rel="next"'
    assert (forged.status_code, forged.headers["link"]) == (200, expected)
    assert forged.headers["x-cache-status"] == "MISS"
    assert b"evil" not in forged.content
    # Everyone else then gets that cached answer, which names no forged host.
    plain = httpx.get(url, headers={"Host": NAME})
    assert (plain.headers["x-cache-status"], plain.headers["link"]) == ("HIT", expected)
    assert plain.content == forged.content


@pytest.mark.parametrize("proxied", [{"ROUNDUP_RATE_LIMIT_PER_MINUTE": "5"}], indirect=True)
def test_a_forged_forwarded_for_cannot_escape_the_rate_limit(proxied: str) -> None:
    statuses = [
        httpx.get(
            f"{proxied}/v1/articles?series=s{n}",  # distinct: none is answered from nginx's cache
            headers={"Host": NAME, "X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(10)
    ]
    assert statuses == [200] * 5 + [429] * 5


def test_the_deployment_guide_shows_this_very_file() -> None:
    guide = (PROJECT_DIR / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert f"```nginx\n{CONFIG.read_text(encoding='utf-8')}```\n" in guide
