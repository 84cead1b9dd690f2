"""The bundled dataset (``data/``): it validates, its anchors hold, and its figures are known.

This is the only test module that reads ``data/incidents.csv`` and
``data/context_events.csv``; every other test runs on the frozen copies in ``tests/data/``.
After a change to the bundled data, run ``python -m tests.test_bundled_data`` and paste the
figures it prints over ``EXPECTED`` below: the diff then shows a reviewer what the change did
to the totals a reader sees.
"""

from __future__ import annotations

import pprint

import pandas as pd
import pytest

from geo import gazetteer, layers, proximity, stats, validate
from geo import incidents as inc
from geo import schema as s

from .conftest import ROOT, app_test, data_checksums

#: The bundled figures as the Map page shows them with no filter.
EXPECTED = {
    "incidents": 48,
    "located": 40,
    "killed": 99,
    "injured": 38,
    "cross_border": 19,
    "first": "2020-03-29",
    "last": "2026-04-17",
    "context_events": 31,
}
HOW_TO_UPDATE = ("the bundled data changed: if that was intended, run "
                 "`python -m tests.test_bundled_data` and paste its output over EXPECTED in "
                 "tests/test_bundled_data.py")


def current_figures() -> dict[str, object]:
    """The figures of ``data/`` as they are now (what EXPECTED should say)."""
    frame = inc.load_incidents(inc.INCIDENTS_FILE).frame
    frame = proximity.add_proximity(frame, layers.load_border(), layers.load_provinces())
    h = stats.headline(frame)
    return {
        "incidents": h.incidents, "located": int(frame[s.LAT].notna().sum()),
        "killed": h.killed, "injured": h.injured, "cross_border": h.cross_border,
        "first": h.first.isoformat() if h.first else None,
        "last": h.last.isoformat() if h.last else None,
        "context_events": len(inc.load_context_events(inc.CONTEXT_FILE)),
    }


@pytest.fixture(scope="module")
def bundled(provinces) -> inc.LoadedIncidents:
    return inc.load_incidents(inc.INCIDENTS_FILE, regions=provinces)


def test_bundled_figures_are_the_expected_ones() -> None:
    assert current_figures() == EXPECTED, HOW_TO_UPDATE


def test_bundled_dataset_validates_cleanly(bundled) -> None:
    assert bundled.report.ok, bundled.report.summary()
    assert not bundled.report.warnings, bundled.report.summary()
    assert bundled.frame[s.ID].is_unique


def test_every_incident_codes_its_actor_groups() -> None:
    """Coded by hand from the sources, not left to the words (data/README.md)."""
    table = inc.read_csv_text(inc.INCIDENTS_FILE.read_text(encoding="utf-8"))
    uncoded = table.loc[table[s.ACTORS] == "", s.ID].tolist()
    assert not uncoded, f"code the actors column of {uncoded} (data/README.md, Actor groups)"


def test_every_incident_has_http_sources(bundled) -> None:
    for text in bundled.frame[s.SOURCES]:
        sources = s.parse_sources(text)
        assert sources and all(src.url.startswith(("http://", "https://")) for src in sources)


def test_anchor_incidents_are_present_with_their_figures(bundled) -> None:
    f = bundled.frame.set_index(s.DATE)
    camp = f.loc["2025-11-26"]
    assert (camp[s.REGION_CODE], camp[s.FATALITIES], camp[s.INJURED]) == ("TJ-KT", 3, 1)
    assert camp[s.DISTRICT] == "Shamsiddin Shohin"
    road = f.loc["2025-11-30"]
    assert (road[s.REGION_CODE], road[s.FATALITIES], road[s.INJURED]) == ("TJ-GB", 2, 2)
    assert road[s.DISTRICT] == "Darvoz"


def test_every_gazetteer_point_matches_its_id(provinces) -> None:
    """What `python -m geo.gazetteer` checks: ids resolve, in the right country and province,
    and each row's point is the gazetteer's."""
    raw = pd.read_csv(inc.INCIDENTS_FILE, dtype=str, keep_default_na=False)
    placed, problems = gazetteer.place_rows(raw, provinces=provinces)
    assert not problems, "\n".join(map(str, problems))
    assert (placed[[s.LAT, s.LON]] == validate.read_table(raw)[[s.LAT, s.LON]]).all().all(), (
        "a point differs from its gazetteer id: run python -m geo.gazetteer")
    assert (raw[s.GAZETTEER_ID] != "").sum() >= 30


def test_site_points_say_what_places_them(bundled) -> None:
    """Precision 1 needs a gazetteer point or a source that places the site (in notes)."""
    sites = bundled.frame[bundled.frame[s.GEO_PRECISION] == 1]
    for _, row in sites.iterrows():
        assert row[s.GAZETTEER_ID] or "Precision 1:" in row[s.NOTES], row[s.ID]


def test_the_review_record_is_current() -> None:
    review = inc.load_review(inc.INCIDENTS_FILE)
    assert review is not None, "data/incidents.review.json is missing"
    latest = inc.load_incidents(inc.INCIDENTS_FILE).frame[s.DATE].max().date()
    assert review.reviewed >= latest and review.scope and review.gaps
    sources = (ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert review.reviewed.isoformat() in sources, "SOURCES.md states another review date"


def test_context_events_are_dated_in_order() -> None:
    events = inc.load_context_events(inc.CONTEXT_FILE)
    assert events["date"].is_monotonic_increasing


def test_loading_never_writes_to_data() -> None:
    before = data_checksums()
    inc.load_incidents(inc.INCIDENTS_FILE)
    inc.load_context_events(inc.CONTEXT_FILE)
    assert data_checksums() == before


def test_the_store_round_trips_the_bundled_data(store_url) -> None:
    """Team mode starts from these files: ``load`` then ``export`` gives the same bytes."""
    from geo import store, store_read

    with store_read.connect(store_url, autocommit=True) as conn:
        loaded = store.load(conn, inc.INCIDENTS_FILE, editor="ci", note="bundled data")
        assert loaded.added == EXPECTED["incidents"], HOW_TO_UPDATE
        store.load_context(conn, inc.CONTEXT_FILE, editor="ci", note="bundled data")
        assert store_read.export(conn) == inc.INCIDENTS_FILE.read_bytes()
        assert store_read.export(conn, context=True) == inc.CONTEXT_FILE.read_bytes()


def test_map_page_shows_the_bundled_figures(monkeypatch) -> None:
    monkeypatch.delenv(inc.INCIDENTS_ENV, raising=False)
    monkeypatch.delenv(inc.CONTEXT_ENV, raising=False)
    at = app_test().run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Incidents"] == f"{EXPECTED['incidents']:,}", HOW_TO_UPDATE
    assert (shown["Killed"], shown["Injured"]) == (
        f"{EXPECTED['killed']:,}", f"{EXPECTED['injured']:,}"), HOW_TO_UPDATE
    assert at.query_params["start"] in (EXPECTED["first"], [EXPECTED["first"]]), HOW_TO_UPDATE


def test_no_other_test_reads_the_bundled_incidents() -> None:
    for path in (ROOT / "tests").glob("*.py"):
        if path.name == "test_bundled_data.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in ("INCIDENTS_FILE", "CONTEXT_FILE", 'ROOT / "data" / "incidents',
                        'ROOT / "data" / "context', "load_incidents()", "load_context_events()"):
            # test_incidents only checks that the names resolve to data/
            if pattern in text and not (path.name == "test_incidents.py"
                                        and pattern in ("INCIDENTS_FILE", "CONTEXT_FILE")):
                pytest.fail(f"{path.name} reads the bundled data ({pattern}); use "
                            "tests/data/ (conftest.FIXTURE_INCIDENTS) so the data can grow")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    print("EXPECTED = " + pprint.pformat(current_figures(), sort_dicts=False))
