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

#: Source links show their site's name; the validator only lets http(s) URLs in.
LINK_DISPLAY = r"https?://(?:www\.)?([^/?#]+)"
LINK_VALIDATE = r"^https?://"


def link_column(label: str) -> Any:
    """A column of source links, shown by the name of their site."""
    return st.column_config.LinkColumn(label, display_text=LINK_DISPLAY,
                                       validate=LINK_VALIDATE)


def table_column_config(n_sources: int) -> dict:
    """Column settings for the incident table: dates, counts and http(s) source links."""
    config: dict = {
        "Date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "Killed": st.column_config.NumberColumn("Killed", format="%d",
                                                help="Empty: no figure reported"),
        "Injured": st.column_config.NumberColumn("Injured", format="%d",
                                                 help="Empty: no figure reported"),
        "Lat": st.column_config.NumberColumn("Lat", format="%.4f"),
        "Lon": st.column_config.NumberColumn("Lon", format="%.4f"),
        "Summary": st.column_config.TextColumn("Summary", width="large"),
        "Notes": st.column_config.TextColumn("Notes", width="large"),
    }
    for i in range(1, n_sources + 1):
        name = tables.SOURCE_COLUMN.format(n=i)
        config[name] = link_column(name)
    return config


def region_change_table(incidents: pd.DataFrame, view: ViewState,
                        frame: pd.DataFrame) -> None:
    """Per region: this period against the previous one of the same length, flagged."""
    prev_start, prev_end = stats.previous_period(view.start, view.end)
    previous = filters.apply(incidents, replace(view.filter, start=prev_start, end=prev_end))
    st.caption(f"Previous period: {prev_start.isoformat()} to {prev_end.isoformat()} (same "
               f"length). Flagged where incidents changed by {stats.FLAG_CHANGE:.0%} or more "
               f"with at least {stats.FLAG_MIN_INCIDENTS} in one of the periods.")
    _change_table(frame, previous, view, now="This period", before="Before")


def compare_table(frame_a: pd.DataFrame, frame_b: pd.DataFrame, view: ViewState) -> None:
    """Per region: period A against period B, flagged as on the Timeline page."""
    _change_table(frame_a, frame_b, view, now="A", before="B")


def _change_table(now_frame: pd.DataFrame, before_frame: pd.DataFrame, view: ViewState, *,
                  now: str, before: str) -> None:
    table = stats.region_change(now_frame, before_frame)
    shown = table[(table["incidents"] > 0) | (table["incidents_before"] > 0)]
    if view.regions:
        shown = shown[shown["region_code"].isin(view.regions)]
    if shown.empty:
        st.info("No incidents in either period for this filter.")
        return
    labels = {"rise": "▲ large rise", "fall": "▼ large fall", "new": "● new"}
    st.dataframe(pd.DataFrame({
        "Region": shown["region_code"].map(s.region_option),
        f"Incidents ({now})": shown["incidents"],
        f"Incidents ({before})": shown["incidents_before"],
        "Change": shown["change"].map(lambda v: "—" if pd.isna(v) else f"{v:+.0%}"),
        f"Killed ({now})": shown["killed"], f"Killed ({before})": shown["killed_before"],
        f"Injured ({now})": shown["injured"], f"Injured ({before})": shown["injured_before"],
        "Flag": shown["flag"].map(lambda f: labels.get(f, "")),
    }), hide_index=True, width="stretch")
