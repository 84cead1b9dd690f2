"""What the pages draw on: cached layers and incidents, context events, and the reader's upload.

Frames loaded once per process are shared read-only by every session
(``st.cache_resource``): ``geo`` never mutates its input, and a test checks that no page
does either. The upload lives in this browser session only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import (
    assets,
    cache,
    filters,
    importers,
    layers,
    proximity,
    store_read,
    tables,
)
from geo import (
    provenance as pv,
)
from geo import schema as s
from geo.errors import IncidentDataError, LayerError
from geo.i18n import N_, Translator
from geo.incidents import (
    Review,
    context_path,
    incidents_path,
    load_context_events,
    load_incidents,
    load_review,
    prepared,
    review_path,
)
from ui import store
from ui.state import Key, get, tr

DATA_MODES = {"both": N_("Bundled and your data"), "yours": N_("Only your data"),
              "bundled": N_("Only the bundled data")}


@dataclass(frozen=True)
class Data:
    """Everything a page draws on, loaded once per process and shared read-only."""

    incidents: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    provinces_display: gpd.GeoDataFrame
    border_display: gpd.GeoDataFrame
    border: gpd.GeoDataFrame
    source: Path
    #: Validation warnings on the incidents file (accepted rows with something to check).
    warnings: tuple[str, ...]
    #: When the incidents file was last reviewed (None: it has no review record).
    review: Review | None
    #: The file ``incidents`` comes from, as (path, mtime, size): equal keys, equal frames.
    file_key: tuple
    #: Which upload is shown with it, as (mode, upload id); None when only the file is.
    upload_key: tuple | None
    #: Team mode: the store revision shown (None: the incidents come from ``source``).
    store_revision: int | None = None
    #: Team mode: each corrected incident's changed fields, by id.
    corrections: Mapping[str, tuple[store_read.Change, ...]] = field(default_factory=dict)
    #: Team mode: the store's context events (None: read from the file).
    context: pd.DataFrame | None = None

    @property
    def providers(self) -> frozenset[str]:
        """The datasets the shown incidents come from (``geo.provenance``)."""
        return frozenset(self.incidents[s.PROVIDER].replace("", pv.CURATED).unique()) \
            if len(self.incidents) else frozenset()

    def origin(self, _: Translator) -> str:
        """Where the incidents come from, in words for captions."""
        if self.store_revision is not None:
            return _("the team store (revision {n})", n=self.store_revision)
        return f"`{self.source.name}`"

    @property
    def span(self) -> tuple[date, date]:
        got = filters.date_span(self.incidents)
        return got if got else (s.service_today() - timedelta(days=365), s.service_today())


@st.cache_resource(show_spinner=False)
def _install_assets() -> bool:
    assets.install()
    return True


@st.cache_resource(show_spinner=False)
def _layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame,
                       gpd.GeoDataFrame]:
    return (layers.load_provinces(), layers.load_provinces(layers.PROVINCES_DISPLAY_FILE),
            layers.load_border(layers.BORDER_DISPLAY_FILE), layers.load_border())


@st.cache_data(show_spinner=False, max_entries=4)
def _review(path: str, mtime: float) -> Review | None:
    return load_review(Path(path))


@st.cache_resource(show_spinner=False, max_entries=4)
def _incidents(path: str, mtime: float, size: int) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """Incidents of ``path``, shared read-only by every session (geo never mutates frames).

    ``mtime`` and ``size`` are part of the cache key so an edited file is read again. A
    restarted server reads the prepared frame from the on-disk cache (``geo.cache``).
    """
    provinces, _shown, _line, border = _layers()

    def build(source: Path) -> cache.Prepared:
        loaded = load_incidents(source, regions=provinces, strict=True)
        return cache.Prepared(*prepared(loaded, border, provinces), False)

    ready = cache.load_prepared(Path(path), build)
    return ready.frame, ready.warnings


def load_data() -> Data:
    """Load layers and incidents, or stop the page with a message saying what to fix."""
    _install_assets()
    _ = tr()
    try:
        with st.spinner(_("Loading the boundary layers…"), show_time=False):
            provinces, provinces_display, border_display, border = _layers()
    except LayerError as exc:
        st.error(_("The boundary layers could not be loaded: {error}", error=exc))
        st.stop()
    path = incidents_path()
    url = store_read.database_url()
    if url:
        return _team_data(url, provinces, provinces_display, border_display, border)
    try:
        stat = path.stat()
        with st.spinner(_("Loading incidents…"), show_time=False):
            frame, warnings = _incidents(str(path), stat.st_mtime, stat.st_size)
        file_key = (str(path), stat.st_mtime, stat.st_size)
    except FileNotFoundError:
        st.error(_("The incidents file `{path}` does not exist. Unset `PANJ_INCIDENTS` to use "
                   "the bundled data, or point it at a CSV in the documented format.",
                   path=path))
        st.stop()
    except IncidentDataError as exc:
        st.error(_("The incidents file `{path}` has problems, so nothing is shown. Fix these "
                   "rows (row numbers as in a spreadsheet, header = row 1):", path=path))
        if exc.report is not None:
            st.dataframe(exc.report.to_frame(), hide_index=True, width="stretch")
        else:
            st.code(str(exc), language=None)
        st.stop()
    try:
        record = review_path(path)
        review = _review(str(path), record.stat().st_mtime) if record.exists() else None
    except IncidentDataError as exc:
        st.warning(_("The review record of `{name}` could not be read, so no review date is "
                     "shown: {error}", name=path.name, error=exc))
        review = None
    upload_key = _upload_key()
    return Data(_with_upload(frame, (file_key, upload_key)), provinces, provinces_display,
                border_display, border, path, warnings, review, file_key, upload_key)


def _upload_key() -> tuple | None:
    """Which upload is shown with the shared incidents, as (mode, upload id); None if none."""
    mine, mode = uploaded(), data_mode()
    return None if mine is None or mode == "bundled" else (mode, id(mine))


def _team_data(url: str, provinces: gpd.GeoDataFrame, provinces_display: gpd.GeoDataFrame,
               border_display: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> Data:
    """Team mode (``$PANJ_DATABASE_URL``): the store's latest revision (``ui.store``)."""
    try:
        snap = store.snapshot(url, provinces, border)
    except IncidentDataError as exc:
        _ = tr()
        st.error(_("The team store holds incidents this version of the app rejects, so "
                      "nothing is shown. Fix these rows with `python -m geo.store load`:"))
        st.code(str(exc), language=None)
        st.stop()
    upload_key = _upload_key()
    file_key = ("store", snap.revision)
    return Data(_with_upload(snap.incidents, (file_key, upload_key)), provinces,
                provinces_display, border_display, border, Path("team store"),
                snap.warnings, None, file_key, upload_key, snap.revision, snap.corrections,
                snap.context)


def _store_alone(data: Data) -> tuple[str, int] | None:
    """The store's URL and revision when ``data`` is the team store's incidents alone (no
    upload shown): then SQL can answer for them."""
    url = store_read.database_url()
    if url and data.store_revision is not None and data.upload_key is None:
        return url, data.store_revision
    return None


def filtered_incidents(data: Data, flt: filters.IncidentFilter) -> gpd.GeoDataFrame:
    """The incidents of ``data`` that pass ``flt``: in team mode (with no upload shown)
    the filter runs in SQL on the store; otherwise in memory."""
    alone = _store_alone(data)
    if alone:
        chosen = store.selection(*alone, flt.without_actors)
        if chosen is not None:
            frame = data.incidents if chosen.everything else \
                data.incidents.loc[data.incidents[s.ID].isin(chosen.ids)]
            # actor groups may be derived from words, so they are read from the frame
            return frame.loc[filters.actor_mask(frame, flt.actors)] if flt.actors else frame
    return filters.apply(data.incidents, flt)


def store_density_cells(data: Data, flt: filters.IncidentFilter) -> dict | None:
    """Team mode with no upload shown: the map's density cells summed in SQL; else None
    (also for an actor filter, whose groups live in the loaded frame, not in SQL)."""
    alone = _store_alone(data)
    return store.density_cells(*alone, flt) if alone and not flt.actors else None


def border_band(km: int) -> object:
    """The area within ``km`` of the border, cached per distance."""
    return _band(km)


@st.cache_resource(show_spinner=False, max_entries=8)
def _band(km: int) -> object:
    *_unused, border = _layers()
    return proximity.band(border, km)


def context_events(data: Data | None = None) -> pd.DataFrame:
    """The context events for the timeline: the team store's in team mode, else the bundled
    file or ``$PANJ_CONTEXT_EVENTS``."""
    if data is not None and data.context is not None:
        return data.context
    return _context_events(str(context_path()))


@st.cache_data(show_spinner=False)
def _context_events(path: str) -> pd.DataFrame:
    return load_context_events(Path(path))


# --- the reader's upload ------------------------------------------------------------------


def uploaded() -> importers.ImportResult | None:
    """The reader's imported incidents in this session, if any."""
    return get(Key.UPLOAD)


def data_mode() -> str:
    """Which incidents are shown: ``both``, ``yours`` or ``bundled`` (see ``DATA_MODES``)."""
    return get(Key.DATA_MODE) if uploaded() is not None else "bundled"


def _with_upload(bundled: gpd.GeoDataFrame, key: tuple) -> gpd.GeoDataFrame:
    """The bundled incidents, the reader's, or both, as chosen; a ``dataset`` column says which.

    The combination is made once per upload and mode (``key``), not on every rerun.
    """
    mine = uploaded()
    mode = data_mode()
    if mine is None or mode == "bundled":
        return bundled  # the shared, read-only frame: no per-viewer copy
    yours = _upload_frame(mine)
    if mode == "yours":
        return yours
    cached = get(Key.UPLOAD_COMBINED)
    if cached is None or cached[0] != key:
        both = gpd.GeoDataFrame(pd.concat([bundled, yours], ignore_index=True),
                                geometry="geometry", crs=bundled.crs)
        cached = (key, both)
        st.session_state[Key.UPLOAD_COMBINED] = cached
    return cached[1]


def incident_table(data: Data) -> tuple[pd.DataFrame, int]:
    """The Data page's table of every incident in ``data``, built once per file (shared by
    every viewer) or once per upload (in this session); pages select their rows from it."""
    if data.upload_key is None:  # the file alone: one table for every viewer
        return _file_table(data.file_key, data.incidents)
    key = (data.file_key, data.upload_key)
    cached = get(Key.UPLOAD_TABLE)
    if cached is None or cached[0] != key:
        cached = (key, tables.incident_table(data.incidents))
        st.session_state[Key.UPLOAD_TABLE] = cached
    return cached[1]


@st.cache_resource(show_spinner=False, max_entries=4)
def _file_table(key: tuple, _frame: gpd.GeoDataFrame) -> tuple[pd.DataFrame, int]:
    """Keyed by the file (``key``); Streamlit does not hash ``_frame`` (leading underscore),
    which is the frame that file loads to. The table holds codes, not words: every
    language's readers share it (``geo.tables.labelled`` names a page of it)."""
    return tables.incident_table(_frame)


def _upload_frame(result: importers.ImportResult) -> gpd.GeoDataFrame:
    """The imported incidents with their border distances, computed once per import."""
    cached = get(Key.UPLOAD_FRAME)
    if cached is None or cached[0] is not result:
        provinces, _shown, _line, border = _layers()
        frame = proximity.add_proximity(result.frame, border, provinces)
        frame[s.DATASET] = s.YOURS
        cached = (result, frame)
        st.session_state[Key.UPLOAD_FRAME] = cached
    return cached[1]


def clear_upload() -> None:
    for key in (Key.UPLOAD, Key.UPLOAD_ERROR, Key.UPLOAD_FRAME, Key.UPLOAD_COMBINED,
                Key.UPLOAD_TABLE):
        st.session_state.pop(key, None)


def data_warnings(data: Data, *, full: bool) -> None:
    """Validation warnings on the incidents file: a one-line notice, or (``full``) all."""
    if not data.warnings:
        return
    _ = tr()
    n = len(data.warnings)
    if not full:
        st.caption("⚠️ " + _.ngettext(
            "The incidents file `{name}` has {n} validation warning; the About page lists it.",
            "The incidents file `{name}` has {n} validation warnings; the About page lists "
            "them.", n, name=data.source.name))
        return
    st.warning(_.ngettext("The incidents file `{name}` was accepted with {n} warning for its "
                          "maintainer to check:",
                          "The incidents file `{name}` was accepted with {n} warnings for its "
                          "maintainer to check:", n, name=data.source.name))
    st.dataframe(pd.DataFrame({_("Warning"): list(data.warnings)}), hide_index=True,
                 width="stretch")
