"""The Your data page's edge: reading a reader's file into their session, within the
server's shared budget (``geo.uploads``), and the report of what was imported."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from geo import importers, uploads
from geo.errors import IncidentDataError
from geo.i18n import DEFAULT_LANG
from geo.text import markdown_safe
from ui.data import clear_upload, uploaded
from ui.state import Key, get, tr


def import_upload(upload: object, provinces: gpd.GeoDataFrame) -> None:
    """Import a file from ``st.file_uploader`` once (a rerun does not import it again)."""
    file_id = getattr(upload, "file_id", None)
    if file_id is None or get(Key.UPLOAD_ID) == file_id:
        return
    st.session_state[Key.UPLOAD_ID] = file_id
    run_import(upload.name, upload.getvalue(), provinces)  # type: ignore[attr-defined]
    st.rerun()  # so every part of the page, sidebar included, sees the new data


@st.cache_resource(show_spinner=False)
def _upload_budget() -> uploads.UploadBudget:
    """What every session's uploads may hold together in this process (``geo.uploads``)."""
    return uploads.budget_from_env()


def run_import(name: str, payload: bytes, provinces: gpd.GeoDataFrame) -> None:
    """Import an uploaded file into this session, with a progress bar; errors are shown.

    One file is read at a time in the process, and what all sessions' uploads hold stays
    within the budget (``geo.uploads``): a busy or full server says so and keeps serving.
    """
    clear_upload()  # the earlier upload's share of the budget is given back first
    budget = _upload_budget()
    _ = tr()
    bar = st.progress(0.0, text=_("Importing {name}…", name=markdown_safe(name)))
    try:
        budget.check(len(payload))
        with uploads.reading_slot():
            result = importers.import_file(
                name, payload, provinces=provinces,
                progress=lambda f, msg: _advance(bar, f, msg))
        held = uploads.frame_bytes(result.frame)
        budget.check(held)
        budget.hold(result, held)
    except IncidentDataError as exc:
        st.session_state[Key.UPLOAD_ERROR] = (name, str(exc))
        st.session_state.pop(Key.UPLOAD, None)
    else:
        st.session_state[Key.UPLOAD] = result
        st.session_state.pop(Key.UPLOAD_ERROR, None)
    finally:
        bar.empty()


def _advance(bar: Any, fraction: float, text: str) -> None:
    _ = tr()  # the importer's steps are marked for the catalogs (N_)
    bar.progress(min(fraction, 1.0), text=_(text))


def import_report() -> None:
    """What the last import did: counts, the row-by-row report and its download."""
    _ = tr()
    failed = get(Key.UPLOAD_ERROR)
    if failed:
        st.error(_("**{name}** could not be imported: {error}", name=markdown_safe(failed[0]),
                   error=markdown_safe(failed[1])))
        return
    result = uploaded()
    if result is None:
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Rows read"), _.num(result.n_read))
    c2.metric(_("Accepted"), _.num(result.n_accepted))
    c3.metric(_("Rejected"), _.num(result.n_rejected))
    c4.metric(_("Warnings"), _.num(len(result.report.warnings)))
    st.caption(_("Read as: {format}.", format=result.format) + " " + (
        _("Each row is numbered as in the file (the header is row 1).")
        if result.row_label == "row" else _("Each feature is numbered as in the file.")))
    if _.lang != DEFAULT_LANG:
        st.caption(_("The report's messages are in English, as the file format is."))
    if result.report.omitted:
        st.caption(_.ngettext(
            "The report lists the first {n} problems; {more} more were found and are not "
            "listed. Fix these and import the file again to see the rest.",
            "The report lists the first {n} problems; {more} more were found and are not "
            "listed. Fix these and import the file again to see the rest.",
            len(result.report.problems), more=_.num(result.report.omitted)))
    if result.report.problems:
        table = result.report.to_frame().rename(columns={"row": result.row_label})
        st.dataframe(table, hide_index=True, width="stretch", height=320)
        st.download_button(_("Download the report (CSV)"), result.report_csv(),
                           file_name="import-report.csv", mime="text/csv")
    else:
        st.success(_("Every row was accepted, with no warnings."))
