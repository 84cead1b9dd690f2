"""How every page opens: its config, styles and language, the data, the shared filters.

:func:`start_page` is the one entry: it sets the page up, loads the data, reads the view
from the link (once per session) or the session, draws the filters (``ui.sidebar``; on a
session's first map, once the map has drawn), writes the view back to the address bar and
returns the filtered incidents.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo.i18n import DEFAULT_LANG, N_
from geo.viewstate import ViewState
from ui import memory
from ui.data import Data, filtered_incidents, load_data
from ui.sidebar import sidebar_view
from ui.state import Key, filters_drawn, lang, resend_widgets, seed, tr


@cache
def _css(name: str) -> str:
    """One of this folder's style sheets (``page.css``, ``rtl.css``), read once."""
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


APP_TITLE = "Panj Border Watch"
#: The pages after the map (``app.py``), in the order the navigation shows them; their
#: titles are translated where they are shown.
PAGES = (("pages/1_Timeline.py", N_("Timeline")), ("pages/5_Compare.py", N_("Compare periods")),
         ("pages/2_Data.py", N_("Data")), ("pages/3_Import.py", N_("Your data")),
         ("pages/4_About.py", N_("About")))


def page_setup(title: str) -> None:
    """Page config shared by every page; the navigation itself is drawn by ``app.py``.

    ``title`` is English (marked for the catalogs); it is shown in the reader's language.
    """
    _route_through_app()
    _ = tr()
    # No page_icon: emoji and Material icons are fetched from a CDN as the favicon, and the
    # dashboard must make no network request of its own.
    st.set_page_config(page_title=f"{_(title)} · {APP_TITLE}" if title != APP_TITLE else title,
                       layout="wide")
    css = _css("page.css") + (_css("rtl.css") if _.language.rtl else "")
    st.html(f"<style>{css}</style>")  # style only: takes no room on the page
    # The document's language, so screen readers read it with the right voice; our own
    # constant script, no reader text.
    st.html(f"<script>document.documentElement.lang = '{_.language.tag}';</script>",
            unsafe_allow_javascript=True)
    seed()


def _route_through_app() -> None:
    """Make a page opened straight from a link run inside ``app.py``'s navigation.

    Streamlit keeps a process-wide "pages directory" mode (``PagesManager``) until some
    session calls ``st.navigation``: on a fresh server, the first reader of a link to
    ``/Data`` or ``/Import`` would get this page run on its own, with Streamlit's automatic
    page list ("app", "Import"…) instead of ours. Leaving that mode and rerunning sends the
    run through ``app.py``, which registers the pages and opens the one the link names.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def start_page(title: str, *, filtered: bool = True,
               map_first: bool = False) -> tuple[Data, ViewState, gpd.GeoDataFrame]:
    """What every page does first: set up, load the data, draw the filters, filter.

    Pages that show no filtered incidents (About, Your data, Compare) pass
    ``filtered=False`` and get every incident instead of the filtered ones.

    The map page passes ``map_first=True``: on a session's first map, the filters (and
    playback's controls) are held back until the map has drawn, with a note in their place,
    so that the reader's first sight of the map does not wait for their widgets' code
    (#24; ``docs/PERFORMANCE.md``). The view is read from the link and the session all the
    same. The map's first report draws them (``show_filters``), or, for a map that never
    reports, the end of :data:`FILTERS_WAIT`.
    """
    memory.trim_freed_memory()  # what other viewers' runs freed (no-op where capped)
    page_setup(title)
    data = load_data()
    draw = not map_first or filters_drawn()
    if draw and st.session_state.pop(Key.FILTERS_HELD, None) is not None:
        resend_widgets()  # held back until this run, which draws them for the first time
    view = sidebar_view(data, draw=draw)
    if draw:
        st.session_state[Key.FILTERS_DRAWN] = True
    else:
        st.session_state[Key.FILTERS_HELD] = time.monotonic()
        with st.sidebar:
            _filters_soon()
    return data, view, (filtered_incidents(data, view.filter) if filtered
                        else data.incidents)


#: How long the map page waits for its map's first report before it draws the filters
#: anyway (a map that never reports must not take the filters with it).
FILTERS_WAIT = timedelta(seconds=3)


@st.fragment(run_every=FILTERS_WAIT)
def _filters_soon() -> None:
    """Where the filters will be, until the map has drawn; the whole page again, with
    them, if the map has not reported within :data:`FILTERS_WAIT`."""
    _ = tr()
    st.caption(_("The filters appear once the map has drawn."))
    held = st.session_state.get(Key.FILTERS_HELD)
    # its first run is part of the page's, which held the filters back just now; the runs
    # of its timer come FILTERS_WAIT later
    if held is not None and time.monotonic() - held >= FILTERS_WAIT.total_seconds() / 2:
        show_filters()


def show_filters() -> None:
    """Draw the held-back filters now: the whole page runs again, with them."""
    if not filters_drawn():
        st.session_state[Key.FILTERS_DRAWN] = True
        st.rerun(scope="app")


def untranslated_note(text: str, place: Any = st) -> None:
    """``text`` (a note that some words stay as written) as a caption, for readers of any
    language but the one the data is written in; ``place`` is where (the page, the sidebar)."""
    if lang() != DEFAULT_LANG:
        place.caption(text)
