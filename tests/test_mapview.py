"""The folium map, inspected without a browser: layers, escaping, assets, stable base."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pandas as pd
import pytest
from streamlit_folium import _get_map_string, generate_js_hash

from geo import assets, density, figure, filters, layers, mapview, stats
from geo import schema as s
from geo.filters import IncidentFilter
from geo.i18n import ENGLISH
from geo.incidents import from_table

from .conftest import IN_CI, ROOT, fixture_frame, good_row

ASSETS = assets.map_assets()
HOSTILE = {
    "summary": "</script><script>alert('x')</script> ${alert(2)} `tick` \\1",
    "victims": "<img src=x onerror=alert(1)>",
    "perpetrator": "\" onmouseover=\"alert(3)",
    "district": "<b>bold</b>",
    "sources": "Evil <i>outlet</i>, 2025-11-27, https://example.org/?q=%3Cscript%3E",
}


@pytest.fixture(scope="module")
def display():
    return (layers.load_provinces(layers.PROVINCES_DISPLAY_FILE),
            layers.load_border(layers.BORDER_DISPLAY_FILE))


def render(frame, display, **kwargs) -> str:
    provinces, border = display
    base = mapview.build_base_map(border, assets=ASSETS, **{"_": ENGLISH, **kwargs})
    return mapview.standalone_html(base, mapview.build_layers(
        frame, provinces, stats.counts_by_region(frame), _=ENGLISH))


def test_layers_and_markers(display) -> None:
    frame = fixture_frame()
    provinces, _ = display
    built = mapview.build_layers(frame, provinces, stats.counts_by_region(frame), _=ENGLISH)
    assert built.n_markers == 27  # 30 incidents, 3 without a point
    names = [fg.layer_name for fg in built.groups()]
    assert names == [mapview.LAYER_PROVINCES, mapview.LAYER_ORIGINS, mapview.LAYER_INCIDENTS]
    feats = mapview.incident_features(frame, _=ENGLISH)
    assert {f["properties"]["id"] for f in feats} >= {"PBW-0024", "PBW-0025"}
    camp = next(f for f in feats if f["properties"]["id"] == "PBW-0024")
    assert camp["properties"]["killed"] == 3 and camp["properties"]["injured"] == 1
    assert camp["properties"]["groupSize"] > 1  # shares Shurobod with other incidents
    # six origins, line + arrowhead each
    assert len(mapview.origin_features(frame, _=ENGLISH)) == 2 * 6


def test_rendered_html_uses_only_local_assets(display) -> None:
    html = render(fixture_frame(), display, _=ENGLISH)
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(u.startswith("/app/static/vendor/leaflet/") for u in srcs), srcs
    for cdn in ("cdn.jsdelivr", "cdnjs", "unpkg", "code.jquery", "bootstrapcdn", "d3js.org",
                "rawcdn", "googleapis"):
        assert cdn not in html
    assert "L.geoJSON" in html and "Legend" in html and mapview.LAYER_BORDER in html


def test_only_tile_and_source_urls_appear(display) -> None:
    frame = fixture_frame()
    html = render(frame, display, basemap="none", _=ENGLISH)
    urls = set(re.findall(r"https?://[^\s\"'<>\\`]+", html))
    sources = {src.url for text in frame[s.SOURCES] for src in s.parse_sources(text)}
    attribution = {"https://www.openstreetmap.org/copyright", "https://opentopomap.org"}
    namespace = {"http://www.w3.org/2000/svg"}  # names SVG elements; never fetched
    assert urls - sources - attribution - namespace == set()
    assert "tile.openstreetmap.org" not in html  # no tiles at all with basemap=none


def test_hostile_text_never_reaches_the_page_as_markup(display) -> None:
    frame = from_table(pd.DataFrame([good_row(**HOSTILE)])).frame
    html = render(frame, display, _=ENGLISH)
    for needle in ("<script>alert", "<img src=x", "<b>bold</b>",
                   "${alert", "`tick`", "<i>outlet</i>"):
        assert needle not in html, needle
    # the text itself is there, escaped as JSON unicode, to be set with textContent
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "\\u0024{alert(2)}" in html


def test_safe_json_escapes_every_breakout_character() -> None:
    text = mapview.safe_json({"a": "</script>`${x}`&\u2028"})
    assert not set("<>`$&") & set(text)
    assert "\u2028" not in text


def test_base_map_does_not_depend_on_the_filter(display) -> None:
    """Same base → same streamlit-folium component key → filtering never remounts it."""
    _, border = display
    one = mapview.build_base_map(border, assets=ASSETS, _=ENGLISH)
    two = mapview.build_base_map(border, assets=ASSETS, _=ENGLISH)
    key = [generate_js_hash(_get_map_string(m), "k") for m in (one, two)]
    assert key[0] == key[1]
    other = mapview.build_base_map(border, assets=ASSETS, basemap="terrain", _=ENGLISH)
    assert generate_js_hash(_get_map_string(other), "k") != key[0]


def test_initial_view_from_link(display) -> None:
    _, border = display
    fitted = mapview.build_base_map(border, assets=ASSETS, _=ENGLISH).get_root().render()
    assert "fitBounds" in fitted
    m = mapview.build_base_map(border, assets=ASSETS, center=(37.9, 70.4), zoom=9, _=ENGLISH)
    assert m.location == [37.9, 70.4] and m.options["zoom"] == 9
    assert "fitBounds" not in m.get_root().render()


def test_shading_follows_the_filter(display) -> None:
    provinces, _ = display
    frame = filters.apply(fixture_frame(),
                          IncidentFilter(date(2025, 11, 26), date(2025, 11, 30)))
    feats = mapview.province_features(provinces, stats.counts_by_region(frame), _=ENGLISH)
    fills = {f["properties"]["ref"]: f["properties"]["fill"] for f in feats}
    assert fills["TJ-KT"] == mapview.shade_for(1) != fills["AF-BAL"] == mapview.shade_for(0)


@pytest.mark.parametrize(("count", "colour"), [(0, "#f7f7f7"), (2, "#dadaeb"), (5, "#bcbddc"),
                                               (11, "#756bb1"), (500, "#54278f")])
def test_shade_bins(count, colour) -> None:
    assert mapview.shade_for(count) == colour


def test_bad_arguments_are_named(display) -> None:
    _, border = display
    with pytest.raises(ValueError, match=r"basemap must be one of .* got 'google'"):
        mapview.build_base_map(border, assets=ASSETS, basemap="google", _=ENGLISH)
    with pytest.raises(ValueError, match=r"border must be in EPSG:4326"):
        mapview.build_base_map(border.to_crs(3857), assets=ASSETS, _=ENGLISH)


def test_asset_urls_follow_the_base_path() -> None:
    assert assets.map_assets("panj").js[0][1] == "/panj/app/static/vendor/leaflet/leaflet.js"
    assert assets.map_assets("").css[0][1] == "/app/static/vendor/leaflet/leaflet.css"


def test_assets_install_copies_leaflet(tmp_path) -> None:
    folder = assets.install(tmp_path)
    assert (folder / "leaflet.js").stat().st_size > 100_000
    assert (folder / "leaflet.css").is_file() and (folder / "images" / "layers.png").is_file()


JINJA = "X{{ 7*7 }}Y{% if true %}Z{% endif %}{# c #} {{ cycler.__init__.__globals__ }}"


def test_template_syntax_in_data_is_never_evaluated(display) -> None:
    """Regression: folium renders through Jinja; '{{ 7*7 }}' in an incident once became 49
    on the server, and Jinja's globals reached the operating system."""
    from streamlit_folium import _get_feature_group_string

    frame = from_table(pd.DataFrame([good_row(summary=JINJA)])).frame
    html = render(frame, display, _=ENGLISH)
    assert "X49Y" not in html and "__globals__" in html
    assert "X\\u007b{ 7*7 }}Y" in html
    provinces, border = display
    base = mapview.build_base_map(border, assets=ASSETS, _=ENGLISH)
    built = mapview.build_layers(frame, provinces, stats.counts_by_region(frame), _=ENGLISH)
    sent = "".join(_get_feature_group_string(fg, base, i) for i, fg in enumerate(built.groups()))
    assert "X49Y" not in sent and "X\\u007b{ 7*7 }}Y" in sent


def test_safe_json_round_trips_jinja_like_text() -> None:
    import json

    obj = {"a": JINJA, "b": [{"c": {"d": "{x}"}}]}
    text = mapview.safe_json(obj)
    assert "{{" not in text and "{%" not in text and "{#" not in text
    assert json.loads(text) == obj


@pytest.mark.parametrize(("n", "mode"), [(0, "detailed"), (1_500, "detailed"),
                                         (1_501, "compact"), (15_000, "compact"),
                                         (15_001, "density")])
def test_mode_follows_the_number_of_incidents(n, mode) -> None:
    assert mapview.choose_mode(n) == mode


@pytest.mark.parametrize("mode", ["compact", "density"])
def test_large_modes_keep_counts_and_escape_text(display, mode) -> None:
    frame = fixture_frame()
    provinces, _ = display
    built = mapview.build_layers(frame, provinces, stats.counts_by_region(frame), mode=mode,
                                 _=ENGLISH)
    assert built.mode == mode and built.n_markers == 27
    assert str(built.n_markers) in built.describe(_=ENGLISH)
    if mode == "density":
        cells = density.density_cells(frame[frame.geometry.notna()])
        assert sum(cells["count"]) == 27 and built.n_cells == len(cells["count"])
        assert sum(cells["killed"]) == int(
            frame.loc[frame.geometry.notna(), s.FATALITIES].sum())
    else:
        cols = mapview.compact_columns(frame[frame.geometry.notna()], _=ENGLISH)
        assert len(cols["id"]) == 27
        assert all(u.startswith(("http://", "https://")) for u in cols["source"])
    hostile = from_table(pd.DataFrame([good_row(**HOSTILE)])).frame
    html = mapview.standalone_html(
        mapview.build_base_map(display[1], assets=ASSETS, _=ENGLISH),
        mapview.build_layers(hostile, provinces, stats.counts_by_region(hostile), mode=mode,
                             _=ENGLISH))
    assert "<img src=x" not in html and "<b>bold</b>" not in html


def test_every_clickable_feature_says_what_a_click_means(display) -> None:
    """The click contract: each feature's properties read back as its id or ISO code."""
    frame = fixture_frame()
    provinces, _ = display
    for feature in mapview.incident_features(frame, _=ENGLISH):
        hit = mapview.clicked(feature)
        assert hit == mapview.Clicked("incident", feature["properties"]["id"])
    counts = stats.counts_by_region(frame)
    codes = {mapview.clicked(f).ref
             for f in mapview.province_features(provinces, counts, _=ENGLISH)}
    assert codes == set(provinces["iso_3166_2"])


@pytest.mark.parametrize("drawing", [
    None, "PBW-0024", {}, {"properties": None}, {"properties": {"kind": "incident"}},
    {"properties": {"kind": "border", "ref": "x"}}, {"properties": {"kind": "incident",
                                                                    "ref": 5}},
    {"type": "Feature", "properties": {"tip": "26 Nov 2025 · … · PBW-0024"}}])
def test_anything_else_is_no_click(drawing) -> None:
    assert mapview.clicked(drawing) is None


def test_compact_markers_carry_the_click_contract() -> None:
    script = assets.map_script("compact")
    assert "kind: 'incident', ref: data.id[j]" in script


def test_incident_anchor_is_its_point() -> None:
    frame = fixture_frame()
    row = frame[frame[s.LAT].notna()].iloc[0]
    assert mapview.incident_anchor(frame, row[s.ID]) == (row[s.LAT], row[s.LON], 9)
    unlocated = frame[frame[s.LAT].isna()].iloc[0][s.ID]
    assert mapview.incident_anchor(frame, unlocated) is None
    assert mapview.incident_anchor(frame, "NOPE") is None
    assert mapview.incident_anchor(frame, None) is None


@pytest.mark.parametrize("name", [*assets.MAP_SCRIPTS, "helpers"])
def test_every_map_script_parses(name, tmp_path) -> None:
    node = shutil.which("node")
    if node is None:
        if IN_CI:
            pytest.fail("node is needed to check the map's scripts under CI")
        pytest.skip("node is not installed: the map's scripts were not syntax-checked")
    text = assets.map_script(name) if name != "helpers" else assets.map_script("band")
    # as the page runs it: inside a function that receives parent and data
    path = tmp_path / f"{name}.js"
    path.write_text(f"(function(parent, data) {{\n{text}\n}});\n", encoding="utf-8")
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_unknown_map_script_is_named() -> None:
    with pytest.raises(ValueError, match=r"name must be one of .*; got 'nope'"):
        assets.map_script("nope")


def test_map_scripts_are_package_data() -> None:
    toml = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"static/map/*.js"' in toml and '"static/map/*.css"' in toml
    shipped = {p.stem for p in (ROOT / "geo" / "static" / "map").glob("*.js")}
    assert shipped == {*assets.MAP_SCRIPTS, "helpers"}


def test_every_event_type_has_one_marker_shape_on_the_map_and_in_the_figure() -> None:
    """The map's shapes (helpers.js) and the figure's (geo.figure.SHAPES) are one per type,
    in vocabulary order, so a type looks the same on screen and in print."""
    script = (ROOT / "geo" / "static" / "map" / "helpers.js").read_text(encoding="utf-8")
    block = script[script.index("var SHAPES = ["):script.index("];", script.index("var SHAPES"))]
    paths = re.findall(r"'M[^']*'(?:\s*\+\s*'[^']*')?", block)
    assert len(paths) == len(figure.SHAPES) == len(s.EVENT_TYPES)
    assert len(set(paths)) == len(paths)
    frame = fixture_frame()
    types = frame.set_index(s.ID)[s.EVENT_TYPE]
    for feature in mapview.incident_features(frame, _=ENGLISH):
        p = feature["properties"]
        assert p["shape"] == list(s.EVENT_TYPES).index(types[p["id"]])
