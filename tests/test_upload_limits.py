"""Uploads a careless or hostile reader could send (benchmarks/hostile.py): each is refused
with a message that says what is wrong, or imported with a report of bounded size, and the
server's shared budget and reading slot hold. Time and memory are measured by
``python -m benchmarks.uploads``, not here."""

from __future__ import annotations

import gc
import threading

import pytest

from benchmarks import hostile
from geo import importers, uploads
from geo import schema as s
from geo.errors import IncidentDataError


def run(maker, provinces, **kw) -> importers.ImportResult:
    name, data = maker()
    return importers.import_file(name, data, provinces=provinces, **kw)


@pytest.mark.parametrize(("maker", "pattern"), [
    (lambda: hostile.unique_key_geojson(1), r"not a format this dashboard reads.*found: "
                                            r"addr:street_0"),
    (lambda: hostile.unique_key_geojson(5), r"not a format this dashboard reads"),
    (lambda: hostile.unique_key_geojson(20), r"more than 100,000 rows; the limit is 100,000"),
    (hostile.wide_csv, r"has 100,000 columns; .* the limit is 300"),
    (hostile.deep_nesting, r"nests deeper than 64 levels"),
    (hostile.not_json_numbers, r"is not valid JSON"),
    (hostile.invalid_utf8, r"is not UTF-8 text \(first bad byte on line 3\)"),
    (hostile.compressed, r"looks like a binary file"),
])
def test_hostile_files_are_refused_with_what_is_wrong(maker, pattern, provinces) -> None:
    with pytest.raises(IncidentDataError, match=pattern):
        run(maker, provinces)


def test_a_million_damaged_lines_keep_the_good_row_and_a_bounded_report(provinces) -> None:
    result = run(lambda: hostile.malformed_lines(1_000_000), provinces)
    assert result.n_accepted == 1 and result.frame[s.ID].tolist() == ["T-1"]
    report = result.report
    assert len(report.problems) == importers.MAX_PROBLEMS
    assert report.omitted == 1_000_000 - importers.MAX_PROBLEMS
    assert report.problems[0].row == 3 and report.problems[-1].row == 1002  # file lines
    assert result.n_read == 1_000_001
    tail = result.report_csv().decode().strip().splitlines()[-1]
    assert "999,000 more problems were found and not listed" in tail


def test_every_cell_wrong_is_counted_not_worded(provinces) -> None:
    result = run(lambda: hostile.every_row_wrong(20_000), provinces)
    assert result.n_accepted == 0 and result.n_rejected == 20_000
    assert len(result.report.problems) == importers.MAX_PROBLEMS
    assert result.report.omitted > 100_000  # several problems in every row
    assert len(result.report.bad_rows) == 20_000  # each row still rejected


def test_only_the_rows_past_the_cap_go_unlisted(provinces) -> None:
    """A valid row after thousands of bad ones is still accepted: the cap stops the words,
    not the checks."""
    name, data = hostile.every_row_wrong(3_000)
    data += (hostile.GOOD_ROW.replace("T-1", "T-late") + "\n").encode()
    result = importers.import_file(name, data, provinces=provinces)
    assert result.frame[s.ID].tolist() == ["T-late"]


def test_unknown_keys_are_dropped_and_named_once(provinces) -> None:
    name, data = hostile.odd_coordinates()
    extra = data.replace(b'"id": "T-7"', b'"id": "T-7", "osm:one": "x", "osm:two": "y"')
    result = importers.import_file(name, extra, provinces=provinces)
    (note,) = [p for p in result.report.problems if p.field == "properties"]
    assert note.severity == "warning" and note.value == "osm:one, osm:two"
    assert "osm:one" not in result.frame.columns


def test_odd_coordinates_are_rows_to_reject_not_a_file_to_refuse(provinces) -> None:
    features = run(hostile.odd_coordinates, provinces)  # GeoJSON: the first feature is 1
    assert features.frame[s.ID].tolist() == ["T-7"]
    assert {p.row for p in features.report.errors
            if p.field in (s.LAT, s.LON, "lat/lon")} == set(range(1, 8))
    rows = run(hostile.odd_coordinates_csv, provinces)  # CSV: the header is row 1
    assert rows.n_accepted == 0
    assert {p.row for p in rows.report.errors if p.field in (s.LAT, s.LON)} == set(range(2, 9))


def test_a_huge_cell_is_a_row_problem(provinces) -> None:
    result = run(hostile.huge_cell, provinces)
    assert result.n_accepted == 0
    assert any("longer than" in p.message for p in result.report.problems)


def test_the_budget_counts_what_sessions_hold_until_they_let_go() -> None:
    budget = uploads.UploadBudget(1000)

    class Held:  # stands in for an import result kept in a session
        pass

    first, second = Held(), Held()
    budget.hold(first, 600)
    budget.check(400)
    with pytest.raises(uploads.UploadRefused, match=r"holding as much uploaded data"):
        budget.check(401)
    budget.hold(second, 300)
    del first  # the session ended, or its reader removed the file
    gc.collect()
    assert budget.held == 300
    budget.check(700)


def test_the_budget_comes_from_the_environment() -> None:
    assert uploads.budget_from_env({}).limit == uploads.DEFAULT_BUDGET_MB * 2**20
    assert uploads.budget_from_env({uploads.BUDGET_ENV: "50"}).limit == 50 * 2**20
    with pytest.raises(ValueError, match=r"PANJ_UPLOAD_BUDGET_MB must be a positive number "
                                         r"of megabytes; got 'lots'"):
        uploads.budget_from_env({uploads.BUDGET_ENV: "lots"})


def test_one_file_is_read_at_a_time() -> None:
    entered = threading.Event()
    release = threading.Event()

    def first() -> None:
        with uploads.reading_slot():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=first)
    worker.start()
    assert entered.wait(5)
    with pytest.raises(uploads.UploadRefused, match=r"another reader's file is being read"), \
            uploads.reading_slot(wait_s=0.1):
        pass
    release.set()
    worker.join()
    with uploads.reading_slot(wait_s=0.1):  # free again
        pass


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_the_same(ending, provinces) -> None:
    """Excel's old "CSV (Macintosh)" ends lines with a lone carriage return."""
    text = ending.join([hostile.HEADER, hostile.GOOD_ROW,
                        hostile.GOOD_ROW.replace("T-1", "T-2"), ""])
    result = importers.import_file("mac.csv", text.encode(), provinces=provinces)
    assert result.frame[s.ID].tolist() == ["T-1", "T-2"]
