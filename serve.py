"""The server: the dashboard (``app.py`` and its pages) and, beside it, every view as a feed
and as data (``ui/routes.py``). ``streamlit run serve.py`` finds the ``st.App`` below and
serves both; the addresses follow ``server.baseUrlPath`` when the app is served below a path.
"""

from collections.abc import Awaitable, Callable

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit import config

from geo.feeds import ADDRESSES, allowance_from_env

_PATH = (config.get_option("server.baseUrlPath") or "").strip("/")
BASE = f"/{_PATH}" if _PATH else ""
#: Each client's answers a second (PANJ_API_RATE); a bad value stops the server here.
ALLOWANCE = allowance_from_env()


def _address(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        # imported at the first request, once Streamlit's runtime exists: the ui package
        # declares the map's component, which only a running runtime registers
        from ui import routes

        return await routes.endpoint(request, kind, BASE, ALLOWANCE)
    return answer


app = st.App("app.py", routes=[Route(BASE + path, _address(kind), methods=["GET", "HEAD"])
                               for kind, path in ADDRESSES.items()])
