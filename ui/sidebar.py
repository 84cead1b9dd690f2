"""How every page opens: page config, the shared sidebar filters, the headline figures.

:func:`start_page` is the one entry: it sets the page up, loads the data, reads the view
from the link (once per session) or the session, draws the filters, writes the view back
to the address bar and returns the filtered incidents.
"""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geo import mapview, stats
from geo import schema as s
from geo.basemaps import BASEMAPS
from geo.i18n import LANGUAGES, N_, Translator
from geo.viewstate import WITHIN_CHOICES, ViewState, parse_query
from ui import memory
from ui.data import DATA_MODES, Data, filtered_incidents, load_data, uploaded
from ui.state import (
    Key,
    get,
    keep_widget,
    seed,
    seed_widgets,
    seeded,
    set_view,
    tr,
    url_params,
)

APP_TITLE = "Panj Border Watch"
#: The pages after the map (``app.py``), in the order the navigation shows them; their
#: titles are translated where they are shown.
PAGES = (("pages/1_Timeline.py", N_("Timeline")), ("pages/5_Compare.py", N_("Compare periods")),
         ("pages/2_Data.py", N_("Data")), ("pages/3_Import.py", N_("Your data")),
         ("pages/4_About.py", N_("About")))
#: The language selector's label, in every language it offers, so anyone can find it.
LANGUAGE_LABEL = "Language · Язык · Забон · زبان"


#: On a phone (Streamlit stacks columns under 640 px) the five headline figures would take
#: the whole first screen, one above the other; they wrap three to a row instead, smaller,
#: so the map starts in the first screen.
PAGE_CSS = """
/* Captions at a contrast of at least 4.5:1 on white (WCAG AA, checked by axe-core in the
   browser tests): Streamlit fades them to about 3:1 with an opacity of 0.6. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #555a66 !important;
}
/* A long date span ("март 2020 – апр. 2026") wraps rather than being cut off. */
.st-key-pbw_headline [data-testid="stMetricValue"],
.st-key-pbw_headline [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
/* Keyboard focus is always visible. */
:focus-visible { outline: 3px solid #1a56db !important; outline-offset: 2px; }
/* Phones: the headline figures three to a row, so the map starts in the first screen. */
@media (max-width: 640px) {
  .st-key-pbw_headline [data-testid="stHorizontalBlock"] {
    flex-direction: row !important; flex-wrap: wrap !important; gap: 0.1rem 0.6rem !important;
  }
  .st-key-pbw_headline [data-testid="stColumn"] {
    width: auto !important; flex: 1 1 28% !important; min-width: 28% !important;
  }
  .st-key-pbw_headline [data-testid="stMetricValue"] { font-size: 1.2rem; }
  .st-key-pbw_headline [data-testid="stMetric"] { padding: 0; }
  h1 { font-size: 1.5rem !important; padding-top: 0 !important; }
}
"""

#: Dari: the page's text runs right to left. The map keeps its own (left-to-right) layout,
#: and links, code and dates typed as ISO stay left to right.
RTL_CSS = """
[data-testid="stMain"], [data-testid="stSidebarContent"] { direction: rtl; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stSidebarContent"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3,
[data-testid="stSidebarContent"] h2 { text-align: right; }
[data-testid="stCode"], code, pre, iframe, [data-testid="stDateInput"] input {
  direction: ltr; text-align: left;
}
[data-testid="stDateInputField"] [role="group"] { direction: ltr; }
"""


def page_setup(title: str) -> None:
    """Page config shared by every page; the navigation itself is drawn by ``app.py``.

    ``title`` is English (marked for the catalogs); it is shown in the reader's language.
    """
    _route_through_app()
    _ = tr()
    # No page_icon: emoji and Material icons are fetched from a CDN as the favicon, and the
    # dashboard must make no network request of its own.
    st.set_page_config(page_title=f"{_(title)} · {APP_TITLE}" if title != APP_TITLE else title,
                       layout="wide")
    css = PAGE_CSS + (RTL_CSS if _.language.rtl else "")
    st.html(f"<style>{css}</style>")  # style only: takes no room on the page
    # The document's language, so screen readers read it with the right voice; our own
    # constant script, no reader text.
    st.html(f"<script>document.documentElement.lang = '{_.language.tag}';</script>",
            unsafe_allow_javascript=True)
    seed()


def _route_through_app() -> None:
    """Make a page opened straight from a link run inside ``app.py``'s navigation.

    Streamlit keeps a process-wide "pages directory" mode (``PagesManager``) until some
    session calls ``st.navigation``: on a fresh server, the first reader of a link to
    ``/Data`` or ``/Import`` would get this page run on its own, with Streamlit's automatic
    page list ("app", "Import"…) instead of ours. Leaving that mode and rerunning sends the
    run through ``app.py``, which registers the pages and opens the one the link names.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def start_page(title: str, *, filtered: bool = True) -> tuple[Data, ViewState,
                                                               gpd.GeoDataFrame]:
    """What every page does first: set up, load the data, draw the filters, filter.

    Pages that show no filtered incidents (About, Your data, Compare) pass
    ``filtered=False`` and get every incident instead of the filtered ones.
    """
    memory.trim_freed_memory()  # what other viewers' runs freed (no-op where capped)
    page_setup(title)
    data = load_data()
    view = sidebar_view(data)
    return data, view, (filtered_incidents(data, view.filter) if filtered
                        else data.incidents)


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


def sidebar_view(data: Data) -> ViewState:
    """Read the view from the URL (or the session), draw the shared filters, sync the URL.

    Switching pages (which clears Streamlit's query parameters) keeps the session's view
    and writes it back to the address bar.
    """
    first, last = data.span
    today = s.service_today()
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

    sb = st.sidebar
    chosen_lang = sb.selectbox(LANGUAGE_LABEL, options=list(LANGUAGES), key=Key.LANG,
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
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = picked
    else:  # the picker is between its first and second click
        start, end = previous.start, previous.end
        sb.caption(_("Pick the end date to apply the range."))
    regions = sb.multiselect(
        _("Regions"), options=list(s.REGIONS), key=Key.REGIONS,
        format_func=lambda r: s.region_option(r, _), placeholder=_("All regions"),
        help=_("Provinces keyed by ISO 3166-2 code. You can also click a province on the "
               "map."))
    types = sb.multiselect(
        _("Event types"), options=list(s.EVENT_TYPES), key=Key.TYPES,
        format_func=lambda t: _(s.EVENT_TYPES[t].label), placeholder=_("All event types"),
        help="\n".join(f"- **{_(t.label)}**: {_(t.help)}" for t in s.EVENT_TYPES.values()))
    actors = sb.multiselect(
        _("Actors"), options=list(s.ACTOR_GROUPS), key=Key.ACTORS,
        format_func=lambda a: _(s.ACTOR_GROUPS[a].label), placeholder=_("All actors"),
        help=_("Incidents whose sources name any chosen group as perpetrator or victim "
               "(the Data page's Actors column):") + "\n"
             + "\n".join(f"- **{_(g.label)}**: {_(g.help)}" for g in s.ACTOR_GROUPS.values()))
    # 0 stands for "any distance": a selectbox shows None as "nothing chosen"
    within = sb.selectbox(
        _("Distance from the border"), options=[0, *WITHIN_CHOICES], key=Key.WITHIN,
        format_func=lambda k: _("Any distance") if not k else _("Within {km} km",
                                                                 km=_.num(k)),
        help=_("Geodesic distance from the mapped point to the border line. Most points are "
               "district centres, so the site itself may be nearer or farther; incidents "
               "with no point are left out when a distance is set."))
    sb.header(_("Map"))
    basemap = sb.selectbox(_("Background"), options=list(BASEMAPS), key=Key.BASEMAP,
                           format_func=lambda b: _(BASEMAPS[b].label),
                           help=_("Tiles load from their providers in your browser; with no "
                                  "internet the map still shows borders, provinces and "
                                  "incidents."))
    _data_mode_choice(_)
    sb.divider()
    sb.caption(as_of(data, _))
    if _.lang != "en":
        sb.caption(_("Incident summaries, notes and sources stay in the language they were "
                     "written in (mostly English); the interface is translated."))

    view = ViewState(start=start, end=end,
                     regions=tuple(r for r in s.REGIONS if r in regions),
                     types=tuple(t for t in s.EVENT_TYPES if t in types), basemap=basemap,
                     lat=previous.lat, lon=previous.lon, zoom=previous.zoom,
                     within_km=within or None, incident=previous.incident,
                     actors=tuple(a for a in s.ACTOR_GROUPS if a in actors),
                     lang=chosen_lang if chosen_lang in LANGUAGES else previous.lang)
    if (view.basemap, view.lang) != (previous.basemap, previous.lang) and view.has_map_view:
        st.session_state[Key.ANCHOR] = (view.lat, view.lon, view.zoom)
    set_view(view)
    return view


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


def as_of(data: Data, _: Translator | None = None) -> str:
    """How current the data is: its review date and its latest incident, never a file time."""
    _ = _ or tr()
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


def set_dates_and_rerun(start: date, end: date) -> None:
    """Make ``start``–``end`` the date filter (e.g. from a chart selection) and rerun."""
    start, end = max(start, s.MIN_DATE), min(end, s.service_today())
    if (start, end) != tuple(get(Key.DATES) or ()):
        st.session_state[Key.PENDING_DATES] = (start, end)
        st.rerun()


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
