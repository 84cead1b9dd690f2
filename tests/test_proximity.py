"""Distance to the border (geodesic), side, cross-border origin and the band on the map."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from geo import proximity
from geo import schema as s

from .conftest import fixture_frame


@pytest.fixture(scope="module")
def near(border, provinces):
    return proximity.add_proximity(fixture_frame(), border, provinces)


def test_a_vertex_of_the_border_is_at_distance_zero(border) -> None:
    x, y = border.geometry.iloc[0].coords[100]
    assert proximity.border_distance_km(border.geometry.iloc[0], np.array([x]),
                                        np.array([y]))[0] == pytest.approx(0, abs=0.01)


def test_distance_is_geodesic_to_the_nearest_point(border) -> None:
    line = border.geometry.iloc[0]
    x, y = line.coords[100]
    # 10 km due north of a border vertex: the nearest point is at most 10 km away
    lon2, lat2, _ = Geod(ellps="WGS84").fwd(x, y, 0, 10_000)
    d = proximity.border_distance_km(line, np.array([lon2]), np.array([lat2]))[0]
    assert 0 < d <= 10.0 + 1e-6
    assert np.isnan(proximity.border_distance_km(line, np.array([np.nan]),
                                                 np.array([37.0]))[0])


def test_bundled_incidents_are_near_the_border(near) -> None:
    km = near[proximity.BORDER_KM]
    assert km.isna().sum() == 3  # the three unlocated incidents
    assert km.max() < 25
    camp = near.set_index(s.ID).loc["PBW-0024"]
    assert camp[proximity.BORDER_KM] == pytest.approx(11.5, abs=0.2)  # Shurobod centre


def test_cross_border_from_origin_point_or_origin_text(near) -> None:
    by_id = near.set_index(s.ID)[proximity.CROSS_BORDER]
    assert by_id["PBW-0024"] is True or bool(by_id["PBW-0024"])  # origin point in Afghanistan
    assert bool(by_id["PBW-0026"])  # origin text "Afghanistan; …", no point
    assert by_id.isna()["PBW-0027"]  # no origin reported: unknown, not False
    assert int(near[proximity.CROSS_BORDER].fillna(False).sum()) == 20


def test_within_mask_and_bad_distance(near) -> None:
    assert proximity.within_km(near, None).all()
    five = proximity.within_km(near, 5)
    assert five.sum() == (near[proximity.BORDER_KM] <= 5).sum() and not five[near.lat.isna()].any()
    with pytest.raises(ValueError, match=r"km must be above 0 and at most 200; got 0"):
        proximity.within_km(near, 0)


def test_band_is_a_polygon_around_the_whole_line(border) -> None:
    area = proximity.band(border, 10)
    assert area.geom_type in ("Polygon", "MultiPolygon") and area.is_valid
    assert area.contains(border.geometry.iloc[0])
