"""A soak of the public deployment, bounded in time and count and on this machine only.

    python -m benchmarks.soak [--seconds 180] [--readers 8]

It starts its own PostgreSQL 15 + PostGIS (in a temporary folder), loads the bundled
incidents, and runs ``deploy/start``: two replicas behind HAProxy on 127.0.0.1. Then, at
once:
- ``--readers`` Chromium readers each open a shared link and keep changing its filter by
  clicking (never reloading), timing each answer;
- one more reader uploads the hostile corpus (benchmarks/hostile.py) file after file;
- a third of the way in, one replica is killed with SIGKILL; at two thirds, PostgreSQL is
  restarted.
It prints the median and 95th percentile of page-ready and click-answer times, the errors
seen, how many readers recovered from the faults without a reload, and whether the store
is byte-for-byte what was loaded. docs/RELIABILITY.md holds the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import hostile
from geo import store, store_read
from geo.incidents import CONTEXT_FILE, INCIDENTS_FILE
from tests import browser as b
from tests import pg
from tests.conftest import ROOT, chromium_path

LINKS = ("/?start=2020-01-01&end=2026-12-31", "/?region=TJ-KT,TJ-GB",
         "/?start=2025-01-01&end=2026-12-31&region=AF-BDS")


@dataclass
class Reader:
    ready: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered_after_faults: int = 0


def _healthy(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not become healthy")


async def _reader(browser, url: str, link: str, until: float, faults_at: float,
                  reader: Reader) -> None:
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await ctx.new_page()
    await page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        b.LOCAL_PREFIXES) else r.abort())
    page.on("pageerror", lambda e: reader.errors.append(f"page error: {e}"[:200]))
    t0 = time.monotonic()
    await page.goto(url + link)
    metric = page.locator('[data-testid="stMetric"]', has_text="Incidents").first
    await metric.wait_for(timeout=120_000)
    reader.ready.append(time.monotonic() - t0)
    turn = 0
    while time.monotonic() < until:
        label = ("All", "30 days")[turn % 2]
        turn += 1
        t0 = time.monotonic()
        try:
            await page.get_by_role("button", name=label, exact=True).click(timeout=60_000)
            await page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stApp\"]')"
                "?.dataset.testScriptState === 'notRunning'", timeout=60_000)
            await metric.wait_for(timeout=60_000)
            reader.answers.append(time.monotonic() - t0)
            if time.monotonic() > faults_at:
                reader.answered_after_faults += 1
        except Exception as exc:  # counted, and the reader carries on as a person would
            reader.errors.append(f"{label}: {type(exc).__name__}")
        if await page.locator('[data-testid="stException"]').count():
            reader.errors.append("exception shown on the page")
        await asyncio.sleep(1.0)
    await ctx.close()


async def _uploader(browser, url: str, until: float, log: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pbw-soak-"))
    names = list(hostile.CORPUS)
    i = 0
    while time.monotonic() < until:
        name = names[i % len(names)]
        i += 1
        filename, data = hostile.CORPUS[name]()
        path = folder / filename
        path.write_bytes(data)
        ctx = await browser.new_context()
        page = await ctx.new_page()
        try:
            await page.goto(url + "/Import")
            await page.locator('input[type="file"]').set_input_files(str(path))
            await page.locator('[data-testid="stMetric"], [data-testid="stAlert"]').first \
                .wait_for(timeout=60_000)
            log.append(name)
        except Exception as exc:
            log.append(f"{name}: {type(exc).__name__}")
        finally:
            await ctx.close()
            path.unlink()


def _store_state(url: str) -> tuple:
    with store_read.connect(url, autocommit=True) as conn:
        return (store_read.revision(conn), store_read.export(conn),
                store_read.export(conn, context=True),
                conn.execute("SELECT count(*) FROM pbw_history").fetchone())


async def _soak(balancer: str, seconds: float, n_readers: int, faults) -> tuple:
    from playwright.async_api import async_playwright

    readers = [Reader() for _ in range(n_readers)]
    uploads: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(),
                                           args=b.CHROMIUM_ARGS)
        start = time.monotonic()
        until = start + seconds
        tasks = [_reader(browser, balancer, LINKS[i % len(LINKS)], until,
                         start + seconds / 3, r) for i, r in enumerate(readers)]
        tasks.append(_uploader(browser, balancer, until, uploads))
        tasks.append(faults(start, seconds))
        await asyncio.gather(*tasks)
        await browser.close()
    return readers, uploads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args(argv)
    if chromium_path() is None or pg.missing():
        print(f"soak: needs Chromium and PostgreSQL 15 + PostGIS: {pg.missing() or ''}",
              file=sys.stderr)
        return 1
    with pg.cluster(b.free_port()) as cluster, tempfile.TemporaryDirectory() as tmp:
        cluster.admin_sql("CREATE DATABASE soak")
        owner = cluster.url("soak")
        with store_read.connect(owner, autocommit=True) as conn:
            store.init(conn)
            store.load(conn, INCIDENTS_FILE, editor="soak", note="bundled data")
            store.load_context(conn, CONTEXT_FILE, editor="soak", note="bundled data")
        before = _store_state(owner)
        first, bind = b.free_port(), b.free_port()
        run = Path(tmp) / "run"
        env = {**os.environ, "PANJ_DATABASE_URL": cluster.url("soak", store_read.READER_ROLE),
               "PANJ_BIND": f"127.0.0.1:{bind}", "PANJ_FIRST_PORT": str(first),
               "PANJ_AGENT_FIRST_PORT": str(b.free_port()), "PANJ_RUN_DIR": str(run),
               "PYTHON": sys.executable, "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}
        log = (Path(tmp) / "deploy.log").open("w")
        proc = subprocess.Popen(["bash", "deploy/start"], cwd=ROOT, env=env,
                                start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        faults_done: list[str] = []

        async def faults(start: float, seconds: float) -> None:
            await asyncio.sleep(max(start + seconds / 3 - time.monotonic(), 0))
            victim = int((run / "replica-r1.pid").read_text())
            os.kill(victim, signal.SIGKILL)
            faults_done.append(f"replica r1 (pid {victim}) killed at "
                               f"{time.monotonic() - start:.0f} s")
            await asyncio.sleep(max(start + 2 * seconds / 3 - time.monotonic(), 0))
            await asyncio.to_thread(pg.stop, cluster)
            await asyncio.sleep(3)
            await asyncio.to_thread(pg.start, cluster)
            faults_done.append(f"PostgreSQL restarted at {time.monotonic() - start:.0f} s "
                               "(down 3 s)")

        try:
            for port in (first, first + 1):
                _healthy(f"http://127.0.0.1:{port}")
            balancer = f"http://127.0.0.1:{bind}"
            _healthy(balancer)
            readers, uploads = asyncio.run(_soak(balancer, args.seconds, args.readers,
                                                 faults))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            log.close()
        after = _store_state(owner)
    ready = sorted(t for r in readers for t in r.ready)
    answers = sorted(t for r in readers for t in r.answers)
    errors = [e for r in readers for e in r.errors]

    def pct(values: list[float], q: float) -> str:
        return f"{values[min(int(q * len(values)), len(values) - 1)]:.2f} s" if values else "—"

    print(f"soak: {args.readers} readers for {args.seconds:.0f} s through HAProxy, 2 replicas, "
          "PostgreSQL + PostGIS; all on 127.0.0.1")
    for fault in faults_done:
        print(f"  fault: {fault}")
    print(f"  page ready (first map figures): p50 {pct(ready, 0.5)}, p95 {pct(ready, 0.95)}")
    print(f"  a click's answer: p50 {pct(answers, 0.5)}, p95 {pct(answers, 0.95)}, "
          f"{len(answers)} answered, median per reader "
          f"{statistics.median(len(r.answers) for r in readers):.0f}")
    print(f"  errors seen: {len(errors)}" + (f" ({', '.join(sorted(set(errors))[:6])})"
                                             if errors else ""))
    recovered = sum(r.answered_after_faults > 0 for r in readers)
    print(f"  readers answered after the faults without a reload: {recovered} of "
          f"{len(readers)}")
    unanswered = [u for u in uploads if ":" in u]
    print(f"  hostile uploads sent: {len(uploads)}, answered: {len(uploads) - len(unanswered)}"
          + (f"; no answer in 60 s: {', '.join(unanswered)}" if unanswered else ""))
    print(f"  the store after the soak is what was loaded: {after == before}")
    return 0 if after == before else 1


if __name__ == "__main__":
    sys.exit(main())
