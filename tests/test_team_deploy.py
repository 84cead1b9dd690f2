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
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
import pandas as pd
import pytest

from geo import store, store_read

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
    with store_read.connect(store_url, autocommit=True) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="first import")
    first, agents, bind = _free_pair(), _free_pair(), b.free_port()
    run = tmp_path / "run"
    env = {**os.environ, "PANJ_DATABASE_URL": store_url.replace(
        "postgres@", f"{store_read.READER_ROLE}@"), "PANJ_BIND": f"127.0.0.1:{bind}",
        "PANJ_FIRST_PORT": str(first), "PANJ_AGENT_FIRST_PORT": str(agents),
        "PANJ_RUN_DIR": str(run), "PYTHON": sys.executable,
        "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}
    out = (tmp_path / "deploy-start.log").open("w")  # HAProxy's access log, among others
    proc = subprocess.Popen(["bash", "deploy/start"], cwd=ROOT, env=env,
                            start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
    try:
        replicas = {f"r{i + 1}": f"http://127.0.0.1:{first + i}" for i in range(2)}
        for url in replicas.values():
            _healthy(url)
        balancer = f"http://127.0.0.1:{bind}"
        _healthy(balancer)
        yield balancer, replicas, run
    finally:
        out.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _corrected(tmp_path: Path) -> tuple[int, Path]:
    """The test rows with PBW-0024's death toll raised by 2: the old toll and the file."""
    table = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    row = table["id"] == "PBW-0024"
    old = int(table.loc[row, "fatalities"].iloc[0])
    table.loc[row, "fatalities"] = str(old + 2)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return old, corrected


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
        old, corrected = _corrected(tmp_path)
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


#: Ways to write the internal endpoints' paths that HAProxy must still recognise.
INTERNAL = ["/_stcore/script-health-check", "/_stcore/metrics", "/_stcore//metrics",
            "/_stcore/script%2Dhealth-check", "/_stcore/METRICS", "/_stcore/metrics/",
            "/_stcore/script-health-check?x=1"]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_balancer_is_a_public_front(deployment, tmp_path) -> None:
    balancer, replicas, run = deployment
    # internal endpoints: refused from outside, however written; the replica itself answers
    assert {path: _status(balancer + path) for path in INTERNAL} == dict.fromkeys(INTERNAL, 404)
    assert _status(replicas["r1"] + "/_stcore/script-health-check") == 200
    assert _status(balancer + "/_stcore/health") == 200

    # one client may not hold more than its share of connections
    host, port = balancer.split("//")[1].split(":")
    # HAProxy may refuse a connection so fast that the reset arrives while connect() is
    # still waiting: that is a refusal too
    held, cut = [], 0
    for _ in range(130):
        try:
            held.append(socket.create_connection((host, int(port)), timeout=5))
        except ConnectionResetError:
            cut += 1
    try:
        for conn in held:
            conn.settimeout(2)
            try:
                conn.sendall(b"GET /_stcore/health HTTP/1.1\r\nHost: x\r\n\r\n")
                cut += conn.recv(64) == b""
            except OSError:
                cut += 1
        assert cut >= 25, cut  # 100 are allowed (PANJ_CLIENT_CONNS); the rest are refused
    finally:
        for conn in held:
            conn.close()

    # a request that never finishes is cut after `timeout http-request` (10 s)
    with socket.create_connection((host, int(port)), timeout=20) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = slow.recv(200)
        assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 15

    # the access log is on deploy/start's standard output
    log = (tmp_path / "deploy-start.log").read_text()
    assert '"GET /_stcore/metrics HTTP/1.1"' in log and " 404 " in log

    # HAProxy itself is supervised: killed, it is back within seconds
    first = int((run / "haproxy.pid").read_text())
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if int((run / "haproxy.pid").read_text() or 0) != first:
            break
        time.sleep(0.2)
    _healthy(balancer, timeout_s=20)
    assert int((run / "haproxy.pid").read_text()) != first


_answer = b.fetch


def test_the_feed_and_data_answer_alike_from_every_replica_and_follow_corrections(
        deployment, store_url, tmp_path) -> None:
    balancer, replicas, _run = deployment
    path = "/api/incidents.geojson?region=TJ-KT"
    status, headers, _body = _answer(balancer + path)
    assert status == 200
    tag = headers["ETag"]
    # the same revision gives the same validator on every replica, so a cached copy is
    # revalidated through the balancer whichever replica answers
    assert {_answer(url + path)[1]["ETag"] for url in replicas.values()} == {tag}
    assert _answer(balancer + path, {"If-None-Match": tag})[0] == 304
    feed = feedparser.parse(_answer(balancer + "/feed.atom?region=TJ-KT")[2])
    entry = next(e for e in feed.entries if e.id.endswith("/PBW-0024"))
    assert entry.updated == entry.published and "Corrected:" not in entry.content[0].value

    # a correction: the validators change and the feed's entry says what changed, and when
    old, corrected = _corrected(tmp_path)
    with store_read.connect(store_url, autocommit=True) as conn:
        store.load(conn, corrected, editor="ana", note="per a second report")
    assert _answer(balancer + path, {"If-None-Match": tag})[0] == 200
    feed = feedparser.parse(_answer(balancer + "/feed.atom?region=TJ-KT")[2])
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.id.endswith("/PBW-0024"))
    assert entry.updated > entry.published
    assert f"Killed {old} → {old + 2}, per a second report (by ana)" in entry.content[0].value
    assert feed.feed.updated == entry.updated
