"""The on-disk cache of prepared incidents: a restart reads it, and every way it can be
wrong (corrupt, cut short, another schema version, a foreign file, a read-only or missing
folder, two writers at once) ends in a rebuild or no cache, never in an error or bad data."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo import cache, layers, proximity
from geo import schema as s
from geo.errors import IncidentDataError
from geo.incidents import load_incidents

from .conftest import FIXTURE_INCIDENTS, good_row


@pytest.fixture(scope="module")
def built_once(provinces, border):
    calls: list[Path] = []

    def build(path: Path) -> cache.Prepared:
        calls.append(path)
        loaded = load_incidents(path, regions=provinces)
        frame = proximity.add_proximity(loaded.frame, border, provinces)
        return cache.Prepared(frame, tuple(map(str, loaded.report.warnings)), False)

    return build, calls


def test_a_restart_reads_the_cache_and_gets_the_same_frame(built_once, tmp_path) -> None:
    build, calls = built_once
    before = len(calls)
    first = cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path)
    again = cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path)
    assert (first.from_cache, again.from_cache) == (False, True)
    assert len(calls) == before + 1
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert again.frame.crs.to_epsg() == 4326 and isinstance(again.frame, gpd.GeoDataFrame)
    assert [p.suffix for p in tmp_path.iterdir()] == [".parquet"]  # no temporary left


def _cached_file(folder: Path) -> Path:
    return next(folder.glob("incidents-*.parquet"))


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "empty", "foreign"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(damage, built_once, tmp_path) -> None:
    build, calls = built_once
    cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path)
    path = _cached_file(tmp_path)
    data = path.read_bytes()
    if damage == "corrupt":
        path.write_bytes(data[:100] + bytes(b ^ 0xFF for b in data[100:400]) + data[400:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a valid Parquet file that is not ours
        pd.DataFrame({"x": [1, 2]}).to_parquet(path)
    before = len(calls)
    got = cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path)
    assert not got.from_cache and len(calls) == before + 1
    assert cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path).from_cache


def test_an_older_schema_version_is_rebuilt(built_once, tmp_path, monkeypatch) -> None:
    build, _ = built_once
    cache.load_prepared(FIXTURE_INCIDENTS, build, folder=tmp_path)
    key = cache.cache_key(FIXTURE_INCIDENTS)
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    assert cache.read(tmp_path, key) is None  # same name, but stamped with the old version
    assert cache.cache_key(FIXTURE_INCIDENTS) != key  # and a new version has a new name


def test_a_new_incident_column_is_never_read_from_an_old_cache(tmp_path, monkeypatch) -> None:
    """The format's columns are part of the key: a column added without bumping
    CACHE_FORMAT still gets a new cache file, not a frame without it."""
    key = cache.cache_key(FIXTURE_INCIDENTS)
    monkeypatch.setattr(s, "COLUMNS", (*s.COLUMNS, "weapon"))
    assert cache.cache_key(FIXTURE_INCIDENTS) != key


def test_an_edited_file_gets_a_new_key(tmp_path) -> None:
    path = tmp_path / "incidents.csv"
    pd.DataFrame([good_row()]).to_csv(path, index=False)
    key = cache.cache_key(path)
    pd.DataFrame([good_row(fatalities="4")]).to_csv(path, index=False)
    assert cache.cache_key(path) != key


def test_a_read_only_folder_means_no_cache(built_once) -> None:
    """Tried by an unprivileged user when the tests run as root (as CI does): root may write
    anywhere, so only another user meets a read-only folder. A forked child drops to that
    user and tries to write; everything it would need to read (the key, the frame) is made
    before, since the checkout itself may be closed to other users."""
    build, _ = built_once
    prepared = build(FIXTURE_INCIDENTS)
    key = cache.cache_key(FIXTURE_INCIDENTS)
    parent = Path(tempfile.mkdtemp())
    parent.chmod(0o755)  # open to the other user, so that only the cache folder is closed
    folder = parent / "cache"
    folder.mkdir()
    folder.chmod(0o555)
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 2
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            wrote = cache.write(folder, key, prepared)
            code = 0 if wrote is None and cache.read(folder, key) is None else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    try:
        assert os.waitstatus_to_exitcode(status) == 0
        assert not list(folder.iterdir())
    finally:
        folder.chmod(0o755)
        shutil.rmtree(parent)


def test_an_unwritable_folder_means_no_cache(built_once, tmp_path) -> None:
    """Also as root: a folder that is a file can never be written."""
    build, _ = built_once
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    got = cache.load_prepared(FIXTURE_INCIDENTS, build, folder=blocker / "cache")
    assert not got.from_cache and len(got.frame) > 0
    assert cache.write(blocker, "k", got) is None


def test_two_writers_never_leave_half_a_file(built_once, tmp_path) -> None:
    build, _ = built_once
    prepared = build(FIXTURE_INCIDENTS)
    key = cache.cache_key(FIXTURE_INCIDENTS)
    errors: list[BaseException] = []
    reads: list[bool] = []

    def writer() -> None:
        try:
            for _ in range(5):
                cache.write(tmp_path, key, prepared)
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        for _ in range(20):
            got = cache.read(tmp_path, key)
            reads.append(got is None or len(got.frame) == len(prepared.frame))

    threads = [threading.Thread(target=writer) for _ in range(3)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(reads)
    assert len(list(tmp_path.iterdir())) == 1  # one whole file, no temporaries
    assert cache.read(tmp_path, key) is not None


def test_the_default_folder_is_never_data(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "panj-border-watch"
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    assert layers.DATA_DIR not in cache.cache_dir().parents


def test_geoparquet_incidents_load_like_the_csv(tmp_path, provinces) -> None:
    csv = load_incidents(FIXTURE_INCIDENTS, regions=provinces).frame
    typed = csv.drop(columns=[s.LAT, s.LON])  # the points travel as geometry
    path = tmp_path / "incidents.parquet"
    typed.to_parquet(path)
    got = load_incidents(path, regions=provinces)
    assert got.report.ok, got.report.summary()
    pd.testing.assert_frame_equal(got.frame, csv, check_dtype=False)


def test_geoparquet_keeps_its_own_geometry_column_and_crs(tmp_path, provinces) -> None:
    """A GIS tool may name the geometry column otherwise and write it in another CRS; the
    file's own "geo" metadata says which, and the points come back in degrees."""
    csv = load_incidents(FIXTURE_INCIDENTS, regions=provinces).frame
    typed = csv.drop(columns=[s.LAT, s.LON]).rename_geometry("geom").to_crs(3857)
    path = tmp_path / "incidents.parquet"
    typed.to_parquet(path)
    got = load_incidents(path, regions=provinces)
    assert got.report.ok, got.report.summary()
    located = csv[s.LAT].notna()
    assert (got.frame.loc[located, s.LAT] - csv.loc[located, s.LAT]).abs().max() < 1e-6
    assert (got.frame.loc[located, s.LON] - csv.loc[located, s.LON]).abs().max() < 1e-6


def test_a_bad_geoparquet_file_is_refused_with_its_problems(tmp_path, provinces) -> None:
    frame = load_incidents(FIXTURE_INCIDENTS).frame.head(3).copy()
    frame[s.FATALITIES] = frame[s.FATALITIES].astype("Float64")
    frame.loc[1, s.FATALITIES] = 2.5
    path = tmp_path / "bad.parquet"
    frame.to_parquet(path)
    with pytest.raises(IncidentDataError, match=r"row 3, fatalities = '2\.5'"):
        load_incidents(path, regions=provinces)
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    with pytest.raises(IncidentDataError, match=r"not a readable \(Geo\)Parquet file"):
        load_incidents(tmp_path / "junk.parquet")
