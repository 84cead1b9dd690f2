"""Building the folium map: a static base (tiles, border, legend) and the layers a filter changes.

The base map never depends on the filter, so the page can hand the filtered layers to
streamlit-folium's ``feature_group_to_add`` without remounting the map or losing the
reader's pan and zoom. All reader-facing text travels as JSON data and is put on the page
with ``textContent`` or escaped in the browser: nothing from a data file is ever parsed
as HTML. The only scripts are Leaflet's own, from the URLs in ``geo.assets``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template
from pyproj import Transformer
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geo import schema as s
from geo.assets import MapAssets
from geo.layers import ANALYSIS_CRS, STORAGE_CRS
from geo.proximity import BORDER_KM, CROSS_BORDER, distance_text

#: Tile sources for each base map (URL template, attribution, maximum zoom).
TILES: Final[dict[str, tuple[str, str, int]]] = {
    "streets": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                "contributors", 19),
    "terrain": ("https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
                'Map data &copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap'
                '</a> contributors, SRTM | style &copy; <a href="https://opentopomap.org">'
                "OpenTopoMap</a> (CC-BY-SA)", 17),
    "satellite": ("https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/"
                  "MapServer/tile/{z}/{y}/{x}",
                  "Tiles &copy; Esri, Maxar, Earthstar Geographics and the GIS user community",
                  18),
}
BOUNDARY_ATTRIBUTION: Final = ("Boundaries: Natural Earth 1:10m (public domain) | "
                               "Incidents: Panj Border Watch, from public reporting")

#: Province shading by incident count: (lowest count, colour), fixed so the legend is fixed.
SHADE_BINS: Final[tuple[tuple[int, str], ...]] = (
    (0, "#f7f7f7"), (1, "#dadaeb"), (3, "#bcbddc"), (6, "#9e9ac8"), (11, "#756bb1"),
    (21, "#54278f"),
)
BORDER_COLOR: Final = "#111111"
DEFAULT_CENTER: Final = (37.6, 71.0)
DEFAULT_ZOOM: Final = 7

#: How incidents are drawn, by how many the filter shows (benchmarks/PERFORMANCE figures):
#: one by one with full popups; as canvas markers with abridged popups; as density cells.
DrawMode = Literal["detailed", "compact", "density"]
DETAILED_MAX: Final = 1_500
COMPACT_MAX: Final = 15_000
DENSITY_CELL_KM: Final = 10.0

LAYER_PROVINCES: Final = "Provinces (shaded by incidents)"
LAYER_ORIGINS: Final = "Reported origin of attackers"
LAYER_INCIDENTS: Final = "Incidents"
LAYER_BORDER: Final = "Afghanistan–Tajikistan border"


def safe_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element, a JS template literal and a Jinja
    template (folium is built on Jinja: ``{{ … }}`` in data must never be evaluated)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("`", "\\u0060"), ("$", "\\u0024"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    # Compact JSON never puts "{{", "{%" or "{#" in its structure, so any such pair is
    # inside a string: escaping that "{" keeps the text and defuses the Jinja tag.
    return _JINJA_OPEN.sub("\\\\u007b", text)


def shade_for(count: int) -> str:
    """Fill colour of a province with ``count`` incidents."""
    colour = SHADE_BINS[0][1]
    for lowest, c in SHADE_BINS:
        if count >= lowest:
            colour = c
    return colour


def marker_radius(killed: int | None, injured: int | None) -> float:
    """Marker radius in pixels: grows with the square root of reported casualties."""
    n = (killed or 0) + (injured or 0)
    return round(5.0 + 2.5 * float(np.sqrt(n)), 1)


_JINJA_OPEN: Final = re.compile(r"\{(?=[{%#])")


class _RawJS(Element):
    """Script text placed in the page as it is: never compiled as a Jinja template."""

    def __init__(self, code: str) -> None:
        super().__init__("")
        self.code = code

    def render(self, **kwargs: Any) -> str:
        return self.code


class _Script(MacroElement):
    """Our own JavaScript, run in the context of its parent layer; data goes in as JSON."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var data = {{ this.data }};
            {{ this.code }}
        })();
        {% endmacro %}
    """)

    def __init__(self, code: str, data: Any = None) -> None:
        super().__init__()
        self._name = "PbwScript"
        self.code = code
        self.data = safe_json(data)

    def render(self, **kwargs: Any) -> None:
        # branca's MacroElement.render wraps the rendered script in Element(...), which
        # compiles it as a Jinja template: slow for large data, and it would evaluate any
        # "{{ … }}" in an incident's text on the server. Hand it over as raw text instead.
        figure = self.get_root()
        script = self._template.module.__dict__["script"]
        if hasattr(figure, "script"):
            figure.script.add_child(_RawJS(script(self, kwargs)), name=self.get_name())


class _BlankBase(folium.map.Layer):
    """A base layer with no tiles: the map still works offline and without any tile server."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, name: str) -> None:
        super().__init__(name=name, overlay=False, control=True, show=True)
        self._name = "BlankBase"


# Helpers shared by every script below. Text goes into the page only through
# textContent (el) or esc(); links only ever get http(s) URLs.
_JS_HELPERS: Final = r"""
function esc(v) { return String(v).replace(/[&<>"'`=\/]/g, function(c) {
    return '&#' + c.charCodeAt(0) + ';'; }); }
function el(tag, text, cls) { var e = document.createElement(tag);
    if (text !== null && text !== undefined) { e.textContent = String(text); }
    if (cls) { e.className = cls; } return e; }
function isHttp(u) { return typeof u === 'string' && /^https?:\/\/[^\s"'<>`]+$/i.test(u); }
"""

_INCIDENTS_JS: Final = _JS_HELPERS + r"""
function addRow(t, label, value) {
    if (value === null || value === undefined || value === '') { return; }
    var tr = el('tr'); tr.appendChild(el('th', label)); tr.appendChild(el('td', value));
    t.appendChild(tr); }
function popupFor(p) {
    var box = el('div', null, 'pbw-popup');
    if (p.mine) { box.appendChild(el('div', 'Your data: uploaded in this browser session only',
        'pbw-mine')); }
    box.appendChild(el('div', p.title, 'pbw-title'));
    box.appendChild(el('div', p.place, 'pbw-place'));
    box.appendChild(el('p', p.summary));
    var t = el('table');
    addRow(t, 'Killed', p.killed === null ? 'not reported' : p.killed);
    addRow(t, 'Injured', p.injured === null ? 'not reported' : p.injured);
    addRow(t, 'Victims', p.victims);
    addRow(t, 'Blamed (by whom)', p.perpetrator);
    addRow(t, 'Attackers from', p.origin);
    addRow(t, 'Time (local)', p.time);
    addRow(t, 'Location', p.precision);
    addRow(t, 'To the border', p.border_km);
    addRow(t, 'Cross-border', p.cross);
    addRow(t, 'Confidence', p.confidence);
    addRow(t, 'Incident ID', p.id);
    box.appendChild(t);
    if (p.notes) { var d = el('details');
        d.appendChild(el('summary', 'Notes: conflicting figures, location'));
        d.appendChild(el('p', p.notes)); box.appendChild(d); }
    box.appendChild(el('div', 'Sources', 'pbw-sources'));
    var ul = el('ul');
    p.sources.forEach(function(src) { var li = el('li');
        var text = src.outlet + (src.date ? ', ' + src.date : ', undated');
        if (isHttp(src.url)) { var a = el('a', text); a.href = src.url; a.target = '_blank';
            a.rel = 'noopener noreferrer'; li.appendChild(a); }
        else { li.textContent = text; }
        ul.appendChild(li); });
    box.appendChild(ul);
    return box; }
var map = null;
var layer = L.geoJSON(data, {
    pointToLayer: function(f, latlng) { var p = f.properties;
        return L.circleMarker(latlng, { pane: 'pbw-incidents', radius: p.r,
            color: p.mine ? '#0b3d91' : '#1a1a1a',
            weight: p.mine ? 3 : (p.gp === 1 ? 1.6 : 1.1),
            dashArray: p.gp === 1 ? null : '3 2', fillColor: p.color, fillOpacity: 0.85,
            className: 'pbw-incident pbw-id-' + p.id.replace(/[^A-Za-z0-9_-]/g, '_') }); },
    onEachFeature: function(f, l) { var p = f.properties;
        l.feature = f; l._pbwTrue = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        l.bindTooltip(esc(p.tip), { sticky: true });
        l.bindPopup(function() { return popupFor(p); }, { maxWidth: 380, minWidth: 260 }); }
});
// Incidents that share a point (most are district centres) fan out in a ring of a few
// pixels so each can be seen and clicked; their true point is in the tooltip and popup.
function spread() {
    if (!map) { return; }
    layer.eachLayer(function(l) { var p = l.feature.properties;
        if (!p.n || p.n < 2) { return; }
        var r = 9 + 2.2 * p.n, a = 2 * Math.PI * p.k / p.n;
        var pt = map.latLngToLayerPoint(l._pbwTrue).add(L.point(r * Math.cos(a), r * Math.sin(a)));
        l.setLatLng(map.layerPointToLatLng(pt)); });
}
layer.on('add', function() { map = layer._map; spread(); map.on('zoomend', spread); });
layer.on('remove', function() { if (map) { map.off('zoomend', spread); } });
parent.addLayer(layer);
window.pbwDrawn = { mode: 'detailed', n: data.features.length };
"""

_COMPACT_JS: Final = r"""
var renderer = L.canvas({ pane: 'pbw-incidents', padding: 0.3 });
var layer = L.featureGroup();
for (var j = 0; j < data.lat.length; j++) {
    var m = L.circleMarker([data.lat[j], data.lon[j]], { renderer: renderer,
        radius: data.r[j], color: data.mine[j] ? '#0b3d91' : '#1a1a1a',
        weight: data.mine[j] ? 2 : 0.6, fillColor: data.types[data.t[j]][1], fillOpacity: 0.8 });
    m._pbw = j; layer.addLayer(m);
}
function count(v) { return v === null ? 'not reported' : String(v); }
function line(text) { return el('div', text); }
layer.on('mouseover', function(e) { var j = e.layer._pbw;
    e.layer.bindTooltip(esc(data.d[j] + ' · ' + data.types[data.t[j]][0] + ' · ' + data.place[j]
        + ' · ' + data.id[j])).openTooltip(); });
layer.on('click', function(e) { var j = e.layer._pbw; var box = el('div', null, 'pbw-popup');
    if (data.mine[j]) {
        box.appendChild(el('div', 'Your data: uploaded in this browser session only', 'pbw-mine'));
    }
    box.appendChild(el('div', data.d[j] + ' — ' + data.types[data.t[j]][0], 'pbw-title'));
    box.appendChild(el('div', data.place[j], 'pbw-place'));
    box.appendChild(line('Killed: ' + count(data.k[j])));
    box.appendChild(line('Injured: ' + count(data.i[j])));
    box.appendChild(line('Incident ID: ' + data.id[j]));
    if (isHttp(data.src[j])) { var a = el('a', 'First source'); a.href = data.src[j];
        a.target = '_blank'; a.rel = 'noopener noreferrer'; box.appendChild(a); }
    box.appendChild(el('div', 'Abridged: the Data page lists every field and source.',
        'pbw-place'));
    L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(box).openOn(layer._map); });
parent.addLayer(layer);
window.pbwDrawn = { mode: 'compact', n: data.lat.length };
"""

_DENSITY_JS: Final = r"""
var renderer = L.canvas({ pane: 'pbw-incidents' });
var layer = L.featureGroup();
var most = Math.max.apply(null, data.n.concat([1]));
for (var j = 0; j < data.lat.length; j++) {
    var f = Math.sqrt(data.n[j] / most);
    var c = L.circleMarker([data.lat[j], data.lon[j]], { renderer: renderer,
        radius: 3 + 17 * f, color: '#7f2704', weight: 0.8,
        fillColor: f > 0.66 ? '#d94801' : (f > 0.33 ? '#fd8d3c' : '#fdd0a2'), fillOpacity: 0.75 });
    c._pbw = j; layer.addLayer(c);
}
function cellText(j) { return data.n[j] + ' incidents in this ' + data.km + ' km cell'; }
layer.on('mouseover', function(e) {
    e.layer.bindTooltip(esc(cellText(e.layer._pbw))).openTooltip(); });
layer.on('click', function(e) { var j = e.layer._pbw; var box = el('div', null, 'pbw-popup');
    box.appendChild(el('div', cellText(j), 'pbw-title'));
    box.appendChild(el('div', 'Killed (reported): ' + data.k[j]));
    box.appendChild(el('div', 'Injured (reported): ' + data.i[j]));
    box.appendChild(el('div', 'From ' + data.first[j] + ' to ' + data.last[j]));
    box.appendChild(el('div', 'Most common type: ' + data.top[j]));
    box.appendChild(el('div', 'Narrow the filter to see each incident.', 'pbw-place'));
    L.popup({ maxWidth: 300 }).setLatLng(e.latlng).setContent(box).openOn(layer._map); });
parent.addLayer(layer);
window.pbwDrawn = { mode: 'density', n: data.n.reduce(function(a, b) { return a + b; }, 0),
    cells: data.lat.length };
"""

_BAND_JS: Final = _JS_HELPERS + r"""
parent.addLayer(L.geoJSON(data, { interactive: false, style: function() {
    return { color: '#1f78b4', weight: 1, dashArray: '4 3', fillColor: '#a6cee3',
             fillOpacity: 0.25, className: 'pbw-band' }; } }));
"""

_PROVINCES_JS: Final = _JS_HELPERS + r"""
var layer = L.geoJSON(data, {
    style: function(f) { return { color: '#4d4d4d', weight: 1.2, fillColor: f.properties.fill,
        fillOpacity: 0.5, className: 'pbw-province' }; },
    onEachFeature: function(f, l) { var p = f.properties;
        l.bindTooltip(esc(p.tip), { sticky: true }); }
});
parent.addLayer(layer);
// Names as non-interactive markers: Leaflet keeps markers in place through every
// resize and zoom of the map, which standalone tooltips do not survive inside an iframe.
data.features.forEach(function(f) { var p = f.properties;
    parent.addLayer(L.marker([p.label_lat, p.label_lon], { pane: 'pbw-labels',
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'pbw-label', html: esc(p.short), iconSize: [140, 16],
            iconAnchor: [70, 8] }) })); });
"""

_ORIGINS_JS: Final = _JS_HELPERS + r"""
parent.addLayer(L.geoJSON(data, { pane: 'pbw-origins',
    style: function(f) { return { color: '#333333', weight: 1.6, opacity: 0.85,
        dashArray: f.properties.part === 'line' ? '6 4' : null, className: 'pbw-origin' }; },
    onEachFeature: function(f, l) { l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
}));
"""

_BORDER_JS: Final = _JS_HELPERS + r"""
parent.addLayer(L.geoJSON(data, { pane: 'pbw-border', interactive: false,
    style: function() { return { color: '#ffffff', weight: 6, opacity: 0.9 }; }
}));
parent.addLayer(L.geoJSON(data, { pane: 'pbw-border',
    style: function() {
        return { color: '#111111', weight: 3, opacity: 1, className: 'pbw-border' }; },
    onEachFeature: function(f, l) { l.bindTooltip(esc(f.properties.tip), { sticky: true }); }
}));
"""

_LEGEND_JS: Final = _JS_HELPERS + r"""
var legend = L.control({ position: 'topright' });
legend.onAdd = function() {
    var box = L.DomUtil.create('div', 'pbw-legend');
    L.DomEvent.disableClickPropagation(box);
    // open where it leaves most of the map visible; one click opens it elsewhere
    var det = el('details'); det.open = !L.Browser.mobile && parent.getSize().x >= 900;
    det.appendChild(el('summary', 'Legend'));
    det.appendChild(el('div', 'Event type', 'pbw-legend-h'));
    var types = el('div', null, 'pbw-grid');
    data.types.forEach(function(t) { var row = el('div');
        var sw = el('span', null, 'pbw-swatch pbw-dot'); sw.style.background = t[1];
        row.appendChild(sw); row.appendChild(document.createTextNode(t[0]));
        types.appendChild(row); });
    det.appendChild(types);
    det.appendChild(el('div', 'Marker size: killed + injured as reported', 'pbw-legend-note'));
    det.appendChild(el('div', 'Solid outline: the named site. Dashed: district centre. '
        + 'Thick blue outline: your uploaded data.', 'pbw-legend-note'));
    det.appendChild(el('div', 'Incidents in the current filter, per province', 'pbw-legend-h'));
    var shades = el('div', null, 'pbw-grid pbw-grid3');
    data.shades.forEach(function(b) { var row = el('div');
        var sw = el('span', null, 'pbw-swatch'); sw.style.background = b[1];
        row.appendChild(sw); row.appendChild(document.createTextNode(b[0]));
        shades.appendChild(row); });
    det.appendChild(shades);
    var line = el('div'); var sw = el('span', null, 'pbw-swatch pbw-line'); line.appendChild(sw);
    line.appendChild(document.createTextNode('Afghanistan–Tajikistan border (1:10m)'));
    det.appendChild(line);
    var o = el('div'); var so = el('span', null, 'pbw-swatch pbw-dash'); o.appendChild(so);
    o.appendChild(document.createTextNode('Reported origin → target')); det.appendChild(o);
    box.appendChild(det);
    return box; };
legend.addTo(parent);
"""

MAP_CSS: Final = """
<style>
.pbw-label { background: transparent; border: 0; font: 600 12px/16px sans-serif; color: #2b2b2b;
  text-align: center; white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.pbw-popup { font: 13px/1.35 sans-serif; max-height: 340px; overflow-y: auto; }
.pbw-popup .pbw-title { font-weight: 700; font-size: 14px; }
.pbw-popup .pbw-mine { color: #0b3d91; font-weight: 600; font-size: 12px; }
.pbw-popup .pbw-place { color: #555; margin-bottom: 4px; }
.pbw-popup table { border-collapse: collapse; margin: 4px 0; }
.pbw-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 600;
  vertical-align: top; white-space: nowrap; }
.pbw-popup td { padding: 1px 0; }
.pbw-popup .pbw-sources { font-weight: 700; margin-top: 4px; }
.pbw-popup ul { margin: 2px 0 0 16px; padding: 0; }
.pbw-legend { background: rgba(255,255,255,.93); padding: 4px 7px; font: 11px/1.3 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 330px; }
.pbw-grid { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8px; }
.pbw-grid3 { grid-template-columns: 1fr 1fr 1fr; }
.leaflet-container .leaflet-control-attribution { font-size: 11px; }
.pbw-legend summary { font-weight: 700; cursor: pointer; }
.pbw-legend-h { font-weight: 600; margin-top: 4px; }
.pbw-legend-note { color: #555; font-size: 11px; }
.pbw-swatch { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: middle; border: 1px solid #666; }
.pbw-dot { border-radius: 50%; }
.pbw-line { height: 0; border: 0; border-top: 3px solid #111; }
.pbw-dash { height: 0; border: 0; border-top: 2px dashed #333; }
</style>
"""


def _legend_data() -> dict[str, Any]:
    bins = []
    for i, (lowest, colour) in enumerate(SHADE_BINS):
        nxt = SHADE_BINS[i + 1][0] if i + 1 < len(SHADE_BINS) else None
        if lowest == 0:
            label = "none"
        elif nxt is None:
            label = f"{lowest} or more"
        elif nxt - 1 == lowest:
            label = str(lowest)
        else:
            label = f"{lowest}–{nxt - 1}"
        bins.append((label, colour))
    return {"types": [(t.label, t.color) for t in s.EVENT_TYPES.values()], "shades": bins}


def build_base_map(
    border: gpd.GeoDataFrame,
    *,
    assets: MapAssets,
    basemap: str = "streets",
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
) -> folium.Map:
    """The part of the map that no filter changes: tiles, border, legend, styles.

    Parameters
    ----------
    border
        The border line (EPSG:4326), e.g. the display copy.
    assets
        Where the browser loads Leaflet from (see ``geo.assets.map_assets``).
    basemap
        A key of ``geo.viewstate.BASEMAPS``.
    center, zoom
        The initial view; when either is None the map fits the whole border.

    Returns
    -------
    folium.Map
        With no CDN script or stylesheet: only ``assets``.
    """
    from geo.viewstate import BASEMAPS

    if basemap not in BASEMAPS:
        msg = f"basemap must be one of {list(BASEMAPS)}; got {basemap!r}"
        raise ValueError(msg)
    _require_crs(border, "border")
    fit = center is None or zoom is None
    m = folium.Map(location=center or DEFAULT_CENTER, zoom_start=zoom or DEFAULT_ZOOM,
                   tiles=None, control_scale=True, min_zoom=3, max_zoom=18,
                   attribution_control=True)
    # Only Leaflet itself, served by the app; folium's defaults (jQuery, Bootstrap,
    # Font Awesome, awesome-markers) all come from CDNs and none is used here.
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    m.get_root().header.add_child(Element(MAP_CSS), name="pbw_css")
    # Drawing order above the shaded provinces (overlayPane, 400): names, border,
    # origin arrows, incidents; all below Leaflet's tooltips (650) and popups (700).
    for pane, z_index, clickable in (("pbw-labels", 410, False), ("pbw-border", 420, True),
                                     ("pbw-origins", 430, True), ("pbw-incidents", 440, True)):
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=clickable).add_to(m)
    if basemap == "none":
        _BlankBase("No background tiles").add_to(m)
    else:
        url, attribution, max_zoom = TILES[basemap]
        folium.TileLayer(url, attr=attribution, name=BASEMAPS[basemap], max_zoom=max_zoom,
                         max_native_zoom=max_zoom, overlay=False, control=True).add_to(m)
    border_fg = folium.FeatureGroup(name=LAYER_BORDER, overlay=True, control=True, show=True)
    line = border.geometry.iloc[0]
    length = border["length_km"].iloc[0] if "length_km" in border else None
    tip = "Afghanistan–Tajikistan border" + (
        f" ({length:,.0f} km as drawn at 1:10m; officially about 1,350 km)" if length else "")
    border_fg.add_child(_Script(_BORDER_JS, {
        "type": "Feature", "properties": {"tip": tip},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in line.coords]}}))
    border_fg.add_to(m)
    m.add_child(_Script(_LEGEND_JS + _ATTRIBUTION_JS, {**_legend_data(),
                                                      "attribution": BOUNDARY_ATTRIBUTION}))
    if fit:
        minx, miny, maxx, maxy = border.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


_ATTRIBUTION_JS: Final = """
if (parent.attributionControl) { parent.attributionControl.addAttribution(esc(data.attribution)); }
"""


def _require_crs(frame: gpd.GeoDataFrame, name: str) -> None:
    if frame.crs is None or frame.crs.to_string() != STORAGE_CRS:
        msg = f"{name} must be in {STORAGE_CRS}; got CRS {frame.crs}"
        raise ValueError(msg)


@dataclass(frozen=True)
class MapLayers:
    """The layers that follow the filter, in drawing order (bottom to top)."""

    provinces: folium.FeatureGroup
    origins: folium.FeatureGroup
    incidents: folium.FeatureGroup
    n_markers: int  # incidents drawn (each one, or inside density cells)
    mode: DrawMode
    n_cells: int = 0
    band: folium.FeatureGroup | None = None

    def groups(self) -> list[folium.FeatureGroup]:
        extra = [self.band] if self.band is not None else []
        return [self.provinces, *extra, self.origins, self.incidents]

    def describe(self) -> str:
        """One sentence for the page: how the incidents are drawn, and why."""
        if self.mode == "detailed":
            noun = "incident" if self.n_markers == 1 else "incidents"
            return (f"{self.n_markers:,} {noun} drawn one by one; click one for its full "
                    "record and sources.")
        if self.mode == "compact":
            return (f"{self.n_markers:,} incidents drawn as fast canvas markers (more than "
                    f"{DETAILED_MAX:,}): popups are abridged, the Data page has every field, "
                    "and origin arrows are hidden.")
        return (f"{self.n_markers:,} incidents drawn as density: {self.n_cells:,} cells of "
                f"{DENSITY_CELL_KM:g} km, sized by count (more than {COMPACT_MAX:,} in this "
                "filter). Narrow the dates, regions or types to see each incident.")


def _cross_text(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return "yes: attackers reported to come from the other side" if bool(value) else \
        "no: origin reported on the same side"


def _count(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def incident_features(incidents: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """GeoJSON features of the located incidents, with everything the tooltip and popup show."""
    text = s.cell_text
    located = incidents[incidents.geometry.notna()]
    keys = located[s.LAT].round(5).astype(str) + "," + located[s.LON].round(5).astype(str)
    group_size = keys.map(keys.value_counts())
    group_rank = keys.groupby(keys).cumcount()
    features = []
    for (_, row), n, k in zip(located.iterrows(), group_size, group_rank, strict=True):
        etype = s.EVENT_TYPES[row[s.EVENT_TYPE]]
        region_name = s.region_label(row[s.REGION_CODE])
        day = f"{row[s.DATE].day} {row[s.DATE]:%b %Y}"
        if row[s.DATE_PRECISION] != "day":
            day += f" (±{row[s.DATE_PRECISION]})"
        place = ", ".join(p for p in (text(row[s.LOCATION]), text(row[s.DISTRICT]),
                                      region_name) if p)
        killed, injured = _count(row[s.FATALITIES]), _count(row[s.INJURED])
        gp = int(row[s.GEO_PRECISION])
        precision = f"{s.GEO_PRECISIONS[gp]}; point {row[s.LAT]:.4f}, {row[s.LON]:.4f}"
        if n > 1:
            precision += f" (drawn slightly apart from {n - 1} other incident(s) at this point)"
        tip = f"{day} · {etype.label} · {text(row[s.DISTRICT]) or region_name} · {row[s.ID]}"
        if row.get(s.DATASET) == s.YOURS:
            tip = "Your data · " + tip
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row[s.LON], row[s.LAT]]},
            "properties": {
                "id": row[s.ID], "tip": tip, "title": f"{day} — {etype.label}",
                "place": place, "summary": text(row[s.SUMMARY]),
                "killed": killed, "injured": injured, "victims": text(row[s.VICTIMS]),
                "perpetrator": text(row[s.PERPETRATOR]), "origin": text(row[s.ORIGIN]),
                "time": text(row[s.TIME_LOCAL]), "precision": precision,
                "confidence": f"{row[s.CONFIDENCE]} — {s.CONFIDENCES[row[s.CONFIDENCE]]}",
                "notes": text(row[s.NOTES]),
                "sources": [{"outlet": src.outlet, "date": src.published, "url": src.url}
                            for src in s.parse_sources(row[s.SOURCES])],
                "mine": bool(row.get(s.DATASET) == s.YOURS),
                "border_km": distance_text(row.get(BORDER_KM)),
                "cross": _cross_text(row.get(CROSS_BORDER)),
                "color": etype.color, "r": marker_radius(killed, injured), "gp": gp,
                "n": int(n), "k": int(k),
            },
        })
    return features


def province_features(provinces: gpd.GeoDataFrame, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Province polygons with their shade, hover text and label point."""
    _require_crs(provinces, "provinces")
    features = []
    for _, row in provinces.iterrows():
        code = row["iso_3166_2"]
        region = s.REGIONS[code]
        n = counts.get(code, 0)
        label_pt = row.geometry.representative_point()
        geom = mapping(row.geometry)
        features.append({
            "type": "Feature", "geometry": geom,
            "properties": {
                "code": code, "fill": shade_for(n), "short": region.name,
                "tip": f"{region.label} · {code} · {n} incident{'s' if n != 1 else ''} "
                       "in this view (click to filter)",
                "label_lat": round(label_pt.y, 4), "label_lon": round(label_pt.x, 4),
            },
        })
    return features


def origin_features(incidents: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """A dashed line from each reported origin to its incident, with an arrowhead."""
    rows = incidents[incidents[s.ORIGIN_LAT].notna() & incidents[s.LAT].notna()]
    if rows.empty:
        return []
    fwd = Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True)
    inv = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    features = []
    for _, row in rows.iterrows():
        ox, oy = fwd.transform(row[s.ORIGIN_LON], row[s.ORIGIN_LAT])
        tx, ty = fwd.transform(row[s.LON], row[s.LAT])
        length = float(np.hypot(tx - ox, ty - oy))
        tip = f"Attackers reportedly came from: {s.cell_text(row[s.ORIGIN])} → {row[s.ID]}"
        coords = [[row[s.ORIGIN_LON], row[s.ORIGIN_LAT]], [row[s.LON], row[s.LAT]]]
        features.append({"type": "Feature", "properties": {"tip": tip, "part": "line"},
                         "geometry": {"type": "LineString", "coordinates": coords}})
        if length > 0:
            # arrowhead of 2.5 km arms at 70% of the way, pointing at the target (metres)
            ux, uy = (tx - ox) / length, (ty - oy) / length
            hx, hy = ox + 0.7 * (tx - ox), oy + 0.7 * (ty - oy)
            arm = min(2500.0, 0.3 * length)
            wings = []
            for sign in (1, -1):
                wx = hx - arm * (ux * 0.87 - sign * uy * 0.5)
                wy = hy - arm * (uy * 0.87 + sign * ux * 0.5)
                wings.append(list(inv.transform(wx, wy)))
            tip_pt = list(inv.transform(hx, hy))
            features.append({"type": "Feature", "properties": {"tip": tip, "part": "head"},
                             "geometry": {"type": "LineString",
                                          "coordinates": [wings[0], tip_pt, wings[1]]}})
    return features


def build_layers(
    incidents: gpd.GeoDataFrame,
    provinces: gpd.GeoDataFrame,
    counts: dict[str, int],
    *,
    mode: DrawMode | None = None,
    band: tuple[float, BaseGeometry] | None = None,
) -> MapLayers:
    """The layers that follow the filter: shaded provinces, origin arrows and incidents.

    Parameters
    ----------
    incidents
        The filtered incidents (EPSG:4326); those without a point are left off the map.
    provinces
        Province polygons (EPSG:4326), e.g. the display copy.
    counts
        Incidents per ISO code in the current filter, for the shading.
    mode
        How to draw the incidents; by default chosen from their number (``choose_mode``).
    band
        (km, area) of a "within km of the border" filter, drawn as a hatched band.
    """
    _require_crs(incidents, "incidents")
    has_point = incidents.geometry.notna()
    located = incidents if has_point.all() else incidents[has_point]
    mode = mode or choose_mode(len(located))
    prov_fg = folium.FeatureGroup(name=LAYER_PROVINCES, overlay=True, control=True)
    prov_fg.add_child(_Script(_PROVINCES_JS, {"type": "FeatureCollection",
                                              "features": province_features(provinces, counts)}))
    orig_fg = folium.FeatureGroup(name=LAYER_ORIGINS, overlay=True, control=True)
    origins = origin_features(located) if mode == "detailed" else []
    orig_fg.add_child(_Script(_ORIGINS_JS, {"type": "FeatureCollection", "features": origins}))
    inc_fg = folium.FeatureGroup(name=LAYER_INCIDENTS, overlay=True, control=True)
    n_cells = 0
    if mode == "detailed":
        inc_fg.add_child(_Script(_INCIDENTS_JS, {"type": "FeatureCollection",
                                                 "features": incident_features(located)}))
    elif mode == "compact":
        inc_fg.add_child(_Script(_JS_HELPERS + _COMPACT_JS, compact_columns(located)))
    else:
        cells = density_cells(located)
        n_cells = len(cells["lat"])
        inc_fg.add_child(_Script(_JS_HELPERS + _DENSITY_JS, cells))
    band_fg = None
    if band is not None:
        km, area = band
        band_fg = folium.FeatureGroup(name=f"Within {km:g} km of the border", overlay=True,
                                      control=True)
        band_fg.add_child(_Script(_BAND_JS, {"type": "Feature", "geometry": mapping(area),
                                             "properties": {"tip": f"Within {km:g} km of "
                                                            "the border (geodesic)"}}))
    return MapLayers(prov_fg, orig_fg, inc_fg, len(located), mode, n_cells, band_fg)


def choose_mode(n_located: int) -> DrawMode:
    """Detailed up to ``DETAILED_MAX`` incidents, compact up to ``COMPACT_MAX``, then density."""
    if n_located <= DETAILED_MAX:
        return "detailed"
    return "compact" if n_located <= COMPACT_MAX else "density"


def compact_columns(located: gpd.GeoDataFrame) -> dict[str, Any]:
    """Column arrays for canvas markers: a few bytes per incident, built without a loop."""
    types = list(s.EVENT_TYPES)
    killed = located[s.FATALITIES]
    injured = located[s.INJURED]
    first_url = located[s.SOURCES].str.extract(r"(https?://[^\s|]+)", expand=False)
    return {
        "lat": located[s.LAT].round(5).tolist(), "lon": located[s.LON].round(5).tolist(),
        "t": located[s.EVENT_TYPE].map(types.index).astype(int).tolist(),
        "types": [[s.EVENT_TYPES[t].label, s.EVENT_TYPES[t].color] for t in types],
        "id": located[s.ID].tolist(),
        "d": located[s.DATE].dt.strftime("%Y-%m-%d").tolist(),
        "k": [None if pd.isna(v) else int(v) for v in killed],
        "i": [None if pd.isna(v) else int(v) for v in injured],
        "r": (4.0 + 1.5 * np.sqrt(killed.fillna(0).astype(float).to_numpy()
                                  + injured.fillna(0).astype(float).to_numpy())).round(1)
        .tolist(),
        "place": (located[s.DISTRICT].where(located[s.DISTRICT] != "",
                                            located[s.REGION_CODE].map(s.region_label))
                  + ", " + located[s.REGION_CODE]).tolist(),
        "src": first_url.where(first_url.notna(), None).tolist(),
        "mine": (located[s.DATASET] == s.YOURS).tolist() if s.DATASET in located
        else [False] * len(located),
    }


def density_cells(located: gpd.GeoDataFrame) -> dict[str, Any]:
    """Incidents summed on a grid of ``DENSITY_CELL_KM`` km squares in ``ANALYSIS_CRS``."""
    if located.empty:
        return {"lat": [], "lon": [], "n": [], "k": [], "i": [], "first": [], "last": [],
                "top": [], "km": DENSITY_CELL_KM}
    pts = located.geometry.to_crs(ANALYSIS_CRS)
    size = DENSITY_CELL_KM * 1000.0
    frame = pd.DataFrame({
        "cx": np.floor(pts.x.to_numpy() / size), "cy": np.floor(pts.y.to_numpy() / size),
        "x": pts.x.to_numpy(), "y": pts.y.to_numpy(),
        "k": located[s.FATALITIES].fillna(0).astype(int).to_numpy(),
        "i": located[s.INJURED].fillna(0).astype(int).to_numpy(),
        "date": located[s.DATE].to_numpy(), "type": located[s.EVENT_TYPE].to_numpy(),
    })
    grouped = frame.groupby(["cx", "cy"], sort=True)
    agg = grouped.agg(n=("x", "size"), x=("x", "mean"), y=("y", "mean"), k=("k", "sum"),
                      i=("i", "sum"), first=("date", "min"), last=("date", "max"))
    top = frame.groupby(["cx", "cy", "type"]).size().reset_index(name="c") \
        .sort_values(["cx", "cy", "c"], ascending=[True, True, False]) \
        .drop_duplicates(["cx", "cy"]).set_index(["cx", "cy"])["type"]
    lon, lat = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True).transform(
        agg["x"].to_numpy(), agg["y"].to_numpy())
    return {
        "lat": np.round(lat, 4).tolist(), "lon": np.round(lon, 4).tolist(),
        "n": agg["n"].astype(int).tolist(), "k": agg["k"].astype(int).tolist(),
        "i": agg["i"].astype(int).tolist(),
        "first": agg["first"].dt.strftime("%Y-%m-%d").tolist(),
        "last": agg["last"].dt.strftime("%Y-%m-%d").tolist(),
        "top": [s.EVENT_TYPES[t].label for t in top.reindex(agg.index)],
        "km": DENSITY_CELL_KM,
    }


def standalone_html(base: folium.Map, layers: MapLayers | Sequence[folium.FeatureGroup]) -> str:
    """The whole map as one HTML page (layers and a layer control added to ``base``)."""
    groups = layers.groups() if isinstance(layers, MapLayers) else list(layers)
    for fg in groups:
        fg.add_to(base)
    folium.LayerControl(collapsed=False).add_to(base)
    return base.get_root().render()


_EXPORT_NOTE_JS: Final = _JS_HELPERS + r"""
var note = L.control({ position: 'bottomleft' });
note.onAdd = function() { var box = L.DomUtil.create('div', 'pbw-legend');
    box.appendChild(el('div', data.title, 'pbw-legend-h'));
    data.lines.forEach(function(t) { box.appendChild(el('div', t, 'pbw-legend-note')); });
    if (isHttp(data.link)) { var a = el('a', 'Open this view in the dashboard');
        a.href = data.link; a.target = '_blank'; a.rel = 'noopener noreferrer';
        box.appendChild(a); }
    return box; };
note.addTo(parent);
"""


def export_html(frame: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                border: gpd.GeoDataFrame, *, basemap: str, filter_lines: list[str],
                link: str, made: str) -> str:
    """The current view as one HTML file that opens without the server.

    Leaflet is inlined from its installed package, so the file needs no network except
    for background tiles; it names the filter it was made with, its link and attribution.
    """
    from geo import assets as _assets
    from geo import stats as _stats

    js, css = _assets.inline_leaflet()
    base = build_base_map(border, assets=MapAssets(js=(), css=()), basemap=basemap)
    # raw elements: Leaflet's own source is never parsed as a Jinja template
    base.get_root().header.add_child(_RawJS(f"<style>{css}</style>"), name="leaflet_css")
    base.get_root().header.add_child(_RawJS(f"<script>{js}</script>"), name="leaflet_js")
    built = build_layers(frame, provinces, _stats.counts_by_region(frame))
    base.add_child(_Script(_EXPORT_NOTE_JS, {
        "title": "Panj Border Watch — exported map",
        "lines": [*filter_lines, f"{built.describe()}", f"Made {made}. {BOUNDARY_ATTRIBUTION}."],
        "link": link}))
    return standalone_html(base, built)
