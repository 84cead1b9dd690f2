"""Timeline charts (Altair): incidents and casualties per period, with context events marked."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Final

import altair as alt
import pandas as pd

from geo import schema as s
from geo.i18n import N_, Translator
from geo.stats import Period

#: Name of the interval selection on the time axis; the page reads it back.
BRUSH = "span"
REGION_COLORS = {  # Tajik provinces in blues, Afghan ones in oranges/browns
    "TJ-KT": "#2166ac", "TJ-GB": "#67a9cf", "AF-BDS": "#b35806", "AF-TAK": "#f1a340",
    "AF-KDZ": "#8c510a", "AF-BAL": "#d8b365",
}


#: Vega-Lite time units by period (typed loosely: altair wants its own literal types).
_TIME_UNITS: Final[dict[str, Any]] = {"week": "yearweek", "month": "yearmonth", "year": "year"}

#: The widest a legend label is drawn (px), longer ones end in an ellipsis.
_LEGEND_LABEL_PX: Final = 190
#: The periods' names as the chart and its table show them.
PERIOD_LABELS: Final[dict[str, str]] = {"week": N_("Week"), "month": N_("Month"),
                                        "year": N_("Year")}


#: The regions' legend above the chart, in as many columns as the page's width holds (a
#: single row of seven regions is wider than a laptop's page and cut the chart off).
_REGION_LEGEND: Final = alt.Legend(orient="top", labelLimit=_LEGEND_LABEL_PX,
                                   columns=alt.ExprRef(
                                       f"max(1, floor(containerSize()[0] / "
                                       f"{_LEGEND_LABEL_PX + 40}))"))


def timeline_chart(series: pd.DataFrame, events: pd.DataFrame, *, period: Period,
                   start: date, end: date, _: Translator) -> alt.VConcatChart:
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
    _
        The reader's language (``geo.i18n``) for titles, legends and tooltips.

    Returns
    -------
    altair.VConcatChart
        With an interval selection named ``BRUSH`` on the time axis of the upper chart.
    """
    domain = [pd.Timestamp(start).isoformat(), (pd.Timestamp(end)).isoformat()]
    unit = _TIME_UNITS[period]
    # a time unit gives each bar the width of its period instead of a hairline; the axis
    # names months in the reader's language (Vega's own names are English)
    x = alt.X("period_start:T", timeUnit=unit, title=None, scale=alt.Scale(domain=domain),
              axis=alt.Axis(labelExpr=_month_labels(_)) if _.lang != "en" else alt.Undefined)
    # the count axes in the reader's digits (Dari: ۰۱۲…)
    y_axis = alt.Axis(labelExpr=_native_digits("datum.label", _)) \
        if _.digits("0123456789") != "0123456789" else alt.Undefined
    data = series.copy()
    data["when"] = data["period_start"].map(lambda d: _period_label(d, period, _))
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    color: Any
    if "region_code" in data:
        data["region"] = data["region_code"].map(lambda c: s.region_label(c, _))
        color = alt.Color("region:N", title=_("Region"), legend=_REGION_LEGEND,
                          scale=alt.Scale(domain=[*(r.label(_) for r in s.REGIONS.values()),
                                                  _(s.OUTSIDE_LABEL)],
                                          range=[*REGION_COLORS.values(), "#8C8C8C"]))
    else:
        data["region"] = _("All regions")
        color = alt.value("#4a4a4a")
    period_title = _(PERIOD_LABELS[period])
    tooltip = [alt.Tooltip("when:N", title=period_title),
               alt.Tooltip("region:N", title=_("Region")),
               alt.Tooltip("incidents:Q", title=_("Incidents")),
               alt.Tooltip("killed:Q", title=_("Killed (reported)")),
               alt.Tooltip("injured:Q", title=_("Injured (reported)"))]
    # no gap between periods: on a phone six years of months leave under 4 px a bar, and
    # Vega's default 1 px gap (on a canvas fitted to the page) left nothing to see
    bars = alt.Chart(data).mark_bar(binSpacing=0).encode(
        x=x, y=alt.Y("sum(incidents):Q", title=_("Incidents"), axis=y_axis), color=color,
        tooltip=tooltip,
    ).add_params(brush).properties(height=220, width="container")

    ev = events.loc[:, ["date", "title", "date_precision"]].copy()
    # (an empty frame, a period with no context event, works too)
    year_only = ev["date"].dt.strftime("%Y").map(_.digits) + " " + _("(year only)")
    ev["when"] = ev["date"].map(lambda d: _.date(d.date())).where(
        ev["date_precision"] != "year", year_only)
    rules = alt.Chart(ev).mark_rule(color="#7f7f7f", strokeDash=[3, 3]).encode(
        x=alt.X("date:T", scale=alt.Scale(domain=domain)),
        tooltip=[alt.Tooltip("when:N", title=_("Date")),
                 alt.Tooltip("title:N", title=_("Context"))],
    )
    casualties = data.groupby(["period_start", "when"], as_index=False)[
        ["killed", "injured"]].sum()
    casualties = casualties.rename(columns={"killed": _("killed"), "injured": _("injured")})
    long = casualties.melt(["period_start", "when"], var_name="figure", value_name="people")
    cas = alt.Chart(long).mark_bar().encode(
        x=x, xOffset="figure:N", y=alt.Y("people:Q", title=_("People (reported)"), axis=y_axis),
        color=alt.Color("figure:N", title=_("Casualties"), legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=[_("killed"), _("injured")],
                                        range=["#b2182b", "#ef8a62"])),
        tooltip=[alt.Tooltip("when:N", title=period_title),
                 alt.Tooltip("figure:N", title=_("Casualties")),
                 alt.Tooltip("people:Q", title=_("People (reported)"))],
    ).properties(height=160, width="container")
    # Drawn on a canvas: as SVG, Vega gives the brush's marks an image role with no text,
    # which screen readers announce as unnamed images. The chart is named as a whole by its
    # description, and the page lists the same figures as a table.
    return alt.vconcat(bars + rules, cas + rules).resolve_scale(color="independent").properties(
        description=_("Bar charts of incidents and of reported killed and injured per "
                      "period ({period}) from {start} to {end}, with context events as dashed "
                      "lines; drag across the upper chart to set the dates. The same figures "
                      "are in the table below the chart.", period=period_title.lower(),
                      start=_.date(start), end=_.date(end)),
        usermeta={"embedOptions": {"renderer": "canvas"}},
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _period_label(day: pd.Timestamp, period: str, _: Translator) -> str:
    """A period as the reader's language writes it: a week by its first day."""
    if period == "year":
        return _.digits(str(day.year))
    return _.month(day.date()) if period == "month" else _.date(day.date())


def _month_labels(_: Translator) -> str:
    """A Vega label expression naming the time axis's months in the language of ``_``."""
    names = [_.date(date(2001, m, 1), "LLL") for m in range(1, 13)]
    day, month = "date(datum.value)", "month(datum.value)"
    return _native_digits(
        f"({day} == 1 ? '' : {day} + ' ') + ({month} == 0 && {day} == 1 ? '' : "
        f"{json.dumps(names, ensure_ascii=False)}[{month}] + ' ') + year(datum.value)", _)


def _native_digits(expression: str, _: Translator) -> str:
    """A Vega expression giving ``expression``'s text in the digits of ``_``'s language."""
    own = _.digits("0123456789")
    for latin, native in zip("0123456789", own, strict=True):
        if latin != native:
            expression = f"replace({expression}, regexp('{latin}', 'g'), '{native}')"
    return expression


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


def series_table(series: pd.DataFrame, period: str, _: Translator) -> pd.DataFrame:
    """``stats.time_series`` as the reader's table: the period's first day, the region
    (when split), and the figures, newest first."""
    out = pd.DataFrame({_("{period} from", period=_(PERIOD_LABELS[period])):
                        series["period_start"].dt.date})
    if "region_code" in series:
        out[_("Region")] = series["region_code"].map(lambda c: s.region_option(c, _))
    out[_("Incidents")] = series["incidents"].to_numpy()
    out[_("Killed (reported)")] = series["killed"].to_numpy()
    out[_("Injured (reported)")] = series["injured"].to_numpy()
    return out.iloc[::-1].reset_index(drop=True)
