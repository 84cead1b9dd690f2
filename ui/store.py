"""Team mode in the app: the pooled read-only connection to the store, the prepared incidents
of its latest revision, and what readers see while the database is away.

Every rerun asks the store for its latest revision (one indexed query on a pooled
connection); the prepared incidents are cached per revision, so an edit loaded with
``python -m geo.store load`` shows on every replica at each reader's next rerun. When the
store cannot be reached, readers keep the last revision this process prepared, with a
notice, and the page retries by itself; with nothing prepared yet it says so and retries.
The connection string is never shown: it may hold a password.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import psycopg
import psycopg_pool
import streamlit as st

from geo import agent, store_read, sync
from geo import schema as s
from geo.errors import StoreError
from geo.filters import IncidentFilter
from geo.incidents import from_table, load_context_events, prepared
from geo.text import markdown_safe
from ui.state import Key, tr

#: How often a page that cannot reach the store tries again.
RETRY_S = 10
#: How long a rerun waits for a pooled connection before treating the store as away.
WAIT_S = 4
#: The same, when a last good snapshot can answer meanwhile.
PROBE_S = 1.0
#: What a query raises when the store is away (down, unreachable, or the pool is waiting).
_AWAY = (psycopg.Error, psycopg_pool.PoolTimeout)
T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """One revision of the store, prepared as the file's incidents are, on one day (the
    service's ``today``: a row dated in the future becomes valid when its day comes).

    ``rejected`` names the rows this replica could not show (each with why): readers see
    every other row, and a notice naming these.
    """

    revision: int
    incidents: gpd.GeoDataFrame
    warnings: tuple[str, ...]
    corrections: Mapping[str, tuple[store_read.Change, ...]]
    context: pd.DataFrame
    read_at: datetime
    today: date
    rejected: Mapping[str, str]


@st.cache_resource(show_spinner=False)
def _pool(url: str) -> psycopg_pool.ConnectionPool:
    """One pool per process; ``check`` replaces connections the server dropped."""
    pool = psycopg_pool.ConnectionPool(
        url, min_size=1, max_size=8, open=False, timeout=WAIT_S, reconnect_timeout=30,
        check=psycopg_pool.ConnectionPool.check_connection,
        kwargs={"connect_timeout": WAIT_S, "autocommit": True,
                "options": store_read.READ_ONLY_OPTIONS}, name="panj-store")
    pool.open(wait=False)
    return pool


@st.cache_resource(show_spinner=False)
def _last_good() -> dict[str, Snapshot]:
    """The latest snapshot this process prepared, per store: what readers keep when the
    store is away."""
    return {}


_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _away() -> dict[str, float]:
    """Per store, until when (``time.monotonic``) it counts as away: the filter and density
    queries in that window answer from the last good snapshot at once, without waiting
    for the pool again; the next successful probe clears it."""
    return {}


@st.cache_resource(show_spinner="Loading incidents from the team store…", max_entries=2)
def _snapshot(url: str, revision: int, today: date, _layers: tuple,
              _previous: Snapshot | None) -> Snapshot:
    """Keyed by the store, its revision and the day (the unhashed ``_layers`` never change).

    With ``_previous`` (an earlier revision of the same store, the same day), only the
    incidents added or changed since are read, validated and prepared, and replace their
    older rows: after an edit, a replica's refresh costs what the edit touched, not the
    whole store. A row that fails validation is left out and named, never the whole store.
    """
    provinces, border = _layers
    since = _previous.revision if _previous is not None else 0
    with _pool(url).connection() as conn:
        table = store_read.read_incidents(conn, since=since)
        corrections = store_read.corrections(conn)
        context_csv = store_read.read_context(conn)
    loaded = from_table(table, regions=provinces, strict=False)
    rejected = {str(table[s.ID].iat[p.row - 2]): p.message for p in loaded.report.errors
                if p.row is not None}
    frame, warnings = prepared(loaded, border, provinces)
    if _previous is not None:
        old = _previous.incidents
        reread = set(table[s.ID])
        kept = old[~old[s.ID].isin(reread)]  # re-read rows replace (or drop) the old
        frame = gpd.GeoDataFrame(pd.concat([kept, frame], ignore_index=True),
                                 geometry="geometry", crs=old.crs)
        warnings = _previous.warnings + warnings
        rejected = {**{k: v for k, v in _previous.rejected.items() if k not in reread},
                    **rejected}
    context = load_context_events(context_csv, name="the team store's context events")
    return Snapshot(revision, frame, warnings, corrections, context,
                    datetime.now().astimezone(), today, rejected)


def snapshot(url: str, provinces: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> Snapshot:
    """The store's latest revision, prepared; or the last good one with a notice; or a
    message and a stopped page. Either way the page retries while the store is away.

    With a last good snapshot to fall back on, the probe waits ``PROBE_S``, not the pool's
    ``WAIT_S``, and the queries after a failed probe do not wait at all (they answer from
    that snapshot): a reader's click during an outage is answered in about a second.
    """
    _ = tr()
    _serve_agent(url)
    last = _last_good().get(url)
    today = s.service_today()
    try:
        with _pool(url).connection(timeout=PROBE_S if last is not None else WAIT_S) as conn:
            roles = _writable()
            if url not in roles:  # asked once per process, on the probe's own connection
                roles[url] = store_read.can_write(conn)
            revision = store_read.revision(conn)
        if roles[url]:
            _refuse_a_role_that_can_write()
        previous = (last if last is not None and last.today == today
                    and last.revision < revision else None)
        got = _snapshot(url, revision, today, (provinces, border), previous)
    except (*_AWAY, StoreError) as exc:
        _away()[url] = time.monotonic() + RETRY_S - 1
        reason = str(exc) if isinstance(exc, StoreError) else _("it does not answer")
        if last is None:
            _retry_later()
            st.error(_("The incident store cannot be reached ({reason}), so there is "
                       "nothing to show yet. This page tries again every {n} seconds.",
                       reason=markdown_safe(reason), n=RETRY_S))
            st.stop()
        return _keep(last, reason)
    with _lock:
        _last_good()[url] = got
        _away().pop(url, None)
    _say_rejected(got)
    return got


@st.cache_resource(show_spinner=False)
def _writable() -> dict[str, bool]:
    """Per store, whether the app's role could change it (``store_read.can_write``)."""
    return {}


def _refuse_a_role_that_can_write() -> None:
    """A public app reads the store with the read-only role; given an editor's or the
    owner's, it serves nothing and says so (never the address, which may hold a
    password). Its sessions are read-only in any case (``READ_ONLY_OPTIONS``)."""
    _ = tr()
    st.error(_("This dashboard's database role can change the incident store, so it "
               "shows nothing. Start it with the read-only role ({role}) that python -m "
               "geo.store init creates.", role=store_read.READER_ROLE))
    st.stop()


def _keep(last: Snapshot, reason: str) -> Snapshot:
    """The last good snapshot, with the notice that says so; the page retries by itself."""
    _retry_later()
    _ = tr()
    st.warning(_("The incident store cannot be reached ({reason}). Showing revision "
                 "{revision} as read at {time}; this page tries again every {n} seconds.",
                 reason=markdown_safe(reason), revision=last.revision,
                 time=f"{last.read_at:%H:%M}", n=RETRY_S), icon="⚠️")
    _say_rejected(last)
    return last


def _say_rejected(snap: Snapshot) -> None:
    """Name the rows this replica left out; everything else is shown."""
    if not snap.rejected:
        return
    ids = sorted(snap.rejected)
    shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
    st.warning(tr().ngettext(
        "{n} incident in the store could not be shown, as it does not pass validation: "
        "{ids}. Every other incident is shown; its editors can fix it with python -m "
        "geo.store load.",
        "{n} incidents in the store could not be shown, as they do not pass validation: "
        "{ids}. Every other incident is shown; its editors can fix them with python -m "
        "geo.store load.", len(ids), ids=markdown_safe(shown)), icon="⚠️")


@st.cache_resource(show_spinner=False)
def _serve_agent(url: str) -> object | None:
    """HAProxy's agent for this replica (``geo.agent``), where deploy/start asked for one:
    up while this process has a revision to show, or the store answers (a reader's run
    will then load it); down otherwise, so readers go to a replica that has one."""
    port = os.environ.get(agent.PORT_ENV, "").strip()
    if not port.isdigit():
        return None

    def ready() -> tuple[bool, str]:
        if _last_good().get(url) is not None:
            return True, ""
        try:
            with store_read.connect(url, connect_timeout=2) as conn:
                store_read.revision(conn)
        except (psycopg.Error, StoreError):
            return False, "nothing to show yet and the incident store does not answer"
        return True, ""

    return agent.start(int(port), ready)


@st.fragment(run_every=RETRY_S)
def _retry_ticker() -> None:
    if time.monotonic() >= st.session_state.get(Key.STORE_RETRY_DUE, 0.0):
        st.rerun(scope="app")


def _retry_later() -> None:
    st.session_state[Key.STORE_RETRY_DUE] = time.monotonic() + RETRY_S - 0.5
    _retry_ticker()


@dataclass(frozen=True)
class Selection:
    """What passes a filter: everything, or these ids."""

    everything: bool
    ids: frozenset[str]


def _unless_away(query: Callable[[str, int, IncidentFilter], T], url: str, revision: int,
                 flt: IncidentFilter) -> T | None:
    """``query``'s answer, or None when the store is away: the caller then works from the
    last good snapshot in memory."""
    if time.monotonic() < _away().get(url, 0.0):
        return None
    try:
        return query(url, revision, flt)
    except _AWAY:
        _away()[url] = time.monotonic() + RETRY_S - 1
        return None


def selection(url: str, revision: int, flt: IncidentFilter) -> Selection | None:
    """What passes ``flt``, filtered in SQL, per revision; None when the store is away."""
    return _unless_away(_selection, url, revision, flt)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _selection(url: str, revision: int, flt: IncidentFilter) -> Selection:
    with _pool(url).connection() as conn:
        if store_read.matches_all(conn, flt):
            return Selection(True, frozenset())
        return Selection(False, frozenset(store_read.filtered_ids(conn, flt)))


def density_cells(url: str, revision: int, flt: IncidentFilter) -> dict | None:
    """The map's density cells for ``flt``, summed in SQL, per revision; None when the store
    is away (the map then sums the last good snapshot itself)."""
    return _unless_away(_density_cells, url, revision, flt)


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _density_cells(url: str, revision: int, flt: IncidentFilter) -> dict:
    with _pool(url).connection() as conn:
        return store_read.density_cells(conn, flt)


@st.cache_data(ttl=300, show_spinner=False)
def sync_state(url: str) -> dict:
    """Each dataset's last sync as ``geo.sync`` records it (``pbw_sync``); {} when the
    store cannot say (a reader keeps reading the incidents either way)."""
    try:
        with _pool(url).connection(timeout=2) as conn:
            return sync.read_state_store(conn)
    except (psycopg.Error, psycopg_pool.PoolTimeout):
        return {}


def route_snapshot(url: str, provinces: gpd.GeoDataFrame,
                   border: gpd.GeoDataFrame) -> tuple[Snapshot, datetime]:
    """The store's latest revision, prepared and shared with the pages (``_snapshot``), and
    when that revision was made: for an address answering outside any page. Raises
    psycopg's errors or StoreError when the store cannot answer, or when the app's role
    could change it."""
    with _pool(url).connection(timeout=PROBE_S) as conn:
        roles = _writable()
        if url not in roles:
            roles[url] = store_read.can_write(conn)
        if roles[url]:
            msg = ("this dashboard's database role can change the store, so nothing is "
                   f"served; use the read-only role {store_read.READER_ROLE}")
            raise StoreError(msg)
        revision = store_read.revision(conn)
        made = conn.execute("SELECT coalesce(max(at), now()) FROM pbw_revisions").fetchone()
    last = _last_good().get(url)
    today = s.service_today()
    previous = (last if last is not None and last.today == today
                and last.revision < revision else None)
    got = _snapshot(url, revision, today, (provinces, border), previous)
    with _lock:
        _last_good()[url] = got
    return got, made[0] if made else datetime.now().astimezone()
