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
from geo.viewstate import WITHIN_CHOICES, ViewState, parse_query
from ui.data import DATA_MODES, Data, filtered_incidents, load_data, uploaded
from ui.state import Key, get, keep_widget, seed, seed_widgets, seeded, set_view, url_params

APP_TITLE = "Panj Border Watch"
#: The pages after the map (``app.py``), in the order the navigation shows them.
PAGES = (("pages/1_Timeline.py", "Timeline"), ("pages/5_Compare.py", "Compare periods"),
         ("pages/2_Data.py", "Data"), ("pages/3_Import.py", "Your data"),
         ("pages/4_About.py", "About"))


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


def page_setup(title: str) -> None:
    """Page config shared by every page; the navigation itself is drawn by ``app.py``."""
    _route_through_app()
    # No page_icon: emoji and Material icons are fetched from a CDN as the favicon, and the
    # dashboard must make no network request of its own.
    st.set_page_config(page_title=f"{title} · {APP_TITLE}" if title != APP_TITLE else title,
                       layout="wide")
    st.html(f"<style>{PAGE_CSS}</style>")  # style only: takes no room on the page
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
                                today=date.today())
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
    today = date.today()
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

    for notice in st.session_state.get(Key.NOTICES, []):
        st.warning(str(notice), icon="⚠️")

    sb = st.sidebar
    sb.header("Filters")
    sb.caption("Period")
    c1, c2, c3 = sb.columns(3)
    c1.button("All", on_click=_set_dates, args=(first, last), width="stretch",
              help=f"Every incident: {first.isoformat()} to {last.isoformat()}")
    c2.button("12 months", on_click=_set_dates, args=(today - timedelta(days=365), today),
              width="stretch", help="The last 12 months up to today")
    c3.button("30 days", on_click=_set_dates, args=(today - timedelta(days=30), today),
              width="stretch", help="The last 30 days up to today")
    picked = sb.date_input("Date range", key=Key.DATES, min_value=s.MIN_DATE, max_value=today,
                           format="YYYY-MM-DD",
                           help="Both ends included. Incidents dated only to the week or "
                                "month are placed on their recorded day.")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = picked
    else:  # the picker is between its first and second click
        start, end = previous.start, previous.end
        sb.caption("Pick the end date to apply the range.")
    regions = sb.multiselect(
        "Regions", options=list(s.REGIONS), key=Key.REGIONS, format_func=s.region_option,
        placeholder="All regions",
        help="Provinces keyed by ISO 3166-2 code. You can also click a province on the map.")
    types = sb.multiselect(
        "Event types", options=list(s.EVENT_TYPES), key=Key.TYPES,
        format_func=lambda t: s.EVENT_TYPES[t].label, placeholder="All event types",
        help="\n".join(f"- **{t.label}**: {t.help}" for t in s.EVENT_TYPES.values()))
    actors = sb.multiselect(
        "Actors", options=list(s.ACTOR_GROUPS), key=Key.ACTORS,
        format_func=lambda a: s.ACTOR_GROUPS[a].label, placeholder="All actors",
        help="Incidents whose sources name any chosen group as perpetrator or victim "
             "(the Data page's Actors column):\n"
             + "\n".join(f"- **{g.label}**: {g.help}" for g in s.ACTOR_GROUPS.values()))
    # 0 stands for "any distance": a selectbox shows None as "nothing chosen"
    within = sb.selectbox(
        "Distance from the border", options=[0, *WITHIN_CHOICES], key=Key.WITHIN,
        format_func=lambda k: "Any distance" if not k else f"Within {k} km",
        help="Geodesic distance from the mapped point to the border line. Most points are "
             "district centres, so the site itself may be nearer or farther; incidents "
             "with no point are left out when a distance is set.")
    sb.header("Map")
    basemap = sb.selectbox("Background", options=list(BASEMAPS), key=Key.BASEMAP,
                           format_func=lambda b: BASEMAPS[b].label,
                           help="Tiles load from their providers in your browser; with no "
                                "internet the map still shows borders, provinces and incidents.")
    _data_mode_choice()
    sb.divider()
    sb.caption(as_of(data))

    view = ViewState(start=start, end=end,
                     regions=tuple(r for r in s.REGIONS if r in regions),
                     types=tuple(t for t in s.EVENT_TYPES if t in types), basemap=basemap,
                     lat=previous.lat, lon=previous.lon, zoom=previous.zoom,
                     within_km=within or None, incident=previous.incident,
                     actors=tuple(a for a in s.ACTOR_GROUPS if a in actors))
    if view.basemap != previous.basemap and view.has_map_view:
        st.session_state[Key.ANCHOR] = (view.lat, view.lon, view.zoom)
    set_view(view)
    return view


def _data_mode_choice() -> None:
    """Bundled, uploaded or both: only once the reader has uploaded something."""
    mine = uploaded()
    if mine is None:
        return
    sb = st.sidebar
    sb.header("Data")
    seeded(Key.DATA_MODE_WIDGET, Key.DATA_MODE, "both")
    sb.radio("Show", options=list(DATA_MODES), format_func=DATA_MODES.__getitem__,
             key=Key.DATA_MODE_WIDGET, on_change=keep_widget,
             args=(Key.DATA_MODE_WIDGET, Key.DATA_MODE),
             help=f"Your data: {mine.n_accepted:,} incidents imported in this browser "
                  "session only. It is not stored and not part of shared links.")


def as_of(data: Data) -> str:
    """How current the data is: its review date and its latest incident, never a file time."""
    own = data.incidents[data.incidents.get(s.DATASET) != s.YOURS]  # the upload left out
    bundled = len(own)
    latest = None if own.empty else own[s.DATE].max().date()
    reviewed = (f"Data reviewed {data.review.reviewed.isoformat()}" if data.review else
                f"{data.origin} has no review record, so its review date is unknown")
    return (f"{reviewed} · latest incident "
            f"{latest.isoformat() if latest else 'none'} · {bundled} incidents from "
            f"{data.origin}")


def set_dates_and_rerun(start: date, end: date) -> None:
    """Make ``start``–``end`` the date filter (e.g. from a chart selection) and rerun."""
    start, end = max(start, s.MIN_DATE), min(end, date.today())
    if (start, end) != tuple(get(Key.DATES) or ()):
        st.session_state[Key.PENDING_DATES] = (start, end)
        st.rerun()


def headline(frame: pd.DataFrame) -> None:
    """Incidents, killed, injured and the date span, as metrics; unknowns said plainly."""
    h = stats.headline(frame)
    c1, c2, c3, c5, c4 = st.container(key="pbw_headline").columns([0.9, 0.9, 0.9, 1, 1.9])
    c1.metric("Incidents", f"{h.incidents:,}",
              help=f"{h.unlocated} of them have no known point and are not on the map"
              if h.unlocated else "All are on the map")
    c2.metric("Killed", f"{h.killed:,}",
              help=f"Sum of reported figures; {h.killed_unreported} incident(s) reported no "
                   "figure and add nothing here")
    c3.metric("Injured", f"{h.injured:,}",
              help=f"Sum of reported figures; {h.injured_unreported} incident(s) reported no "
                   "figure and add nothing here")
    c5.metric("Cross-border", f"{h.cross_border:,}",
              help="Incidents whose attackers were reported to come from the other side of "
                   "the border (an origin point there, or an origin naming that country)")
    span, exact = stats.span_text(h.first, h.last)
    c4.metric("Date span", span, help=exact)


def empty_hint(view: ViewState, data: Data) -> None:
    """Say how to widen a filter that matches nothing."""
    first, last = data.span
    tips = [f"widen the dates (incidents run from {first.isoformat()} to {last.isoformat()}; "
            "the **All** button selects them all)"]
    if view.regions:
        tips.append("add regions or clear the region filter")
    if view.types:
        tips.append("add event types or clear the type filter")
    if view.actors:
        tips.append("add actors or clear the actor filter")
    if view.within_km:
        tips.append("choose a larger distance from the border")
    st.info("No incidents match this filter. To see some, " + "; ".join(tips) + ".")
