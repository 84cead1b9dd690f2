"""Every session-state key, its default, and the view ⇄ URL sync: the one home of page state.

A shared link must reproduce a view, so everything it needs lives in the URL; the session
only remembers what a reader did since opening it. Each key is a member of :class:`Key`;
:data:`DEFAULTS` holds the defaults of those that have one and :func:`seed` sets them.
The widget keys (``w_*``) are seeded from the view by :func:`seed_widgets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

import streamlit as st

from geo.i18n import LANGUAGES, Translator, translator
from geo.viewstate import ViewState, link_base, parse_lang, query_string, to_query


class Key(StrEnum):
    """Session-state keys. ``w_*`` are widget keys; ``_pbw_*`` are the app's own."""

    # the shared filters in the sidebar (widgets)
    DATES = "w_dates"
    REGIONS = "w_regions"
    TYPES = "w_types"
    ACTORS = "w_actors"
    SOURCES = "w_sources"
    BASEMAP = "w_basemap"
    WITHIN = "w_within"
    LANG = "w_lang"  # the interface language (?lang=)
    # the view as the link holds it, and what the link said when the session opened
    VIEW = "_pbw_view"
    NOTICES = "_pbw_notices"
    START_PARAMS = "_pbw_start_params"
    PAGE_PARAMS = "_pbw_page_qs"  # link parameters of the current page only (e.g. Compare)
    # the map: where it opened, the last click, and clicks waiting for the next full run
    ANCHOR = "_pbw_anchor"
    LAST_CLICK = "_pbw_last_click"
    PENDING_REGION = "_pbw_pending"
    PENDING_DATES = "_pbw_pending_dates"
    # the reader's upload: in this browser session only, never on disk, never in a link
    UPLOAD = "_pbw_upload"
    UPLOAD_ERROR = "_pbw_upload_error"
    UPLOAD_FRAME = "_pbw_upload_frame"
    UPLOAD_COMBINED = "_pbw_upload_combined"
    UPLOAD_TABLE = "_pbw_upload_table"
    UPLOAD_ID = "_pbw_upload_id"
    DATA_MODE = "_pbw_mode"
    DATA_MODE_WIDGET = "w_data_mode"
    # playback
    PLAY = "_pbw_play"
    PLAY_STEP = "w_play_step"
    PLAY_WINDOW = "w_play_window"
    PLAY_SPEED = "w_play_speed"
    # the Compare page's two periods and the Timeline's last brushed span
    COMPARE_A = "cmp_a"
    COMPARE_B = "cmp_b"
    COMPARE_NOTICES = "cmp_notices"
    TIMELINE_SPAN = "tl_last_span"
    DATA_PAGE = "w_data_page"
    DATA_PAGE_CHOSEN = "_pbw_data_page"
    ONLY_CORRECTED = "w_only_corrected"
    ONLY_CORRECTED_CHOSEN = "_pbw_only_corrected"
    # team mode: when a page that cannot reach the store tries again
    STORE_RETRY_DUE = "_pbw_store_retry"
    FILTERS_DRAWN = "_pbw_filters_drawn"  # the sidebar has been drawn in this session
    FILTERS_HELD = "_pbw_filters_held"  # when the map page held them back (monotonic s)


#: Defaults of the keys that have one; the rest are set from the link or by an action.
DEFAULTS: Final[Mapping[Key, Any]] = {
    Key.PAGE_PARAMS: {},
    Key.START_PARAMS: {},
    Key.DATA_MODE: "both",
    Key.PLAY: None,
}


def seed() -> None:
    """Set every key of :data:`DEFAULTS` that this session does not have yet."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, dict) else value


def keep_widget(widget: Key, store: Key) -> None:
    """Copy a widget's value to a key of the app's own (``on_change``): Streamlit may drop a
    widget's state between runs, the app's keys it keeps."""
    st.session_state[store] = st.session_state[widget]


def seeded(widget: Key, store: Key, default: Any) -> None:
    """Give ``widget`` the value kept in ``store`` (or ``default``) if it has none."""
    if widget not in st.session_state:
        st.session_state[widget] = st.session_state.get(store, default)


#: The widgets a session's first map holds back (``ui.page.start_page``): the sidebar's
#: and playback's.
HELD_WIDGETS: Final = (Key.LANG, Key.DATES, Key.REGIONS, Key.TYPES, Key.ACTORS, Key.SOURCES,
                       Key.WITHIN, Key.BASEMAP, Key.PLAY_STEP, Key.PLAY_WINDOW, Key.PLAY_SPEED)


def resend_widgets(keys: tuple[Key, ...] = HELD_WIDGETS) -> None:
    """Give each of ``keys`` the value it holds again, so that a widget drawn for the first
    time in this run shows it. Streamlit 1.57 sends a widget the value set under its key
    only in the run that set it; a run later, it draws the widget with its default while
    the session still holds the value, and the reader's next change loses it (the lowest
    versions' CI run caught the region filter gone). The newest versions send it always."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def filters_drawn() -> bool:
    """Whether this session has had its sidebar of filters drawn: the map page holds them
    back on a session's first map until the map has drawn (``ui.page.start_page``)."""
    return bool(st.session_state.get(Key.FILTERS_DRAWN))


def get(key: Key) -> Any:
    """The value of ``key``, or its default."""
    return st.session_state.get(key, DEFAULTS.get(key))


def url_params() -> dict[str, list[str]]:
    """The address bar's query parameters now."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def url_params_at_start() -> dict[str, list[str]]:
    """The link's parameters as the session opened it (pages read their own from here)."""
    return get(Key.START_PARAMS)


def view() -> ViewState:
    """The view as the link holds it (after :func:`ui.sidebar.sidebar_view` has run)."""
    return st.session_state[Key.VIEW]


def seed_widgets(current: ViewState) -> None:
    """Set the sidebar's widgets to ``current``."""
    st.session_state[Key.DATES] = (current.start, current.end)
    st.session_state[Key.REGIONS] = list(current.regions)
    st.session_state[Key.TYPES] = list(current.types)
    st.session_state[Key.ACTORS] = list(current.actors)
    st.session_state[Key.SOURCES] = list(current.sources)
    st.session_state[Key.BASEMAP] = current.basemap
    st.session_state[Key.WITHIN] = current.within_km or 0  # 0 stands for "any distance"
    st.session_state[Key.LANG] = current.lang


def lang() -> str:
    """The reader's language now: the selector's, else the session's view's, else the
    link's (before the sidebar has run); English when none is usable."""
    for chosen in (st.session_state.get(Key.LANG),
                   getattr(st.session_state.get(Key.VIEW), "lang", None)):
        if chosen in LANGUAGES:
            return chosen
    return parse_lang(url_params())[0]  # its notice is the sidebar's to show


def tr() -> Translator:
    """Interface text in the reader's language: ``_ = ui.tr()``, then ``_("Filters")``."""
    return translator(lang())


def write_url(current: ViewState) -> None:
    """Put ``current`` (and the page's own parameters) in the address bar, if it differs."""
    wanted = {**to_query(current), **get(Key.PAGE_PARAMS)}
    if {k: ",".join(v) for k, v in url_params().items()} != wanted:
        st.query_params.from_dict(wanted)


def set_view(current: ViewState) -> None:
    """Make ``current`` the session's view and write it to the address bar."""
    st.session_state[Key.VIEW] = current
    write_url(current)


def set_page_params(params: Mapping[str, str]) -> None:
    """Add this page's own parameters to the link (after the sidebar has run)."""
    st.session_state[Key.PAGE_PARAMS] = dict(params)
    write_url(view())


def share_link(current: ViewState, *, with_page_params: bool = False) -> str:
    """The full link to ``current`` on this server, as the reader's browser sees it.

    With ``with_page_params``, the current page's own parameters are part of it too.
    """
    extra = get(Key.PAGE_PARAMS) if with_page_params else None
    return f"{page_url()}?{query_string(current, extra)}"


def site_root() -> str:
    """The app's root address as the reader's browser sees it, path prefix included, ending
    in a slash: where the feed and data addresses live."""
    parts = urlsplit(st.context.url or "")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base}/" if base else "/")


def page_url() -> str:
    """This page's address as the reader's browser sees it, ready for a ``?query``."""
    return link_base(st.context.url or "", st.get_option("server.baseUrlPath") or "")
