"""The shared sidebar: the language, the filters and the data's currency, read into a
:class:`~geo.viewstate.ViewState` (``ui.page.start_page`` calls it on every page)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from geo import mapview
from geo import provenance as pv
from geo import schema as s
from geo.basemaps import BASEMAPS
from geo.i18n import DEFAULT_LANG, LANGUAGES, Translator
from geo.viewstate import WITHIN_CHOICES, ViewState, parse_query
from ui.data import DATA_MODES, Data, uploaded
from ui.figures import as_of, sync_status
from ui.state import (
    Key,
    get,
    keep_widget,
    seed_widgets,
    seeded,
    set_view,
    tr,
    url_params,
)

#: The language selector's label, in every language it offers, so anyone can find it.
LANGUAGE_LABEL = "Language · Язык · Забон · زبان"


def _set_dates(start: date, end: date) -> None:
    st.session_state[Key.DATES] = (start, end)


def _open_view(data: Data) -> None:
    """Read the link, once, when the session starts: opening a link always starts one.

    Later in the session the URL only changes because this code wrote it, and a rerun may
    still carry the previous URL while the browser applies the new one; reading it again
    would undo the reader's last change (the load check caught exactly that).
    """
    first, last = data.span
    params = url_params()
    st.session_state[Key.START_PARAMS] = params  # pages read their own from these
    view, notices = parse_query(params, default_start=first, default_end=last,
                                today=s.service_today())
    st.session_state[Key.VIEW] = view
    st.session_state[Key.NOTICES] = notices
    st.session_state[Key.ANCHOR] = (view.lat, view.lon, view.zoom) if view.has_map_view \
        else mapview.incident_anchor(data.incidents, view.incident)
    seed_widgets(view)


def sidebar_view(data: Data, *, draw: bool = True) -> ViewState:
    """Read the view from the URL (or the session), draw the shared filters (unless
    ``draw`` is false: they are read from the session either way), sync the URL.

    Switching pages (which clears Streamlit's query parameters) keeps the session's view
    and writes it back to the address bar.
    """
    st.session_state[Key.PAGE_PARAMS] = {}  # a page that has its own parameters sets them
    if Key.VIEW not in st.session_state:
        _open_view(data)
    elif Key.DATES not in st.session_state:  # widgets forgotten after a page switch
        seed_widgets(st.session_state[Key.VIEW])
    previous: ViewState = st.session_state[Key.VIEW]
    pending = st.session_state.pop(Key.PENDING_REGION, None)
    if pending:  # a province clicked on the map joins the region filter
        chosen = (*st.session_state.get(Key.REGIONS, []), pending)
        st.session_state[Key.REGIONS] = [r for r in s.REGIONS if r in chosen]
    pending_dates = st.session_state.pop(Key.PENDING_DATES, None)
    if pending_dates:  # a span brushed on the timeline becomes the date filter
        st.session_state[Key.DATES] = pending_dates

    _ = tr()
    for notice in st.session_state.get(Key.NOTICES, []):
        st.warning(notice.text(_, markdown=True), icon="⚠️")

    view = _chosen_view(data, previous)
    if draw:
        draw_filters(data, previous)
    if (view.basemap, view.lang) != (previous.basemap, previous.lang) and view.has_map_view:
        st.session_state[Key.ANCHOR] = (view.lat, view.lon, view.zoom)
    set_view(view)
    return view


def _datasets_shown(data: Data, previous: ViewState) -> bool:
    """The dataset filter is offered where there is a choice, or one is already made."""
    return len(data.providers) > 1 or bool(previous.sources)


def _chosen_view(data: Data, previous: ViewState) -> ViewState:
    """The view the sidebar's widgets hold, read from the session, where each widget keeps
    its value under its key, before the widgets are drawn (or where they are not yet)."""
    ss = st.session_state
    picked = ss.get(Key.DATES)
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = picked
    else:  # the picker is between its first and second click
        start, end = previous.start, previous.end
    regions, types, actors = (ss.get(k) or () for k in (Key.REGIONS, Key.TYPES, Key.ACTORS))
    sources = (ss.get(Key.SOURCES) or ()) if _datasets_shown(data, previous) \
        else previous.sources
    chosen_lang = ss.get(Key.LANG)
    return ViewState(start=start, end=end,
                     regions=tuple(r for r in s.REGIONS if r in regions),
                     types=tuple(t for t in s.EVENT_TYPES if t in types),
                     basemap=ss.get(Key.BASEMAP, previous.basemap),
                     lat=previous.lat, lon=previous.lon, zoom=previous.zoom,
                     within_km=ss.get(Key.WITHIN) or None, incident=previous.incident,
                     actors=tuple(a for a in s.ACTOR_GROUPS if a in actors),
                     sources=tuple(p for p in pv.PROVIDERS if p in sources),
                     lang=chosen_lang if chosen_lang in LANGUAGES else previous.lang)


def draw_filters(data: Data, previous: ViewState) -> None:
    """The sidebar: the language, the filters, the map's background and the data's currency.

    Each widget is keyed, so what it holds is in the session before it is drawn
    (:func:`_chosen_view` reads it from there): the map page draws them after its map.
    """
    first, last = data.span
    today = s.service_today()
    _ = tr()
    sb = st.sidebar
    sb.selectbox(LANGUAGE_LABEL, options=list(LANGUAGES), key=Key.LANG,
                 format_func=lambda c: LANGUAGES[c].name)
    sb.header(_("Filters"))
    sb.caption(_("Period"))
    c1, c2, c3 = sb.columns(3)
    c1.button(_("All"), on_click=_set_dates, args=(first, last), width="stretch",
              help=_("Every incident: {first} to {last}", first=_.date(first),
                     last=_.date(last)))
    c2.button(_("12 months"), on_click=_set_dates, args=(today - timedelta(days=365), today),
              width="stretch", help=_("The last 12 months up to today"))
    c3.button(_("30 days"), on_click=_set_dates, args=(today - timedelta(days=30), today),
              width="stretch", help=_("The last 30 days up to today"))
    picked = sb.date_input(_("Date range"), key=Key.DATES, min_value=s.MIN_DATE,
                           max_value=today, format="YYYY-MM-DD",
                           help=_("Both ends included. Incidents dated only to the week or "
                                  "month are placed on their recorded day."))
    if not (isinstance(picked, (tuple, list)) and len(picked) == 2):
        sb.caption(_("Pick the end date to apply the range."))
    sb.multiselect(
        _("Regions"), options=list(s.REGIONS), key=Key.REGIONS,
        format_func=lambda r: s.region_option(r, _), placeholder=_("All regions"),
        help=_("Provinces keyed by ISO 3166-2 code. You can also click a province on the "
               "map."))
    sb.multiselect(
        _("Event types"), options=list(s.EVENT_TYPES), key=Key.TYPES,
        format_func=lambda t: _(s.EVENT_TYPES[t].label), placeholder=_("All event types"),
        help="\n".join(f"- **{_(t.label)}**: {_(t.help)}" for t in s.EVENT_TYPES.values()))
    sb.multiselect(
        _("Actors"), options=list(s.ACTOR_GROUPS), key=Key.ACTORS,
        format_func=lambda a: _(s.ACTOR_GROUPS[a].label), placeholder=_("All actors"),
        help=_("Incidents whose sources name any chosen group as perpetrator or victim "
               "(the Data page's Actors column):") + "\n"
             + "\n".join(f"- **{_(g.label)}**: {_(g.help)}" for g in s.ACTOR_GROUPS.values()))
    if _datasets_shown(data, previous):  # one dataset alone needs no choice
        sb.multiselect(
            _("Datasets"), options=list(pv.PROVIDERS), key=Key.SOURCES,
            format_func=lambda p: pv.PROVIDERS[p].name(_), placeholder=_("All datasets"),
            help=_("Incidents any chosen dataset reports, as the record shown or merged "
                   "into it (see About for each dataset's terms)."))
    # 0 stands for "any distance": a selectbox shows None as "nothing chosen"
    sb.selectbox(
        _("Distance from the border"), options=[0, *WITHIN_CHOICES], key=Key.WITHIN,
        format_func=lambda k: _("Any distance") if not k else _("Within {km} km",
                                                                 km=_.num(k)),
        help=_("Geodesic distance from the mapped point to the border line. Most points are "
               "district centres, so the site itself may be nearer or farther; incidents "
               "with no point are left out when a distance is set."))
    sb.header(_("Map"))
    sb.selectbox(_("Background"), options=list(BASEMAPS), key=Key.BASEMAP,
                 format_func=lambda b: _(BASEMAPS[b].label),
                 help=_("Tiles load from their providers in your browser; with no "
                        "internet the map still shows borders, provinces and "
                        "incidents."))
    _data_mode_choice(_)
    sb.divider()
    sb.caption(as_of(data, _))
    sync_status(data, _)
    if _.lang != DEFAULT_LANG:
        sb.caption(_("Incident summaries, notes and sources stay in the language they were "
                     "written in (mostly English); the interface is translated."))


def _data_mode_choice(_: Translator) -> None:
    """Bundled, uploaded or both: only once the reader has uploaded something."""
    mine = uploaded()
    if mine is None:
        return
    sb = st.sidebar
    sb.header(_("Data"))
    seeded(Key.DATA_MODE_WIDGET, Key.DATA_MODE, "both")
    sb.radio(_("Show"), options=list(DATA_MODES), format_func=lambda m: _(DATA_MODES[m]),
             key=Key.DATA_MODE_WIDGET, on_change=keep_widget,
             args=(Key.DATA_MODE_WIDGET, Key.DATA_MODE),
             help=_.ngettext("Your data: {n} incident imported in this browser session only. "
                             "It is not stored and not part of shared links.",
                             "Your data: {n} incidents imported in this browser session "
                             "only. It is not stored and not part of shared links.",
                             mine.n_accepted))


def set_dates_and_rerun(start: date, end: date) -> None:
    """Make ``start``–``end`` the date filter (e.g. from a chart selection) and rerun."""
    start, end = max(start, s.MIN_DATE), min(end, s.service_today())
    if (start, end) != tuple(get(Key.DATES) or ()):
        st.session_state[Key.PENDING_DATES] = (start, end)
        st.rerun()


