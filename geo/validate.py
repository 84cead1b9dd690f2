"""Checking a table against the incident format (``geo.schema``): every problem at once,
each naming its row, field, value and what is allowed.

``validate`` checks a table of strings (as read from a CSV) with small checks run in turn
(``_CHECKS``). Rows are numbered as a spreadsheet shows them: the header is row 1, the first
incident row 2.

Some 480 lines, on purpose: thirteen checks, the report they fill, and the one pattern that
reads 100,000 rows of sources at once; split further, a reader would chase one rule
through several files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.provenance import PROVIDERS, parse_reported
from geo.schema import (
    _ID_RE,
    _TIME_RE,
    ACTOR_GROUPS,
    ACTOR_SEPARATOR,
    ACTORS,
    ALSO_REPORTED,
    COLUMNS,
    CONFIDENCE,
    CONFIDENCES,
    COUNTRIES,
    COUNTRY,
    DATE,
    DATE_PRECISION,
    DATE_PRECISIONS,
    EVENT_TYPE,
    EVENT_TYPES,
    FATALITIES,
    FATALITIES_HIGH,
    FATALITIES_LOW,
    FORMULA_START,
    GAZETTEER_ID,
    GAZETTEER_PREFIX,
    GEO_PRECISION,
    GEO_PRECISIONS,
    ID,
    INJURED,
    LAT,
    LON,
    MAX_COUNT,
    MAX_TEXT_CHARS,
    MERGED_INTO,
    MIN_DATE,
    OPTIONAL_COLUMNS,
    ORIGIN_LAT,
    ORIGIN_LON,
    OUTSIDE_REGION,
    PROVIDER,
    PROVIDER_ID,
    REGION_CODE,
    REGIONS,
    REQUIRED,
    REVIEWED,
    REVIEWED_VALUES,
    SOURCES,
    TEXT_COLUMNS,
    TIME_LOCAL,
    Severity,
    _parse_day,
    parse_days,
    parse_degrees,
    parse_sources,
    service_today,
    with_optional_columns,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an incidents table."""

    row: int | None  # spreadsheet row (header = 1); None for the file as a whole
    field: str
    value: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}, {self.field} = {shown!r}: {self.message}"


@dataclass
class ValidationReport:
    """Every problem found in one table; rows with an error are listed in ``bad_rows``."""

    n_rows: int
    problems: list[Problem] = field(default_factory=list)
    #: Problems found beyond the number a caller asked to keep (``max_problems``): counted,
    #: not listed. The rows of those that are errors are in ``unlisted_error_rows``.
    omitted: int = 0
    unlisted_error_rows: set[int] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> set[int]:
        """Spreadsheet row numbers that carry at least one error, listed or not."""
        return {p.row for p in self.errors if p.row is not None} | self.unlisted_error_rows

    def keep_first(self, limit: int) -> None:
        """List only the first ``limit`` problems (in reading order); count the rest."""
        for p in self.problems[limit:]:
            if p.severity == "error" and p.row is not None:
                self.unlisted_error_rows.add(p.row)
        self.omitted += max(len(self.problems) - limit, 0)
        del self.problems[limit:]

    @property
    def file_errors(self) -> list[Problem]:
        """Errors about the table as a whole (missing columns and the like)."""
        return [p for p in self.errors if p.row is None]

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (row, field, value, problem, severity)."""
        return pd.DataFrame(
            [(p.row, p.field, p.value, p.message, p.severity) for p in self.problems],
            columns=["row", "field", "value", "problem", "severity"],
        )

    def summary(self, *, limit: int = 20) -> str:
        """A few lines a person can read: counts, then the first ``limit`` problems."""
        head = (f"{self.n_rows} rows: {len(self.errors)} errors in "
                f"{len(self.bad_rows)} rows, {len(self.warnings)} warnings")
        lines = [head, *(f"  {p}" for p in self.problems[:limit])]
        more = len(self.problems) - min(limit, len(self.problems)) + self.omitted
        if more:
            lines.append(f"  … and {more} more")
        return "\n".join(lines)


def spreadsheet_row(index: int) -> int:
    """Spreadsheet row of the data row at 0-based ``index`` (the header is row 1)."""
    return index + 2


class _Collector:
    """Gathers problems for a table of strings with a 0-based RangeIndex."""

    def __init__(self, frame: pd.DataFrame, first_row: int = 2,
                 max_problems: int | None = None) -> None:
        self.frame = frame
        self.first_row = first_row
        self.problems: list[Problem] = []
        # past max_problems, a problem is counted (and its row remembered), never worded:
        # an upload whose every cell is wrong costs its rows, not millions of messages
        self.room = max_problems if max_problems is not None else -1
        self.omitted = 0
        self.unlisted_error_rows: set[int] = set()

    def add(self, index: int | None, fieldname: str, value: str, message: str,
            severity: Severity = "error") -> None:
        row = None if index is None else index + self.first_row
        if self.room == 0 and row is not None:
            self.omitted += 1
            if severity == "error":
                self.unlisted_error_rows.add(row)
            return
        self.room -= self.room > 0
        self.problems.append(Problem(row, fieldname, value, message, severity))

    def rows(self, where: pd.Series | np.ndarray, severity: Severity = "error") -> np.ndarray:
        """The indices where ``where`` holds that still get a worded problem (pass each to
        :meth:`add`); past ``max_problems`` the rest are counted, their rows marked, at once."""
        found = np.flatnonzero(np.asarray(where, dtype=bool))
        if self.room < 0 or len(found) <= self.room:
            return found
        rest = found[self.room:]
        self.omitted += len(rest)
        if severity == "error":
            self.unlisted_error_rows.update((rest + self.first_row).tolist())
        return found[:self.room]

    def unsettled(self, where: pd.Series | np.ndarray) -> np.ndarray:
        """The indices where ``where`` holds whose rows still need a closer (Python) look:
        once no more problems are listed, a row already rejected needs none."""
        found = np.flatnonzero(np.asarray(where, dtype=bool))
        if self.room != 0:
            return found
        return found[~np.isin(found + self.first_row, list(self.unlisted_error_rows))]

    def check(self, column: str, ok: pd.Series, message: str,
              severity: Severity = "error") -> None:
        """Report every non-empty value of ``column`` where ``ok`` is False (or NA)."""
        values = self.frame[column]
        for i in self.rows(~ok.fillna(False).astype(bool) & (values != ""), severity):
            self.add(int(i), column, values.iat[i], message, severity)


def read_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise a raw table to strings: every cell ``str``, stripped, missing = ``""``."""
    out = pd.DataFrame({i: _text(frame.iloc[:, i]).str.strip()
                        for i in range(frame.shape[1])}, index=frame.index)
    out.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return out.reset_index(drop=True)


def _text(column: pd.Series) -> pd.Series:
    """A column as text, missing = ``""``; a string column (what the readers give) is not
    sent through Python objects and back."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.fillna("") if column.hasnans else column
    return column.astype(object).where(column.notna(), "").astype(str)


@dataclass(frozen=True)
class _Options:
    today: date
    allow_outside: bool


#: A well-formed ``sources`` cell, for the fast path of the sources check: every part is
#: "Outlet, YYYY-MM-DD or n.d., http(s) URL". Cells it does not match go through
#: :func:`parse_sources`, which is the rule and words the message, so the fast path may
#: be stricter than the rule but never looser.
#:
#: It avoids ``\s`` and ``\d``: with them pandas' Arrow strings fall back to Python's ``re``
#: cell by cell (0.7 s at 100k rows); without them RE2 runs over the whole column. ``_WS``
#: spells out, as literal characters, exactly what Python's ``\s`` matches in text.
_WS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
       "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_URL = f"https?://[^{_WS}/\"'<>|]+(?:/[^{_WS}\"'<>|]*)?"
#: A calendar day (29 February excepted: such a cell takes the slow path, which knows leap
#: years), so that the fast path needs no second pass over the dates.
_DAY = ("[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
        "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_PART = f"[^|]*?[^|{_WS}][^|]*?, (?:{_DAY}|n\\.d\\.), {_URL}"
_SOURCES_FAST: Final = f"[{_WS}]*{_PART}[{_WS}]*(?:\\|[{_WS}]*(?:{_PART})?[{_WS}]*)*"


def _check_required(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    for col in sorted(REQUIRED, key=COLUMNS.index):
        for i in c.rows(df[col] == ""):
            c.add(int(i), col, "", "is required and empty")


def _check_text(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    for col in TEXT_COLUMNS:
        c.check(col, df[col].str.len() <= MAX_TEXT_CHARS,
                f"is longer than {MAX_TEXT_CHARS} characters")
        c.check(col, ~df[col].str.startswith(FORMULA_START),
                "looks like a spreadsheet formula; kept as plain text, never run", "warning")


def _check_ids(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    c.check(ID, df[ID].str.fullmatch(_ID_RE.pattern),
            "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    dup = df[ID].duplicated(keep="first") & (df[ID] != "")
    if dup.any():
        first_seen = df.groupby(ID).cumcount() == 0
        first_row = pd.Series(np.arange(len(df)), index=df[ID]).where(
            first_seen.to_numpy()).dropna()
        for i in c.rows(dup):
            first = int(first_row.loc[df[ID].iat[i]])
            c.add(int(i), ID, df[ID].iat[i],
                  f"duplicate id; first used on row {first + c.first_row}")


def _check_dates(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    days = parse_days(df[DATE])
    # a real day beyond pandas' timestamps (year 1677 or 2262) is out of range, not unreal
    unparsed = days.isna() & (df[DATE] != "")
    real = days.notna().to_numpy(copy=True)
    real[unparsed.to_numpy()] = df.loc[unparsed, DATE].map(_parse_day).notna().to_numpy(bool)
    real = pd.Series(real, index=df.index)
    c.check(DATE, real, "must be a real date written YYYY-MM-DD, like 2025-11-26")
    in_range = ~real | ((days >= pd.Timestamp(MIN_DATE)) & (days <= pd.Timestamp(opts.today)))
    c.check(DATE, in_range,
            f"must lie between {MIN_DATE.isoformat()} and today ({opts.today.isoformat()})")
    c.check(DATE_PRECISION, df[DATE_PRECISION].isin(list(DATE_PRECISIONS)),
            "must be one of: " + ", ".join(DATE_PRECISIONS))
    c.check(TIME_LOCAL, df[TIME_LOCAL].str.fullmatch(_TIME_RE.pattern),
            "must be a 24-hour time HH:MM, like 18:45, or empty")


def _check_places(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    c.check(COUNTRY, df[COUNTRY].isin(list(COUNTRIES)),
            "must be one of: " + ", ".join(COUNTRIES))
    known_region = df[REGION_CODE].isin(list(REGIONS))
    outside = (df[REGION_CODE] == OUTSIDE_REGION) if opts.allow_outside else \
        pd.Series(False, index=df.index)
    c.check(REGION_CODE, known_region | outside,
            "must be an ISO 3166-2 code of a mapped province: " + ", ".join(REGIONS))
    for i in c.rows(outside, "warning"):
        c.add(int(i), REGION_CODE, OUTSIDE_REGION, "the point lies in none of the mapped "
              "provinces; kept, and shown only when no region filter is set", "warning")
    mismatch = known_region & df[COUNTRY].isin(list(COUNTRIES)) & (
        df[REGION_CODE].str[:2] != df[COUNTRY])
    for i in c.rows(mismatch):
        c.add(int(i), REGION_CODE, df[REGION_CODE].iat[i],
              f"is not in country {df[COUNTRY].iat[i]!r}")
    c.check(GEO_PRECISION, df[GEO_PRECISION].isin([str(k) for k in GEO_PRECISIONS]),
            "must be 1 (site), 2 (district centre) or 3 (province)")
    c.check(GAZETTEER_ID, df[GAZETTEER_ID].str.fullmatch(rf"{GAZETTEER_PREFIX}\d{{1,10}}"),
            f"must be a GeoNames id written {GAZETTEER_PREFIX}<number>, like "
            f"{GAZETTEER_PREFIX}1220479, or empty")
    located = (df[LAT] != "") & (df[LON] != "")
    for i in c.rows((df[GAZETTEER_ID] != "") & ~located):
        c.add(int(i), GAZETTEER_ID, df[GAZETTEER_ID].iat[i],
              "names a gazetteer point, but lat and lon are empty; give its coordinates "
              "(python -m geo.gazetteer fills them)")


def _check_vocabularies(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    c.check(EVENT_TYPE, df[EVENT_TYPE].isin(list(EVENT_TYPES)),
            "must be one of: " + ", ".join(EVENT_TYPES))
    c.check(CONFIDENCE, df[CONFIDENCE].isin(list(CONFIDENCES)),
            "must be one of: " + ", ".join(CONFIDENCES))


def _check_actors(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    code = "(?:" + "|".join(ACTOR_GROUPS) + ")"
    cells = df[ACTORS]
    ok = cells.str.fullmatch(f"{code}(?:{ACTOR_SEPARATOR}{code})*")
    for i in c.rows(~ok.fillna(False).astype(bool) & (cells != "")):
        parts = [p.strip() for p in cells.iat[i].split(ACTOR_SEPARATOR)]
        unknown = [p for p in parts if p not in ACTOR_GROUPS]
        what = (f"unknown group(s) {', '.join(repr(p) for p in unknown)}; " if unknown else
                "")
        c.add(int(i), ACTORS, cells.iat[i], f"{what}must be actor group codes joined by "
              f"'{ACTOR_SEPARATOR}' with no spaces, from: " + ", ".join(ACTOR_GROUPS))


def _check_counts(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    for col in (FATALITIES, INJURED):
        well_formed = df[col].str.fullmatch(r"\d{1,9}")
        c.check(col, well_formed,
                "must be a whole number of people, 0 or more, or empty when not reported")
        counts = pd.to_numeric(df[col].where(well_formed, None), errors="coerce")
        c.check(col, counts.isna() | (counts <= MAX_COUNT),
                f"is larger than {MAX_COUNT:,}; check the figure")


def _check_coordinates(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    for lat_col, lon_col in ((LAT, LON), (ORIGIN_LAT, ORIGIN_LON)):
        lat, lon = parse_degrees(df[lat_col]), parse_degrees(df[lon_col])
        c.check(lat_col, lat.notna(), "must be a finite decimal latitude in degrees (WGS84)")
        c.check(lon_col, lon.notna(), "must be a finite decimal longitude in degrees (WGS84)")
        c.check(lat_col, lat.isna() | lat.between(-90, 90),
                "latitude must lie between -90 and 90")
        c.check(lon_col, lon.isna() | lon.between(-180, 180),
                "longitude must lie between -180 and 180")
        half = (df[lat_col] == "") != (df[lon_col] == "")
        for i in c.rows(half):
            empty = lat_col if df[lat_col].iat[i] == "" else lon_col
            c.add(int(i), empty, "", f"give both {lat_col} and {lon_col}, or leave both empty")
        # The border region lies near 37°N 70°E: a latitude near 70 and a longitude near 37
        # means the two were swapped.
        swapped = lat.between(60, 80) & lon.between(30, 45)
        for i in c.rows(swapped):
            c.add(int(i), lat_col, df[lat_col].iat[i],
                  f"latitude {df[lat_col].iat[i]} and longitude {df[lon_col].iat[i]} look "
                  "swapped: the border region lies near 37°N 70°E")


def _check_sources(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    cells = df[SOURCES]
    fast = cells.str.fullmatch(_SOURCES_FAST).fillna(False).astype(bool)
    for i in c.unsettled(~fast & (cells != "")):  # may yet be valid: each is parsed
        try:
            parse_sources(cells.iat[i])
        except ValueError as exc:
            c.add(int(i), SOURCES, cells.iat[i], str(exc))


def _check_provenance(c: _Collector, df: pd.DataFrame, opts: _Options) -> None:
    """Whose record a row is, and how it was merged (geo.provenance, geo.merge)."""
    c.check(PROVIDER, df[PROVIDER].isin(list(PROVIDERS)),
            "must be one of: " + ", ".join(PROVIDERS) + " (empty means curated)")
    c.check(REVIEWED, df[REVIEWED].isin(list(REVIEWED_VALUES)),
            "must be one of: " + ", ".join(REVIEWED_VALUES) + " (empty means reviewed)")
    for col in (PROVIDER_ID, MERGED_INTO):
        c.check(col, df[col].str.fullmatch(_ID_RE.pattern.strip("^$")),
                "must be an id: letters, digits, '.', '_' or '-', at most 64 characters")
    for col in (FATALITIES_LOW, FATALITIES_HIGH):
        c.check(col, df[col].str.fullmatch(r"\d{1,9}"),
                "must be a whole number of people, 0 or more, or empty when not estimated")
    low, best, high = (pd.to_numeric(df[k], errors="coerce")
                       for k in (FATALITIES_LOW, FATALITIES, FATALITIES_HIGH))
    for i in c.rows((low > best).fillna(False) | (best > high).fillna(False), "warning"):
        c.add(int(i), FATALITIES, df[FATALITIES].iat[i],
              f"lies outside its own range (low {df[FATALITIES_LOW].iat[i]}, high "
              f"{df[FATALITIES_HIGH].iat[i]})", "warning")
    for i in c.unsettled(df[ALSO_REPORTED] != ""):
        try:
            parse_reported(df[ALSO_REPORTED].iat[i])
        except ValueError as exc:
            c.add(int(i), ALSO_REPORTED, df[ALSO_REPORTED].iat[i], str(exc))


#: The row checks, in the order their problems are found; each reads whole columns and
#: words a message only for the rows that fail.
_CHECKS: Final[tuple[Callable[[_Collector, pd.DataFrame, _Options], None], ...]] = (
    _check_required, _check_text, _check_ids, _check_dates, _check_places,
    _check_vocabularies, _check_actors, _check_counts, _check_coordinates, _check_sources,
    _check_provenance)


def _check_columns(c: _Collector, df: pd.DataFrame) -> bool:
    """Report missing (error) and unknown (warning) columns; True when none is missing."""
    missing = [col for col in COLUMNS if col not in df.columns and col not in OPTIONAL_COLUMNS]
    for col in missing:
        c.add(None, col, "", f"column {col!r} is missing; the header must have: "
              + ", ".join(c for c in COLUMNS if c not in OPTIONAL_COLUMNS))
    for col in (col for col in df.columns if col not in COLUMNS):
        c.add(None, col, "", "unknown column, ignored", "warning")
    return not missing


def validate(
    frame: pd.DataFrame,
    *,
    today: date | None = None,
    allow_outside: bool = False,
    first_row: int = 2,
    normalised: bool = False,
    max_problems: int | None = None,
) -> ValidationReport:
    """Check an incidents table and report every problem at once.

    Each rule runs over whole columns; only the rows that fail a rule cost a Python call,
    to word their message. Whether each point lies in its stated province is a question of
    geometry, asked by ``geo.layers.region_problems``.

    Parameters
    ----------
    frame
        The table as read from CSV with every cell a string (see :func:`read_table`).
    today
        Dates after this day are rejected; defaults to :func:`service_today`.
    allow_outside
        Accept ``region_code`` = ``OUTSIDE_REGION`` (imported points in no mapped province).
    first_row
        Number reported for the first data row: 2 for a CSV (the header is row 1), 1 for
        the features of a GeoJSON file.
    normalised
        ``frame`` already went through :func:`read_table` (skips doing it again).
    max_problems
        List at most this many row problems; the rest are counted (``omitted``) and their
        rows still marked bad. None lists every one.

    Returns
    -------
    ValidationReport
        With ``ok`` False when any error was found. The input is not modified.
    """
    df = frame if normalised else read_table(frame)
    c = _Collector(df, first_row, max_problems)
    if _check_columns(c, df):
        c.frame = df = with_optional_columns(df)
        opts = _Options(today or service_today(), allow_outside)
        for check in _CHECKS:
            check(c, df, opts)
    return ValidationReport(n_rows=len(df), problems=sort_problems(c.problems),
                            omitted=c.omitted, unlisted_error_rows=c.unlisted_error_rows)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in reading order: by row, then by column as the format lists them."""
    return sorted(problems, key=lambda p: (p.row or 0, COLUMNS.index(p.field)
                                           if p.field in COLUMNS else 99))


