"""The server: the dashboard (``app.py`` and its pages) and, beside it, every view as a feed
and as data (``ui/routes.py``). ``streamlit run serve.py`` finds the ``st.App`` below and
serves both; the addresses follow ``server.baseUrlPath`` when the app is served below a path.
"""

from collections.abc import Awaitable, Callable

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import config

from geo.feeds import (
    ACCEPT_SCOPE,
    ADDRESSES,
    CODED_HEADER,
    DEFAULT_TOTAL_RATE,
    TOTAL_RATE_ENV,
    allowance_from_env,
)

_PATH = (config.get_option("server.baseUrlPath") or "").strip("/")
BASE = f"/{_PATH}" if _PATH else ""
#: Each client's answers a second (PANJ_API_RATE) and all clients' together
#: (PANJ_API_TOTAL_RATE); a bad value stops the server here.
ALLOWANCE = allowance_from_env()
TOTAL = allowance_from_env(name=TOTAL_RATE_ENV, default=DEFAULT_TOTAL_RATE)


def _address(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        # imported at the first request, once Streamlit's runtime exists: the ui package
        # declares the map's component, which only a running runtime registers
        from ui import routes

        return await routes.endpoint(request, kind, BASE, ALLOWANCE, TOTAL)
    return answer


class Precoded:
    """The addresses' answers come gzip-coded already (made once per answer, not once per
    request). Streamlit's own gzip middleware, inside this one, would compress them again,
    and some Streamlit versions fail on an answer that names its coding; so it is not told
    that the client takes gzip (the route reads that from ``ACCEPT_SCOPE``), and the coding
    the route names in ``CODED_HEADER`` becomes ``Content-Encoding`` on the way out."""

    def __init__(self, app: ASGIApp, paths: frozenset[str]) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        accept = b", ".join(v for k, v in scope["headers"] if k == b"accept-encoding")
        inner = {**scope, ACCEPT_SCOPE: accept.decode("latin-1"),
                 "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    (b"content-encoding" if k == CODED_HEADER else k, v)
                    for k, v in message["headers"]]}
            await send(message)

        await self.app(inner, receive, named)


_ROUTES = {kind: BASE + path for kind, path in ADDRESSES.items()}
app = st.App("app.py",
             routes=[Route(path, _address(kind), methods=["GET", "HEAD"])
                     for kind, path in _ROUTES.items()],
             middleware=[Middleware(Precoded, paths=frozenset(
                 path for kind, path in _ROUTES.items() if kind != "index"))])
