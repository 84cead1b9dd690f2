"""The view in the URL: round trips, and every bad parameter falls back with a notice."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from geo.i18n import ENGLISH, translator
from geo.viewstate import (
    PARAMS,
    PLAYBACK_DEFAULTS,
    ViewState,
    incident_query,
    link_base,
    parse_period,
    parse_playback,
    parse_query,
    playback_query,
    query_string,
    to_query,
)

FIRST, LAST, TODAY = date(2020, 6, 13), date(2026, 4, 17), date(2026, 11, 28)


def parse(**params):
    return parse_query(params, default_start=FIRST, default_end=LAST, today=TODAY)


def test_defaults_without_parameters() -> None:
    view, notices = parse()
    assert view == ViewState(FIRST, LAST) and not notices


def test_full_link_round_trips() -> None:
    params = {"start": "2025-11-01", "end": "2025-12-31", "region": "TJ-KT,TJ-GB",
              "type": "cross_border_attack,incursion", "lat": "37.9", "lon": "70.4",
              "zoom": "8", "basemap": "terrain"}
    view, notices = parse(**params)
    assert not notices
    assert view.regions == ("TJ-KT", "TJ-GB") and view.zoom == 8 and view.basemap == "terrain"
    assert to_query(view) == {**params, "type": "incursion,cross_border_attack"}
    again, _ = parse(**to_query(view))
    assert again == view
    assert query_string(view).startswith("start=2025-11-01&end=2025-12-31&region=TJ-KT,TJ-GB")


def test_actor_groups_round_trip_in_canonical_order() -> None:
    view, notices = parse(actor="chinese,taliban,chinese")
    assert not notices and view.actors == ("taliban", "chinese")
    assert view.filter.actors == ("taliban", "chinese")
    assert to_query(view)["actor"] == "taliban,chinese"
    assert "Actors: Taliban, Chinese nationals and firms" in view.describe(_=ENGLISH)
    assert parse(**to_query(view))[0] == view


def test_datasets_round_trip_and_an_unknown_one_is_named() -> None:
    view, notices = parse(source="acled,ucdp,acled")
    assert not notices and view.sources == ("ucdp", "acled")  # PROVIDERS' order
    assert view.filter.sources == ("ucdp", "acled")
    assert to_query(view)["source"] == "ucdp,acled"
    assert "Datasets: UCDP GED, ACLED" in view.describe(_=ENGLISH)
    assert parse(**to_query(view))[0] == view
    view, notices = parse(source="acled,gdelt")
    assert view.sources == ("acled",)
    assert [n.param for n in notices] == ["source"] and "gdelt" in notices[0].text(ENGLISH)


def test_repeated_keys_and_lower_case_codes_are_accepted() -> None:
    view, notices = parse(region=["tj-kt", "AF-BDS"])
    assert view.regions == ("TJ-KT", "AF-BDS") and not notices


@pytest.mark.parametrize(
    ("params", "param", "pattern"),
    [({"start": "26/11/2025"}, "start", r"must be a date like 2025-11-26; using 2020-06-13"),
     ({"end": "2025-02-30"}, "end", r"must be a date like"),
     ({"end": "2099-01-01"}, "end", r"between 1990-01-01 and today \(2026-11-28\)"),
     ({"region": "Badakhshan"}, "region", r"unknown region code\(s\) BADAKHSHAN ignored"),
     ({"type": "<script>"}, "type", r"unknown event type\(s\) <script> ignored"),
     ({"actor": "taliban,al-qaeda"}, "actor", r"unknown actor group\(s\) al-qaeda ignored; "
      r"allowed: taliban, afghan_republic"),
     ({"basemap": "google"}, "basemap", r"allowed: streets, terrain, satellite, none"),
     ({"lat": "91", "lon": "70", "zoom": "8"}, "lat", r"from -90 to 90"),
     ({"lat": "nan", "lon": "70", "zoom": "8"}, "lat", r"must be a number"),
     ({"lat": "37", "lon": "70", "zoom": "8.5"}, "zoom", r"whole number from 3 to 18"),
     ({"lat": "37", "lon": "70"}, "zoom", r"go together"),
     ({"region": "X" * 1000}, "region", r"longer than 400 characters")],
)
def test_bad_parameter_falls_back_with_a_notice(params, param, pattern) -> None:
    view, notices = parse(**params)
    assert [n.param for n in notices] == [param]
    # the notice quotes the value the link gave; a missing part of lat/lon/zoom quotes none
    assert notices[0].value == params.get(param, "")
    assert re.search(pattern, notices[0].message), notices[0].message
    assert view.start == FIRST or "start" not in params
    assert not view.has_map_view or param not in ("lat", "lon", "zoom")


def test_start_after_end_is_explained_not_crashed_on() -> None:
    view, notices = parse(start="2025-12-31", end="2025-01-01")
    assert (view.start, view.end) == (FIRST, LAST)
    assert notices[0].param == "start"
    assert "is after end (2025-01-01)" in notices[0].message


def test_good_parts_of_a_half_bad_region_list_are_kept() -> None:
    view, notices = parse(region="TJ-KT,XX-YY")
    assert view.regions == ("TJ-KT",) and notices[0].param == "region"


GARBAGE = ["", " ", "%00", "\x00", "../../etc/passwd", "<script>alert(1)</script>",
           "' OR 1=1 --", "9" * 5000, "-1", "1e309", "NaN", "inf", "😀", "2025-02-29",
           "0000-00-00", "TJ-KT,,,,", "null", "[]", "{}", "javascript:alert(1)",
           "\u202egnp.exe", "2025-11-26T00:00", ["a", "b"], []]


@pytest.mark.parametrize("junk", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("param", PARAMS)
def test_garbage_in_any_view_parameter_falls_back(param, junk) -> None:
    view, notices = parse(**{param: junk})
    defaults = ViewState(FIRST, LAST)
    assert FIRST <= view.start <= view.end <= TODAY or (view.start, view.end) == (FIRST, LAST)
    assert set(view.regions) <= {"TJ-KT"}  # the only code in the list above
    assert view.basemap == defaults.basemap and view.within_km is None
    assert view.incident is None or view.incident == junk
    for notice in notices:
        # lat, lon and zoom go together: one alone is reported under another's name
        assert notice.param == param or {notice.param, param} <= {"lat", "lon", "zoom"}
        assert len(str(notice)) < 400


@pytest.mark.parametrize("junk", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("part", ["start", "end"])
def test_garbage_in_a_compare_period_falls_back(part, junk) -> None:
    default = (date(2025, 1, 1), date(2025, 12, 31))
    (got, notices) = parse_period({f"a_{part}": junk}, "a", default=default, today=TODAY)
    assert got == default
    assert all(n.param == f"a_{part}" for n in notices)


def test_a_good_compare_period_is_read() -> None:
    got, notices = parse_period({"b_start": "2024-01-01", "b_end": "2024-06-30"}, "b",
                                default=(FIRST, LAST), today=TODAY)
    assert got == (date(2024, 1, 1), date(2024, 6, 30)) and not notices


@pytest.mark.parametrize("junk", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("param", ["step", "window", "speed"])
def test_garbage_in_playback_parameters_falls_back(param, junk) -> None:
    settings, notices = parse_playback({param: junk})
    assert settings == PLAYBACK_DEFAULTS
    assert len(notices) == (1 if str(junk).strip() and junk != [] else 0)


def test_playback_settings_round_trip() -> None:
    settings, notices = parse_playback({"step": "month", "window": "moving", "speed": "fast"})
    assert settings == {"step": "month", "window": "moving", "speed": "fast"} and not notices
    assert playback_query(settings) == {"step": "month", "window": "moving", "speed": "fast"}
    _, notices = parse_playback({"speed": "warp"})
    assert [(n.param, n.value) for n in notices] == [("speed", "warp")]
    assert "slow, normal, fast" in str(notices[0])
    assert playback_query(PLAYBACK_DEFAULTS) == {}


def test_view_in_words() -> None:
    view = ViewState(date(2025, 1, 1), date(2025, 2, 1), regions=("TJ-KT",),
                     types=("incursion",), within_km=5)
    assert view.describe(ENGLISH) == ["Dates: 1 Jan 2025 to 1 Feb 2025",
                                      "Regions: Khatlon (Tajikistan) · TJ-KT",
                                      "Event types: Armed incursion",
                                      "Within 5 km of the border"]
    # Dari: the dates in the Afghan calendar, in its own digits, so none reads backwards
    assert view.describe(translator("fa"))[0] == "تاریخ‌ها: از ۱۲ جدی ۱۴۰۳ تا ۱۳ دلو ۱۴۰۳"
    assert ViewState(FIRST, LAST).describe(_=ENGLISH)[1:] == ["Regions: all", "Event types: all"]


def test_query_string_adds_page_parameters_and_escapes() -> None:
    view = ViewState(date(2025, 1, 1), date(2025, 2, 1), incident="A&B")
    text = query_string(view, {"a_start": "2024-01-01"})
    assert text.endswith("incident=A%26B&a_start=2024-01-01")


@pytest.mark.parametrize(("url", "base", "expected"), [
    ("http://h:8501/", "", "http://h:8501/"),
    ("http://h:8501", "", "http://h:8501/"),
    ("https://h/panj", "panj", "https://h/panj/"),
    ("https://h/panj/", "/panj/", "https://h/panj/"),
    ("https://h/panj/Data", "panj", "https://h/panj/Data"),
    ("https://h/Data?x=1#y", "", "https://h/Data"),
])
def test_links_go_after_the_page_address(url, base, expected) -> None:
    assert link_base(url, base) == expected


def test_an_incident_alone_is_linked_with_its_language_and_nothing_else() -> None:
    view = ViewState(date(2025, 1, 1), date(2025, 2, 1), regions=("TJ-KT",),
                     incident="PBW-0024", lang="fa")
    assert incident_query(view) == "incident=PBW-0024&lang=fa"
    assert incident_query(replace(view, lang="en", incident="A&B")) == "incident=A%26B"
