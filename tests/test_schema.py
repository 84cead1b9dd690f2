"""The validator: each kind of bad row is caught, with row, field, value and a remedy."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from geo import schema as s
from geo import validate
from geo.incidents import to_frame, validate_table

from .conftest import good_row

TODAY = date(2026, 11, 28)


def check(*rows: dict[str, str], regions=None) -> validate.ValidationReport:
    return validate_table(pd.DataFrame(list(rows), dtype=str), regions=regions, today=TODAY)


def only_error(report: validate.ValidationReport) -> validate.Problem:
    assert len(report.errors) == 1, report.summary()
    return report.errors[0]


def test_good_row_passes(provinces) -> None:
    report = check(good_row(), regions=provinces)
    assert report.ok and not report.problems


@pytest.mark.parametrize(
    ("changes", "field", "pattern"),
    [
        ({"date": "26/11/2025"}, "date", r"YYYY-MM-DD"),
        ({"date": "2025-02-30"}, "date", r"real date"),
        ({"date": "2027-01-01"}, "date", r"between 1990-01-01 and today \(2026-11-28\)"),
        ({"date": "0999-01-01"}, "date", r"between 1990-01-01 and today"),
        ({"date": "9999-12-31"}, "date", r"between 1990-01-01 and today"),
        ({"date_precision": "hour"}, "date_precision", r"day, week, month"),
        ({"time_local": "25:00"}, "time_local", r"HH:MM"),
        ({"country": "UZ"}, "country", r"TJ, AF"),
        ({"region_code": "Khatlon"}, "region_code", r"ISO 3166-2 code .*TJ-KT"),
        ({"region_code": "AF-BDS"}, "region_code", r"not in country 'TJ'"),
        ({"lat": "95", "lon": "70"}, "lat", r"between -90 and 90"),
        ({"lat": "nan"}, "lat", r"finite decimal latitude"),
        ({"lon": "inf"}, "lon", r"finite decimal longitude"),
        ({"lat": ""}, "lat", r"give both lat and lon"),
        ({"lat": "70.04865", "lon": "37.84137"}, "lat", r"look swapped"),
        ({"geo_precision": "4"}, "geo_precision", r"1 \(site\)"),
        ({"event_type": "Battles"}, "event_type", r"armed_clash"),
        ({"fatalities": "-1"}, "fatalities", r"whole number .* 0 or more"),
        ({"injured": "2.5"}, "injured", r"whole number"),
        ({"fatalities": "1000000"}, "fatalities", r"larger than 100,000"),
        ({"sources": ""}, "sources", r"required"),
        ({"sources": "Outlet, 2025-11-27, javascript:alert(1)"}, "sources", r"http:// or https://"),
        ({"sources": "https://example.org/only-a-url"}, "sources", r"'Outlet, YYYY-MM-DD, URL'"),
        ({"sources": "O, 2025-11-27, https://e.org/?q=<script>"}, "sources", r"angle brackets"),
        ({"sources": "Outlet, 2025-13-01, https://e.org"}, "sources", r"real calendar date"),
        ({"confidence": "certain"}, "confidence", r"high, medium, low"),
        ({"summary": ""}, "summary", r"required and empty"),
        ({"summary": "x" * 5000}, "summary", r"longer than 4000"),
        ({"id": "bad id!"}, "id", r"letters, digits"),
    ],
)
def test_each_bad_value_is_named(changes, field, pattern) -> None:
    problem = only_error(check(good_row(**changes)))
    assert problem.row == 2
    assert problem.field == field
    assert problem.value == next(iter(changes.values())) or field == "lat"
    assert pd.Series([problem.message]).str.contains(pattern).all(), problem.message


def test_every_problem_is_reported_at_once() -> None:
    report = check(good_row(), good_row(id="T-2", date="x", fatalities="-3", lat="200"),
                   good_row(id="T-1"))
    fields = sorted((p.row, p.field) for p in report.errors)
    assert fields == [(3, "date"), (3, "fatalities"), (3, "lat"), (4, "id")]
    dup = next(p for p in report.errors if p.field == "id")
    assert "first used on row 2" in dup.message
    assert report.bad_rows == {3, 4}
    table = report.to_frame()
    assert list(table.columns) == ["row", "field", "value", "problem", "severity"]
    assert len(table) == 4


def test_missing_column_is_a_file_error() -> None:
    row = good_row()
    del row["sources"]
    report = check(row)
    assert report.file_errors and report.file_errors[0].field == "sources"
    assert report.file_errors[0].row is None
    assert "column 'sources' is missing" in report.file_errors[0].message


def test_extra_column_is_only_a_warning() -> None:
    report = check(good_row(extra="x"))
    assert report.ok and report.warnings[0].field == "extra"


def test_point_far_outside_its_region_is_rejected(provinces) -> None:
    # Fayzabad (Afghan Badakhshan) claimed as Khatlon: ~100 km away
    report = check(good_row(lat="37.11664", lon="70.57292"), regions=provinces)
    problem = only_error(report)
    assert problem.field == "lat/lon"
    assert "km outside TJ-KT (Khatlon)" in problem.message


def test_point_just_across_the_river_is_a_warning(provinces) -> None:
    # Panji Poyon, on the Tajik bank, labelled as the Afghan port across the river,
    # pushed a few km further south into Kunduz, so it lies inside: no problem at all;
    # a point a few km into Tajikistan but labelled AF-KDZ is only a warning.
    report = check(good_row(country="AF", region_code="AF-KDZ", lat="37.26", lon="68.60"),
                   regions=provinces)
    assert report.ok
    assert report.warnings and report.warnings[0].field == "lat/lon"
    assert "accepted" in report.warnings[0].message


def test_validate_does_not_modify_its_input() -> None:
    frame = pd.DataFrame([good_row(date=" 2025-11-26 ")], dtype=str)
    before = frame.copy()
    check(frame.iloc[0].to_dict())
    validate.validate(frame, today=TODAY)
    pd.testing.assert_frame_equal(frame, before)


def test_parse_sources_splits_outlet_date_url() -> None:
    got = s.parse_sources("A, n.d., https://a.org/x | B (citing C), 2025-01-02, http://b.org")
    assert got == [s.Source("A", None, "https://a.org/x"),
                   s.Source("B (citing C)", "2025-01-02", "http://b.org")]


SOURCE_CELLS = [
    "A, 2025-01-02, https://a.org", "A, n.d., http://a.org/x?y=1#z",
    "A, 2025-01-02, https://a.org | B, n.d., https://b.org", "A, 2025-01-02, https://a.org |",
    "| A, 2025-01-02, https://a.org", "A, B, 2025-01-02, https://a.org",
    "A, 2025-02-30, https://a.org", "A, 2025-13-01, https://a.org | B, n.d., https://b.org",
    "A,2025-01-02, https://a.org", "A, 2025-01-02, ftp://a.org", "A, 2025-01-02, https://",
    "A, 2025-01-02, https://a.org/ x", "A, 2025-01-02, https://a.org/<x>", "|", " | ",
    ", 2025-01-02, https://a.org", "A, 2025-01-02, https://a.org, extra",
    "A, 2025-1-02, https://a.org", "A, 2025-01-02, https://a.org\"x", "A, n.d, https://a.org",
    "A (citing B, 2024-01-01, C), 2025-01-02, https://a.org",
    # text beyond ASCII, which the fast path spells out rather than leave to Python's re
    "A, 2025-01-02, https://a.org/\u00a0x", "\u3000, 2025-01-02, https://a.org",
    "A\u2003B, 2025-01-02, https://a.org", "A, \u0662\u0660\u0662\u0665-01-02, https://a.org",
    "Ахбор, 2025-01-02, https://a.org/путь", "A, 2025-01-02, https://a.org\x0b | B, n.d., https://b.org",
]


def test_the_fast_sources_pattern_knows_every_python_whitespace() -> None:
    """``validate._WS`` stands in for ``\\s``: it must hold exactly what ``\\s`` matches."""
    spaces = "".join(chr(c) for c in range(0x110000) if re.match(r"\s", chr(c)))
    assert spaces == validate._WS


@pytest.mark.parametrize("cell", SOURCE_CELLS)
def test_sources_check_agrees_with_the_parser(cell) -> None:
    """The validator's fast path for sources never accepts what parse_sources refuses."""
    try:
        s.parse_sources(cell)
        expected = None
    except ValueError as exc:
        expected = str(exc)
    problems = [p for p in check(good_row(sources=cell)).errors if p.field == "sources"]
    assert [p.message for p in problems] == ([expected] if expected else [])


def test_many_rows_are_checked_by_column() -> None:
    rows = [good_row(id=f"T-{i}") for i in range(2_000)]
    rows[1_500] = good_row(id="T-1500", date="2025-02-29", lat="abc")
    report = check(*rows)
    assert sorted((p.row, p.field) for p in report.errors) == [(1502, "date"), (1502, "lat")]


def test_actor_codes_are_checked_and_named() -> None:
    assert check(good_row(actors="taliban,tajik_forces")).ok
    problem = only_error(check(good_row(actors="taliban, Tajiks")))
    assert (problem.row, problem.field, problem.value) == (2, "actors", "taliban, Tajiks")
    assert "unknown group(s) 'Tajiks'" in problem.message
    assert "from: taliban, afghan_republic" in problem.message


@pytest.mark.parametrize(("perpetrator", "victims", "groups"), [
    ("Taliban vs Military Forces of Tajikistan (2020-) Border Guards (ACLED actors)", "",
     "taliban,tajik_forces"),
    ("Military Forces of Afghanistan (2021-) vs Civilians (Afghanistan) (ACLED actors)", "",
     "taliban,civilians"),
    ("Unidentified Armed Group (Afghanistan)", "Chinese employees of a mining firm",
     "armed_unidentified,civilians,chinese"),
    ("Afghan drug smugglers (SCNS)", "", "smugglers"),
    ("Islamic State Khorasan Province (own claim)", "none reported", "militants"),
    ("", "", ""),
])
def test_an_empty_actors_cell_is_derived_from_the_words(perpetrator, victims, groups) -> None:
    got = s.derive_actors(pd.Series([perpetrator]), pd.Series([victims]))
    assert got.tolist() == [groups]
    typed = to_frame(validate.read_table(pd.DataFrame([good_row(perpetrator=perpetrator,
                                                         victims=victims)], dtype=str)))
    assert typed[s.ACTORS].tolist() == [groups]


def test_a_coded_actors_cell_is_kept_as_written() -> None:
    row = good_row(perpetrator="Taliban", actors="smugglers")
    typed = to_frame(validate.read_table(pd.DataFrame([row], dtype=str)))
    assert typed[s.ACTORS].tolist() == ["smugglers"]


def test_every_machine_agrees_on_today_whatever_its_time_zone() -> None:
    """The loader in Dushanbe, a replica in UTC and one in Samoa name the same day."""
    import subprocess
    import sys

    days = {subprocess.run([sys.executable, "-c", "from geo.schema import service_today; "
                            "print(service_today())"], env={**os.environ, "TZ": tz},
                           capture_output=True, text=True, check=True).stdout.strip()
            for tz in ("Asia/Dushanbe", "UTC", "Pacific/Pago_Pago", "Pacific/Kiritimati")}
    assert len(days) == 1
    today = date.fromisoformat(days.pop())
    assert today >= datetime.now(UTC).date()  # never behind anyone's today
    assert today - datetime.now(UTC).date() <= timedelta(days=1)


def test_a_row_dated_today_anywhere_passes_and_tomorrow_fails() -> None:
    today = s.service_today()
    assert validate.validate(pd.DataFrame([good_row(date=today.isoformat())])).ok
    tomorrow = (today + timedelta(days=1)).isoformat()
    report = validate.validate(pd.DataFrame([good_row(date=tomorrow)]))
    assert [p.field for p in report.errors] == [s.DATE]
