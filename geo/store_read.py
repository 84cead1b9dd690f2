"""What the app reads from the team store (PostgreSQL + PostGIS), as its read-only role.

``geo.store`` owns the schema and the editors' tool; this module holds the connection, the
reads (incidents as the CSV's text, context events, corrections) and the filters run in
SQL. Every value that reaches SQL is a bound parameter; identifiers are the schema's own
column names.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import pandas as pd
import psycopg
from psycopg import sql

from geo import schema as s
from geo import validate
from geo.density import DENSITY_CELL_KM, cells_query, from_rows
from geo.errors import StoreError
from geo.filters import IncidentFilter
from geo.i18n import N_, Translator
from geo.incidents import CONTEXT_COLUMNS, read_csv_text
from geo.layers import ANALYSIS_CRS

DATABASE_ENV: Final = "PANJ_DATABASE_URL"
#: The role the app connects as: it may read every table and change none.
READER_ROLE: Final = "panj_reader"
STORE_SCHEMA: Final = 4
INCIDENT_COLS: Final = s.COLUMNS
#: The stored records a reader sees: not merged into another dataset's record of the same
#: incident, not withdrawn by their dataset (``geo.merge.shown``, in SQL).
VISIBLE: Final = sql.SQL("merged_into = '' AND withdrawn = ''")
#: ``ANALYSIS_CRS`` as an SRID: the store keeps each point in it too (px, py).
EPSG_METRIC: Final = int(ANALYSIS_CRS.split(":")[1])
TEXT_COLS: Final = sql.SQL(", ").join(sql.Identifier(c) for c in INCIDENT_COLS)


def one(cursor: psycopg.Cursor) -> Any:
    """The single value of a query that always returns one row."""
    row = cursor.fetchone()
    if row is None:
        msg = "the incident store returned no row where one was certain"
        raise StoreError(msg)
    return row[0]


def database_url() -> str | None:
    """``$PANJ_DATABASE_URL`` when team mode is on, else None (the files are read)."""
    return os.environ.get(DATABASE_ENV, "").strip() or None


def connect(url: str, **kwargs: Any) -> psycopg.Connection:
    """A connection, or a StoreError that names the problem but not the URL."""
    try:
        return psycopg.connect(url, **{"connect_timeout": 5, **kwargs})
    except psycopg.Error as exc:
        msg = f"cannot connect to the incident store ({type(exc).__name__})"
        raise StoreError(msg) from None


def schema_version(conn: psycopg.Connection) -> int:
    """The store's schema version; 0 for a database ``init`` has not touched."""
    if conn.execute("SELECT to_regclass('pbw_meta')").fetchone() == (None,):
        return 0
    row = conn.execute("SELECT value FROM pbw_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def require_schema(conn: psycopg.Connection) -> None:
    have = schema_version(conn)
    if have != STORE_SCHEMA:
        msg = (f"the incident store has schema version {have}; this app needs "
               f"{STORE_SCHEMA}: run `python -m geo.store init`")
        raise StoreError(msg)


def context_rows(conn: psycopg.Connection) -> list[tuple]:
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in CONTEXT_COLUMNS)
    return conn.execute(sql.SQL("SELECT {} FROM pbw_context_events ORDER BY position").format(
        cols)).fetchall()


def _csv(columns: Sequence[str], rows: list[tuple]) -> bytes:
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def export(conn: psycopg.Connection, *, context: bool = False) -> bytes:
    """The store as the project's CSV, incidents sorted by id: the same bytes every time
    for an unchanged store. A store of curated rows only leaves out the provenance columns
    that sync fills (all empty), so it exports the very file it was loaded from."""
    require_schema(conn)
    if context:
        return _csv(CONTEXT_COLUMNS, context_rows(conn))
    rows = conn.execute(sql.SQL('SELECT {} FROM pbw_incidents ORDER BY id COLLATE "C"').format(
        TEXT_COLS)).fetchall()
    first = len(INCIDENT_COLS) - len(s.PROVENANCE_COLUMNS)
    if INCIDENT_COLS[first:] == s.PROVENANCE_COLUMNS and not any(any(r[first:]) for r in rows):
        return _csv(INCIDENT_COLS[:first], [r[:first] for r in rows])
    return _csv(INCIDENT_COLS, rows)


#: What every connection of the app sets: no transaction of its may write, whatever its
#: role, and no query may run longer than 5 s (a reader's click never waits on one).
READ_ONLY_OPTIONS: Final = "-c default_transaction_read_only=on -c statement_timeout=5000"


def can_write(conn: psycopg.Connection) -> bool:
    """Whether this connection's role could change the store: a superuser, or any write
    privilege on one of its tables. The app refuses to serve with such a role."""
    return bool(one(conn.execute(
        "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR coalesce("
        "bool_or(has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')), false) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'pbw\\_%'")))


def revision(conn: psycopg.Connection) -> int:
    """The store's latest revision: a new number after every load that changed something."""
    require_schema(conn)
    return int(one(conn.execute("SELECT coalesce(max(revision), 0) FROM pbw_revisions")))


def read_incidents(conn: psycopg.Connection, *, since: int = 0) -> pd.DataFrame:
    """The stored incidents as the validator's table of strings, sorted by id; with
    ``since``, only those added or changed after that revision (a replica's refresh).

    Read with COPY as CSV and parsed by the file reader: empty and missing come back "".
    """
    buf = io.BytesIO()
    query = sql.SQL("COPY (SELECT {} FROM pbw_incidents WHERE revision > %s "
                    'ORDER BY id COLLATE "C") TO STDOUT WITH (FORMAT csv, HEADER true)'
                    ).format(TEXT_COLS)
    with conn.cursor().copy(query, (int(since),)) as copy:
        for block in copy:
            buf.write(block)
    text = buf.getvalue().decode("utf-8")
    table = validate.read_table(read_csv_text(text)) if text.count("\n") > 1 else None
    if table is None or table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in INCIDENT_COLS})
    return table


def read_context(conn: psycopg.Connection) -> bytes:
    """The context events as the CSV the file loader reads."""
    return export(conn, context=True)


@dataclass(frozen=True)
class Change:
    """One field of one incident changed (or, with ``field`` "", the incident added)."""

    revision: int
    at: datetime
    editor: str
    note: str
    field: str
    old: str | None
    new: str | None
    login: str = ""  #: the database login that loaded it (the editors' tool shows it)

    def what(self, _: Translator) -> str:
        """The change without its date, in the language of ``_`` (the editor's note as
        written): "Killed 2 → 3, per Interfax (by ana)"."""
        if not self.field:
            return _("recorded, {note} (by {editor})", note=self.note, editor=self.editor)
        empty = _("(empty)")
        return _("{field} {old} → {new}, {note} (by {editor})", field=field_label(self.field, _),
                 old=self.old or empty, new=self.new or empty, note=self.note,
                 editor=self.editor)

    def text(self, _: Translator) -> str:
        """The change in words: "26 Nov 2025: Killed 2 → 3, per Interfax (by ana)"."""
        return f"{_.date(self.at.date())}: {self.what(_)}"


#: How a correction names the field it changed: as the incident record labels it.
_FIELD_LABELS: Final = {
    s.ID: N_("ID"), s.DATE: N_("Date"), s.DATE_PRECISION: N_("Date precision"),
    s.TIME_LOCAL: N_("Time (local)"), s.COUNTRY: N_("Country"), s.REGION_CODE: N_("Region"),
    s.DISTRICT: N_("District"), s.LOCATION: N_("Location"), s.LAT: N_("Lat"),
    s.LON: N_("Lon"), s.GEO_PRECISION: N_("Location precision"), s.EVENT_TYPE: N_("Type"),
    s.ORIGIN: N_("Attackers from"), s.ORIGIN_LAT: N_("Attackers from (lat)"),
    s.ORIGIN_LON: N_("Attackers from (lon)"), s.FATALITIES: N_("Killed"),
    s.INJURED: N_("Injured"), s.VICTIMS: N_("Victims"), s.PERPETRATOR: N_("Blamed (by whom)"),
    s.SUMMARY: N_("Summary"), s.SOURCES: N_("Sources"), s.CONFIDENCE: N_("Confidence"),
    s.NOTES: N_("Notes"), s.GAZETTEER_ID: N_("Gazetteer place"), s.ACTORS: N_("Actors"),
}


def field_label(column: str, _: Translator) -> str:
    """A column's name as readers see it in a correction ("fatalities" → "Killed")."""
    label = _FIELD_LABELS.get(column)
    return _(label) if label else column


def _changes(conn: psycopg.Connection, where: sql.Composable, params: tuple) -> list[tuple]:
    return conn.execute(sql.SQL(
        "SELECT h.incident_id, r.revision, r.at, r.editor, r.note, h.field, h.old, h.new, "
        "r.login "
        "FROM pbw_history h JOIN pbw_revisions r USING (revision) WHERE {} "
        "ORDER BY h.incident_id, r.revision, h.field").format(where), params).fetchall()


def history(conn: psycopg.Connection, incident_id: str) -> list[Change]:
    """Every change of one incident, oldest first (its arrival included)."""
    require_schema(conn)
    return [Change(*row[1:]) for row in _changes(
        conn, sql.SQL("h.incident_id = %s"), (incident_id,))]


def corrections(conn: psycopg.Connection) -> dict[str, tuple[Change, ...]]:
    """The changed fields of every corrected incident, by id (arrivals left out)."""
    out: dict[str, list[Change]] = {}
    for row in _changes(conn, sql.SQL("h.field <> ''"), ()):
        out.setdefault(row[0], []).append(Change(*row[1:]))
    return {k: tuple(v) for k, v in out.items()}


def _where(flt: IncidentFilter) -> tuple[sql.Composable, list[Any]]:
    """``flt`` as a WHERE clause on pbw_incidents and its bound parameters."""
    where = [VISIBLE, sql.SQL("day BETWEEN %s AND %s")]
    params: list[Any] = [flt.start, flt.end]
    if flt.regions:
        where.append(sql.SQL("region_code = ANY(%s)"))
        params.append(list(flt.regions))
    if flt.types:
        where.append(sql.SQL("event_type = ANY(%s)"))
        params.append(list(flt.types))
    if flt.within_km is not None:
        where.append(sql.SQL("border_km <= %s"))
        params.append(float(flt.within_km))
    if flt.sources:  # the shown record's dataset, or one merged into it
        where.append(sql.SQL("(coalesce(nullif(provider, ''), 'curated') = ANY(%s) "
                             "OR also_reported ~ %s)"))
        params += [list(flt.sources), "(^|;)(" + "|".join(flt.sources) + "):"]
    return sql.SQL(" AND ").join(where), params


def matches_all(conn: psycopg.Connection, flt: IncidentFilter) -> bool:
    """True when every stored incident passes ``flt`` (the default view): then the ids
    need not leave the database. Stops at the first incident that does not pass."""
    if not (flt.regions or flt.types or flt.within_km is not None or flt.sources):
        # dates alone: compare with the store's first and last day
        first, last = conn.execute(sql.SQL("SELECT min(day), max(day) FROM pbw_incidents "
                                           "WHERE {}").format(VISIBLE)).fetchone() \
            or (None, None)
        return first is None or (flt.start <= first and last <= flt.end)
    where, params = _where(flt)
    query = sql.SQL("SELECT NOT EXISTS (SELECT FROM pbw_incidents WHERE {} AND NOT ({}))"
                    ).format(VISIBLE, where)
    return bool(one(conn.execute(query, params)))


def filtered_ids(conn: psycopg.Connection, flt: IncidentFilter) -> set[str]:
    """The ids of the stored incidents that pass ``flt``, filtered in SQL.

    ``within_km`` compares the distance stored at load, computed as the app computes it
    for a file (``geo.proximity.border_distance_km``: geodesic, to the nearest point).
    """
    where, params = _where(flt)
    query = sql.SQL("SELECT id FROM pbw_incidents WHERE {}").format(where)
    return {row[0] for row in conn.execute(query, params).fetchall()}


def density_cells(conn: psycopg.Connection, flt: IncidentFilter) -> dict[str, Any]:
    """``geo.density.density_cells`` of the incidents passing ``flt``, summed in SQL: the
    same squares of ``DENSITY_CELL_KM`` in ``ANALYSIS_CRS``, so only cells leave the
    database. Ties for a cell's commonest type go to the first type code alphabetically.

    A filter every incident passes (the default view) reads the cells each load stores
    (``pbw_cells``) instead of summing the whole store again.
    """
    if matches_all(conn, flt):
        rows = conn.execute("SELECT * FROM pbw_cells ORDER BY cx, cy").fetchall()
    else:
        where, params = _where(flt)
        size = DENSITY_CELL_KM * 1000.0
        rows = conn.execute(cells_query(where), [size, size, *params, EPSG_METRIC]).fetchall()
    return from_rows(rows)
