"""The team store's schema and the editors' tool: ``python -m geo.store
init|load|review|export|history``.

Incidents are stored as the text the CSV holds (so ``export`` gives back the same bytes)
beside typed columns for the queries: ``day``, and ``geom`` in EPSG:4326 with a spatial
index. Every change of a stored incident is kept in ``pbw_history`` with who, when and
why. The app reads through ``geo.store_read`` with a read-only role.

About 460 lines: the schema, its migrations and the roles sit beside the tool that
relies on them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd
import psycopg
from psycopg import sql

from geo import schema as s
from geo import store_read, validate
from geo.density import DENSITY_CELL_KM, cells_query
from geo.errors import IncidentDataError, StoreError
from geo.i18n import ENGLISH
from geo.incidents import (
    CONTEXT_COLUMNS,
    PARQUET_SUFFIXES,
    load_context_events,
    read_csv_text,
    read_geoparquet_table,
    validate_table,
)
from geo.layers import load_border, load_provinces
from geo.proximity import border_distance_km
from geo.store_read import (
    DATABASE_ENV,
    EPSG_METRIC,
    INCIDENT_COLS,
    READER_ROLE,
    STORE_SCHEMA,
    TEXT_COLS,
    VISIBLE,
    connect,
    context_rows,
    database_url,
    export,
    history,
    one,
    require_schema,
    schema_version,
)

#: What the editors' tool owns; the app's reader (connect, read_incidents, revision…) is
#: ``geo.store_read``, imported from there.
__all__ = ["APPEND_ONLY", "EDITOR_ROLE", "MIGRATIONS", "LoadResult", "init", "load",
           "load_context", "load_table", "main", "review"]


def _typed(table: str) -> sql.Composable:
    """The typed columns (day, geom, px, py) computed from ``table``'s text columns: the
    point in EPSG:4326, and in ``ANALYSIS_CRS`` metres for the density cells."""
    d, lat, lon = (sql.Identifier(table, c) for c in (s.DATE, s.LAT, s.LON))
    point = sql.SQL("ST_SetSRID(ST_MakePoint({lon}::float8, {lat}::float8), 4326)").format(
        lat=lat, lon=lon)
    metric = sql.SQL("ST_Transform({p}, {epsg})").format(p=point, epsg=sql.Literal(EPSG_METRIC))
    return sql.SQL("{d}::date, CASE WHEN {lat} <> '' THEN {p} END, "
                   "CASE WHEN {lat} <> '' THEN ST_X({m}) END, "
                   "CASE WHEN {lat} <> '' THEN ST_Y({m}) END").format(
        d=d, lat=lat, p=point, m=metric)


#: The incident and context columns of schema version 1, frozen as written then (as a
#: migration tool freezes its SQL): renaming or reordering a column in ``geo.schema`` later
#: must not change what version 1 creates. Later columns arrive by migration.
_V1_COLUMNS: Final = (
    "id", "date", "date_precision", "time_local", "country", "region_code", "district",
    "location", "lat", "lon", "geo_precision", "event_type", "origin", "origin_lat",
    "origin_lon", "fatalities", "injured", "victims", "perpetrator", "summary", "sources",
    "confidence", "notes", "gazetteer_id")
_V1_CONTEXT_COLUMNS: Final = ("date", "date_precision", "title", "actors", "summary",
                              "sources", "notes")


def _schema_v1() -> list[sql.SQL | sql.Composed]:
    text_cols = sql.SQL(", ").join(
        sql.SQL("{} text NOT NULL DEFAULT ''").format(sql.Identifier(c))
        for c in _V1_COLUMNS if c != "id")
    context_cols = sql.SQL(", ").join(
        sql.SQL("{} text NOT NULL DEFAULT ''").format(sql.Identifier(c))
        for c in _V1_CONTEXT_COLUMNS)
    return [
        sql.SQL("CREATE EXTENSION IF NOT EXISTS postgis"),
        sql.SQL("CREATE TABLE pbw_meta (key text PRIMARY KEY, value text NOT NULL)"),
        sql.SQL("CREATE TABLE pbw_revisions (revision bigserial PRIMARY KEY, "
                "at timestamptz NOT NULL DEFAULT now(), "
                "editor text NOT NULL CHECK (editor <> ''), "
                "note text NOT NULL CHECK (note <> ''), file text NOT NULL, "
                "kind text NOT NULL CHECK (kind IN ('incidents', 'context')))"),
        sql.SQL("CREATE TABLE pbw_incidents (id text PRIMARY KEY, {}, day date NOT NULL, "
                "geom geometry(Point, 4326), "
                # the point in ANALYSIS_CRS metres: density cells without a transform
                "px double precision, py double precision, "
                # geo.proximity's distance to the border, as the app computes it for files
                "border_km double precision, "
                "revision bigint NOT NULL REFERENCES pbw_revisions)").format(text_cols),
        sql.SQL("CREATE INDEX pbw_incidents_day ON pbw_incidents (day)"),
        sql.SQL("CREATE INDEX pbw_incidents_region_day ON pbw_incidents (region_code, day)"),
        sql.SQL("CREATE INDEX pbw_incidents_geom ON pbw_incidents USING gist (geom)"),
        # what changed since the revision a replica holds (geo.store_read.read_incidents)
        sql.SQL("CREATE INDEX pbw_incidents_revision ON pbw_incidents (revision)"),
        # field '' marks an incident's arrival; other rows are one changed field each
        sql.SQL("CREATE TABLE pbw_history (revision bigint NOT NULL REFERENCES pbw_revisions,"
                " incident_id text NOT NULL, field text NOT NULL, old text, new text, "
                "PRIMARY KEY (revision, incident_id, field))"),
        sql.SQL("CREATE INDEX pbw_history_incident ON pbw_history (incident_id)"),
        sql.SQL("CREATE TABLE pbw_context_events (position integer PRIMARY KEY, {}, "
                "revision bigint NOT NULL REFERENCES pbw_revisions)").format(context_cols),
        sql.SQL("CREATE INDEX pbw_incidents_border_km ON pbw_incidents (border_km)"),
        # the default view's density cells, stored by each load (geo.store_read.cells_query)
        sql.SQL("CREATE TABLE pbw_cells (cx double precision, cy double precision, "
                "lon double precision, lat double precision, n bigint, killed bigint, "
                "injured bigint, first date, last date, top text, PRIMARY KEY (cx, cy))"),
    ]


def _schema_v2() -> list[sql.SQL | sql.Composed]:
    """The ``actors`` column (actor groups, ``?actor=``); empty in rows loaded before it."""
    return [sql.SQL("ALTER TABLE pbw_incidents ADD COLUMN {} text NOT NULL DEFAULT ''").format(
        sql.Identifier(s.ACTORS))]


def _schema_v3() -> list[sql.SQL | sql.Composed]:
    """Roles that mean something: each revision records the database login beside the
    editor's ``--by``; history is append-only for everyone (a trigger, which no privilege
    granted later can get around); context-event loads keep the set they replace."""
    context_cols = sql.SQL(", ").join(sql.SQL("{} text NOT NULL").format(sql.Identifier(c))
                                      for c in CONTEXT_COLUMNS)
    statements: list[sql.SQL | sql.Composed] = [
        # revisions made before this version did not record it, and say so
        sql.SQL("ALTER TABLE pbw_revisions ADD COLUMN login text NOT NULL "
                "DEFAULT 'not recorded (before schema 3)'"),
        sql.SQL("ALTER TABLE pbw_revisions ALTER COLUMN login SET DEFAULT session_user"),
        sql.SQL("CREATE TABLE pbw_context_history (revision bigint NOT NULL REFERENCES "
                "pbw_revisions, position integer NOT NULL, {}, "
                "PRIMARY KEY (revision, position))").format(context_cols),
        sql.SQL("CREATE FUNCTION pbw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
                "USING ERRCODE = 'insufficient_privilege'; END $$"),
    ]
    for table in APPEND_ONLY:
        statements += [
            sql.SQL("CREATE TRIGGER {} BEFORE UPDATE OR DELETE ON {} FOR EACH ROW "
                    "EXECUTE FUNCTION pbw_append_only()").format(
                sql.Identifier(f"{table}_append_only"), sql.Identifier(table)),
            sql.SQL("CREATE TRIGGER {} BEFORE TRUNCATE ON {} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION pbw_append_only()").format(
                sql.Identifier(f"{table}_no_truncate"), sql.Identifier(table))]
    return statements


#: The columns version 4 adds, frozen as written then (see ``_V1_COLUMNS``).
_V4_COLUMNS: Final = ("provider", "provider_id", "fatalities_low", "fatalities_high",
                      "also_reported", "merged_into", "reviewed", "withdrawn")


def _schema_v4() -> list[sql.SQL | sql.Composed]:
    """Whose record each row is and how records of one incident were merged
    (``geo.provenance``, ``geo.merge``), and each dataset's last sync (``geo.sync``)."""
    return [
        *(sql.SQL("ALTER TABLE pbw_incidents ADD COLUMN {} text NOT NULL DEFAULT ''").format(
            sql.Identifier(c)) for c in _V4_COLUMNS),
        sql.SQL("CREATE INDEX pbw_incidents_provider ON pbw_incidents (provider, provider_id)"),
        sql.SQL("CREATE TABLE pbw_sync (source text PRIMARY KEY, state text NOT NULL)"),
    ]


#: Tables whose rows, once written, no one changes or removes.
APPEND_ONLY: Final = ("pbw_revisions", "pbw_history", "pbw_context_history")

#: Schema versions in order; ``init`` applies the ones a store has not seen yet.
MIGRATIONS: Final = {1: _schema_v1, 2: _schema_v2, 3: _schema_v3, 4: _schema_v4}

#: The group role whose members may load: what ``load`` and ``load --context`` need, and
#: nothing that rewrites history. Grant it to each editor's own login.
EDITOR_ROLE: Final = "panj_editors"
#: Per table, what editors may do (history and revisions: add rows, never change them).
EDITOR_GRANTS: Final = {
    "pbw_incidents": "SELECT, INSERT, UPDATE", "pbw_history": "SELECT, INSERT",
    "pbw_revisions": "SELECT, INSERT", "pbw_context_history": "SELECT, INSERT",
    "pbw_context_events": "SELECT, INSERT, DELETE", "pbw_cells": "SELECT, INSERT, DELETE",
    "pbw_meta": "SELECT", "pbw_sync": "SELECT, INSERT, UPDATE"}


def init(conn: psycopg.Connection, *, reader: str = READER_ROLE) -> list[int]:
    """Create or upgrade the schema and the read-only role; returns the versions applied."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('pbw_init'))")
        have = schema_version(conn)
        for version in sorted(v for v in MIGRATIONS if v > have):
            for statement in MIGRATIONS[version]():
                conn.execute(statement)
            applied.append(version)
        if applied:
            conn.execute("INSERT INTO pbw_meta VALUES ('schema_version', %s) ON CONFLICT (key)"
                         " DO UPDATE SET value = excluded.value", (str(max(applied)),))
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (reader,)).fetchone() \
                is None:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(reader)))
        role = sql.Identifier(reader)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(role))
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (EDITOR_ROLE,)
                        ).fetchone() is None:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(EDITOR_ROLE)))
        editors = sql.Identifier(EDITOR_ROLE)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(editors))
        conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(
            editors))
        for table, privileges in EDITOR_GRANTS.items():
            conn.execute(sql.SQL("GRANT {} ON {} TO {}").format(
                sql.SQL(privileges), sql.Identifier(table), editors))
    return applied


def read_file_table(path: Path) -> pd.DataFrame:
    """An incidents file (CSV or GeoParquet) as the validator's table of strings."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        raw = read_geoparquet_table(path)
    else:
        try:
            raw = read_csv_text(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, pd.errors.ParserError,
                pd.errors.EmptyDataError) as exc:
            msg = f"incidents file {str(path)!r} could not be read: {exc}"
            raise IncidentDataError(msg) from exc
    return s.with_optional_columns(validate.read_table(raw))


@dataclass(frozen=True)
class LoadResult:
    revision: int | None  #: None: the file held nothing new, so nothing was written
    added: int
    changed: int


def load(conn: psycopg.Connection, path: Path, *, editor: str, note: str) -> LoadResult:
    """Add new incidents and update changed ones from ``path``, all or nothing.

    The file is validated as the app validates it; any error raises IncidentDataError with
    every problem and changes nothing. Incidents missing from the file are kept. A file
    with nothing new leaves no revision behind (``revision`` None).
    """
    return load_table(conn, read_file_table(path), editor=editor, note=note, file=path.name)


def load_table(conn: psycopg.Connection, table: pd.DataFrame, *, editor: str, note: str,
               file: str) -> LoadResult:
    """:func:`load` for a table of strings already read (``geo.sync`` loads this way);
    ``file`` names where it came from in the revision."""
    if not editor.strip() or not note.strip():
        msg = f"editor and note must not be empty; got editor={editor!r}, note={note!r}"
        raise ValueError(msg)
    require_schema(conn)
    table = s.with_optional_columns(table)
    report = validate_table(table, regions=load_provinces(), normalised=True)
    if not report.ok:
        msg = f"{file} was not loaded; nothing changed:\n" + report.summary()
        raise IncidentDataError(msg, report)
    table = table.loc[:, list(INCIDENT_COLS)].assign(border_km=border_distance_km(
        load_border().geometry.iloc[0], pd.to_numeric(table[s.LON], errors="coerce"),
        pd.to_numeric(table[s.LAT], errors="coerce")))
    table["border_km"] = table["border_km"].astype(object).where(table["border_km"].notna(),
                                                                 None)
    try:
        return _load(conn, table, file, editor.strip(), note.strip())
    except _NothingNew:
        return LoadResult(None, 0, 0)


def review(conn: psycopg.Connection, ids: Sequence[str], *, editor: str,
           note: str) -> LoadResult:
    """Mark stored incidents as checked by a curator (``reviewed`` = yes), with history;
    raises StoreError naming any id the store does not hold."""
    table = store_read.read_incidents(conn)
    unknown = sorted(set(ids) - set(table[s.ID]))
    if unknown:
        msg = f"ids {unknown} are not in the store; nothing was marked"
        raise StoreError(msg)
    picked = table[table[s.ID].isin(ids)].assign(**{s.REVIEWED: "yes"})
    return load_table(conn, picked, editor=editor, note=note, file="review")


class _NothingNew(Exception):
    """Raised inside a load's transaction to roll back a revision with no changes."""


def _load(conn: psycopg.Connection, table: pd.DataFrame, file: str, editor: str,
          note: str) -> LoadResult:
    with conn.transaction():
        conn.execute("LOCK TABLE pbw_incidents IN SHARE ROW EXCLUSIVE MODE")
        conn.execute(sql.SQL("CREATE TEMP TABLE pbw_incoming ON COMMIT DROP AS "
                             "SELECT {}, border_km FROM pbw_incidents WITH NO DATA").format(
            TEXT_COLS))
        with conn.cursor().copy(sql.SQL("COPY pbw_incoming ({}, border_km) FROM STDIN").format(
                TEXT_COLS)) as copy:
            for row in table.itertuples(index=False, name=None):
                copy.write_row(row)
        rev = one(conn.execute("INSERT INTO pbw_revisions (editor, note, file, kind) "
                                "VALUES (%s, %s, %s, 'incidents') RETURNING revision",
                                (editor, note, file)))
        pairs = sql.SQL(", ").join(
            sql.SQL("({}, c.{}, i.{})").format(sql.Literal(col), sql.Identifier(col),
                                               sql.Identifier(col))
            for col in INCIDENT_COLS if col != s.ID)
        changed = conn.execute(sql.SQL(
            "INSERT INTO pbw_history SELECT %s, i.id, v.field, v.old, v.new "
            "FROM pbw_incoming i JOIN pbw_incidents c USING (id) "
            "CROSS JOIN LATERAL (VALUES {}) v(field, old, new) WHERE v.old <> v.new "
            "RETURNING incident_id").format(pairs), (rev,)).fetchall()
        added = conn.execute(
            "INSERT INTO pbw_history SELECT %s, i.id, '', NULL, NULL FROM pbw_incoming i "
            "WHERE NOT EXISTS (SELECT FROM pbw_incidents c WHERE c.id = i.id)", (rev,)).rowcount
        n_changed = len({r[0] for r in changed})
        if not n_changed and not added:
            raise _NothingNew
        assign = sql.SQL(", ").join(sql.SQL("{0} = i.{0}").format(sql.Identifier(c))
                                    for c in INCIDENT_COLS if c != s.ID)
        conn.execute(sql.SQL(
            "UPDATE pbw_incidents c SET {assign}, (day, geom, px, py) = (SELECT {typed}), "
            "border_km = i.border_km, revision = %s FROM pbw_incoming i "
            "WHERE c.id = i.id AND EXISTS (SELECT FROM pbw_history h "
            "WHERE h.revision = %s AND h.incident_id = i.id)").format(
            assign=assign, typed=_typed("i")), (rev, rev))
        conn.execute(sql.SQL(
            "INSERT INTO pbw_incidents ({cols}, day, geom, px, py, border_km, revision) "
            "SELECT {cols}, {typed}, i.border_km, %s FROM pbw_incoming i "
            "WHERE NOT EXISTS (SELECT FROM pbw_incidents c WHERE c.id = i.id)").format(
            cols=TEXT_COLS, typed=_typed("i")), (rev,))
        size = DENSITY_CELL_KM * 1000.0
        conn.execute("DELETE FROM pbw_cells")
        conn.execute(sql.SQL("INSERT INTO pbw_cells {}").format(cells_query(VISIBLE)),
                     (size, size, EPSG_METRIC))
    return LoadResult(rev, added, n_changed)


def load_context(conn: psycopg.Connection, path: Path, *, editor: str, note: str) -> int | None:
    """Replace the context events with ``path``'s (validated first); None if unchanged."""
    require_schema(conn)
    events = load_context_events(path).loc[:, list(CONTEXT_COLUMNS)]
    events["date"] = events["date"].dt.strftime("%Y-%m-%d")
    rows = [tuple(r) for r in events.astype(str).itertuples(index=False, name=None)]
    if rows == [tuple(r) for r in context_rows(conn)]:
        return None
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in CONTEXT_COLUMNS)
    with conn.transaction():
        rev = one(conn.execute("INSERT INTO pbw_revisions (editor, note, file, kind) "
                                "VALUES (%s, %s, %s, 'context') RETURNING revision",
                                (editor.strip(), note.strip(), path.name)))
        # the set being replaced goes to history, under the revision that replaced it
        conn.execute(sql.SQL("INSERT INTO pbw_context_history (revision, position, {cols}) "
                             "SELECT %s, position, {cols} FROM pbw_context_events").format(
            cols=cols), (rev,))
        conn.execute("DELETE FROM pbw_context_events")
        with conn.cursor().copy(sql.SQL(
                "COPY pbw_context_events (position, {}, revision) FROM STDIN").format(
                cols)) as copy:
            for i, row in enumerate(rows):
                copy.write_row((i, *row, rev))
    return int(rev)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geo.store``: the editors' tool. Exit 0 on success, 1 on refusal."""
    parser = argparse.ArgumentParser(prog="python -m geo.store", description=__doc__)
    parser.add_argument("--database", default=None,
                        help=f"PostgreSQL URL of an editor role (default: ${DATABASE_ENV})")
    sub = parser.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init", help="create or upgrade the schema and the reader role")
    p_init.add_argument("--reader", default=READER_ROLE, help="the app's read-only role")
    p_load = sub.add_parser("load", help="add and update incidents from a CSV or GeoParquet")
    p_load.add_argument("file", type=Path)
    p_load.add_argument("--by", required=True, help="who is making this change")
    p_load.add_argument("--note", required=True, help="why: the source or reason")
    p_load.add_argument("--context", action="store_true",
                        help="the file holds context events, which replace the stored ones")
    p_review = sub.add_parser("review", help="mark synced incidents as checked by a curator")
    p_review.add_argument("ids", nargs="+", metavar="ID")
    p_review.add_argument("--by", required=True, help="the curator")
    p_review.add_argument("--note", required=True, help="what was checked")
    p_export = sub.add_parser("export", help="write the store as the project's CSV")
    p_export.add_argument("file", type=Path)
    p_export.add_argument("--context", action="store_true", help="export the context events")
    p_hist = sub.add_parser("history", help="print one incident's changes")
    p_hist.add_argument("id")
    args = parser.parse_args(argv)
    url = args.database or database_url()
    if not url:
        parser.error(f"no database: pass --database or set {DATABASE_ENV}")
    try:
        with connect(url, autocommit=True) as conn:
            return _run(conn, args)
    except (StoreError, IncidentDataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"error: the store refused: {type(exc).__name__}: "
              f"{exc.diag.message_primary or exc}", file=sys.stderr)
        return 1


def _run(conn: psycopg.Connection, args: argparse.Namespace) -> int:
    if args.command == "init":
        applied = init(conn, reader=args.reader)
        print(f"schema version {STORE_SCHEMA}" + (
            f" (applied {', '.join(map(str, applied))})" if applied else ", already current")
            + f"; read-only role {args.reader!r}; editors' group role {EDITOR_ROLE!r}")
    elif args.command == "load" and args.context:
        rev = load_context(conn, args.file, editor=args.by, note=args.note)
        print("no changes" if rev is None else f"revision {rev}: context events replaced")
    elif args.command == "load":
        result = load(conn, args.file, editor=args.by, note=args.note)
        print("no changes: every incident in the file is already stored as it is"
              if result.revision is None else
              f"revision {result.revision}: {result.added} added, {result.changed} changed")
    elif args.command == "review":
        result = review(conn, args.ids, editor=args.by, note=args.note)
        print("no changes: every one was already marked reviewed"
              if result.revision is None else
              f"revision {result.revision}: {result.changed} marked reviewed")
    elif args.command == "export":
        data = export(conn, context=args.context)
        args.file.write_bytes(data)
        rows = data.count(b"\n") - 1
        print(f"wrote {args.file} ({rows} rows)")
    else:
        changes = history(conn, args.id)
        if not changes:
            print(f"no incident {args.id!r} in the store")
            return 1
        for change in changes:
            print(f"r{change.revision}  {change.at:%Y-%m-%d %H:%M %Z}  {change.what(ENGLISH)}  "
                  f"[database login {change.login}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
