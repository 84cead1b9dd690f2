"""Importing other incident files (our CSV, GeoJSON points, ACLED and UCDP GED exports) into ours.

``import_file`` takes the bytes of an uploaded file and returns the rows that fit, typed
as in ``geo.incidents``, with a report of every row that does not: its row (or feature)
number, field, value and why. It never writes anything and never raises on bad content
except :class:`~geo.errors.IncidentDataError`, whose message says what to fix.

About 470 lines: one mapping per outside format (ACLED, UCDP GED, GeoJSON) sits beside the
reading and limits they share.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema as s
from geo.errors import IncidentDataError
from geo.exports import neutralise_formula
from geo.incidents import good_rows, to_frame, validate_table
from geo.layers import region_of_points

Format = Literal["panj", "acled", "ucdp"]
Progress = Callable[[float, str], None]

#: The largest upload, in MiB; ``.streamlit/config.toml`` (``maxUploadSize``) says the same.
MAX_UPLOAD_MB: Final = 20
MAX_BYTES: Final = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS: Final = 100_000
MAX_JSON_DEPTH: Final = 64

FORMAT_LABELS: Final[dict[str, str]] = {
    "panj": "Panj Border Watch CSV", "acled": "ACLED export", "ucdp": "UCDP GED",
}
ACLED_REQUIRED: Final = ("event_id_cnty", "event_date", "event_type", "latitude", "longitude")
UCDP_REQUIRED: Final = ("id", "date_start", "latitude", "longitude", "best")

ACLED_TYPES: Final[dict[str, str]] = {
    "battles": "armed_clash",
    "explosions/remote violence": "remote_violence",
    "violence against civilians": "violence_against_civilians",
    "riots": "other", "protests": "other", "strategic developments": "other",
}
ACLED_COUNTRY_ISO: Final[dict[str, str]] = {"762": "TJ", "4": "AF", "004": "AF"}
COUNTRY_NAMES: Final[dict[str, str]] = {"tajikistan": "TJ", "afghanistan": "AF"}
UCDP_COUNTRY_IDS: Final[dict[str, str]] = {"702": "TJ", "700": "AF"}
UCDP_TYPES: Final[dict[str, str]] = {"1": "armed_clash", "2": "armed_clash",
                                     "3": "violence_against_civilians"}
UCDP_DATE_PREC: Final[dict[str, str]] = {"1": "day", "2": "week", "3": "week", "4": "month",
                                         "5": "year"}
UCDP_WHERE_PREC: Final[dict[str, str]] = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3",
                                          "6": "3", "7": "3"}
TIME_PREC: Final[dict[str, str]] = {"1": "day", "2": "week", "3": "month"}


@dataclass(frozen=True)
class ImportResult:
    """What an import gave: accepted incidents and the report on every row read."""

    format: str
    n_read: int
    frame: gpd.GeoDataFrame
    report: s.ValidationReport
    row_label: str  # "row" for CSV (header = row 1), "feature" for GeoJSON (first = 1)

    @property
    def n_accepted(self) -> int:
        return len(self.frame)

    @property
    def n_rejected(self) -> int:
        return self.n_read - self.n_accepted

    def report_csv(self) -> bytes:
        """The row-by-row report as CSV, formula cells neutralised."""
        table = self.report.to_frame().rename(columns={"row": self.row_label})
        for col in ("field", "value", "problem"):
            table[col] = table[col].astype(str).map(neutralise_formula)
        return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _fail(msg: str) -> IncidentDataError:
    return IncidentDataError(msg)


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or BOM-marked UTF-16, nothing guessed."""
    if not data.strip():
        raise _fail(f"{name!r} is empty: there is nothing to import")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            msg = f"{name!r} says it is UTF-16 but is not valid UTF-16 (byte {exc.start})"
            raise _fail(msg) from exc
    if b"\x00" in data[:8192]:
        msg = (f"{name!r} looks like a binary file (a spreadsheet or an archive?); export it "
               "as CSV (UTF-8) or GeoJSON and upload that")
        raise _fail(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        msg = (f"{name!r} is not UTF-8 text (first bad byte on line {line}); save it as "
               "'CSV UTF-8' and upload it again")
        raise _fail(msg) from exc


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's well-formed rows, the file line each starts on, and the lines skipped."""

    table: pd.DataFrame
    lines: list[int]
    bad_lines: list[s.Problem]


#: How much of a skipped line the report quotes.
RAW_CHARS: Final = 120


def read_csv(text: str, name: str) -> CsvTable:
    """CSV text (comma, semicolon or tab separated) to a table of strings.

    A line whose number of fields differs from the header's is skipped and reported (its
    line number, what is wrong and its text, cut short): analysts' exports often carry a
    few damaged lines, and the rest of the file is still worth having. Blank lines are
    skipped silently.
    """
    delimiter = _delimiter(text)
    csv.field_size_limit(MAX_BYTES)  # one huge cell is a problem to report, not a crash
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration as exc:
        raise _fail(f"{name!r} has no header row: it is not a CSV table") from exc
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise _fail(f"{name!r} repeats the column(s) {dup}; each column name must be unique")
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[s.Problem] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raw = delimiter.join(record).replace("\n", " ")
                shown = raw if len(raw) <= RAW_CHARS else raw[:RAW_CHARS - 1] + "…"
                bad.append(s.Problem(line, "line", shown, f"has {len(record)} fields where "
                                     f"the header has {len(header)}; the line was skipped"))
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        msg = f"{name!r} is not a well-formed CSV table: {exc} (line {reader.line_num})"
        raise _fail(msg) from exc
    return CsvTable(pd.DataFrame(rows, columns=header, dtype=str), lines, bad)


def _depth(text: str) -> int:
    """Deepest bracket nesting in JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan"/"inf": the validator names it
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_geojson(text: str, name: str) -> tuple[pd.DataFrame, list[s.Problem]]:
    """GeoJSON Point features to a table of strings (with ``lat``/``lon`` and
    ``latitude``/``longitude`` from the geometry); other geometries become row problems."""
    if _depth(text) > MAX_JSON_DEPTH:
        msg = f"{name!r} nests deeper than {MAX_JSON_DEPTH} levels; it is not incident data"
        raise _fail(msg)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = (f"{name!r} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
               f"{exc.msg}); was it cut short?")
        raise _fail(msg) from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        msg = f"{name!r} is JSON but not a GeoJSON FeatureCollection of incident points"
        raise _fail(msg)
    rows: list[dict[str, str]] = []
    problems: list[s.Problem] = []
    for n, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            problems.append(s.Problem(n, "feature", _cell(feature)[:60], "is not a GeoJSON "
                                      "Feature object"))
            rows.append({})
            continue
        props = feature.get("properties") or {}
        row = {str(k): _cell(v) for k, v in props.items()} if isinstance(props, dict) else {}
        if isinstance(props.get("sources") if isinstance(props, dict) else None, list):
            row["sources"] = s.SOURCE_SEPARATOR.join(
                f"{x.get('outlet', '')}, {x.get('published') or x.get('date') or 'n.d.'}, "
                f"{x.get('url', '')}" for x in props["sources"] if isinstance(x, dict))
        geom = feature.get("geometry")
        kind = geom.get("type") if isinstance(geom, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if kind == "Point" and isinstance(coords, list) and len(coords) >= 2 \
                and all(isinstance(c, (int, float)) for c in coords[:2]):
            row["lon"] = row["longitude"] = _cell(float(coords[0]))
            row["lat"] = row["latitude"] = _cell(float(coords[1]))
        elif geom is not None:
            problems.append(s.Problem(n, "geometry", str(kind), "must be a Point with "
                                      "[longitude, latitude]; got " + (str(kind) or "nothing")))
        rows.append(row)
    table = pd.DataFrame(rows).fillna("")
    return table.astype(str) if len(table.columns) else table, problems


def detect_format(columns: list[str]) -> Format:
    """Which format a header is; raises with what was expected when it is none of them."""
    cols = set(columns)
    if sum(c in cols for c in s.COLUMNS) >= len(s.COLUMNS) // 2:
        return "panj"
    if all(c in cols for c in ACLED_REQUIRED):
        return "acled"
    if all(c in cols for c in UCDP_REQUIRED):
        return "ucdp"
    shown = ", ".join(sorted(cols)[:12]) + (" …" if len(cols) > 12 else "")
    msg = ("the columns are not a format this dashboard reads. Expected this project's "
           f"format ({', '.join(s.COLUMNS[:6])}, …), an ACLED export "
           f"({', '.join(ACLED_REQUIRED)}, …) or UCDP GED ({', '.join(UCDP_REQUIRED)}, …); "
           f"found: {shown or 'no columns'}")
    raise _fail(msg)


def _col(table: pd.DataFrame, name: str) -> pd.Series:
    return table[name] if name in table else pd.Series("", index=table.index, dtype=object)


def _clean_outlet(series: pd.Series) -> pd.Series:
    return series.str.replace("|", "/", regex=False).str.replace(r"\s+", " ", regex=True) \
        .str.strip().str.slice(0, 200)


def _iso_dates(raw: pd.Series) -> pd.Series:
    """'2025-11-26' or '26 November 2025' to 'YYYY-MM-DD'; anything else left as it was."""
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    long = pd.to_datetime(raw, format="%d %B %Y", errors="coerce")
    parsed = iso.fillna(long)
    return parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), raw)


def from_acled(t: pd.DataFrame) -> pd.DataFrame:
    """An ACLED export to our columns (strings; the validator judges the values)."""
    country = _col(t, "iso").map(ACLED_COUNTRY_ISO).fillna(
        _col(t, "country").str.lower().map(COUNTRY_NAMES)).fillna(_col(t, "country"))
    actors = _col(t, "actor1") + np.where(_col(t, "actor2") != "", " vs " + _col(t, "actor2"),
                                          "")
    notes_text = _col(t, "notes")
    summary = notes_text.where(notes_text != "", _col(t, "sub_event_type") + " at " +
                               _col(t, "location"))
    return pd.DataFrame({
        s.ID: _col(t, "event_id_cnty"),
        s.DATE: _iso_dates(_col(t, "event_date")),
        s.DATE_PRECISION: _col(t, "time_precision").map(TIME_PREC).fillna(
            _col(t, "time_precision").replace("", "day")),
        s.TIME_LOCAL: "",
        s.COUNTRY: country,
        s.REGION_CODE: "",
        s.DISTRICT: _col(t, "admin2"),
        s.LOCATION: _col(t, "location"),
        s.LAT: _col(t, "latitude"), s.LON: _col(t, "longitude"),
        s.GEO_PRECISION: _col(t, "geo_precision").replace("", "3"),
        s.EVENT_TYPE: _col(t, "event_type").str.lower().map(ACLED_TYPES).fillna(
            _col(t, "event_type")),
        s.ORIGIN: "", s.ORIGIN_LAT: "", s.ORIGIN_LON: "",
        s.FATALITIES: _col(t, "fatalities"), s.INJURED: "",
        s.VICTIMS: "",
        s.PERPETRATOR: np.where(actors.str.strip() != "", actors + " (ACLED actors)", ""),
        s.SUMMARY: summary,
        s.SOURCES: "ACLED (" + _clean_outlet(_col(t, "source")).replace("", "source not "
                   "given") + "), n.d., https://acleddata.com/",
        s.CONFIDENCE: "unrated",
        s.NOTES: ("Imported from ACLED event " + _col(t, "event_id_cnty") + "; sub-event type: "
                  + _col(t, "sub_event_type") + "; admin1: " + _col(t, "admin1") + "."),
    }, index=t.index).astype(str)


def from_ucdp(t: pd.DataFrame) -> pd.DataFrame:
    """A UCDP GED table to our columns; ``best`` is the count, ``low``–``high`` go to notes."""
    country = _col(t, "country_id").map(UCDP_COUNTRY_IDS).fillna(
        _col(t, "country").str.lower().map(COUNTRY_NAMES)).fillna(_col(t, "country"))
    headline = _col(t, "source_headline").str.split(";").str[0].str.strip()
    summary = headline.where(headline != "", _col(t, "where_description"))
    sides = _col(t, "side_a") + " vs " + _col(t, "side_b") + " (UCDP sides A and B)"
    ids = ("UCDP-" + _col(t, "id")).where(_col(t, "id") != "", "")
    return pd.DataFrame({
        s.ID: ids,
        s.DATE: _iso_dates(_col(t, "date_start").str.slice(0, 10)),
        s.DATE_PRECISION: _col(t, "date_prec").map(UCDP_DATE_PREC).fillna(_col(t, "date_prec")),
        s.TIME_LOCAL: "",
        s.COUNTRY: country,
        s.REGION_CODE: "",
        s.DISTRICT: _col(t, "adm_2"),
        s.LOCATION: _col(t, "where_description"),
        s.LAT: _col(t, "latitude"), s.LON: _col(t, "longitude"),
        s.GEO_PRECISION: _col(t, "where_prec").map(UCDP_WHERE_PREC).fillna(
            _col(t, "where_prec")),
        s.EVENT_TYPE: _col(t, "type_of_violence").map(UCDP_TYPES).fillna("armed_clash"),
        s.ORIGIN: "", s.ORIGIN_LAT: "", s.ORIGIN_LON: "",
        s.FATALITIES: _col(t, "best"), s.INJURED: "",
        s.VICTIMS: "",
        s.PERPETRATOR: sides,
        s.SUMMARY: summary,
        s.SOURCES: "UCDP GED (" + _clean_outlet(_col(t, "source_office")).replace(
            "", "source articles") + "), n.d., https://ucdp.uu.se/downloads/",
        s.CONFIDENCE: "unrated",
        s.NOTES: ("Imported from UCDP GED event " + _col(t, "id") + "; deaths best "
                  + _col(t, "best") + " (low " + _col(t, "low") + ", high " + _col(t, "high")
                  + "); sources: " + _col(t, "source_article").str.slice(0, 1500) + "."),
    }, index=t.index).astype(str)


def _assign_regions(table: pd.DataFrame, provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    """Fill empty ``region_code`` by point-in-polygon; points in no province are 'outside'."""
    out = table.copy()
    lat = pd.to_numeric(out[s.LAT], errors="coerce")
    lon = pd.to_numeric(out[s.LON], errors="coerce")
    todo = (out[s.REGION_CODE] == "") & lat.between(-90, 90) & lon.between(-180, 180)
    if todo.any():
        codes = region_of_points(provinces, lon[todo].to_numpy(), lat[todo].to_numpy())
        out.loc[todo, s.REGION_CODE] = codes.fillna(s.OUTSIDE_REGION).to_numpy()
        # a country that disagrees with the province found is reported by the validator
    return out


def import_file(
    name: str,
    data: bytes,
    *,
    provinces: gpd.GeoDataFrame,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
) -> ImportResult:
    """Read an uploaded incidents file of any supported format.

    Parameters
    ----------
    name
        The file's name, for messages and to tell GeoJSON from CSV.
    data
        Its bytes.
    provinces
        The full-resolution province layer, to give each point its region.
    max_bytes, max_rows
        Limits; a larger file is refused with a message saying so.
    progress
        Called with (fraction done, what is happening) as the import goes.

    Raises
    ------
    IncidentDataError
        When the file as a whole cannot be used; the message says what to fix.
    """
    step = progress or (lambda _f, _m: None)
    if len(data) > max_bytes:
        msg = (f"{name!r} is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
               "Split it, or filter it to the border provinces first")
        raise _fail(msg)
    step(0.05, "Reading the file")
    text = decode(data, name)
    geo_json = name.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{")
    problems: list[s.Problem] = []
    lines: list[int] | None = None  # the file line of each CSV row, where lines were skipped
    if geo_json:
        table, problems = read_geojson(text, name)
    else:
        parsed = read_csv(text, name)
        table, problems = parsed.table, parsed.bad_lines
        lines = parsed.lines if parsed.bad_lines else None
    if geo_json and len(table.columns) == 0 and problems:  # no feature was usable at all
        report = s.ValidationReport(n_rows=len(table), problems=problems)
        return ImportResult("GeoJSON", len(table), to_frame(pd.DataFrame(
            columns=list(s.COLUMNS))), report, "feature")
    if len(table) == 0 and problems:
        msg = (f"{name!r} has no usable row: every line after the header is malformed, e.g. "
               + str(problems[0]))
        raise _fail(msg)
    if len(table) == 0:
        raise _fail(f"{name!r} has a header but no rows: there is nothing to import")
    if len(table) > max_rows:
        msg = (f"{name!r} has {len(table):,} rows; the limit is {max_rows:,}. Split it, or "
               "filter it to the border provinces first")
        raise _fail(msg)
    step(0.2, f"Mapping {len(table):,} rows")
    fmt = detect_format([str(c) for c in table.columns])
    if fmt == "acled":
        mapped = from_acled(table)
    elif fmt == "ucdp":
        mapped = from_ucdp(table)
    else:
        mapped = table.copy()
        if s.REGION_CODE not in mapped:
            mapped[s.REGION_CODE] = ""
    step(0.4, "Placing each point in its province")
    if all(c in mapped for c in (s.LAT, s.LON, s.REGION_CODE)):
        mapped = _assign_regions(s.read_table(mapped), provinces)
    step(0.6, "Checking every row")
    first_row = 1 if geo_json else 2
    report = validate_table(mapped, regions=provinces, allow_outside=True,
                            first_row=first_row)
    if lines is None:  # GeoJSON feature problems count against their feature's row
        report.problems = sorted(problems + report.problems, key=lambda p: p.row or 0)
        keep = good_rows(report, len(mapped), first_row=first_row)
    else:  # skipped lines are not rows; number each row by its line in the file
        keep = good_rows(report, len(mapped), first_row=first_row)
        report.problems = sorted(problems + [
            p if p.row is None else replace(p, row=lines[p.row - first_row])
            for p in report.problems], key=lambda p: p.row or 0)
        report.n_rows = len(mapped) + len(problems)
    if report.file_errors:
        msg = "the file cannot be imported:\n" + "\n".join(
            f"  {p.field}: {p.message}" for p in report.file_errors)
        raise IncidentDataError(msg, report)
    step(0.9, "Building the map layer")
    frame = to_frame(s.read_table(mapped)[keep])
    step(1.0, "Done")
    return ImportResult(FORMAT_LABELS[fmt] + (" (as GeoJSON)" if geo_json else ""),
                        report.n_rows, frame, report, "feature" if geo_json else "row")
