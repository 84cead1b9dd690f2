"""One list of an incident's fields: the record, the popups and the table all follow it."""

from __future__ import annotations

import pytest

from geo import fields, mapview, proximity, tables
from geo import schema as s
from geo.i18n import ENGLISH, translator

from .conftest import fixture_frame

#: The Data table's columns that are no reader-facing field of the record: codes and the
#: raw coordinates a spreadsheet wants (each is said in words in the record).
TABLE_ONLY = {"Date precision", "Type", "Lat", "Lon", "Sources"}


@pytest.fixture(scope="module")
def frame(border, provinces):
    return proximity.add_proximity(fixture_frame(), border, provinces)


def _full(frame):
    """An incident that fills every field (so none is left out for being empty)."""
    rows = frame[frame[s.VICTIMS].ne("") & frame[s.PERPETRATOR].ne("") &
                 frame[s.ORIGIN].ne("") & frame[s.TIME_LOCAL].ne("") &
                 frame[s.NOTES].ne("") & frame[s.ACTORS].ne("")]
    assert not rows.empty
    return rows.iloc[0]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_record_shows_the_record_fields_in_order(frame, lang) -> None:
    _ = translator(lang)
    _title, record, _sources = tables.incident_record(_full(frame), _)
    # a curated, reviewed row from the bundled file: no upload, no mark, no other dataset
    wanted = [_(f.label) for f in fields.shown_in("record")
              if f.key not in ("dataset", "review", "figures")]
    assert list(record["Field"]) == wanted


def test_the_popup_shows_the_popup_fields_in_order(frame) -> None:
    row = _full(frame)
    features = {f["properties"]["id"]: f["properties"]
                for f in mapview.incident_features(frame, ENGLISH)}
    labels = mapview.popup_labels(ENGLISH)
    assert labels == [f.label for f in fields.shown_in("popup")]
    popup = dict(zip(labels, features[row[s.ID]]["values"], strict=True))
    # the same words as the record, for the same field
    record = dict(tables.incident_record(row, ENGLISH)[1].itertuples(index=False))
    for f in fields.shown_in("popup"):
        # the popup adds "drawn slightly apart" where markers share a point
        if f.key != "point" and popup[f.label]:
            assert popup[f.label] == record[f.label], f.key


def test_the_compact_popup_shows_the_compact_fields(frame) -> None:
    located = frame[frame.geometry.notna()]
    columns = mapview.compact_columns(located, ENGLISH)
    assert [label for label, _values in columns["fields"]] == \
        [f.label for f in fields.shown_in("compact")]
    for (_label, values), f in zip(columns["fields"], fields.shown_in("compact"), strict=True):
        assert values == [f.value(row, ENGLISH) for _i, row in located.iterrows()], f.key


def test_the_table_has_a_column_for_each_table_field_and_no_stray_one() -> None:
    named = {f.table for f in fields.shown_in("table")}
    assert all(f.table for f in fields.shown_in("table"))
    assert named <= set(tables.HEADERS)
    assert set(tables.HEADERS) - named == TABLE_ONLY
    table, _n = tables.incident_table(fixture_frame())
    # (distances and sides come with the prepared data, the dataset with an upload)
    assert named - {"To the border (km)", "Cross-border", "Dataset"} <= set(table.columns)


def test_a_field_must_say_where_it_shows() -> None:
    with pytest.raises(ValueError, match=r"where must be a subset of .*got \['tooltip'\]"):
        fields.Field("x", "X", lambda row, _: "", frozenset({"tooltip"}))
    with pytest.raises(ValueError, match="place must be one of"):
        fields.shown_in("footer")
