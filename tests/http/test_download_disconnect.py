"""A download stops when its client disconnects: it neither keeps reading rows for nobody nor
keeps its download slot (the server's send() returns silently once the client is gone)."""

import asyncio
import time
from collections.abc import Iterator

from starlette.types import Message

from app.config import Settings
from app.exports.formats import ExportResponse, _download_slots
from app.main import create_app


def test_a_download_stops_when_its_client_disconnects() -> None:
    produced = {"rows": 0}

    def rows() -> Iterator[bytes]:
        while True:  # endless: only the disconnect can stop it
            time.sleep(0.01)
            produced["rows"] += 1
            yield b"row\n"

    async def run() -> tuple[int, int, list[str]]:
        sent: list[str] = []
        gone = asyncio.Event()

        async def receive() -> Message:
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message["type"])
            if len(sent) == 5:
                gone.set()  # the client leaves after the headers and four chunks

        scope = {
            "type": "http",
            "asgi": {"spec_version": "2.3"},
            "method": "GET",
            "app": create_app(Settings(export_concurrency=3)).api,
        }
        response = ExportResponse(rows(), media_type="text/csv")
        await asyncio.wait_for(response(scope, receive, send), 5)
        stopped_at = produced["rows"]
        await asyncio.sleep(0.3)
        slots = _download_slots[asyncio.get_running_loop()]
        assert produced["rows"] - stopped_at <= 1  # at most the step under way finishes
        return produced["rows"], slots._value, sent[:2]

    rows_read, free_slots, first = asyncio.run(run())
    assert rows_read < 20
    assert free_slots == 3  # the app's export_concurrency
    assert first == ["http.response.start", "http.response.body"]
