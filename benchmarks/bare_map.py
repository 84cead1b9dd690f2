"""The reference page for ``python -m benchmarks.run --first-screen``: what a bare Streamlit
page with one ``st_folium`` map costs. The same province and border layers and the same
incidents as the dashboard (the bundled data, or ``PANJ_INCIDENTS``) as CircleMarkers with
popups, Leaflet served by this server (``static/``), and nothing else: no sidebar, no
figures, no legend, no page scripts of our own.

Run by the benchmark from a folder of its own (``benchmarks/first_screen.py``), with the
project on ``PYTHONPATH``.

``PANJ_BARE_PARTS`` (``--first-screen-parts``) adds generic parts beside the map, to
measure what each costs any such page, whatever draws it: ``sidebar`` (select boxes, a
date field, multiselects and buttons, as many as the dashboard's), ``metrics`` (a title, a
caption and five ``st.metric`` with help), ``plain-metrics`` (the same without help) and
``figures`` (a title, a caption and the five figures in one ``st.html`` block).
"""

from __future__ import annotations

import html
import os

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, layers
from geo import schema as s
from geo.incidents import incidents_path, load_incidents

st.set_page_config(page_title="bare st_folium map", layout="wide")


@st.cache_resource
def _layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return (layers.load_provinces(), layers.load_border(),
            load_incidents(incidents_path()).frame)


#: The generic parts drawn beside the map (see the module's docstring).
PARTS = ("sidebar", "metrics", "plain-metrics", "figures")
parts = [p for p in os.environ.get("PANJ_BARE_PARTS", "").split(",") if p]
if unknown := sorted(set(parts) - set(PARTS)):
    st.error(f"PANJ_BARE_PARTS: unknown part(s) {unknown}; allowed: {', '.join(PARTS)}")
    st.stop()

provinces, border, incidents = _layers()
if "sidebar" in parts:
    bar = st.sidebar
    bar.selectbox("Language", ["English", "Русский", "Тоҷикӣ", "دری"])
    bar.header("Filters")
    bar.caption("Period")
    bar.selectbox("Period", ["All", "12 months", "30 days"])
    bar.date_input("Dates", value=(incidents[s.DATE].min(), incidents[s.DATE].max()))
    bar.multiselect("Regions", ["TJ-KT", "TJ-GB", "AF-BDS", "AF-TAK", "AF-KDZ"])
    bar.multiselect("Types", ["armed clash", "smuggling", "detention"])
    bar.multiselect("Actors", ["border guards", "Taliban"])
    for i in range(2):
        bar.selectbox(f"Option {i}", ["one", "two"])
    for i in range(4):
        bar.button(f"Button {i}")
    bar.markdown("About **these figures**")
if {"metrics", "plain-metrics"} & set(parts):
    st.title("Panj Border Watch")
    st.caption("Security incidents along the Afghanistan–Tajikistan border")
    for i, column in enumerate(st.columns(5)):
        column.metric(f"Figure {i}", 10 * i, help=None if "plain-metrics" in parts else "why")
if "figures" in parts:
    st.title("Panj Border Watch")
    st.caption("Security incidents along the Afghanistan–Tajikistan border")
    st.html("<div style='display:flex;gap:2rem'>" + "".join(
        f"<div><div>Figure {i}</div><div style='font-size:2rem'>{10 * i}</div></div>"
        for i in range(5)) + "</div>")
leaflet = assets.map_assets(st.get_option("server.baseUrlPath"))
m = folium.Map(location=[37.5, 69.5], zoom_start=6, tiles=None)
m.default_js = list(leaflet.js)
m.default_css = list(leaflet.css)
folium.GeoJson(provinces[["iso_3166_2", "geometry"]], name="provinces").add_to(m)
folium.GeoJson(border[["geometry"]], name="border",
               style_function=lambda _f: {"color": "#b0232a", "weight": 3}).add_to(m)
for row in incidents.itertuples():
    if row.geometry is None:
        continue
    folium.CircleMarker(
        [row.geometry.y, row.geometry.x], radius=6, color="#b0232a", fill=True,
        popup=folium.Popup(html.escape(f"{getattr(row, s.DATE):%Y-%m-%d}: "
                                       f"{getattr(row, s.SUMMARY)}"), max_width=320),
    ).add_to(m)
st_folium(m, height=580, use_container_width=True, returned_objects=[])
