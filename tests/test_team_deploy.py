"""deploy/start end to end in Chromium: the store, two replicas behind HAProxy, a shared link
that survives losing its replica, and a correction that every replica shows."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from geo import store

from . import browser as b
from .conftest import FIXTURE_CONTEXT, FIXTURE_INCIDENTS, IN_CI, ROOT

pytestmark = pytest.mark.browser

LINK = "/?start=2020-01-01&end=2026-12-31&region=TJ-KT,TJ-GB"


def _free_pair() -> int:
    """A port p with p + 1 free too (deploy/start numbers replicas upwards)."""
    for _ in range(50):
        p = b.free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
            return p
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def _healthy(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not become healthy")


def _figures(page) -> tuple[str, str]:
    return b.metric(page, "Incidents"), b.metric(page, "Killed")


def _served_by(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "PBW_REPLICA")


@pytest.fixture
def deployment(store_url, tmp_path):
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        if IN_CI:
            pytest.fail("HAProxy is missing under CI: .ci/run installs Debian's haproxy")
        pytest.skip("HAProxy not installed: apt-get install haproxy")
    with store.connect(store_url, autocommit=True) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="first import")
    first, bind = _free_pair(), b.free_port()
    run = tmp_path / "run"
    env = {**os.environ, "PANJ_DATABASE_URL": store_url.replace(
        "postgres@", f"{store.READER_ROLE}@"), "PANJ_BIND": f"127.0.0.1:{bind}",
        "PANJ_FIRST_PORT": str(first), "PANJ_RUN_DIR": str(run), "PYTHON": sys.executable,
        "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}
    proc = subprocess.Popen(["bash", "deploy/start"], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        replicas = {f"r{i + 1}": f"http://127.0.0.1:{first + i}" for i in range(2)}
        for url in replicas.values():
            _healthy(url)
        balancer = f"http://127.0.0.1:{bind}"
        _healthy(balancer)
        yield balancer, replicas, run
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_link_survives_its_replica_and_every_replica_shows_a_correction(
        deployment, chromium, store_url, tmp_path) -> None:
    balancer, replicas, run = deployment
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        b.offline(page)
        page.goto(balancer + LINK)
        b.map_frame(page)
        shown = _figures(page)
        served = _served_by(context)
        assert served in replicas and shown[0] != "0"

        # the replica that served the link goes away; the same link, the other replica
        os.kill(int((run / f"replica-{served}.pid").read_text()), signal.SIGTERM)
        page.goto(balancer + LINK)
        b.map_frame(page)
        assert _served_by(context) != served
        assert _figures(page) == shown

        # an editor corrects a figure with the tool; each replica shows it at its next run
        table = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
        row = table["id"] == "PBW-0024"
        old = int(table.loc[row, "fatalities"].iloc[0])
        table.loc[row, "fatalities"] = str(old + 2)
        corrected = tmp_path / "corrected.csv"
        corrected.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "geo.store", "--database", store_url,
                               "load", str(corrected), "--by", "ana", "--note",
                               "per a second report"], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        _healthy(replicas[served])  # deploy/start has started it again
    finally:
        context.close()
    for name in replicas:
        pinned = chromium.new_context(viewport={"width": 1400, "height": 1000})
        try:
            host = balancer.split("//")[1].split(":")[0]
            pinned.add_cookies([{"name": "PBW_REPLICA", "value": name, "domain": host,
                                 "path": "/"}])
            page = pinned.new_page()
            b.offline(page)
            page.goto(balancer + LINK + "&incident=PBW-0024")
            b.map_frame(page)
            assert _served_by(pinned) == name
            assert b.metric(page, "Killed") == str(int(shown[1]) + 2), name
            page.get_by_text(f"killed {old} → {old + 2}, per a second report (by ana)"
                             ).wait_for(timeout=20_000)
        finally:
            pinned.close()
