"""The figures every page heads with, how current the data is (its review and each
dataset's last sync), and what to do when a filter matches nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import provenance as pv
from geo import schema as s
from geo import stats, store_read, sync
from geo.i18n import Translator
from geo.text import markdown_safe
from geo.viewstate import ViewState
from ui import store as ui_store
from ui.data import Data
from ui.state import tr


def as_of(data: Data, _: Translator) -> str:
    """How current the data is: its review date and its latest incident, never a file time."""
    own = data.incidents[data.incidents.get(s.DATASET) != s.YOURS]  # the upload left out
    latest = None if own.empty else own[s.DATE].max().date()
    origin = data.origin(_)
    reviewed = (_("Data reviewed {day}", day=_.date(data.review.reviewed)) if data.review
                else _("{origin} has no review record, so its review date is unknown",
                       origin=origin))
    return " · ".join((reviewed, _("latest incident {day}", day=_.date(latest) if latest
                                   else _("none")),
                       _.ngettext("{n} incident from {origin}", "{n} incidents from {origin}",
                                  len(own), origin=origin)))


def sync_status(data: Data, _: Translator) -> None:
    """When each dataset was last synced into the data shown, in the sidebar; a sync that
    has failed for a day says so."""
    if data.store_revision is not None:
        url = store_read.database_url()
        state = ui_store.sync_state(url) if url else {}
    else:
        state = sync_state_file(str(data.source))
    lines = sync.status_lines(state)
    if not lines:
        return
    done = [_("{dataset} {day}", dataset=pv.PROVIDERS[code].name(_),
              day=_.date(datetime.fromisoformat(when).date()) if when else _("never"))
            for code, when, _error in lines]
    st.sidebar.caption(_("Last synced: {which}", which=" · ".join(done)))
    for code, when, error in lines:
        if error:
            st.sidebar.warning(_("The {dataset} sync is failing (last success: {day}): "
                                 "{error}", dataset=pv.PROVIDERS[code].name(_),
                                 day=_.date(datetime.fromisoformat(when).date()) if when
                                 else _("never"), error=markdown_safe(error)), icon="⚠️")


@st.cache_data(ttl=300, show_spinner=False)
def sync_state_file(incidents: str) -> dict:
    """The sync state kept beside an incidents file written by ``geo.sync --out``."""
    return sync.read_state_file(sync.sync_dir(Path(incidents)))


def headline(frame: pd.DataFrame) -> None:
    """Incidents, killed, injured and the date span, as metrics; unknowns said plainly."""
    _ = tr()
    h = stats.headline(frame)
    c1, c2, c3, c5, c4 = st.container(key="pbw_headline").columns([0.9, 0.9, 0.9, 1, 1.9])
    c1.metric(_("Incidents"), _.num(h.incidents),
              help=_.ngettext("{n} of them has no known point and is not on the map",
                              "{n} of them have no known point and are not on the map",
                              h.unlocated) if h.unlocated else _("All are on the map"))
    def unreported(n: int) -> str:
        return _.ngettext("Sum of reported figures; {n} incident reported no figure and adds "
                          "nothing here", "Sum of reported figures; {n} incidents reported "
                          "no figure and add nothing here", n)

    c2.metric(_("Killed"), _.num(h.killed), help=unreported(h.killed_unreported))
    c3.metric(_("Injured"), _.num(h.injured), help=unreported(h.injured_unreported))
    c5.metric(_("Cross-border"), _.num(h.cross_border),
              help=_("Incidents whose attackers were reported to come from the other side of "
                     "the border (an origin point there, or an origin naming that country)"))
    span, exact = stats.span_text(h.first, h.last, _)
    c4.metric(_("Date span"), span, help=exact)


def empty_hint(view: ViewState, data: Data) -> None:
    """Say how to widen a filter that matches nothing."""
    _ = tr()
    first, last = data.span
    tips = [_("widen the dates (incidents run from {first} to {last}; the **All** button "
              "selects them all)", first=_.date(first), last=_.date(last))]
    if view.regions:
        tips.append(_("add regions or clear the region filter"))
    if view.types:
        tips.append(_("add event types or clear the type filter"))
    if view.actors:
        tips.append(_("add actors or clear the actor filter"))
    if view.within_km:
        tips.append(_("choose a larger distance from the border"))
    st.info(_("No incidents match this filter. To see some, {tips}.", tips="; ".join(tips)))
