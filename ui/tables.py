"""Tables on the pages: column settings for incidents and sources, and the per-region change
tables of the Timeline and Compare pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from geo import filters, stats, tables
from geo import schema as s
from geo.viewstate import ViewState
from ui.state import tr

#: Source links show their site's name; the validator only lets http(s) URLs in.
LINK_DISPLAY = r"https?://(?:www\.)?([^/?#]+)"
LINK_VALIDATE = r"^https?://"


def link_column(label: str) -> Any:
    """A column of source links, shown by the name of their site."""
    return st.column_config.LinkColumn(label, display_text=LINK_DISPLAY,
                                       validate=LINK_VALIDATE)


def table_column_config(n_sources: int) -> dict:
    """Column settings for the incident table (its English column names, as
    ``geo.tables.incident_table`` makes them): labels in the reader's language, dates,
    counts and http(s) source links."""
    _ = tr()
    config: dict = {name: shown for name, shown in tables.headers(
        list(tables.HEADERS), _).items()}
    empty = _("Empty: no figure reported")
    config.update({
        "Date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
        "Killed": st.column_config.NumberColumn(_("Killed"), format="%d", help=empty),
        "Injured": st.column_config.NumberColumn(_("Injured"), format="%d", help=empty),
        "Lat": st.column_config.NumberColumn(_("Lat"), format="%.4f"),
        "Lon": st.column_config.NumberColumn(_("Lon"), format="%.4f"),
        "Summary": st.column_config.TextColumn(_("Summary"), width="large"),
        "Notes": st.column_config.TextColumn(_("Notes"), width="large"),
    })
    for i in range(1, n_sources + 1):
        name = tables.SOURCE_COLUMN.format(n=i)
        config[name] = link_column(_("Source {n}", n=i))
    return config


def region_change_table(incidents: pd.DataFrame, view: ViewState,
                        frame: pd.DataFrame) -> None:
    """Per region: this period against the previous one of the same length, flagged."""
    prev_start, prev_end = stats.previous_period(view.start, view.end)
    previous = filters.apply(incidents, replace(view.filter, start=prev_start, end=prev_end))
    _ = tr()
    change = _.percent(stats.FLAG_CHANGE)
    st.caption(_("Previous period: {start} to {end} (same length). Flagged where incidents "
                 "changed by {change} or more with at least {n} in one of the periods.",
                 start=_.date(prev_start), end=_.date(prev_end), change=change,
                 n=_.num(stats.FLAG_MIN_INCIDENTS)))
    _change_table(frame, previous, view, now=_("This period"), before=_("Before"))


def compare_table(frame_a: pd.DataFrame, frame_b: pd.DataFrame, view: ViewState) -> None:
    """Per region: period A against period B, flagged as on the Timeline page."""
    _change_table(frame_a, frame_b, view, now="A", before="B")


def _change_table(now_frame: pd.DataFrame, before_frame: pd.DataFrame, view: ViewState, *,
                  now: str, before: str) -> None:
    table = stats.region_change(now_frame, before_frame)
    shown = table[(table["incidents"] > 0) | (table["incidents_before"] > 0)]
    if view.regions:
        shown = shown[shown["region_code"].isin(view.regions)]
    _ = tr()
    if shown.empty:
        st.info(_("No incidents in either period for this filter."))
        return
    labels = {"rise": "▲ " + _("large rise"), "fall": "▼ " + _("large fall"),
              "new": "● " + _("new")}
    st.dataframe(pd.DataFrame({
        _("Region"): shown["region_code"].map(lambda c: s.region_option(c, _)),
        _("Incidents ({period})", period=now): shown["incidents"],
        _("Incidents ({period})", period=before): shown["incidents_before"],
        _("Change"): shown["change"].map(lambda v: "—" if pd.isna(v) else
                                            _.percent(v, signed=True)),
        _("Killed ({period})", period=now): shown["killed"],
        _("Killed ({period})", period=before): shown["killed_before"],
        _("Injured ({period})", period=now): shown["injured"],
        _("Injured ({period})", period=before): shown["injured_before"],
        _("Flag"): shown["flag"].map(lambda f: labels.get(f, "")),
    }), hide_index=True, width="stretch")
