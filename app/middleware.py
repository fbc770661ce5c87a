"""ASGI middleware of our own."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answer HEAD like GET, without the body (RFC 9110 9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b"", "more_body": False}
                if sent_body:
                    return
                sent_body.append(True)
            await send(message)

        sent_body: list[bool] = []
        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
