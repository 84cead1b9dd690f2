"""The map panel: the folium map with its layers, the record beside it, small maps, and
the standalone HTML export of the view.

What a click on the map means is ``geo.mapview.clicked``'s business: this module only acts
on the province code or incident id it returns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, feeds, mapview, stats, tables
from geo import provenance as pv
from geo import schema as s
from geo.i18n import Translator
from geo.text import markdown_safe
from geo.viewstate import ViewState, incident_query
from ui.data import Data, border_band, data_mode, store_density_cells, uploaded
from ui.figures import as_of
from ui.page import show_filters
from ui.state import Key, get, page_url, set_view, share_link, site_root, tr, view
from ui.tables import link_column

MAP_KEY = "pbw_map"
#: What the map sends back: only what the page acts on, so a pan reruns nothing else.
RETURNED = ["center", "zoom", "bounds", "last_active_drawing", "last_object_clicked"]


def _base_map(data: Data, basemap: str, center: tuple[float, float] | None = None,
              zoom: int | None = None, *, _: Translator) -> folium.Map:
    return mapview.build_base_map(
        data.border_display, assets=assets.map_assets(st.get_option("server.baseUrlPath")),
        basemap=basemap, center=center, zoom=zoom, _=_)


@st.fragment
def map_panel(data: Data, current: ViewState, frame: gpd.GeoDataFrame) -> None:
    """The map and, beside it, the record of the incident clicked.

    Pans, zooms and clicks on incidents rerun only this fragment, to keep the link's
    lat/lon/zoom and open a record without rebuilding the page. The two columns are
    always there: a layout that changed on a click would remount the map.
    """
    _ = tr()
    anchor = get(Key.ANCHOR)
    base = _base_map(data, current.basemap, (anchor[0], anchor[1]) if anchor else None,
                     anchor[2] if anchor else None, _=_)
    band = (current.within_km, border_band(current.within_km)) if current.within_km else None
    cells = None
    if mapview.choose_mode(int(frame.geometry.notna().sum())) == "density":
        cells = store_density_cells(data, current.filter)  # team mode: summed in SQL
    map_layers = mapview.build_layers(frame, data.provinces_display,
                                      stats.counts_by_region(frame), band=band, cells=cells,
                                      _=_)
    left, right = st.columns([3, 1.15], gap="small")
    with left:
        # keyed by language too: the map's labels are drawn once, when it mounts
        out = st_folium(base, key=f"{MAP_KEY}_{_.lang}", height=580,
                        use_container_width=True,
                        feature_group_to_add=map_layers.groups(),
                        layer_control=folium.LayerControl(collapsed=True),
                        returned_objects=RETURNED)
        st.caption(map_layers.describe(_))
        if owed := pv.credit(frame, _):
            st.caption(owed)
        unlocated = int(frame[s.LAT].isna().sum())
        if unlocated:
            st.caption(_.ngettext(
                "{n} incident in this filter has no known point and is not on the map; the "
                "Data page lists it.",
                "{n} incidents in this filter have no known point and are not on the map; the "
                "Data page lists them.", unlocated))
        bounds = _bounds(out or {})
        in_view_list(frame, bounds, _)
    _follow_map(out or {}, current, data)
    drawn = bounds is not None  # the map reports its bounds once it has drawn
    if drawn:
        show_filters()  # held back until now on a session's first map (#24)
    with right:
        incident_panel(data, frame, view(), _, map_drawn=drawn)
    _copyable(share_link(view()), _("Link to this view (copy it with the icon at the right):"),
              _("Link to this view:"), drawn)
    root, query = site_root(), feeds.feed_query(view())
    st.markdown(_("[Follow this view]({feed}) in a feed reader (Atom) · this view's data as "
                  "[GeoJSON]({geojson}) or [CSV]({csv}), for QGIS, R or a spreadsheet",
                  feed=f"{root}feed.atom?{query}",
                  geojson=f"{root}api/incidents.geojson?{query}",
                  csv=f"{root}api/incidents.csv?{query}"))
    if uploaded() is not None and data_mode() != "bundled":
        st.caption(_("Your uploaded data is not part of this link: whoever opens it sees the "
                     "bundled incidents only."))


def _copyable(link: str, label: str, plain_label: str, map_drawn: bool) -> None:
    """``link`` in a code block with a copy icon, once the map has drawn; as plain text
    before that (the first run of a page, or where the map never draws).

    The code block's highlighter is a 1.5 MB script: fetched and parsed while the map's own
    frame loads, it held the reader's first sight of the map back by about 0.3 s (#24).
    The map's first report reruns the map's fragment, which brings the copy icon.
    """
    if map_drawn:
        st.caption(label)
        st.code(link, language=None, wrap_lines=True)
    else:
        st.caption(plain_label)
        st.text(link)


def _bounds(out: dict) -> tuple[float, float, float, float] | None:
    """The map's view as (south, west, north, east), once the map has reported it."""
    box = out.get("bounds")
    if not isinstance(box, dict):
        return None
    try:
        sw, ne = box["_southWest"], box["_northEast"]
        return float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"])
    except (KeyError, TypeError, ValueError):
        return None


def in_view_list(frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float] | None,
                 _: Translator) -> None:
    """The incidents the map shows, as a list: what the markers say, for screen readers
    and keyboards. The label stays the same so that a pan keeps it open."""
    rows, total = tables.in_bounds(frame, bounds, limit=tables.IN_VIEW_MAX)
    with st.expander(_("Incidents in view, as a list")):
        st.caption(_.ngettext("{n} incident in the map's current view; its link opens its "
                              "full record.",
                              "{n} incidents in the map's current view, newest first; each "
                              "link opens its full record.", total))
        st.html(tables.in_view_html(rows, total,
                                    lambda i: share_link(replace(view(), incident=i)), _))


def _close_incident() -> None:
    set_view(replace(view(), incident=None))


def incident_panel(data: Data, frame: gpd.GeoDataFrame, current: ViewState,
                   _: Translator, *, map_drawn: bool) -> None:
    """The full record of the open incident: every field and every source; its link
    gets its copy icon once the map has drawn (``_copyable``).

    Reader-supplied text is escaped into a definition list (``geo.tables.record_html``) or
    shown in tables and plain text; never as Markdown, which would turn it into links or
    fetch images from anywhere.
    """
    if not current.incident:
        st.caption(_("Click an incident on the map to see its full record here."))
        return
    rows = data.incidents[data.incidents[s.ID] == current.incident]
    if rows.empty:
        st.warning(_("No incident has the id '{id}' in this data.",
                     id=markdown_safe(current.incident)))
        st.button(_("Close"), on_click=_close_incident, key="close_incident")
        return
    title, fields, sources = tables.incident_record(rows.iloc[0], _)
    st.subheader(title)
    if current.incident not in set(frame[s.ID]):
        st.caption(_("This incident is outside the current filter."))
    st.html(tables.record_html(fields, _))  # wrapped, never cut off; every value escaped
    link = _("Link")
    st.dataframe(sources, hide_index=True, width="stretch",
                 column_config={link: link_column(link)})
    changes = data.corrections.get(current.incident)
    if changes:
        st.markdown(_("**Corrections** since the incident was first recorded, newest first; "
                      "the record above shows the current values."))
        for change in reversed(changes):
            st.text(change.text(_))  # plain text: the editor's note is never markup
    _copyable(f"{page_url()}?{incident_query(current)}", _("Link to this incident alone:"),
              _("Link to this incident alone:"), map_drawn)
    st.button(_("Close"), on_click=_close_incident, key="close_incident")


def _follow_map(out: dict, current: ViewState, data: Data) -> None:
    """Keep the URL's lat/lon/zoom on the map's view; a province click filters to it; an
    incident click opens its record."""
    center, zoom = out.get("center"), out.get("zoom")
    now = view()
    if isinstance(center, dict) and isinstance(zoom, (int, float)):
        moved = now.with_map_view(float(center["lat"]), float(center["lng"]), int(zoom))
        if (moved.lat, moved.lon, moved.zoom) != (now.lat, now.lon, now.zoom):
            set_view(moved)
    hit = mapview.clicked(out.get("last_active_drawing"))
    # The component repeats its last click on every rerun; where the click landed tells a
    # new click on the same feature (after its record was closed) from that repetition.
    click = (hit, str(out.get("last_object_clicked")))
    if hit is None or click == get(Key.LAST_CLICK):
        return
    st.session_state[Key.LAST_CLICK] = click
    if hit.kind == "province" and hit.ref not in current.regions:
        st.session_state[Key.PENDING_REGION] = hit.ref
        st.rerun(scope="app")
    if hit.kind == "incident" and hit.ref != current.incident and \
            hit.ref in set(data.incidents[s.ID]):
        set_view(replace(view(), incident=hit.ref))


def small_map(data: Data, frame: gpd.GeoDataFrame, key: str, basemap: str) -> None:
    """A map that sends nothing back: panning it never reruns the page."""
    _ = tr()
    built = mapview.build_layers(frame, data.provinces_display, stats.counts_by_region(frame),
                                 _=_)
    st_folium(_base_map(data, basemap, _=_), key=f"{key}_{_.lang}", height=420,
              use_container_width=True, feature_group_to_add=built.groups(),
              returned_objects=[])
    st.caption(built.describe(_))


def export_map(data: Data, current: ViewState, frame: gpd.GeoDataFrame) -> str:
    """The current view as a standalone HTML map (see ``geo.mapview.export_html``)."""
    _ = tr()
    return mapview.export_html(frame, data.provinces_display, data.border_display,
                               basemap=current.basemap, filter_lines=current.describe(_),
                               link=share_link(current), made=_.date(date.today()), _=_)


def export_figure(data: Data, current: ViewState, frame: gpd.GeoDataFrame,
                  fmt: Literal["png", "svg"]) -> bytes:
    """The current filter as a figure for a report (see ``geo.figure.render``).

    ``geo.figure`` is imported here, when a reader asks for a figure: matplotlib takes
    half a second to import, which every first reader after a start would otherwise wait.
    """
    from geo import figure

    _ = tr()
    return figure.render(frame, data.provinces_display, data.border_display,
                         filter_lines=current.describe(_),
                         data_note=as_of(data, _).replace("`", ""), fmt=fmt, _=_)
