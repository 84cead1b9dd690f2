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

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import psycopg
import psycopg_pool
import streamlit as st

from geo import schema as s
from geo import store_read
from geo.errors import StoreError
from geo.filters import IncidentFilter
from geo.incidents import from_table, load_context_events, prepared
from ui.state import Key, tr

#: How often a page that cannot reach the store tries again.
RETRY_S = 10
#: How long a rerun waits for a pooled connection before treating the store as away.
WAIT_S = 4
#: What a query raises when the store is away (down, unreachable, or the pool is waiting).
_AWAY = (psycopg.Error, psycopg_pool.PoolTimeout)
T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """One revision of the store, prepared as the file's incidents are."""

    revision: int
    incidents: gpd.GeoDataFrame
    warnings: tuple[str, ...]
    corrections: Mapping[str, tuple[store_read.Change, ...]]
    context: pd.DataFrame
    read_at: datetime


@st.cache_resource(show_spinner=False)
def _pool(url: str) -> psycopg_pool.ConnectionPool:
    """One pool per process; ``check`` replaces connections the server dropped."""
    pool = psycopg_pool.ConnectionPool(
        url, min_size=1, max_size=8, open=False, timeout=WAIT_S, reconnect_timeout=30,
        check=psycopg_pool.ConnectionPool.check_connection,
        kwargs={"connect_timeout": WAIT_S, "autocommit": True}, name="panj-store")
    pool.open(wait=False)
    return pool


@st.cache_resource(show_spinner=False)
def _last_good() -> dict[str, Snapshot]:
    """The latest snapshot this process prepared, per store: what readers keep when the
    store is away."""
    return {}


_lock = threading.Lock()


@st.cache_resource(show_spinner="Loading incidents from the team store…", max_entries=2)
def _snapshot(url: str, revision: int, _layers: tuple, _previous: Snapshot | None) -> Snapshot:
    """Keyed by the store and its revision (the unhashed ``_layers`` never change).

    With ``_previous`` (an earlier revision of the same store), only the incidents added or
    changed since are read, validated and prepared, and replace their older rows: after an
    edit, a replica's refresh costs what the edit touched, not the whole store.
    """
    provinces, border = _layers
    since = _previous.revision if _previous is not None else 0
    with _pool(url).connection() as conn:
        table = store_read.read_incidents(conn, since=since)
        corrections = store_read.corrections(conn)
        context_csv = store_read.read_context(conn)
    frame, warnings = prepared(from_table(table, regions=provinces, strict=True), border,
                               provinces)
    if _previous is not None:
        old = _previous.incidents
        kept = old[~old[s.ID].isin(frame[s.ID])]
        frame = gpd.GeoDataFrame(pd.concat([kept, frame], ignore_index=True),
                                 geometry="geometry", crs=old.crs)
        warnings = _previous.warnings + warnings
    context = load_context_events(context_csv, name="the team store's context events")
    return Snapshot(revision, frame, warnings, corrections, context,
                    datetime.now().astimezone())


def snapshot(url: str, provinces: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> Snapshot:
    """The store's latest revision, prepared; or the last good one with a notice; or a
    message and a stopped page. Either way the page retries while the store is away."""
    try:
        with _pool(url).connection() as conn:
            revision = store_read.revision(conn)
        last = _last_good().get(url)
        previous = last if last is not None and last.revision < revision else None
        got = _snapshot(url, revision, (provinces, border), previous)
    except (*_AWAY, StoreError) as exc:
        reason = str(exc) if isinstance(exc, StoreError) else "it does not answer"
        last = _last_good().get(url)
        _retry_later()
        if last is None:
            st.error(tr()("The incident store cannot be reached ({reason}), so there is "
                          "nothing to show yet. This page tries again every {n} seconds.",
                          reason=reason, n=RETRY_S))
            st.stop()
        st.warning(tr()("The incident store cannot be reached ({reason}). Showing revision "
                        "{revision} as read at {time}; this page tries again every {n} "
                        "seconds.", reason=reason, revision=last.revision,
                        time=f"{last.read_at:%H:%M}", n=RETRY_S), icon="⚠️")
        return last
    with _lock:
        _last_good()[url] = got
    return got


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
    try:
        return query(url, revision, flt)
    except _AWAY:
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
