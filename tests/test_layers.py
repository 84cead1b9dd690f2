"""The boundary layers in data/: right provinces, right shapes, sizes and border line."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo import layers
from geo.errors import LayerError
from geo.layers import geodesic_area_km2, geodesic_length_km
from geo.schema import REGIONS

#: Official areas (km²) quoted in data/SOURCES.md; the 1:10m shapes must come within 4%.
OFFICIAL_AREA_KM2 = {"TJ-GB": 64_200, "TJ-KT": 24_800, "AF-BDS": 44_059}


def test_provinces_are_the_six_border_provinces(provinces: gpd.GeoDataFrame) -> None:
    assert sorted(provinces["iso_3166_2"]) == sorted(REGIONS)
    assert provinces.crs.to_epsg() == 4326
    assert provinces.is_valid.all()
    assert set(provinces.geom_type) <= {"Polygon", "MultiPolygon"}
    by_code = provinces.set_index("iso_3166_2")
    assert by_code.loc["TJ-GB", "country"] == "TJ"
    assert by_code.loc["AF-BDS", "country"] == "AF"
    # "Badakhshan" exists on both sides: the labels must tell them apart
    assert by_code.loc["AF-BDS", "label"] == "Badakhshan (Afghanistan)"
    assert by_code.loc["TJ-GB", "label"] == "Gorno-Badakhshan (Tajikistan)"


@pytest.mark.parametrize(("code", "official"), sorted(OFFICIAL_AREA_KM2.items()))
def test_area_close_to_official_figure(provinces: gpd.GeoDataFrame, code: str,
                                       official: float) -> None:
    geom = provinces.set_index("iso_3166_2").geometry[code]
    area = geodesic_area_km2(geom)
    assert abs(area - official) / official < 0.04, f"{code}: {area:.0f} km² vs {official}"
    stored = provinces.set_index("iso_3166_2").loc[code, "area_km2"]
    assert stored == pytest.approx(area, abs=0.1)


def test_known_towns_fall_in_their_province(provinces: gpd.GeoDataFrame) -> None:
    towns = {  # GeoNames points
        "TJ-GB": (71.55304, 37.48974),  # Khorugh
        "TJ-KT": (68.77905, 37.91459),  # Qurghonteppa (Bokhtar)
        "AF-BDS": (70.57292, 37.11664),  # Fayzabad
        "AF-KDZ": (68.86057, 36.72896),  # Kunduz city
    }
    for code, (lon, lat) in towns.items():
        got = layers.region_of_points(provinces, [lon], [lat]).iloc[0]
        assert got == code


def test_border_is_one_line_between_the_tripoints(border: gpd.GeoDataFrame) -> None:
    line = border.geometry.iloc[0]
    assert line.geom_type == "LineString" and line.is_valid and line.is_simple
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    # west end: the Uzbek tripoint on the Amu Darya; east end: the Chinese tripoint in the Wakhan
    assert 67.5 < x0 < 68.0 and 37.0 < y0 < 37.4
    assert 74.7 < x1 < 75.1 and 37.0 < y1 < 37.4
    length = geodesic_length_km(line)
    assert border.loc[0, "length_km"] == pytest.approx(length, abs=0.1)
    # 1:10m generalisation shortens the river's bends: official figure is ~1,344–1,357 km
    assert 1_100 < length < 1_400


def test_border_runs_between_the_two_countries(provinces: gpd.GeoDataFrame,
                                               border: gpd.GeoDataFrame) -> None:
    line = border.to_crs(layers.ANALYSIS_CRS).geometry.iloc[0]
    by_country = provinces.to_crs(layers.ANALYSIS_CRS).dissolve("country").geometry
    for country in ("TJ", "AF"):
        assert by_country[country].boundary.hausdorff_distance(line) > 0  # sanity
        assert line.distance(by_country[country].boundary) < 1.0  # metres
        # every vertex of the border lies on that country's outline
        verts = shapely.points(shapely.get_coordinates(line))
        assert max(by_country[country].boundary.distance(v) for v in verts) < 1.0
    # the two sides touch along the border and do not overlap
    assert by_country["TJ"].intersection(by_country["AF"]).area < 1.0


def test_display_copy_keeps_shared_edges_and_is_small() -> None:
    display = layers.load_provinces(layers.PROVINCES_DISPLAY_FILE)
    assert display.is_valid.all()
    assert shapely.coverage_is_valid(display.geometry.to_numpy())
    border = layers.load_border(layers.BORDER_DISPLAY_FILE)
    tj = display[display.country == "TJ"].union_all()
    af = display[display.country == "AF"].union_all()
    assert border.geometry.iloc[0].difference(tj.boundary.intersection(af.boundary)
                                              .buffer(1e-9)).is_empty
    size = layers.PROVINCES_DISPLAY_FILE.stat().st_size + layers.BORDER_DISPLAY_FILE.stat().st_size
    assert size < 300_000
    full = layers.load_provinces()
    assert shapely.get_num_coordinates(display.geometry).sum() < \
        shapely.get_num_coordinates(full.geometry).sum()


def test_missing_layer_file_names_the_file_and_the_fix(tmp_path) -> None:
    with pytest.raises(LayerError, match=r"does not exist; rebuild the layers with `make data`"):
        layers.load_provinces(tmp_path / "nope.geojson")


def test_layer_with_unknown_code_is_rejected(tmp_path, provinces) -> None:
    bad = provinces.copy()
    bad.loc[0, "iso_3166_2"] = "XX-ZZ"
    path = tmp_path / "p.geojson"
    bad.drop(columns="label").to_file(path, driver="GeoJSON")
    with pytest.raises(LayerError, match=r"unknown iso_3166_2 codes \['XX-ZZ'\]"):
        layers.load_provinces(path)


def test_point_outside_every_province_has_no_region(provinces) -> None:
    assert layers.region_of_points(provinces, [0.0], [0.0]).iloc[0] is None
    assert layers.distance_to_region_km(provinces, [70.0], [37.84], ["TJ-KT"])[0] == 0
    far = layers.distance_to_region_km(provinces, [Point(0, 0).x], [0.0], ["TJ-KT"])[0]
    assert far > 5_000
