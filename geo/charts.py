"""Timeline charts (Altair): incidents and casualties per period, with context events marked."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import altair as alt
import pandas as pd

from geo import schema as s
from geo.stats import Period

#: Name of the interval selection on the time axis; the page reads it back.
BRUSH = "span"
REGION_COLORS = {  # Tajik provinces in blues, Afghan ones in oranges/browns
    "TJ-KT": "#2166ac", "TJ-GB": "#67a9cf", "AF-BDS": "#b35806", "AF-TAK": "#f1a340",
    "AF-KDZ": "#8c510a", "AF-BAL": "#d8b365",
}


#: Vega-Lite time units by period (typed loosely: altair wants its own literal types).
_TIME_UNITS: Final[dict[str, Any]] = {"week": "yearweek", "month": "yearmonth", "year": "year"}

def timeline_chart(series: pd.DataFrame, events: pd.DataFrame, *, period: Period,
                   start: date, end: date) -> alt.VConcatChart:
    """Incidents (stacked by region when the series has ``region_code``) and casualties.

    Parameters
    ----------
    series
        From ``geo.stats.time_series``.
    events
        Context events (``date``, ``title``, ``date_precision``) to mark as vertical rules.
    period
        The bar width: week, month or year.
    start, end
        The axis domain (the filtered date range).

    Returns
    -------
    altair.VConcatChart
        With an interval selection named ``BRUSH`` on the time axis of the upper chart.
    """
    domain = [pd.Timestamp(start).isoformat(), (pd.Timestamp(end)).isoformat()]
    unit = _TIME_UNITS[period]
    # a time unit gives each bar the width of its period instead of a hairline
    x = alt.X("period_start:T", timeUnit=unit, title=None, scale=alt.Scale(domain=domain))
    data = series.copy()
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    color: Any
    if "region_code" in data:
        data["region"] = data["region_code"].map(s.region_label)
        color = alt.Color("region:N", title="Region", legend=alt.Legend(orient="top"),
                          scale=alt.Scale(domain=[*(r.label for r in s.REGIONS.values()),
                                                  s.OUTSIDE_LABEL],
                                          range=[*REGION_COLORS.values(), "#8C8C8C"]))
    else:
        data["region"] = "All regions"
        color = alt.value("#4a4a4a")
    tooltip = [alt.Tooltip("period_start:T", title=period.capitalize(), timeUnit=unit),
               alt.Tooltip("region:N", title="Region"),
               alt.Tooltip("incidents:Q", title="Incidents"),
               alt.Tooltip("killed:Q", title="Killed (reported)"),
               alt.Tooltip("injured:Q", title="Injured (reported)")]
    bars = alt.Chart(data).mark_bar().encode(
        x=x, y=alt.Y("sum(incidents):Q", title="Incidents"), color=color, tooltip=tooltip,
    ).add_params(brush).properties(height=220, width="container")

    ev = events.loc[:, ["date", "title", "date_precision"]].copy()
    # vectorised, so a period with no context event (an empty frame) works too
    ev["when"] = ev["date"].dt.strftime("%Y-%m-%d").where(
        ev["date_precision"] != "year", ev["date"].dt.strftime("%Y") + " (year only)")
    rules = alt.Chart(ev).mark_rule(color="#7f7f7f", strokeDash=[3, 3]).encode(
        x=alt.X("date:T", scale=alt.Scale(domain=domain)),
        tooltip=[alt.Tooltip("when:N", title="Date"), alt.Tooltip("title:N", title="Context")],
    )
    casualties = data.groupby("period_start", as_index=False)[["killed", "injured"]].sum()
    long = casualties.melt("period_start", var_name="figure", value_name="people")
    cas = alt.Chart(long).mark_bar().encode(
        x=x, xOffset="figure:N", y=alt.Y("people:Q", title="People (reported)"),
        color=alt.Color("figure:N", title="Casualties", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["killed", "injured"],
                                        range=["#b2182b", "#ef8a62"])),
        tooltip=[alt.Tooltip("period_start:T", title=period.capitalize(), timeUnit=unit),
                 "figure:N", "people:Q"],
    ).properties(height=160, width="container")
    # Drawn on a canvas: as SVG, Vega gives the brush's marks an image role with no text,
    # which screen readers announce as unnamed images. The chart is named as a whole by its
    # description, and the page lists the same figures as a table.
    return alt.vconcat(bars + rules, cas + rules).resolve_scale(color="independent").properties(
        description=f"Bar charts of incidents and of reported killed and injured per {period} "
                    f"from {pd.Timestamp(start):%Y-%m-%d} to {pd.Timestamp(end):%Y-%m-%d}, "
                    "with context events as dashed lines; drag across the upper chart to set "
                    "the dates. The same figures are in the table below the chart.",
        usermeta={"embedOptions": {"renderer": "canvas"}})


def brush_range(selection: object) -> tuple[date, date] | None:
    """The date span picked with the brush, from ``st.altair_chart``'s selection state."""
    if not isinstance(selection, dict):
        return None
    picked = selection.get(BRUSH) or {}
    # the key is the field with its time unit, e.g. "yearmonth_period_start"
    values = next((v for k, v in picked.items() if k.endswith("period_start")), None) \
        if isinstance(picked, dict) else None
    if not isinstance(values, list) or len(values) != 2:
        return None
    try:
        lo, hi = sorted(pd.to_datetime(v, unit="ms") if isinstance(v, (int, float))
                        else pd.Timestamp(v) for v in values)
    except (ValueError, TypeError):
        return None
    return lo.date(), hi.date()


def series_table(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """``stats.time_series`` as the reader's table: the period's first day, the region
    (when split), and the figures, newest first."""
    out = pd.DataFrame({period.capitalize() + " from": series["period_start"].dt.date})
    if "region_code" in series:
        out["Region"] = series["region_code"].map(s.region_option)
    out["Incidents"] = series["incidents"].to_numpy()
    out["Killed (reported)"] = series["killed"].to_numpy()
    out["Injured (reported)"] = series["injured"].to_numpy()
    return out.iloc[::-1].reset_index(drop=True)
