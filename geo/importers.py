"""Importing other incident files (our CSV, GeoJSON points, ACLED and UCDP GED exports) into ours.

``import_file`` takes the bytes of an uploaded file and returns the rows that fit, typed
as in ``geo.incidents``, with a report of every row that does not: its row (or feature)
number, field, value and why. It never writes anything and never raises on bad content
except :class:`~geo.errors.IncidentDataError`, whose message says what to fix.

About 590 lines: one mapping per outside format (ACLED, UCDP GED, GeoJSON) sits beside the
streamed reading and the bounds they share (columns, rows, depth, problems listed).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final, Literal

import geopandas as gpd
import ijson
import numpy as np
import pandas as pd

from geo import provenance as pv
from geo import schema as s
from geo import validate
from geo.errors import IncidentDataError
from geo.exports import neutralise_formulas
from geo.i18n import N_
from geo.incidents import good_rows, to_frame, validate_table
from geo.layers import region_of_points

Format = Literal["panj", "acled", "ucdp"]
#: Told how far an import has got: a fraction, and the step (English, marked with ``N_``
#: so the page shows it in the reader's language).
Progress = Callable[[float, str], None]

#: The largest upload, in MB; ``.streamlit/config.toml`` (``maxUploadSize``) says the same.
MAX_UPLOAD_MB: Final = 20
#: In bytes, as Streamlit's uploader counts them (it turns away 20,000,180 bytes at 20 MB,
#: with the file marked in red: seen in Chromium with Streamlit 1.67).
MAX_BYTES: Final = MAX_UPLOAD_MB * 1_000_000
MAX_ROWS: Final = 100_000
MAX_JSON_DEPTH: Final = 64
#: The widest header read. ACLED exports have 31 columns, UCDP GED 49, ours 25.
MAX_COLUMNS: Final = 300
#: Problems listed in a report; beyond it they are counted, and their rows still rejected.
MAX_PROBLEMS: Final = 1_000

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

#: Every column or GeoJSON property some format reads. Anything else is dropped as the file
#: is read (and named, once, in the report): a file whose every feature brings keys of its
#: own (an OpenStreetMap export) must not grow a features × keys table.
ACLED_FIELDS: Final = frozenset({
    *ACLED_REQUIRED, "time_precision", "iso", "country", "admin1", "admin2", "location",
    "geo_precision", "sub_event_type", "actor1", "actor2", "fatalities", "notes", "source"})
UCDP_FIELDS: Final = frozenset({
    *UCDP_REQUIRED, "date_prec", "country_id", "country", "adm_2", "where_description",
    "where_prec", "type_of_violence", "low", "high", "side_a", "side_b", "source_headline",
    "source_office", "source_article"})
KNOWN_FIELDS: Final = frozenset(s.COLUMNS) | ACLED_FIELDS | UCDP_FIELDS


@dataclass(frozen=True)
class ImportResult:
    """What an import gave: accepted incidents and the report on every row read."""

    format: str
    n_read: int
    frame: gpd.GeoDataFrame
    report: validate.ValidationReport
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
        if self.report.omitted:  # the report says it is not the whole story
            table.loc[len(table)] = [None, "", "", f"{self.report.omitted:,} more problems "
                                     "were found and not listed", "error"]
        for col in ("field", "value", "problem"):
            table[col] = neutralise_formulas(table[col].astype(str))
        return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _utf8(data: bytes) -> bool:
    """Whether ``data`` is already plain UTF-8 (no byte-order mark), as ijson reads it."""
    return not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or BOM-marked UTF-16, nothing guessed."""
    if not data.strip():
        raise IncidentDataError(f"{name!r} is empty: there is nothing to import")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            msg = f"{name!r} says it is UTF-16 but is not valid UTF-16 (byte {exc.start})"
            raise IncidentDataError(msg) from exc
    if b"\x00" in data[:8192]:
        msg = (f"{name!r} looks like a binary file (a spreadsheet or an archive?); export it "
               "as CSV (UTF-8) or GeoJSON and upload that")
        raise IncidentDataError(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        msg = (f"{name!r} is not UTF-8 text (first bad byte on line {line}); save it as "
               "'CSV UTF-8' and upload it again")
        raise IncidentDataError(msg) from exc


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


@dataclass(frozen=True)
class ReadTable:
    """A file's rows as strings (only the columns some format reads) and what reading found.

    ``problems`` lists the first ``MAX_PROBLEMS`` damaged lines or features and
    ``more_problems`` counts the rest; ``ignored`` names the columns or keys no format
    reads. Where a CSV file had damaged lines, ``lines`` gives the file line of each row;
    a GeoJSON file's ``bad_rows`` are the features with a problem, listed or not.
    """

    table: pd.DataFrame
    problems: list[validate.Problem]
    more_problems: int = 0
    ignored: tuple[str, ...] = ()
    lines: list[int] | None = None
    bad_rows: frozenset[int] = frozenset()


#: How much of a skipped line the report quotes.
RAW_CHARS: Final = 120


def _ignored_problem(ignored: list[str], what: str) -> list[validate.Problem]:
    """One warning naming the columns or keys no format reads (the first ten of them)."""
    if not ignored:
        return []
    shown = ", ".join(ignored[:10]) + (f" and {len(ignored) - 10:,} more" if len(ignored) > 10
                                       else "")
    return [validate.Problem(None, what, shown[:RAW_CHARS * 4], f"{len(ignored):,} {what} that no "
                      "format reads were ignored", "warning")]


def _too_many_rows(name: str, max_rows: int) -> IncidentDataError:
    return IncidentDataError(f"{name!r} has more than {max_rows:,} rows; the limit is "
                             f"{max_rows:,}. Split it, or filter it to the border provinces "
                             "first")


def read_csv(text: str, name: str, *, max_rows: int = MAX_ROWS) -> ReadTable:
    """CSV text (comma, semicolon or tab separated) to a table of strings.

    A line whose number of fields differs from the header's is skipped and reported (its
    line number, what is wrong and its text, cut short): analysts' exports often carry a
    few damaged lines, and the rest of the file is still worth having. Blank lines are
    skipped silently. Only the columns some format reads are kept; every check is linear
    in the file's size, and at most ``MAX_PROBLEMS`` skipped lines are listed.
    """
    delimiter = _delimiter(text)
    csv.field_size_limit(MAX_BYTES)  # one huge cell is a problem to report, not a crash
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration as exc:
        raise IncidentDataError(f"{name!r} has no header row: it is not a CSV table") from exc
    if len(header) > MAX_COLUMNS:
        msg = (f"{name!r} has {len(header):,} columns; the formats read here have at most "
               f"about 50, and the limit is {MAX_COLUMNS}. Is the first line the header?")
        raise IncidentDataError(msg)
    dup = sorted(h for h, n in Counter(header).items() if n > 1)
    if dup:
        msg = f"{name!r} repeats the column(s) {dup}; each column name must be unique"
        raise IncidentDataError(msg)
    keep = [i for i, h in enumerate(header) if h in KNOWN_FIELDS]
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[validate.Problem] = []
    more_bad = 0
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if len(record) != len(header):
                if not any(cell.strip() for cell in record):
                    continue
                if len(bad) < MAX_PROBLEMS:
                    bad.append(_bad_line(line, record, delimiter, len(header)))
                else:
                    more_bad += 1
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append([record[i] for i in keep])
            lines.append(line)
            if len(rows) > max_rows:
                raise _too_many_rows(name, max_rows)
    except csv.Error as exc:
        msg = f"{name!r} is not a well-formed CSV table: {exc} (line {reader.line_num})"
        raise IncidentDataError(msg) from exc
    columns = [header[i] for i in keep]
    return ReadTable(pd.DataFrame(rows, columns=columns, dtype=str), bad, more_bad,
                     tuple(h for h in header if h not in KNOWN_FIELDS and h),
                     lines if bad else None)  # rows keep their spreadsheet numbers otherwise


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (``\\n``, ``\\r\\n`` or a lone ``\\r``, as
    old Mac exports end them), one at a time: ``io.StringIO`` would hold a second copy of
    the whole file, four bytes a character."""
    return (m.group() for m in _LINE.finditer(text))


_LINE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _bad_line(line: int, record: list[str], delimiter: str, width: int) -> validate.Problem:
    raw = delimiter.join(record[:RAW_CHARS]).replace("\n", " ")
    shown = raw if len(raw) <= RAW_CHARS else raw[:RAW_CHARS - 1] + "…"
    return validate.Problem(line, "line", shown, f"has {len(record)} fields where the header has "
                     f"{width}; the line was skipped")


_STEP: Final = np.zeros(256, np.int8)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_NOT_STRUCTURE: Final = bytes(set(range(256)) - set(b'"[]{}'))


def _depth(data: bytes, chunk: int = 1 << 20) -> int:
    """Deepest bracket nesting in JSON text, strings skipped, without parsing it.

    Escapes go first, left to right as a JSON reader takes them (``\\\\`` then ``\\"``),
    then everything but quotes and brackets; what is left is scanned in numpy a megabyte
    at a time. Linear, a fraction of a second for 20 MB, and a few MB of memory.
    """
    bare = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    depth = deepest = quotes = 0
    for at in range(0, len(bare), chunk):
        part = np.frombuffer(bare, np.uint8, min(chunk, len(bare) - at), at)
        outside = (np.cumsum(part == ord('"'), dtype=np.int32) + quotes) % 2 == 0
        level = np.cumsum(_STEP[part] * outside, dtype=np.int32) + depth
        deepest, depth = max(deepest, int(level.max())), int(level[-1])
        quotes += int(np.count_nonzero(part == ord('"')))
    return deepest


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan"/"inf": the validator names it
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)  # numbers are Decimal
    return str(value)


def _features(data: bytes, name: str) -> Iterator[object]:
    """The features of a FeatureCollection (or the one Feature), streamed one at a time."""
    try:
        kind = next(ijson.items(io.BytesIO(data), "type"), None)
        if kind == "Feature":
            yield from ijson.items(io.BytesIO(data), "")
            return
        if kind != "FeatureCollection":
            msg = f"{name!r} is JSON but not a GeoJSON FeatureCollection of incident points"
            raise IncidentDataError(msg)
        # numbers as Decimal: 1e999 is valid JSON, and an infinite point is one bad row,
        # not a file that cannot be read
        yield from ijson.items(io.BytesIO(data), "features.item")
    except ijson.JSONError as exc:
        msg = f"{name!r} is not valid JSON ({exc}); was it cut short?"
        raise IncidentDataError(msg) from exc


def _feature_row(feature: object, ignored: dict[str, None]) -> tuple[dict[str, str],
                                                                    validate.Problem | None]:
    """One feature's kept properties and coordinates as strings, and its problem if any
    (numbered 0: the caller knows the feature's number)."""
    if not isinstance(feature, dict):
        return {}, validate.Problem(0, "feature", _cell(feature)[:60], "is not a GeoJSON Feature "
                             "object")
    props = feature.get("properties") or {}
    row: dict[str, str] = {}
    if isinstance(props, dict):
        for k, v in props.items():
            if k in KNOWN_FIELDS:
                row[k] = _cell(v)
            elif len(ignored) < MAX_COLUMNS:
                ignored[str(k)] = None
        if isinstance(props.get("sources"), list):
            row["sources"] = s.SOURCE_SEPARATOR.join(
                f"{x.get('outlet', '')}, {x.get('published') or x.get('date') or 'n.d.'}, "
                f"{x.get('url', '')}" for x in props["sources"] if isinstance(x, dict))
    geom = feature.get("geometry")
    kind = str(geom.get("type"))[:40] if isinstance(geom, dict) else None
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if kind == "Point" and isinstance(coords, list) and len(coords) >= 2 \
            and all(isinstance(c, (int, float, Decimal)) and not isinstance(c, bool)
                    for c in coords[:2]):
        row["lon"] = row["longitude"] = _cell(float(coords[0]))  # 1E+999 → "inf"
        row["lat"] = row["latitude"] = _cell(float(coords[1]))
    elif geom is not None:
        return row, validate.Problem(0, "geometry", str(kind), "must be a Point with [longitude, "
                              "latitude]; got " + (kind or "nothing"))
    return row, None


def read_geojson(data: bytes, name: str, *, max_rows: int = MAX_ROWS) -> ReadTable:
    """GeoJSON Point features (UTF-8) to a table of strings (with ``lat``/``lon`` and
    ``latitude``/``longitude`` from the geometry); other geometries become row problems.

    The features are streamed (``ijson``): the file is never held as one parsed document,
    and only the properties some format reads are kept, so memory follows the rows kept.
    """
    if _depth(data) > MAX_JSON_DEPTH:
        msg = f"{name!r} nests deeper than {MAX_JSON_DEPTH} levels; it is not incident data"
        raise IncidentDataError(msg)
    rows: list[dict[str, str]] = []
    problems: list[validate.Problem] = []
    bad: set[int] = set()
    ignored: dict[str, None] = {}  # an insertion-ordered set
    for n, feature in enumerate(_features(data, name), start=1):
        if n > max_rows:
            raise _too_many_rows(name, max_rows)
        row, problem = _feature_row(feature, ignored)
        if problem is not None:
            bad.add(n)
            if len(problems) < MAX_PROBLEMS:
                problems.append(replace(problem, row=n))
        rows.append(row)
    table = pd.DataFrame(rows, dtype=object).fillna("")
    return ReadTable(table.astype(str) if len(table.columns) else table, problems,
                     len(bad) - len(problems), tuple(ignored), None, frozenset(bad))


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
    raise IncidentDataError(msg)


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
        s.PROVIDER: pv.ACLED, s.PROVIDER_ID: _col(t, "event_id_cnty"), s.REVIEWED: "no",
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
        s.PROVIDER: pv.UCDP, s.PROVIDER_ID: _col(t, "id"), s.REVIEWED: "no",
        s.FATALITIES_LOW: _col(t, "low"), s.FATALITIES_HIGH: _col(t, "high"),
    }, index=t.index).astype(str)


def assign_regions(table: pd.DataFrame, provinces: gpd.GeoDataFrame) -> pd.DataFrame:
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
        raise IncidentDataError(msg)
    step(0.05, N_("Reading the file"))
    text = decode(data, name)
    geo_json = name.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{")
    if geo_json:  # streamed from UTF-8 bytes
        read = read_geojson(data if _utf8(data) else text.encode(), name, max_rows=max_rows)
    else:
        read = read_csv(text, name, max_rows=max_rows)
    del text  # up to four bytes a character: not held while the rows are checked
    table, problems = read.table, read.problems
    if geo_json and len(table.columns) == 0 and problems:  # no feature was usable at all
        report = validate.ValidationReport(n_rows=len(table), problems=problems,
                                    omitted=read.more_problems)
        return ImportResult("GeoJSON", len(table), to_frame(pd.DataFrame(
            columns=list(s.COLUMNS))), report, "feature")
    if len(table) == 0 and problems:
        msg = (f"{name!r} has no usable row: every line after the header is malformed, e.g. "
               + str(problems[0]))
        raise IncidentDataError(msg)
    if len(table) == 0:
        raise IncidentDataError(f"{name!r} has a header but no rows: there is nothing to import")
    step(0.2, N_("Mapping the rows to our format"))
    fmt = detect_format([str(c) for c in table.columns] + list(read.ignored))
    if fmt == "acled":
        mapped = from_acled(table)
    elif fmt == "ucdp":
        mapped = from_ucdp(table)
    else:
        mapped = table.copy()
        if s.REGION_CODE not in mapped:
            mapped[s.REGION_CODE] = ""
    step(0.4, N_("Placing each point in its province"))
    if all(c in mapped for c in (s.LAT, s.LON, s.REGION_CODE)):
        mapped = assign_regions(validate.read_table(mapped), provinces)
    step(0.6, N_("Checking every row"))
    first_row = 1 if geo_json else 2
    report = validate_table(mapped, regions=provinces, allow_outside=True,
                            first_row=first_row, max_problems=MAX_PROBLEMS)
    report.unlisted_error_rows |= read.bad_rows  # a GeoJSON feature's problem is its row's
    keep = good_rows(report, len(mapped), first_row=first_row)
    if read.lines is None:
        report.problems = problems + report.problems
    else:  # skipped lines are not rows; number each row by its line in the file
        lines = read.lines
        report.problems = problems + [
            p if p.row is None else replace(p, row=lines[p.row - first_row])
            for p in report.problems]
        report.unlisted_error_rows = {lines[r - first_row] for r in report.unlisted_error_rows}
        report.n_rows = len(mapped) + len(problems) + read.more_problems
    # ACLED and UCDP exports carry many columns we do not read: only our own format's
    # extra columns are worth a word
    ignored = list(read.ignored) if fmt == "panj" else []
    report.problems = _ignored_problem(ignored, "properties" if geo_json else "columns") \
        + sorted(report.problems, key=lambda p: p.row or 0)
    report.keep_first(MAX_PROBLEMS)
    report.omitted += read.more_problems
    if report.file_errors:
        msg = "the file cannot be imported:\n" + "\n".join(
            f"  {p.field}: {p.message}" for p in report.file_errors)
        raise IncidentDataError(msg, report)
    step(0.9, N_("Building the map layer"))
    frame = to_frame(validate.read_table(mapped)[keep])
    step(1.0, N_("Done"))
    return ImportResult(FORMAT_LABELS[fmt] + (" (as GeoJSON)" if geo_json else ""),
                        report.n_rows, frame, report, "feature" if geo_json else "row")
