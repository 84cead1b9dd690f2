"""Exports reload cleanly, neutralise spreadsheet formulas, and the table keeps unknowns empty."""

from __future__ import annotations

import io
import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import shape

from geo import exports, tables
from geo import schema as s
from geo.i18n import ENGLISH, translator
from geo.incidents import from_table, read_csv_text
from geo.layers import DATA_DIR

from .conftest import ROOT, fixture_frame, good_row


def test_csv_export_reloads_into_the_same_incidents(provinces) -> None:
    original = fixture_frame()
    again = from_table(read_csv_text(exports.to_csv(original).decode()), regions=provinces)
    assert again.report.ok, again.report.summary()
    pd.testing.assert_frame_equal(again.frame.drop(columns="geometry"),
                                  original.drop(columns="geometry"))


def test_csv_export_neutralises_formulas() -> None:
    frame = from_table(pd.DataFrame([good_row(victims='=HYPERLINK("http://x","y")',
                                              notes="@SUM(A1)")])).frame
    text = exports.to_csv(frame).decode()
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert exports.neutralise_formulas(pd.Series(["-2+3", "plain"])).tolist() == \
        ["'-2+3", "plain"]


def test_geojson_export_is_points_with_null_for_unlocated() -> None:
    frame = fixture_frame()
    doc = json.loads(exports.to_geojson(frame))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 30
    nulls = [f for f in doc["features"] if f["geometry"] is None]
    assert len(nulls) == 3
    camp = next(f for f in doc["features"] if f["properties"]["id"] == "PBW-0024")
    assert camp["properties"]["fatalities"] == 3
    assert camp["properties"]["sources"][0]["url"].startswith("https://")


def test_table_keeps_missing_figures_missing_and_lists_source_links() -> None:
    frame = fixture_frame()
    table, n = tables.incident_table(frame)
    assert n == 3
    assert table["Killed"].isna().sum() == frame[s.FATALITIES].isna().sum()
    assert all(str(u).startswith(("http://", "https://"))
               for u in table["Source 1"])
    shown = tables.labelled(table, _=ENGLISH)
    assert shown.loc[shown.ID == "PBW-0024", "Region"].iloc[0] == "Khatlon (Tajikistan) · TJ-KT"
    assert shown.loc[shown.ID == "PBW-0024", "Type"].iloc[0] == "Cross-border attack"
    assert table.loc[table.ID == "PBW-0024", "Type"].iloc[0] == "cross_border_attack"  # codes
    russian = tables.labelled(table, translator("ru"))
    assert russian.loc[russian.ID == "PBW-0024", "Region"].iloc[0] == \
        "Хатлон (Таджикистан) · TJ-KT"


@pytest.mark.filterwarnings("ignore:File /vsimem/.*non conformant file extension")
def test_geopackage_export_reads_back_with_dates_as_dates(tmp_path) -> None:
    frame = fixture_frame()
    data = exports.to_geopackage(frame)
    assert data.startswith(b"SQLite format 3")
    back = gpd.read_file(io.BytesIO(data), layer="incidents")
    assert len(back) == len(frame) and back.crs.to_epsg() == 4326
    assert back.geometry.isna().sum() == frame.geometry.isna().sum()
    assert set(back["id"]) == set(frame[s.ID])
    assert pd.api.types.is_datetime64_any_dtype(back[s.DATE])
    assert (back[s.DATE].dt.date == frame[s.DATE].dt.date).all()
    path = tmp_path / "x.gpkg"
    path.write_bytes(data)
    with sqlite3.connect(path) as db:
        table_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'incidents'")
        assert '"date" DATE' in table_sql.fetchone()[0]


def test_every_geojson_file_follows_rfc_7946() -> None:
    """Exterior rings counter-clockwise, holes clockwise, and no obsolete crs member."""
    for path in [*DATA_DIR.glob("*.geojson"), *(ROOT / "tests" / "data").glob("*.geojson")]:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert "crs" not in doc, path.name
        for feature in doc["features"]:
            geom = shape(feature["geometry"])
            polygons = list(getattr(geom, "geoms", [geom]))
            for poly in (p for p in polygons if p.geom_type == "Polygon"):
                assert poly.exterior.is_ccw, (path.name, feature["properties"])
                assert not any(ring.is_ccw for ring in poly.interiors), path.name
    exported = json.loads(exports.to_geojson(fixture_frame()))
    assert "crs" not in exported and exported["type"] == "FeatureCollection"


def test_incident_record_lists_every_field_and_source() -> None:
    frame = fixture_frame()
    title, fields, sources = tables.incident_record(frame.set_index(s.ID, drop=False)
                                                    .loc["PBW-0026"], _=ENGLISH)
    got = dict(fields.values.tolist())
    assert title == "24 Dec 2025 — Armed incursion"
    assert got["Killed"] == "5" and got["Injured"] == "2"
    assert "Hasht-e Subh says 2 attackers" in got["Notes"]
    assert len(sources) == 3


def test_a_filter_selects_its_rows_from_a_table_built_once() -> None:
    frame = fixture_frame()
    everything, n_all = tables.incident_table(frame)
    subset = frame[frame[s.REGION_CODE] == "TJ-KT"]
    rows, n = tables.rows_of(everything, subset)
    direct, n_direct = tables.incident_table(subset)
    pd.testing.assert_frame_equal(rows, direct.reset_index(drop=True)[rows.columns])
    assert n == n_direct <= n_all
    assert list(rows.columns) == list(direct.columns)


@pytest.mark.parametrize(("page", "rows", "pages"), [(1, 3, 4), (4, 1, 4), (9, 1, 4), (0, 3, 4)])
def test_pages_of_a_large_table(page, rows, pages) -> None:
    table = pd.DataFrame({"x": range(10)})
    got, n = tables.page_of(table, page, size=3)
    assert (len(got), n) == (rows, pages)
    with pytest.raises(ValueError, match=r"size must be .* got 0"):
        tables.page_of(table, 1, size=0)


def test_the_in_view_list_keeps_to_the_bounds_and_escapes_everything() -> None:
    rows = [good_row(id="T-1", lat="37.5", lon="70.0"),
            good_row(id="T-2", lat="38.5", lon="70.0", date="2025-11-27",
                     location="<img src=x onerror=alert(1)>"),
            good_row(id="T-3", lat="", lon="", geo_precision="3")]
    frame = from_table(pd.DataFrame(rows, dtype=str)).frame
    rows, total = tables.in_bounds(frame, None)
    assert list(rows[s.ID]) == ["T-2", "T-1"] and total == 2  # located only, newest first
    rows, total = tables.in_bounds(frame, (37.0, 69.0, 38.0, 71.0))
    assert list(rows[s.ID]) == ["T-1"] and total == 1
    html = tables.in_view_html(*tables.in_bounds(frame, None), lambda i: f'?incident={i}&x="y"',
                               ENGLISH)
    assert html.index("T-2") < html.index("T-1")
    assert "<img" not in html and "&lt;img src=x" in html
    assert 'href="?incident=T-1&amp;x=&quot;y&quot;"' in html
    assert html.count("<li") == 2 and "killed 3, injured 1" in html
    capped = tables.in_view_html(*tables.in_bounds(frame, None, limit=1), str, ENGLISH)
    assert capped.count("<li") == 1 and "1 more in view" in capped and "T-2" in capped
