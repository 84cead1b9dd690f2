"""Compare two periods: figures per region and the change, with a map of each."""

from dataclasses import replace
from datetime import timedelta

import streamlit as st

import ui
from geo import filters, stats
from geo.viewstate import parse_period

data, view, _f = ui.start_page("Compare periods", filtered=False)
_ = ui.tr()
first, last = data.span

st.title(_("Compare two periods"))
st.caption(_("Period A against period B, with the regions, event types and distance chosen "
             "in the sidebar. By default, the latest twelve months of data against the twelve "
             "before."))
default_a = (last - timedelta(days=364), last)
default_b = (last - timedelta(days=729), last - timedelta(days=365))
start_params = ui.url_params_at_start()
if ui.Key.COMPARE_A not in st.session_state:
    (a_range, notes_a) = parse_period(start_params, "a", default=default_a)
    (b_range, notes_b) = parse_period(start_params, "b", default=default_b)
    st.session_state[ui.Key.COMPARE_A], st.session_state[ui.Key.COMPARE_B] = a_range, b_range
    st.session_state[ui.Key.COMPARE_NOTICES] = notes_a + notes_b
for notice in st.session_state[ui.Key.COMPARE_NOTICES]:
    st.warning(notice.text(_, markdown=True), icon="⚠️")

c1, c2 = st.columns(2)
picked_a = c1.date_input(_("Period A"), key=ui.Key.COMPARE_A, format="YYYY-MM-DD")
picked_b = c2.date_input(_("Period B"), key=ui.Key.COMPARE_B, format="YYYY-MM-DD")
if len(picked_a) != 2 or len(picked_b) != 2:
    st.info(_("Pick both ends of each period."))
    st.stop()
ui.set_page_params({"a_start": picked_a[0].isoformat(), "a_end": picked_a[1].isoformat(),
                    "b_start": picked_b[0].isoformat(), "b_end": picked_b[1].isoformat()})
frame_a = filters.apply(data.incidents, replace(view.filter, start=picked_a[0],
                                                 end=picked_a[1]))
frame_b = filters.apply(data.incidents, replace(view.filter, start=picked_b[0],
                                                 end=picked_b[1]))

ha, hb = stats.headline(frame_a), stats.headline(frame_b)
m = st.columns(3)
for col, label, a_value, b_value in ((m[0], _("Incidents"), ha.incidents, hb.incidents),
                                     (m[1], _("Killed"), ha.killed, hb.killed),
                                     (m[2], _("Injured"), ha.injured, hb.injured)):
    col.metric(_("{figure}: A (B)", figure=label), f"{_.num(a_value)} ({_.num(b_value)})",
               delta=a_value - b_value, delta_color="inverse",
               help=_("The change is A minus B; reported figures only"))

st.subheader(_("By region"))
ui.compare_table(frame_a, frame_b, view)

left, right = st.columns(2)
with left:
    st.markdown(f"**A: {_.date(picked_a[0])} – {_.date(picked_a[1])}**")
    ui.small_map(data, frame_a, "cmp_map_a", view.basemap)
with right:
    st.markdown(f"**B: {_.date(picked_b[0])} – {_.date(picked_b[1])}**")
    ui.small_map(data, frame_b, "cmp_map_b", view.basemap)
st.caption(_("Link to this comparison:"))
st.code(ui.share_link(view, with_page_params=True), language=None, wrap_lines=True)
