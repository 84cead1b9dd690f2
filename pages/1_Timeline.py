"""Timeline: incidents and casualties over time, with context events; brush a span to filter."""

import streamlit as st

import ui
from geo import charts, stats

data, view, frame = ui.start_page("Timeline")
_ = ui.tr()

st.title(_("Timeline"))
st.caption(_("Incidents and reported casualties per period in the current filter. Grey "
             "dashed lines mark context events (statements, meetings, warnings); hover for "
             "details. Drag across the upper chart to make that span the date filter."))
ui.headline(frame)
c1, c2 = st.columns([2, 1])
period = c1.segmented_control(_("Group by"), options=["week", "month", "year"],
                              format_func=lambda p: _(charts.PERIOD_LABELS[p]),
                              default="month", key="tl_period") or "month"
by_region = c2.toggle(_("Split by region"), value=True, key="tl_by_region")

events = ui.context_events(data)
in_range = events[(events["date"].dt.date >= view.start) & (events["date"].dt.date <= view.end)]
if frame.empty:
    ui.empty_hint(view, data)
else:
    series = stats.time_series(frame, period=period, by_region=by_region)
    chart = charts.timeline_chart(series, in_range, period=period, start=view.start,
                                  end=view.end, _=_)
    event = st.altair_chart(chart, on_select="rerun", selection_mode=charts.BRUSH,
                            key="tl_chart", width="stretch")
    with st.expander(_("The chart's figures as a table")):
        st.dataframe(charts.series_table(series, period, _), hide_index=True, width="stretch")
    span = charts.brush_range(event.get("selection") if event else None)
    if span is not None and span != st.session_state.get(ui.Key.TIMELINE_SPAN):
        st.session_state[ui.Key.TIMELINE_SPAN] = span
        ui.set_dates_and_rerun(*span)

st.subheader(_("By region: this period against the previous one"))
ui.region_change_table(data.incidents, view, frame)

st.subheader(_("Context events in this period ({n})", n=_.num(len(in_range))))
ui.untranslated_note(_("Context events are described in the language of their sources."))
st.dataframe(
    in_range.assign(source=in_range["sources"].str.extract(r"(https?://\S+)", expand=False)),
    column_order=["date", "title", "actors", "summary", "source", "notes"], hide_index=True,
    width="stretch",
    column_config={
        "date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
        "title": _("Event"), "actors": _("Actors"), "summary": _("Summary"),
        "notes": _("Notes"), "source": ui.link_column(_("First source")),
    })
