"""URLs the API prints (Link headers, JSON-LD @ids): never built from the client's Host.

With ROUNDUP_PUBLIC_BASE_URL set they start with it; otherwise they are relative references
(`/v1/...`), which clients resolve against the URL they asked. Either way a request with a
forged Host or X-Forwarded-Host gets the same bytes as everyone else, so no cache in front
can be poisoned through them.
"""

from fastapi import Request


def public_base(request: Request) -> str:
    """The configured base URL without a trailing slash, or "" (relative URLs)."""
    base: str = request.app.state.settings.public_base_url
    return base


def public_url(request: Request, path: str, query: str = "") -> str:
    """`path` (from the root, starting with '/') and `query`, as clients should use them."""
    return public_base(request) + path + (f"?{query}" if query else "")
