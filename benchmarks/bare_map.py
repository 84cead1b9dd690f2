"""The reference page for ``python -m benchmarks.run --first-screen``: what a bare Streamlit
page with one ``st_folium`` map costs. The same province and border layers and the same
incidents as the dashboard (the bundled data, or ``PANJ_INCIDENTS``) as CircleMarkers with
popups, Leaflet served by this server (``static/``), and nothing else: no sidebar, no
figures, no legend, no page scripts of our own.

Run by the benchmark from a folder of its own (``benchmarks/first_screen.py``), with the
project on ``PYTHONPATH``.
"""

from __future__ import annotations

import html

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


provinces, border, incidents = _layers()
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
