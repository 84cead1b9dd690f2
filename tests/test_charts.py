"""The timeline chart carries a brush on time, and a brushed span becomes a date range."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo import charts, stats
from geo.i18n import ENGLISH
from geo.incidents import load_context_events

from .conftest import FIXTURE_CONTEXT, fixture_frame


@pytest.mark.parametrize("by_region", [True, False])
def test_chart_has_the_brush_and_context_rules(by_region) -> None:
    series = stats.time_series(fixture_frame(), period="month", by_region=by_region)
    events = load_context_events(FIXTURE_CONTEXT)
    chart = charts.timeline_chart(series, events, period="month", start=date(2020, 6, 1),
                                  end=date(2026, 5, 1), _=ENGLISH)
    spec = chart.to_dict()
    assert [p["name"] for p in spec["params"]] == [charts.BRUSH]
    assert len(spec["vconcat"]) == 2
    layer_marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
                   for layer in spec["vconcat"][0]["layer"]]
    assert layer_marks == ["bar", "rule"]
    # named as a whole, and drawn on a canvas so the brush is no unnamed image (axe-core)
    assert "drag across the upper chart" in spec["description"]
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    table = charts.series_table(series, "month", _=ENGLISH)
    assert table["Incidents"].sum() == len(fixture_frame())
    assert list(table.columns[:1]) == ["Month from"] and table.iloc[0, 0] >= table.iloc[-1, 0]
    assert ("Region" in table.columns) == by_region


@pytest.mark.parametrize(
    ("selection", "expected"),
    [({charts.BRUSH: {"yearmonth_period_start": [1764547200000, 1738368000000]}},
      (date(2025, 2, 1), date(2025, 12, 1))),
     ({charts.BRUSH: {"period_start": ["2025-11-01T00:00:00", "2025-11-30T00:00:00"]}},
      (date(2025, 11, 1), date(2025, 11, 30))),
     ({charts.BRUSH: {}}, None), ({}, None), (None, None), ("junk", None),
     ({charts.BRUSH: {"period_start": ["not a date", 3]}}, None)],
)
def test_brush_range(selection, expected) -> None:
    assert charts.brush_range(selection) == expected


def test_empty_series_gives_empty_frame() -> None:
    empty = stats.time_series(fixture_frame().iloc[:0])
    assert list(empty.columns) == ["period_start", "incidents", "killed", "injured"]
    assert isinstance(empty, pd.DataFrame) and empty.empty


def test_chart_with_no_context_event_in_the_period() -> None:
    """Regression: an empty events frame once crashed the Timeline page."""
    series = stats.time_series(fixture_frame(), period="week")
    events = load_context_events(FIXTURE_CONTEXT).iloc[:0]
    chart = charts.timeline_chart(series, events, period="week", start=date(2025, 11, 26),
                                  end=date(2025, 11, 26), _=ENGLISH)
    assert chart.to_dict()["vconcat"]
