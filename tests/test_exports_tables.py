"""Exports reload cleanly, neutralise spreadsheet formulas, and the table keeps unknowns empty."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import exports, tables
from geo import schema as s
from geo.incidents import from_table, read_csv_text

from .conftest import fixture_frame, good_row


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
    assert exports.neutralise_formula("-2+3") == "'-2+3"
    assert exports.neutralise_formula("plain") == "plain"


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
    assert table.loc[table.ID == "PBW-0024", "Region"].iloc[0] == "Khatlon (Tajikistan) · TJ-KT"


@pytest.mark.filterwarnings("ignore:File /vsimem/.*non conformant file extension")
def test_geopackage_export_reads_back() -> None:
    import io

    import geopandas as gpd

    frame = fixture_frame()
    data = exports.to_geopackage(frame)
    assert data.startswith(b"SQLite format 3")
    back = gpd.read_file(io.BytesIO(data), layer="incidents")
    assert len(back) == 30 and back.crs.to_epsg() == 4326
    assert back.geometry.isna().sum() == 3
    assert set(back["id"]) == set(frame[s.ID])


def test_incident_record_lists_every_field_and_source() -> None:
    frame = fixture_frame()
    title, fields, sources = tables.incident_record(frame.set_index(s.ID, drop=False)
                                                    .loc["PBW-0026"])
    got = dict(fields.values.tolist())
    assert title == "24 Dec 2025 — Armed incursion"
    assert got["Killed"] == "5" and got["Injured"] == "2"
    assert "Hasht-e Subh says 2 attackers" in got["Notes"]
    assert len(sources) == 3
