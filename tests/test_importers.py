"""Importing ACLED, UCDP GED, GeoJSON and our CSV; and a corpus of bad files, each answered
with a clear message or a row-by-row report, never a traceback."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from geo import exports, importers
from geo import schema as s
from geo.errors import IncidentDataError

from . import samples
from .conftest import FIXTURE_INCIDENTS, data_checksums, fixture_frame, good_row


def csv_bytes(rows: list[dict[str, str]], sep: str = ",") -> bytes:
    return pd.DataFrame(rows).to_csv(index=False, sep=sep).encode()


def run(name: str, data: bytes, provinces, **kw) -> importers.ImportResult:
    return importers.import_file(name, data, provinces=provinces, **kw)


def test_acled_export_imports_into_the_right_provinces(provinces) -> None:
    table = samples.acled_table(long_dates=True)  # "26 November 2025" dates
    result = run("acled.csv", table.to_csv(index=False).encode(), provinces)
    assert result.format == "ACLED export"
    assert result.n_read == result.n_accepted == 27, result.report.summary()
    bundled = samples.located()
    got = result.frame.set_index(s.ID)
    for _, row in bundled.iterrows():
        mine = got.loc["ACL" + row[s.ID][4:]]
        assert mine[s.REGION_CODE] == row[s.REGION_CODE]  # by point in polygon
        assert mine[s.DATE] == row[s.DATE]
    camp = got.loc["ACL0024"]
    assert camp[s.EVENT_TYPE] == "violence_against_civilians"
    assert camp[s.CONFIDENCE] == "unrated" and camp[s.FATALITIES] == 3
    assert s.parse_sources(camp[s.SOURCES])[0].outlet == "ACLED (Asia-Plus; Radio Ozodi)"


def test_ucdp_ged_imports_with_best_low_high(provinces) -> None:
    result = run("ged.csv", samples.ucdp_table().to_csv(index=False).encode(), provinces)
    assert result.format == "UCDP GED" and result.n_accepted == 27
    camp = result.frame.set_index(s.ID).loc["UCDP-24"]
    assert camp[s.FATALITIES] == 3 and camp[s.REGION_CODE] == "TJ-KT"
    assert "best 3 (low 3, high 5)" in camp[s.NOTES]
    assert camp[s.GEO_PRECISION] == 2  # where_prec 3 (district) → district centre


def test_point_outside_every_province_is_kept_and_flagged(provinces) -> None:
    table = samples.acled_table().head(2)
    table.loc[1, ["latitude", "longitude"]] = ["34.52813", "69.17233"]  # moved to Kabul
    result = run("a.csv", table.to_csv(index=False).encode(), provinces)
    assert result.n_accepted == 2
    assert list(result.frame[s.REGION_CODE]) == ["TJ-KT", s.OUTSIDE_REGION]
    flagged = [p for p in result.report.warnings if p.field == s.REGION_CODE]
    assert flagged and flagged[0].row == 3 and "none of the mapped provinces" in flagged[0].message


def test_our_geojson_export_imports_back(provinces) -> None:
    data = exports.to_geojson(fixture_frame())
    result = run("mine.geojson", data, provinces)
    assert result.format.endswith("(as GeoJSON)") and result.row_label == "feature"
    assert result.n_accepted == 30, result.report.summary()


def test_our_own_csv_imports_unchanged(provinces) -> None:
    result = run("incidents.csv", FIXTURE_INCIDENTS.read_bytes(), provinces)
    assert result.n_accepted == 30 and result.report.ok and not result.report.warnings


def test_report_download_is_neutralised_csv(provinces) -> None:
    bad = csv_bytes([good_row(id="=1+1", date="x")])
    report = run("r.csv", bad, provinces).report_csv().decode()
    assert report.splitlines()[0] == "row,field,value,problem,severity"
    assert "'=1+1" in report and "\n2,date,x," in report


def test_progress_is_reported(provinces) -> None:
    seen: list[float] = []
    run("p.csv", FIXTURE_INCIDENTS.read_bytes(), provinces, progress=lambda f, _m: seen.append(f))
    assert seen[0] < seen[-1] == 1.0 and seen == sorted(seen)


# --- the bad-file corpus ------------------------------------------------------------------

GOOD = good_row()
ROWS = [good_row(), good_row(id="T-2", date="2025-11-30")]


def _drop(col: str) -> bytes:
    return csv_bytes([{k: v for k, v in r.items() if k != col} for r in ROWS])


def _rename(old: str, new: str) -> bytes:
    return csv_bytes([{(new if k == old else k): v for k, v in r.items()} for r in ROWS])


def _geo(features: list) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _point_feature(**props) -> dict:
    return {"type": "Feature", "properties": {**GOOD, **props},
            "geometry": {"type": "Point", "coordinates": [70.04865, 37.84137]}}


_POLY = {"type": "Polygon", "coordinates": [[[70, 37], [71, 37], [71, 38], [70, 37]]]}
_ACLED = samples.acled_table().head(3)

# name → (file name, bytes, expected): expected is ("error", regex) for a refused file,
# or ("report", {(row, field), …}, n_accepted) for a file read with row problems.
CORPUS: dict[str, tuple[str, bytes, tuple]] = {
    "latin-1 encoding": ("a.csv", csv_bytes([good_row(victims="Géné")]).decode().encode(
        "latin-1"), ("error", r"not UTF-8 text \(first bad byte on line 2\)")),
    "utf-8 with BOM": ("a.csv", b"\xef\xbb\xbf" + csv_bytes(ROWS), ("report", set(), 2)),
    "utf-16 with BOM": ("a.csv", csv_bytes(ROWS).decode().encode("utf-16"),
                        ("report", set(), 2)),
    "semicolon delimiters": ("a.csv", csv_bytes(ROWS, sep=";"), ("report", set(), 2)),
    "tab delimiters": ("a.csv", csv_bytes(ROWS, sep="\t"), ("report", set(), 2)),
    "missing column": ("a.csv", _drop("sources"), ("error", r"sources: column 'sources' is "
                                                            r"missing")),
    "extra column": ("a.csv", csv_bytes([{**r, "comment": "x"} for r in ROWS]),
                     ("report", set(), 2)),
    "renamed columns": ("a.csv", _rename("lat", "latitude"),
                        ("error", r"lat: column 'lat' is missing")),
    "bad dates": ("a.csv", csv_bytes([good_row(date="2025-02-30"), good_row(id="T-2",
                                                                               date="tomorrow")]),
                  ("report", {(2, "date"), (3, "date")}, 0)),
    "swapped coordinates": ("a.csv", csv_bytes([good_row(lat="70.04865", lon="37.84137")]),
                            ("report", {(2, "lat")}, 0)),
    "out-of-range coordinates": ("a.csv", csv_bytes([good_row(lat="137.8", lon="270")]),
                                 ("report", {(2, "lat"), (2, "lon")}, 0)),
    "NaN coordinates": ("a.csv", csv_bytes([good_row(lat="NaN", lon="70")]),
                        ("report", {(2, "lat")}, 0)),
    "inf counts and coordinates": ("a.csv", csv_bytes([good_row(lon="inf", fatalities="inf")]),
                                   ("report", {(2, "lon"), (2, "fatalities")}, 0)),
    "huge numbers": ("a.csv", csv_bytes([good_row(fatalities="99999999999999999999",
                                                  injured="5000000")]),
                     ("report", {(2, "fatalities"), (2, "injured")}, 0)),
    "negative counts": ("a.csv", csv_bytes([good_row(injured="-4")]),
                        ("report", {(2, "injured")}, 0)),
    "duplicate ids": ("a.csv", csv_bytes([good_row(), good_row()]), ("report", {(3, "id")}, 1)),
    "empty file": ("a.csv", b"", ("error", r"is empty")),
    "whitespace only": ("a.csv", b"  \n\n ", ("error", r"is empty")),
    "header only": ("a.csv", ",".join(s.COLUMNS).encode() + b"\n", ("error", r"no rows")),
    "binary data": ("a.csv", bytes(range(256)) * 8, ("error", r"looks like a binary file")),
    "spreadsheet (xlsx) renamed .csv": ("a.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64,
                                        ("error", r"binary file")),
    "ragged rows": ("a.csv", csv_bytes(ROWS) + b"a,b,c," + b"x," * 40 + b"\n",
                    ("report", {(4, "line")}, 2)),
    "only ragged rows": ("a.csv", ",".join(s.COLUMNS).encode() + b"\nx,y\n1,2,3\n",
                         ("error", r"no usable row: every line after the header is malformed, "
                                   r"e\.g\. row 2, line = 'x,y': has 2 fields")),
    "duplicate header": ("a.csv", b"id,id,date\n1,2,3\n", ("error", r"repeats the column")),
    "unrecognised columns": ("a.csv", b"name,value\nx,1\n",
                             ("error", r"not a format this dashboard reads.*found: name, value")),
    "truncated GeoJSON": ("a.geojson", _geo([_point_feature()])[:-40],
                          ("error", r"not valid JSON .*cut short")),
    "JSON array, not GeoJSON": ("a.json", b"[1, 2, 3]", ("error", r"not a GeoJSON "
                                                                   r"FeatureCollection")),
    "polygons instead of points": ("a.geojson", _geo([{**_point_feature(), "geometry": _POLY},
                                                      _point_feature(id="T-2")]),
                                   ("report", {(1, "geometry")}, 1)),
    "nested geometry collection": ("a.geojson", _geo([{**_point_feature(), "geometry": {
        "type": "GeometryCollection", "geometries": [{"type": "GeometryCollection",
                                                      "geometries": [_POLY]}]}}]),
        ("report", {(1, "geometry")}, 0)),
    "string coordinates": ("a.geojson", _geo([{**_point_feature(), "geometry": {
        "type": "Point", "coordinates": ["70", "37"]}}]), ("report", {(1, "geometry")}, 0)),
    "feature that is not an object": ("a.geojson", _geo([42]), ("report", {(1, "feature")}, 0)),
    "deeply nested JSON": ("a.json", b'{"type":"FeatureCollection","features":' + b"[" * 5000
                           + b"]" * 5000 + b"}", ("error", r"nests deeper than 64 levels")),
    "one 10 MB field": ("a.csv", csv_bytes([good_row(notes="x" * 10_000_000)]),
                        ("report", {(2, "notes")}, 0)),
    "spreadsheet formulas": ("a.csv", csv_bytes([good_row(victims='=HYPERLINK("http://e.vil",'
                                                                  '"click")', notes="@SUM(1)")]),
                             ("report", set(), 1)),
    "javascript: source link": ("a.csv", csv_bytes([good_row(
        sources="Outlet, 2025-11-27, javascript:alert(1)")]), ("report", {(2, "sources")}, 0)),
    "ACLED row in another country": ("acled.csv", _ACLED.assign(
        iso=["860", *_ACLED["iso"][1:]], country=["Uzbekistan", *_ACLED["country"][1:]])
        .to_csv(index=False).encode(), ("report", {(2, "country")}, 2)),
    "ACLED garbage dates": ("acled.csv", _ACLED.assign(event_date=["26/11/2025", "soon", ""])
                            .to_csv(index=False).encode(),
                            ("report", {(2, "date"), (3, "date"), (4, "date")}, 0)),
}


@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_bad_file_gets_a_clear_answer(case, provinces) -> None:
    name, data, expected = CORPUS[case]
    before = data_checksums()
    if expected[0] == "error":
        with pytest.raises(IncidentDataError) as err:
            run(name, data, provinces)
        assert re.search(expected[1], str(err.value), flags=re.S), str(err.value)
    else:
        result = run(name, data, provinces)
        errors = {(p.row, p.field) for p in result.report.errors}
        assert errors == expected[1], result.report.summary()
        assert result.n_accepted == expected[2]
        assert result.n_read == result.n_accepted + len(result.report.bad_rows)
    assert data_checksums() == before


def test_formula_cells_are_flagged_but_kept_as_text(provinces) -> None:
    name, data, _ = CORPUS["spreadsheet formulas"]
    result = run(name, data, provinces)
    assert {p.field for p in result.report.warnings} == {"victims", "notes"}
    assert result.frame[s.VICTIMS].iloc[0].startswith("=HYPERLINK")
    assert "'=HYPERLINK" in exports.to_csv(result.frame).decode()


@pytest.mark.parametrize(("kw", "pattern"), [({"max_bytes": 100}, r"the limit is 0 MB"),
                                             ({"max_rows": 1}, r"more than 1 rows; the limit")])
def test_limits(kw, pattern, provinces) -> None:
    with pytest.raises(IncidentDataError, match=pattern):
        run("a.csv", csv_bytes(ROWS), provinces, **kw)


def test_a_ged_export_with_one_malformed_line_keeps_its_good_rows(provinces) -> None:
    """As an analyst's real export: one line has a field too many."""
    lines = samples.ucdp_table().to_csv(index=False).splitlines()
    lines[3] = lines[3] + ",extra"  # the fourth line of the file
    result = run("ged.csv", ("\n".join(lines) + "\n").encode(), provinces)
    assert result.format == "UCDP GED"
    assert result.n_read == len(lines) - 1 and result.n_accepted == len(lines) - 2
    bad = [p for p in result.report.errors if p.field == "line"]
    assert [p.row for p in bad] == [4]
    width = len(samples.ucdp_table().columns)
    assert f"has {width + 1} fields where the header has {width}" in bad[0].message
    assert bad[0].value.endswith(",extra") or bad[0].value.endswith("…")


def test_rows_keep_their_file_line_numbers_after_a_skipped_line(provinces) -> None:
    rows = [good_row(), good_row(id="T-2", notes="two\nlines"), good_row(id="T-3", date="x")]
    text = csv_bytes(rows).decode().splitlines(keepends=True)
    text.insert(1, "too,few\n")  # line 2
    result = run("a.csv", "".join(text).encode(), provinces)
    # header = line 1, the bad line 2, T-1 on 3, T-2 on 4-5, T-3 on 6
    assert sorted((p.row, p.field) for p in result.report.errors) == [(2, "line"),
                                                                      (6, "date")]
    assert list(result.frame[s.ID]) == ["T-1", "T-2"]
    long = "z" * 500
    text[1] = f"{long},x\n"
    cut = run("a.csv", "".join(text).encode(), provinces).report.errors[0].value
    assert len(cut) == 120 and cut.endswith("…")
