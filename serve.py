"""The server: the dashboard (``app.py`` and its pages) and, beside it, every view as a feed
and as data (``ui/routes.py``). ``streamlit run serve.py`` finds the ``st.App`` below and
serves both; the routes follow ``server.baseUrlPath`` when the app is served below a path."""

import streamlit as st
from streamlit import config

from ui.routes import routes

app = st.App("app.py", routes=routes(config.get_option("server.baseUrlPath") or ""))
