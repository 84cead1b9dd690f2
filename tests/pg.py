"""A throwaway PostgreSQL 15 + PostGIS cluster for the team-mode tests: initdb and pg_ctl in a
temporary folder, on a Unix socket only, run as an unprivileged user (CI runs as root).

Without the server binaries or PostGIS the tests skip with a message, except under
``CI=true``, where they fail: CI installs both (``.ci/run``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BINDIRS = ("/usr/lib/postgresql/15/bin",)
#: Where Debian's postgresql-15-postgis-3 puts the extension.
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
ADMIN = "postgres"
UNPRIVILEGED = "nobody"


def _bindir() -> Path | None:
    for folder in PG_BINDIRS:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def missing() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    bindir = _bindir()
    if bindir is None:
        return "PostgreSQL 15 server binaries (initdb, pg_ctl) are not installed"
    if not POSTGIS_CONTROL.exists():
        return ("PostGIS for PostgreSQL 15 is not installed "
                "(apt-get install postgresql-15-postgis-3)")
    return None


def require() -> None:
    """Skip (locally) or fail (under CI=true) when no cluster can be started."""
    why = missing()
    if why:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"team-mode tests need a database server under CI: {why}")
        pytest.skip(f"team-mode tests skipped: {why}")


def _demote():
    """preexec_fn: run the server as an unprivileged user when the tests run as root."""
    if os.getuid() != 0:
        return None
    user = pwd.getpwnam(UNPRIVILEGED)

    def drop() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    def url(self, database: str, user: str = ADMIN) -> str:
        return f"postgresql://{user}@/{database}?host={self.folder}&port={self.port}"

    def admin_sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement)


def _run(bindir: Path, *args: str) -> None:
    subprocess.run([str(bindir / args[0]), *args[1:]], check=True, capture_output=True,
                   preexec_fn=_demote(), env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})


@contextmanager
def cluster(port: int) -> Iterator[Cluster]:
    """Start a cluster (trust auth on its own socket folder) and stop it on exit."""
    bindir = _bindir()
    assert bindir is not None
    folder = Path(tempfile.mkdtemp(prefix="panj-pg-"))
    folder.chmod(0o755)
    if os.getuid() == 0:
        user = pwd.getpwnam(UNPRIVILEGED)
        os.chown(folder, user.pw_uid, user.pw_gid)
    data = folder / "data"
    try:
        _run(bindir, "initdb", "-D", str(data), "-U", ADMIN, "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8")
        _run(bindir, "pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w",
             "-o", f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off", "start")
        yield Cluster(folder, port)
    finally:
        if (data / "postmaster.pid").exists():
            _run(bindir, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def stop(c: Cluster) -> None:
    """Stop a running cluster (to see what readers get when the database goes away)."""
    bindir = _bindir()
    assert bindir is not None
    _run(bindir, "pg_ctl", "-D", str(c.folder / "data"), "-m", "fast", "-w", "stop")


def start(c: Cluster) -> None:
    bindir = _bindir()
    assert bindir is not None
    _run(bindir, "pg_ctl", "-D", str(c.folder / "data"), "-l", str(c.folder / "server.log"),
         "-w", "-o", f"-k {c.folder} -p {c.port} -c listen_addresses='' -c fsync=off",
         "start")
