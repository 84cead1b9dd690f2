"""The team store on a real PostgreSQL 15 + PostGIS: schema, loads with history, byte-stable
export, the read-only role, and filters run in SQL that agree with the in-memory ones."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo import density, filters, proximity, store, store_read
from geo import schema as s
from geo.errors import IncidentDataError, StoreError
from geo.filters import IncidentFilter
from geo.i18n import ENGLISH, translator

from .conftest import FIXTURE_CONTEXT, FIXTURE_INCIDENTS, ROOT, fixture_frame


def _connect(url: str) -> psycopg.Connection:
    return store_read.connect(url, autocommit=True)


def _edit(tmp_path: Path, name: str, edit=lambda t: t) -> Path:
    """A copy of the frozen incidents in the current format (the frozen file predates the
    optional ``gazetteer_id``; the store exports every column), with ``edit`` applied."""
    table = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    table = edit(s.with_optional_columns(table))
    # the columns sync fills are left out while empty, as a curated file leaves them
    table = table.drop(columns=[c for c in s.PROVENANCE_COLUMNS
                                if not table[c].astype(bool).any()])
    path = tmp_path / name
    path.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


def _cli(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "geo.store", *(["--database", url] if url else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_init_creates_the_schema_once_and_again_changes_nothing(store_url) -> None:
    with _connect(store_url) as conn:
        assert store_read.schema_version(conn) == store_read.STORE_SCHEMA
        assert store.init(conn) == []  # already current
        srid = conn.execute("SELECT Find_SRID('public', 'pbw_incidents', 'geom')").fetchone()
        assert srid == (4326,)
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'pbw_incidents'")}
        assert {"pbw_incidents_day", "pbw_incidents_geom"} <= indexes
    done = _cli("init", url=store_url)
    assert done.returncode == 0 and "already current" in done.stdout, done.stderr


def test_a_version_1_store_is_upgraded_in_place(pg_cluster, tmp_path) -> None:
    """A store made before the actors column: init adds it, loads and exports then work,
    and a row loaded before keeps its data with the new column empty."""
    pg_cluster.admin_sql("CREATE DATABASE upgrade_from_v1")
    url = pg_cluster.url("upgrade_from_v1")
    with _connect(url) as conn:
        for statement in store.MIGRATIONS[1]():
            conn.execute(statement)
        conn.execute("INSERT INTO pbw_meta VALUES ('schema_version', '1')")
        conn.execute("INSERT INTO pbw_revisions (editor, note, file, kind) "
                     "VALUES ('old', 'before actors', 'x.csv', 'incidents')")
        conn.execute("INSERT INTO pbw_incidents (id, date, summary, day, revision) "
                     "VALUES ('OLD-1', '2021-01-01', 'kept', '2021-01-01', 1)")
        with pytest.raises(StoreError, match=r"run `python -m geo\.store init`"):
            store_read.require_schema(conn)
        assert store.init(conn) == [2, 3, 4]
        assert conn.execute("SELECT summary, actors FROM pbw_incidents").fetchall() == [
            ("kept", "")]
        assert conn.execute("SELECT login FROM pbw_revisions").fetchall() == [
            ("not recorded (before schema 3)",)]
        conn.execute("DELETE FROM pbw_incidents")
        source = _edit(tmp_path, "incidents.csv",
                       lambda t: t.assign(**{s.ACTORS: "taliban"}))
        store.load(conn, source, editor="ci", note="after the upgrade")
        assert store_read.export(conn) == source.read_bytes()


def test_load_then_export_gives_back_the_same_bytes(store_url, tmp_path) -> None:
    source = _edit(tmp_path, "incidents.csv")
    with _connect(store_url) as conn:
        first = store.load(conn, source, editor="ci", note="first import")
        assert (first.added, first.changed) == (30, 0)
        assert store_read.export(conn) == source.read_bytes()
        assert store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="first") is not None
        assert store_read.export(conn, context=True) == FIXTURE_CONTEXT.read_bytes()
        # the same file again is nothing new: no revision, the same bytes
        rev = store_read.revision(conn)
        again = store.load(conn, source, editor="ci", note="again")
        assert again.revision is None and store_read.revision(conn) == rev
        assert store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="again") is None
        assert store_read.export(conn) == source.read_bytes()
        # geometry comes from the text: 40 located, in EPSG:4326
        located = conn.execute("SELECT count(*) FROM pbw_incidents WHERE geom IS NOT NULL "
                               "AND ST_SRID(geom) = 4326").fetchone()
        assert located == (27,)
    out = tmp_path / "out.csv"
    done = _cli("export", str(out), url=store_url)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == source.read_bytes()


def test_a_correction_is_kept_with_who_when_and_why(store_url, tmp_path) -> None:
    def correct(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["id"] == "PBW-0021", "fatalities"] = "4"
        extra = t[t["id"] == "PBW-0021"].assign(id="PBW-9999", fatalities="")
        return pd.concat([t, extra], ignore_index=True)

    corrected = _edit(tmp_path, "corrected.csv", correct)
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        before = conn.execute("SELECT fatalities FROM pbw_incidents WHERE id = 'PBW-0021'"
                              ).fetchone()[0]
    done = _cli("load", str(corrected), "--by", "ana", "--note", "per Interfax",
                url=store_url)
    assert done.returncode == 0, done.stderr
    assert "1 added, 1 changed" in done.stdout
    with _connect(store_url) as conn:
        changes = store_read.history(conn, "PBW-0021")
        assert [c.field for c in changes] == ["", "fatalities"]
        fix = changes[-1]
        assert (fix.old, fix.new, fix.editor, fix.note) == (before, "4", "ana", "per Interfax")
        assert fix.text(ENGLISH).endswith(f"Killed {before} → 4, per Interfax (by ana)")
        russian = fix.text(translator("ru"))
        assert russian.startswith(translator("ru").date(fix.at.date()))
        assert f"Убито: {before} → 4, per Interfax (редактор: ana)" in russian  # note as written
        assert list(store_read.corrections(conn)) == ["PBW-0021"]
        # the new id sorts last, so the export is the corrected file byte for byte
        assert store_read.export(conn) == corrected.read_bytes()
    with _connect(store_url) as conn:  # what a replica holding revision 1 reads
        assert list(store_read.read_incidents(conn, since=1)["id"]) == ["PBW-0021", "PBW-9999"]
        assert store_read.read_incidents(conn, since=store_read.revision(conn)).empty
    shown = _cli("history", "PBW-0021", url=store_url)
    assert shown.returncode == 0 and f"Killed {before} → 4" in shown.stdout
    assert "(by ana)" in shown.stdout
    assert _cli("history", "NOPE", url=store_url).returncode == 1


def test_a_file_with_bad_rows_changes_nothing_and_lists_every_problem(store_url,
                                                                       tmp_path) -> None:
    def spoil(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[2, "date"] = "2025-02-30"
        t.loc[5, "lat"] = "north"
        t.loc[7, "fatalities"] = "3"  # a good change that must not land either
        return t

    bad = _edit(tmp_path, "bad.csv", spoil)
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        rev, before = store_read.revision(conn), store_read.export(conn)
    done = _cli("load", str(bad), "--by", "ana", "--note", "typo", url=store_url)
    assert done.returncode == 1
    assert "row 4" in done.stderr and "date" in done.stderr
    assert "row 7" in done.stderr and "lat" in done.stderr
    assert "nothing changed" in done.stderr and "Traceback" not in done.stderr
    with _connect(store_url) as conn, pytest.raises(IncidentDataError):
        store.load(conn, bad, editor="ana", note="typo")
    with _connect(store_url) as conn:
        assert store_read.revision(conn) == rev and store_read.export(conn) == before


def test_the_reader_role_can_read_and_change_nothing(pg_cluster, store_url) -> None:
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
    reader = store_url.replace("postgres@", f"{store_read.READER_ROLE}@")
    with _connect(reader) as conn:
        assert len(store_read.read_incidents(conn)) == 30
        for statement in ("UPDATE pbw_incidents SET fatalities = '9'",
                          "DELETE FROM pbw_history",
                          "INSERT INTO pbw_revisions (editor, note, file, kind) "
                          "VALUES ('x', 'x', 'x', 'incidents')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_store_reads_back_what_the_file_loader_reads(store_url) -> None:
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        table = store_read.read_incidents(conn)
    expected = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(table, s.with_optional_columns(expected))


@pytest.mark.parametrize("flt", [
    IncidentFilter(date(2020, 1, 1), date(2026, 12, 31)),
    IncidentFilter(date(2025, 11, 26), date(2025, 12, 1)),
    IncidentFilter(date(2020, 1, 1), date(2026, 12, 31), regions=tuple(s.REGIONS)),
    IncidentFilter(date(2025, 11, 26), date(2025, 12, 1), regions=("TJ-KT", "TJ-GB")),
    IncidentFilter(date(2021, 1, 1), date(2025, 12, 31), types=("armed_clash",)),
    IncidentFilter(date(2020, 1, 1), date(2026, 12, 31), within_km=5.0),
    IncidentFilter(date(2020, 1, 1), date(2026, 12, 31), regions=("AF-BDS",), within_km=20.0),
])
def test_filters_in_sql_agree_with_the_in_memory_filters(store_url, border, provinces,
                                                         flt) -> None:
    """The first and third cases pass every incident: ``matches_all`` says so, the others
    not."""
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        got = store_read.filtered_ids(conn, flt)
        everything = store_read.matches_all(conn, flt)
    frame = proximity.add_proximity(fixture_frame(), border, provinces)
    expected = set(frame.loc[filters.mask(frame, flt), "id"])
    assert got == expected
    assert everything == (len(expected) == len(frame))
    assert got  # every case selects something, so agreement is not trivially empty


def test_without_a_database_the_tool_says_so_without_the_url(tmp_path) -> None:
    done = _cli("export", str(tmp_path / "x.csv"))
    assert done.returncode == 2 and "PANJ_DATABASE_URL" in done.stderr
    secret = f"postgresql://editor:s3cret@/panj?host={tmp_path}&port=1"
    done = _cli("export", str(tmp_path / "x.csv"), url=secret)
    assert done.returncode == 1 and "cannot connect to the incident store" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(StoreError) as err:
        store_read.connect(secret)
    assert "s3cret" not in str(err.value)


def test_a_store_without_the_schema_says_which_command_sets_it_up(pg_cluster) -> None:
    pg_cluster.admin_sql("DROP DATABASE IF EXISTS bare")
    pg_cluster.admin_sql("CREATE DATABASE bare")
    done = _cli("export", "/dev/null", url=pg_cluster.url("bare"))
    assert done.returncode == 1 and "python -m geo.store init" in done.stderr


def test_density_cells_summed_in_sql_match_the_map_s_own(store_url, border,
                                                         provinces) -> None:
    flt = IncidentFilter(date(2020, 1, 1), date(2026, 12, 31))
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        got = store_read.density_cells(conn, flt)
        narrow = store_read.density_cells(conn, IncidentFilter(date(2025, 11, 26),
                                                          date(2025, 12, 1)))
        # the default view reads the cells the load stored; they are the summed ones
        stored = conn.execute("SELECT * FROM pbw_cells ORDER BY cx, cy").fetchall()
        summed = conn.execute(store_read.cells_query(psycopg.sql.SQL("TRUE")),
                              (10_000.0, 10_000.0, store_read.EPSG_METRIC)).fetchall()
        assert stored == summed and len(stored) == len(got["count"])
    frame = fixture_frame()
    expected = density.density_cells(frame[frame.geometry.notna()])
    for key in ("count", "killed", "injured", "first", "last", "km"):
        assert got[key] == expected[key], key
    assert sum(got["count"]) == 27 and len(got["count"]) > 5
    assert got["lat"] == pytest.approx(expected["lat"], abs=2e-4)
    assert got["lon"] == pytest.approx(expected["lon"], abs=2e-4)
    single = [t for t, n in zip(expected["top"], expected["count"], strict=True) if n == 1]
    assert single == [t for t, n in zip(got["top"], got["count"], strict=True) if n == 1]
    assert sum(narrow["count"]) == 2


def test_a_geoparquet_file_loads_like_its_csv(store_url, tmp_path) -> None:
    path = tmp_path / "incidents.parquet"
    fixture_frame().to_parquet(path)  # typed columns and a point geometry, as GIS tools write
    with _connect(store_url) as conn:
        loaded = store.load(conn, path, editor="ci", note="from GeoParquet")
        assert (loaded.added, loaded.changed) == (30, 0)
        killed, located = conn.execute(
            "SELECT sum(nullif(fatalities, '')::int), count(geom) FROM pbw_incidents"
        ).fetchone()
    frame = fixture_frame()
    assert (killed, located) == (int(frame[s.FATALITIES].sum()), 27)


def _editor(store_url: str, login: str = "ana") -> str:
    """A login of the editors' group role (``init`` makes the group), as README's steps do."""
    with _connect(store_url) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() \
                is None:
            conn.execute(f'CREATE ROLE "{login}" LOGIN')
        conn.execute(f'GRANT {store.EDITOR_ROLE} TO "{login}"')
    return store_url.replace("postgres@", f"{login}@")


@pytest.mark.parametrize("statement", ["UPDATE pbw_history SET new = 'x'",
                                       "DELETE FROM pbw_history", "TRUNCATE pbw_history",
                                       "UPDATE pbw_revisions SET editor = 'someone else'",
                                       "DELETE FROM pbw_revisions WHERE revision = 1"])
def test_history_is_append_only_for_editors_and_even_the_owner(store_url, statement) -> None:
    with _connect(store_url) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
    for url in (_editor(store_url), store_url):  # an editor, then the owner (superuser)
        with _connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    with _connect(store_url) as conn:
        assert store_read.history(conn, "PBW-0021")  # still there


def test_an_editor_loads_and_each_revision_records_the_database_login(store_url,
                                                                       tmp_path) -> None:
    url = _editor(store_url, "ana")
    with _connect(url) as conn:
        rev = store.load(conn, FIXTURE_INCIDENTS, editor="Ana K.", note="first import")
        context = store.load_context(conn, FIXTURE_CONTEXT, editor="Ana K.", note="first")
        assert conn.execute("SELECT login, editor FROM pbw_revisions ORDER BY revision"
                            ).fetchall() == [("ana", "Ana K."), ("ana", "Ana K.")]
        assert rev.revision and context
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE pbw_history")
    done = subprocess.run([sys.executable, "-m", "geo.store", "--database", url, "history",
                           "PBW-0021"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "[database login ana]" in done.stdout


def test_a_context_load_keeps_the_set_it_replaces(store_url, tmp_path) -> None:
    with _connect(store_url) as conn:
        store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="first")
        before = store_read.export(conn, context=True)
        changed = tmp_path / "context.csv"
        table = pd.read_csv(FIXTURE_CONTEXT, dtype=str, keep_default_na=False)
        changed.write_text(table.head(3).to_csv(index=False), encoding="utf-8")
        rev = store.load_context(conn, changed, editor="ana", note="trimmed")
        kept = conn.execute("SELECT count(*) FROM pbw_context_history WHERE revision = %s",
                            (rev,)).fetchone()[0]
    assert kept == len(table) and len(before.splitlines()) == len(table) + 1


def test_the_apps_sessions_cannot_write_whatever_their_role(store_url) -> None:
    with psycopg.connect(store_url, autocommit=True,
                         options=store_read.READ_ONLY_OPTIONS) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO pbw_meta VALUES ('x', 'y')")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)


def test_which_roles_can_write(store_url) -> None:
    reader = store_url.replace("postgres@", f"{store_read.READER_ROLE}@")
    with _connect(reader) as r, _connect(_editor(store_url)) as e, _connect(store_url) as o:
        assert (store_read.can_write(r), store_read.can_write(e), store_read.can_write(o)) \
            == (False, True, True)


def test_the_readmes_team_steps_work_from_an_empty_server(pg_cluster) -> None:
    """README, Team mode: a superuser makes the database, PostGIS and an owner with
    CREATEROLE (no superuser); the owner runs init; an editor in panj_editors loads; the
    reader reads and the editor cannot rewrite history."""
    admin = pg_cluster.admin_sql
    admin("CREATE ROLE readme_owner LOGIN CREATEROLE")
    admin("CREATE DATABASE readme OWNER readme_owner")
    admin("CREATE EXTENSION postgis", database="readme")
    owner = pg_cluster.url("readme", user="readme_owner")
    with _connect(owner) as conn:
        assert store.init(conn) == [1, 2, 3, 4]
        conn.execute(f"CREATE ROLE readme_ana LOGIN IN ROLE {store.EDITOR_ROLE}")
    editor = pg_cluster.url("readme", user="readme_ana")
    with _connect(editor) as conn:
        assert store.load(conn, FIXTURE_INCIDENTS, editor="ana", note="first").added == 30
        assert store.load_context(conn, FIXTURE_CONTEXT, editor="ana", note="first")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM pbw_history")
    with _connect(pg_cluster.url("readme", user=store_read.READER_ROLE)) as conn:
        assert len(store_read.read_incidents(conn)) == 30 and not store_read.can_write(conn)
