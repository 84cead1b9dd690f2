"""Reading incident and context-event files into typed frames, after validating them.

Loaders take a ``Path`` and are uncached: the Streamlit side caches them. They never
write: the bundled files stay byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo import schema as s
from geo import validate
from geo.errors import IncidentDataError
from geo.layers import DATA_DIR, STORAGE_CRS, region_problems
from geo.merge import shown
from geo.proximity import add_proximity

INCIDENTS_FILE: Final = DATA_DIR / "incidents.csv"
CONTEXT_FILE: Final = DATA_DIR / "context_events.csv"
#: Environment variable naming another incidents file to show instead of the bundled one.
INCIDENTS_ENV: Final = "PANJ_INCIDENTS"
#: Environment variable naming another context-events file (see :func:`context_path`).
CONTEXT_ENV: Final = "PANJ_CONTEXT_EVENTS"


@dataclass(frozen=True)
class LoadedIncidents:
    """Incidents that passed validation, and the report on all rows read."""

    frame: gpd.GeoDataFrame
    report: validate.ValidationReport


def prepared(loaded: LoadedIncidents, border: gpd.GeoDataFrame,
             provinces: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    """The shared dataset as the app shows it, from a file or the team store: with border
    distances and cross-border flags (``geo.proximity``), marked bundled; and its
    validation warnings as text. Records merged into another dataset's record of the same
    incident, or withdrawn by their dataset, are not shown (``geo.merge.shown``)."""
    visible = shown(loaded.frame)
    frame = add_proximity(loaded.frame if visible.all() else loaded.frame[visible.to_numpy()]
                          .reset_index(drop=True), border, provinces)
    frame[s.DATASET] = s.BUNDLED
    return frame, tuple(str(p) for p in loaded.report.warnings)


def incidents_path() -> Path:
    """The incidents file to show: ``$PANJ_INCIDENTS`` when set, else the bundled file."""
    override = os.environ.get(INCIDENTS_ENV, "").strip()
    return Path(override) if override else INCIDENTS_FILE


@dataclass(frozen=True)
class Review:
    """When an incidents file was last reviewed, what was checked, and what it covers.

    It lives beside the file as ``<name>.review.json`` (``data/incidents.review.json`` for
    the bundled data), so the app never takes a file's modification time for a review.
    """

    reviewed: date
    checked: str
    searched: str
    scope: str
    gaps: tuple[str, ...]


def review_path(incidents: Path) -> Path:
    """Where the review record of an incidents file lives."""
    return incidents.with_name(f"{incidents.stem}.review.json")


def load_review(incidents: Path) -> Review | None:
    """The review record beside ``incidents``, or None when there is none.

    Raises
    ------
    IncidentDataError
        When the record exists but is not a JSON object with a ``reviewed`` date and the
        text fields, naming the field that is wrong.
    """
    path = review_path(incidents)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"review record {str(path)!r} is not JSON text: {exc}"
        raise IncidentDataError(msg) from exc
    if not isinstance(doc, dict):
        msg = f"review record {str(path)!r} must be a JSON object; got {type(doc).__name__}"
        raise IncidentDataError(msg)
    try:
        reviewed = date.fromisoformat(str(doc.get("reviewed", "")))
    except ValueError as exc:
        msg = (f"review record {str(path)!r}: reviewed = {doc.get('reviewed')!r} must be a "
               "date like 2026-11-28")
        raise IncidentDataError(msg) from exc
    texts = {k: doc.get(k, "") for k in ("checked", "searched", "scope")}
    gaps = doc.get("gaps", [])
    bad = [k for k, v in texts.items() if not isinstance(v, str)]
    if bad or not isinstance(gaps, list) or not all(isinstance(g, str) for g in gaps):
        msg = (f"review record {str(path)!r}: checked, searched and scope must be text and "
               f"gaps a list of text; got {', '.join(bad) or 'gaps'} of another type")
        raise IncidentDataError(msg)
    return Review(reviewed, texts["checked"], texts["searched"], texts["scope"], tuple(gaps))


def context_path() -> Path:
    """The context events to show: ``$PANJ_CONTEXT_EVENTS`` when set, else the bundled file."""
    override = os.environ.get(CONTEXT_ENV, "").strip()
    return Path(override) if override else CONTEXT_FILE


def read_csv_text(text: str) -> pd.DataFrame:
    """Parse CSV text into a table of strings; nothing is coerced or guessed.

    Arrow's multi-threaded reader does it (about 4x faster at 100k rows) when every column
    is read as text; anything it will not take (ragged rows, repeated column names) goes
    to pandas' reader, whose errors name the line.
    """
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    if header and len(set(header)) == len(header):
        try:
            table = pa_csv.read_csv(
                io.BytesIO(text.encode("utf-8")),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), null_values=[],
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            if table.column_names == header:
                return table.to_pandas().astype(str)
        except (pa.ArrowInvalid, ValueError):
            pass
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                       na_filter=False, quoting=csv.QUOTE_MINIMAL)


def read_geoparquet_table(path: Path) -> pd.DataFrame:
    """A GeoParquet file in the project's format as a table of strings, ready to validate.

    Columns keep their names; typed values become the text the CSV would hold (dates as
    YYYY-MM-DD, whole-number counts without a decimal point, empty for missing). Where
    ``lat``/``lon`` are absent, they come from the point geometry.
    """
    try:
        try:  # GeoParquet: its own geometry column and CRS, as its "geo" metadata says
            geo = gpd.read_parquet(path)
        except ValueError:  # plain Parquet (no "geo" metadata): lat/lon columns
            geo = None
            frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        msg = f"incidents file {str(path)!r} is not a readable (Geo)Parquet file: {exc}"
        raise IncidentDataError(msg) from exc
    if geo is not None:
        points = geo.geometry if geo.crs is None else geo.geometry.to_crs(STORAGE_CRS)
        frame = pd.DataFrame(geo.drop(columns=geo.geometry.name))
        if s.LAT not in frame or s.LON not in frame:
            frame[s.LON] = points.x.where(points.notna())
            frame[s.LAT] = points.y.where(points.notna())
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = frame[col]
        present = values.notna()
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_numeric_dtype(values) and col in (s.FATALITIES, s.INJURED,
                                                                s.GEO_PRECISION):
            whole = values[present]
            text = (values.astype("Int64").astype(str) if (whole == whole.round()).all()
                    else values.astype(str))
        else:
            text = values.astype(str)
        out[col] = text.where(present, "")
    return out


#: File endings read as GeoParquet rather than CSV.
PARQUET_SUFFIXES: Final = (".parquet", ".geoparquet")


def load_incidents(
    path: Path = INCIDENTS_FILE,
    *,
    regions: gpd.GeoDataFrame | None = None,
    strict: bool = True,
) -> LoadedIncidents:
    """Read, validate and type an incidents CSV.

    Parameters
    ----------
    path
        A CSV in the format of ``geo.schema`` (UTF-8; a byte-order mark is tolerated), or a
        GeoParquet file with the same columns (``.parquet``/``.geoparquet``).
    regions
        The province layer, to check each point lies in its stated region.
    strict
        When True, any error raises; when False, rows with errors are dropped and the
        report says which and why.

    Returns
    -------
    LoadedIncidents
        ``frame`` is a GeoDataFrame in EPSG:4326 (see :func:`to_frame`).

    Raises
    ------
    IncidentDataError
        When the file cannot be read, or (``strict``) when any row has an error.
    """
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        if not Path(path).exists():
            msg = f"incidents file {str(path)!r} does not exist"
            raise IncidentDataError(msg)
        return from_table(read_geoparquet_table(Path(path)), regions=regions, strict=strict)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        msg = f"incidents file {str(path)!r} does not exist"
        raise IncidentDataError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"incidents file {str(path)!r} is not UTF-8 text (byte {exc.start})"
        raise IncidentDataError(msg) from exc
    try:
        raw = read_csv_text(text)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"incidents file {str(path)!r} is not a readable CSV: {exc}"
        raise IncidentDataError(msg) from exc
    return from_table(raw, regions=regions, strict=strict)


def from_table(
    raw: pd.DataFrame,
    *,
    regions: gpd.GeoDataFrame | None = None,
    strict: bool = True,
) -> LoadedIncidents:
    """Validate a table of strings and type its good rows (see :func:`load_incidents`)."""
    table = validate.read_table(raw)
    report = validate_table(table, regions=regions, normalised=True)
    if report.file_errors or (strict and not report.ok):
        msg = "incidents could not be loaded:\n" + report.summary()
        raise IncidentDataError(msg, report)
    return LoadedIncidents(to_frame(table[good_rows(report, len(table))]), report)


def validate_table(
    raw: pd.DataFrame,
    *,
    regions: gpd.GeoDataFrame | None = None,
    allow_outside: bool = False,
    first_row: int = 2,
    today: date | None = None,
    normalised: bool = False,
    max_problems: int | None = None,
) -> validate.ValidationReport:
    """``geo.validate.validate``, and with ``regions`` the check that each point lies in the
    province it names (``geo.layers.region_problems``), in one report.

    ``normalised`` says ``raw`` already went through ``geo.schema.read_table``;
    ``max_problems`` lists only that many problems and counts the rest (as in ``validate``).
    """
    table = raw if normalised else validate.read_table(raw)
    report = validate.validate(table, today=today, allow_outside=allow_outside, first_row=first_row,
                        normalised=True, max_problems=max_problems)
    if regions is not None and not report.file_errors:
        # rows whose coordinates are already wrong get no second, derived complaint (rows
        # with any error, once problems are no longer listed: they are rejected anyway)
        wrong = {p.row for p in report.errors if p.field in (s.LAT, s.LON) and p.row}
        wrong |= report.unlisted_error_rows
        report.problems = validate.sort_problems(report.problems + region_problems(
            table, regions, first_row=first_row, skip_rows=wrong))
        if max_problems is not None:
            report.keep_first(max_problems)
    return report


def good_rows(report: validate.ValidationReport, n_rows: int, *, first_row: int = 2) -> np.ndarray:
    """A mask of the rows that carry no error in ``report``."""
    return ~np.isin(np.arange(n_rows) + first_row, list(report.bad_rows))


def to_frame(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Type validated string rows: dates, integer counts (``Int64``, NA = not reported),
    float coordinates, and Point geometry (None where the incident has no location).
    An empty ``actors`` cell is filled from the row's words (``schema.derive_actors``)."""
    df = s.with_optional_columns(table).loc[:, list(s.COLUMNS)].copy().reset_index(drop=True)
    df[s.DATE] = pd.to_datetime(df[s.DATE], format="%Y-%m-%d")
    for col in (s.FATALITIES, s.INJURED, s.FATALITIES_LOW, s.FATALITIES_HIGH):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    for col in (s.LAT, s.LON, s.ORIGIN_LAT, s.ORIGIN_LON):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("float64")
    df[s.GEO_PRECISION] = df[s.GEO_PRECISION].astype(int)
    unsaid = (df[s.ACTORS] == "").to_numpy()
    if unsaid.any():  # rows that do not name their actor groups: from their words
        df.loc[unsaid, s.ACTORS] = s.derive_actors(df.loc[unsaid, s.PERPETRATOR],
                                                   df.loc[unsaid, s.VICTIMS])
    points = gpd.GeoSeries.from_xy(df[s.LON], df[s.LAT], crs=STORAGE_CRS)
    points[df[s.LAT].isna()] = None
    return gpd.GeoDataFrame(df, geometry=points, crs=STORAGE_CRS)


CONTEXT_COLUMNS: Final = ("date", "date_precision", "title", "actors", "summary", "sources",
                          "notes")


def load_context_events(path: Path | bytes = CONTEXT_FILE, *,
                        name: str | None = None) -> pd.DataFrame:
    """Read the non-spatial context events (statements, meetings, warnings) for the timeline.

    ``path`` is a CSV file, or the CSV's bytes (from the team store) called ``name`` in
    messages.

    Raises
    ------
    IncidentDataError
        Naming the row and field when a date or source does not parse.
    """
    label = name or f"context events file {str(path)!r}"
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    try:
        df = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        msg = f"{label} does not exist"
        raise IncidentDataError(msg) from exc
    missing = [c for c in CONTEXT_COLUMNS if c not in df.columns]
    if missing:
        msg = f"{label} lacks the columns {missing}"
        raise IncidentDataError(msg)
    problems = []
    for i, row in df.iterrows():
        where = f"row {validate.spreadsheet_row(int(i))}"
        try:
            pd.Timestamp(row["date"])
        except ValueError:
            problems.append(f"{where}, date = {row['date']!r}: must be YYYY-MM-DD")
        if row["date_precision"] not in ("day", "year"):
            problems.append(f"{where}, date_precision = {row['date_precision']!r}: "
                            "must be day or year")
        try:
            s.parse_sources(row["sources"])
        except ValueError as exc:
            problems.append(f"{where}, sources: {exc}")
    if problems:
        msg = f"{label}:\n  " + "\n  ".join(problems)
        raise IncidentDataError(msg)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df
