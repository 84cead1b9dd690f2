"""Building the folium map: a static base (tiles, border, legend) and the layers a filter changes.

The base map never depends on the filter, so the page can hand the filtered layers to
streamlit-folium's ``feature_group_to_add`` without remounting the map or losing the
reader's pan and zoom. All reader-facing text travels as JSON data and is put on the page
with ``textContent`` or escaped in the browser: nothing from a data file is ever parsed
as HTML. The only scripts are Leaflet's own, from the URLs in ``geo.assets``, and ours,
from ``geo/static/map/``.

About 620 lines: one module turns every layer into the data its script draws (features for
incidents, provinces and origins; column arrays and density cells for large filters), so
the payload contract with ``geo/static/map/*.js`` is in one place.
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

from geo import fields, stats
from geo import provenance as pv
from geo import schema as s
from geo.assets import MapAssets, inline_leaflet, map_css, map_script
from geo.basemaps import BASEMAPS
from geo.density import DENSITY_CELL_KM, density_cells
from geo.i18n import Translator
from geo.layers import ANALYSIS_CRS, STORAGE_CRS
from geo.maptext import (
    BOUNDARY_ATTRIBUTION,
    DATE_UNITS,
    LAYER_BORDER,
    LAYER_INCIDENTS,
    LAYER_ORIGINS,
    LAYER_PROVINCES,
    script_text,
)

#: Province shading by incident count: (lowest count, colour), fixed so the legend is fixed.
SHADE_BINS: Final[tuple[tuple[int, str], ...]] = (
    (0, "#f7f7f7"), (1, "#dadaeb"), (3, "#bcbddc"), (6, "#9e9ac8"), (11, "#756bb1"),
    (21, "#54278f"),
)
#: Event types in vocabulary order: a type's place is its marker shape (``shapeSvg`` in
#: ``geo/static/map/helpers.js``, ``geo.figure.SHAPES``).
TYPE_ORDER: Final = tuple(s.EVENT_TYPES)
#: The border line's colour, on the map and in its legend.
BORDER_COLOR: Final = "#111111"
DEFAULT_CENTER: Final = (37.6, 71.0)
DEFAULT_ZOOM: Final = 7

#: How incidents are drawn, by how many the filter shows (benchmarks/PERFORMANCE figures):
#: one by one with full popups; as canvas markers with abridged popups; as density cells.
DrawMode = Literal["detailed", "compact", "density"]
DETAILED_MAX: Final = 1_500
COMPACT_MAX: Final = 15_000


_JINJA_OPEN: Final = re.compile(r"\{(?=[{%#])")


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


class _RawJS(Element):
    """Script text placed in the page as it is: never compiled as a Jinja template."""

    def __init__(self, code: str) -> None:
        super().__init__()  # no template: compiling even an empty one costs a Jinja parse
        self.code = code

    def render(self, **kwargs: Any) -> str:
        return self.code


class _Script(MacroElement):
    """One of our map scripts (``geo/static/map/<name>.js``, helpers first), run in the
    context of its parent layer as ``parent``; its data goes in as JSON, as ``data``, and
    its labels in the reader's language as ``T`` (``geo.maptext``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var data = {{ this.data }};
            var T = {{ this.text }};
            {{ this.code }}
        })();
        {% endmacro %}
    """)

    def __init__(self, name: str, data: Any, _: Translator) -> None:
        super().__init__()
        self._name = "PbwScript"
        self.code = map_script(name)
        self.data = safe_json(data)
        self.text = safe_json(script_text(_))

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
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


def _legend_data(_: Translator) -> dict[str, Any]:
    bins = []
    for i, (lowest, colour) in enumerate(SHADE_BINS):
        nxt = SHADE_BINS[i + 1][0] if i + 1 < len(SHADE_BINS) else None
        if lowest == 0:
            label = _("none")
        elif nxt is None:
            label = _("{n} or more", n=_.num(lowest))
        elif nxt - 1 == lowest:
            label = _.num(lowest)
        else:
            label = f"{_.num(lowest)}–{_.num(nxt - 1)}"
        bins.append((label, colour))
    return {"types": [(_(t.label), t.color, i) for i, t in enumerate(s.EVENT_TYPES.values())],
            "shades": bins}


def build_base_map(
    border: gpd.GeoDataFrame,
    *,
    assets: MapAssets,
    basemap: str = "streets",
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    _: Translator,
) -> folium.Map:
    """The part of the map that no filter changes: tiles, border, legend, styles.

    Parameters
    ----------
    border
        The border line (EPSG:4326), e.g. the display copy.
    assets
        Where the browser loads Leaflet from (see ``geo.assets.map_assets``).
    basemap
        A key of ``geo.basemaps.BASEMAPS``.
    center, zoom
        The initial view; when either is None the map fits the whole border.
    _
        The reader's language (``geo.i18n``): layer names, legend, attribution.

    Returns
    -------
    folium.Map
        With no CDN script or stylesheet: only ``assets``.
    """
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
    root: Any = m.get_root()  # a branca Figure: it has a header
    root.header.add_child(_RawJS(f"<style>{map_css()}</style>"), name="pbw_css")
    # Drawing order above the shaded provinces (overlayPane, 400): names, border,
    # origin arrows, incidents; all below Leaflet's tooltips (650) and popups (700).
    for pane, z_index, clickable in (("pbw-labels", 410, False), ("pbw-border", 420, True),
                                     ("pbw-origins", 430, True), ("pbw-incidents", 440, True)):
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=clickable).add_to(m)
    background = BASEMAPS[basemap]
    if background.url is None:
        _BlankBase(_(background.label)).add_to(m)
    else:
        folium.TileLayer(background.url, attr=background.attribution, name=_(background.label),
                         max_zoom=background.max_zoom, max_native_zoom=background.max_zoom,
                         overlay=False, control=True).add_to(m)
    border_fg = folium.FeatureGroup(name=_(LAYER_BORDER), overlay=True, control=True,
                                    show=True)
    line = border.geometry.iloc[0]
    length = border["length_km"].iloc[0] if "length_km" in border else None
    tip = _(LAYER_BORDER) + (_(" ({km} km as drawn at 1:10m; officially about {official} km)",
                               km=_.num(length), official=_.num(1350)) if length else "")
    border_fg.add_child(_Script("border", {
        "type": "Feature", "properties": {"tip": tip, "color": BORDER_COLOR},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in line.coords]}}, _))
    border_fg.add_to(m)
    m.add_child(_Script("legend", {**_legend_data(_), "borderColor": BORDER_COLOR,
                                   "attribution": _(BOUNDARY_ATTRIBUTION)}, _))
    if fit:
        minx, miny, maxx, maxy = border.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


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

    def describe(self, _: Translator) -> str:
        """One sentence for the page: how the incidents are drawn, and why."""
        if self.mode == "detailed":
            return _.ngettext("{n} incident drawn one by one; click one for its full record "
                              "and sources.",
                              "{n} incidents drawn one by one; click one for its full record "
                              "and sources.", self.n_markers)
        if self.mode == "compact":
            return _("{n} incidents drawn as fast canvas markers (more than {max}): popups "
                     "are abridged, the Data page has every field, and origin arrows are "
                     "hidden.", n=_.num(self.n_markers), max=_.num(DETAILED_MAX))
        return _("{n} incidents drawn as density: {cells} cells of {km} km, sized by count "
                 "(more than {max} in this filter). Narrow the dates, regions or types to see "
                 "each incident.", n=_.num(self.n_markers), cells=_.num(self.n_cells),
                 km=_.num(DENSITY_CELL_KM), max=_.num(COMPACT_MAX))


def _count(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


@dataclass(frozen=True)
class Clicked:
    """What a click on the map hit: a province (``ref`` is its ISO code) or an incident
    (``ref`` is its id). Every clickable feature this module draws carries ``kind`` and
    ``ref`` in its properties, and streamlit-folium hands them back as
    ``last_active_drawing``: no display text is ever parsed."""

    kind: Literal["province", "incident"]
    ref: str


def incident_anchor(incidents: pd.DataFrame, incident: str | None, *,
                    zoom: int = 9) -> tuple[float, float, int] | None:
    """Where a link that opens ``incident`` (and gives no map view) centres the map: its
    point at ``zoom``, or None when the incident is unknown or has no point."""
    if not incident:
        return None
    rows = incidents[(incidents[s.ID] == incident) & incidents[s.LAT].notna()]
    if rows.empty:
        return None
    return float(rows[s.LAT].iloc[0]), float(rows[s.LON].iloc[0]), zoom


def clicked(drawing: Any) -> Clicked | None:
    """Read a click from streamlit-folium's ``last_active_drawing`` (a GeoJSON feature).

    Returns None for no click, or for a feature that is not one of ours (e.g. the border).
    """
    if not isinstance(drawing, dict):
        return None
    props = drawing.get("properties")
    if not isinstance(props, dict):
        return None
    kind, ref = props.get("kind"), props.get("ref")
    if kind not in ("province", "incident") or not isinstance(ref, str) or not ref:
        return None
    return Clicked(kind, ref)


def popup_labels(_: Translator) -> list[str]:
    """The popup's row labels, sent once with the incidents (each feature carries only its
    ``values``, in this order)."""
    return [_(f.label) for f in fields.shown_in("popup")]


def incident_features(incidents: gpd.GeoDataFrame,
                      _: Translator) -> list[dict[str, Any]]:
    """GeoJSON features of the located incidents, with everything the tooltip and popup show
    (labels in the language of ``_``; the data's own text as it was written)."""
    text = s.cell_text
    popup_fields = fields.shown_in("popup")
    point_at = [f.key for f in popup_fields].index("point")
    located = incidents[incidents.geometry.notna()]
    keys = located[s.LAT].round(5).astype(str) + "," + located[s.LON].round(5).astype(str)
    group_size = keys.map(keys.value_counts())
    group_rank = keys.groupby(keys).cumcount()
    features = []
    # plain dicts, not iterrows: a row Series of mixed types costs a dtype search per row
    rows = pd.DataFrame(located.drop(columns=located.geometry.name)).to_dict("records")
    for row, n, k in zip(rows, group_size, group_rank, strict=True):
        etype = s.EVENT_TYPES[row[s.EVENT_TYPE]]
        type_label = _(etype.label)
        region_name = s.region_label(row[s.REGION_CODE], _)
        day = _.date(row[s.DATE])
        if row[s.DATE_PRECISION] != "day":
            day += f" (±{_(DATE_UNITS[row[s.DATE_PRECISION]])})"
        place = ", ".join(p for p in (text(row[s.LOCATION]), text(row[s.DISTRICT]),
                                      region_name) if p)
        killed, injured = _count(row[s.FATALITIES]), _count(row[s.INJURED])
        gp = int(row[s.GEO_PRECISION])
        values = [f.value(row, _) for f in popup_fields]
        if n > 1:  # the point's row says the marker is drawn beside it
            values[point_at] += " " + _.ngettext(
                "(drawn slightly apart from {n} other incident at this point)",
                "(drawn slightly apart from {n} other incidents at this point)", n - 1)
        tip = f"{day} · {type_label} · {text(row[s.DISTRICT]) or region_name} · {row[s.ID]}"
        if row.get(s.DATASET) == s.YOURS:
            tip = _("Your data") + " · " + tip
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row[s.LON], row[s.LAT]]},
            "properties": {
                "id": row[s.ID], "tip": tip, "title": f"{day} — {type_label}",
                "place": place, "summary": text(row[s.SUMMARY]),
                # geo.fields' popup fields, in the order of popup_labels ("" = not shown)
                "values": values,
                "killed": killed, "injured": injured, "notes": text(row[s.NOTES]),
                "sources": [{"outlet": src.outlet, "date": src.published, "url": src.url}
                            for src in s.parse_sources(row[s.SOURCES])],
                "mine": bool(row.get(s.DATASET) == s.YOURS),
                "color": etype.color, "radius": marker_radius(killed, injured),
                "geoPrecision": gp, "groupSize": int(n), "groupIndex": int(k),
                "shape": TYPE_ORDER.index(row[s.EVENT_TYPE]),
                "kind": "incident", "ref": row[s.ID],
            },
        })
    return features


def province_features(provinces: gpd.GeoDataFrame, counts: dict[str, int],
                      _: Translator) -> list[dict[str, Any]]:
    """Province polygons with their shade, hover text and label point."""
    _require_crs(provinces, "provinces")
    features = []
    for _i, row in provinces.iterrows():
        code = row["iso_3166_2"]
        region = s.REGIONS[code]
        n = counts.get(code, 0)
        label_pt = row.geometry.representative_point()
        geom = mapping(row.geometry)
        features.append({
            "type": "Feature", "geometry": geom,
            "properties": {
                "kind": "province", "ref": code, "fill": shade_for(n),
                "short": _(region.name),
                "tip": f"{region.label(_)} · {code} · " + _.ngettext(
                    "{n} incident in this view (click to filter)",
                    "{n} incidents in this view (click to filter)", n),
                "labelLat": round(label_pt.y, 4), "labelLon": round(label_pt.x, 4),
            },
        })
    return features


def origin_features(incidents: gpd.GeoDataFrame,
                    _: Translator) -> list[dict[str, Any]]:
    """A dashed line from each reported origin to its incident, with an arrowhead."""
    rows = incidents[incidents[s.ORIGIN_LAT].notna() & incidents[s.LAT].notna()]
    if rows.empty:
        return []
    fwd = Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True)
    inv = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    features = []
    for row in pd.DataFrame(rows.drop(columns=rows.geometry.name)).to_dict("records"):
        ox, oy = fwd.transform(row[s.ORIGIN_LON], row[s.ORIGIN_LAT])
        tx, ty = fwd.transform(row[s.LON], row[s.LAT])
        length = float(np.hypot(tx - ox, ty - oy))
        tip = _("Attackers reportedly came from: {origin}", origin=s.cell_text(
            row[s.ORIGIN])) + f" → {row[s.ID]}"
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
    cells: dict[str, Any] | None = None,
    _: Translator,
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
    cells
        The density cells of ``incidents`` when already summed elsewhere (the team store
        sums them in SQL); used only when the mode is density.
    _
        The reader's language (``geo.i18n``) for labels, tooltips and popups.
    """
    _require_crs(incidents, "incidents")
    has_point = incidents.geometry.notna()
    located = incidents if has_point.all() else incidents[has_point]
    mode = mode or choose_mode(len(located))
    prov_fg = folium.FeatureGroup(name=_(LAYER_PROVINCES), overlay=True, control=True)
    prov_fg.add_child(_Script("provinces", {
        "type": "FeatureCollection", "features": province_features(provinces, counts, _)}, _))
    orig_fg = folium.FeatureGroup(name=_(LAYER_ORIGINS), overlay=True, control=True)
    origins = origin_features(located, _) if mode == "detailed" else []
    orig_fg.add_child(_Script("origins", {"type": "FeatureCollection", "features": origins},
                              _))
    inc_fg = folium.FeatureGroup(name=_(LAYER_INCIDENTS), overlay=True, control=True)
    n_cells = 0
    if mode == "detailed":
        inc_fg.add_child(_Script("incidents", {"type": "FeatureCollection",
                                                 "labels": popup_labels(_),
                                                 "features": incident_features(located, _)},
                                 _))
    elif mode == "compact":
        inc_fg.add_child(_Script("compact", compact_columns(located, _), _))
    else:
        if cells is None:
            cells = density_cells(located)
        n_cells = len(cells["lat"])
        # the cells' type labels are the English ones (they may come from SQL): the
        # English label is the catalog's key
        inc_fg.add_child(_Script("density", {**cells, "top": [_(t) for t in cells["top"]]},
                                 _))
    band_fg = None
    if band is not None:
        km, area = band
        band_fg = folium.FeatureGroup(name=_("Within {km} km of the border", km=_.num(km)),
                                      overlay=True, control=True)
        band_fg.add_child(_Script("band", {"type": "Feature", "geometry": mapping(area),
                                             "properties": {"tip": _(
                                                 "Within {km} km of the border (geodesic)",
                                                 km=_.num(km))}}, _))
    return MapLayers(prov_fg, orig_fg, inc_fg, len(located), mode, n_cells, band_fg)


def choose_mode(n_located: int) -> DrawMode:
    """Detailed up to ``DETAILED_MAX`` incidents, compact up to ``COMPACT_MAX``, then density."""
    if n_located <= DETAILED_MAX:
        return "detailed"
    return "compact" if n_located <= COMPACT_MAX else "density"


def compact_columns(located: gpd.GeoDataFrame, _: Translator) -> dict[str, Any]:
    """Column arrays for canvas markers: a few bytes per incident, built without a loop.

    Markers are smaller than in detailed mode (``4 + 1.5 * sqrt(n)`` pixels rather than
    ``marker_radius``), because up to ``COMPACT_MAX`` of them share the map.
    """
    types = list(s.EVENT_TYPES)
    killed = located[s.FATALITIES]
    injured = located[s.INJURED]
    first_url = located[s.SOURCES].str.extract(r"(https?://[^\s|]+)", expand=False)
    casualties = (killed.fillna(0).astype(float).to_numpy()
                  + injured.fillna(0).astype(float).to_numpy())
    return {
        "lat": located[s.LAT].round(5).tolist(), "lon": located[s.LON].round(5).tolist(),
        "type": located[s.EVENT_TYPE].map(types.index).astype(int).tolist(),
        "types": [[_(s.EVENT_TYPES[t].label), s.EVENT_TYPES[t].color] for t in types],
        "id": located[s.ID].tolist(),
        "date": fields.each_distinct(located[s.DATE], lambda d: _.date(pd.Timestamp(d).date())),
        # geo.fields' compact fields: [label, a value per incident]
        "fields": [[_(f.label), f.column(located, _)] for f in fields.shown_in("compact")],
        "radius": (4.0 + 1.5 * np.sqrt(casualties)).round(1).tolist(),
        "place": (located[s.DISTRICT].where(located[s.DISTRICT] != "",
                                            located[s.REGION_CODE].map(
                                                lambda c: s.region_label(c, _)))
                  + ", " + located[s.REGION_CODE]).tolist(),
        "source": first_url.where(first_url.notna(), None).tolist(),
        "mine": (located[s.DATASET] == s.YOURS).tolist() if s.DATASET in located
        else [False] * len(located),
    }


def standalone_html(base: folium.Map, layers: MapLayers | Sequence[folium.FeatureGroup]) -> str:
    """The whole map as one HTML page (layers and a layer control added to ``base``)."""
    groups = layers.groups() if isinstance(layers, MapLayers) else list(layers)
    for fg in groups:
        fg.add_to(base)
    folium.LayerControl(collapsed=False).add_to(base)
    return base.get_root().render()


def export_html(frame: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                border: gpd.GeoDataFrame, *, basemap: str, filter_lines: list[str],
                link: str, made: str, _: Translator) -> str:
    """The current view as one HTML file that opens without the server.

    Leaflet is inlined from its installed package, so the file needs no network except
    for background tiles; it names the filter it was made with, its link and attribution.
    """
    js, css = inline_leaflet()
    base = build_base_map(border, assets=MapAssets(js=(), css=()), basemap=basemap, _=_)
    # raw elements: Leaflet's own source is never parsed as a Jinja template
    root: Any = base.get_root()  # a branca Figure: it has a header
    root.header.add_child(_RawJS(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(_RawJS(f"<script>{js}</script>"), name="leaflet_js")
    built = build_layers(frame, provinces, stats.counts_by_region(frame), _=_)
    base.add_child(_Script("export_note", {
        "title": _("Panj Border Watch — exported map"),
        "lines": [*filter_lines, built.describe(_),
                  _("Made {made}.", made=made) + " " + _(BOUNDARY_ATTRIBUTION) + ".",
                  *filter(None, [pv.credit(frame, _)])],
        "link": link}, _))
    return standalone_html(base, built)
