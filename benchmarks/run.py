"""Speed and memory of the dashboard at 1k, 10k and 100k incidents, against a naive folium map.

    python -m benchmarks.run [--sizes 1000,10000,100000] [--no-browser] [--load-seconds 60]

Prints one table per measure. Synthetic incidents (benchmarks/synthetic.py) go to a
temporary folder; nothing in data/ is touched. The browser figures drive Debian's
Chromium against a real server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from benchmarks import synthetic
from geo import assets, cache, filters, layers, mapview, stats
from geo import schema as s
from geo.filters import IncidentFilter
from geo.i18n import ENGLISH
from geo.incidents import from_table, load_incidents
from geo.incidents import prepared as app_prepared
from tests import browser as b
from tests.conftest import chromium_path


def timed(fn, *args, repeat: int = 3, **kwargs):
    """Best of ``repeat`` wall-clock times, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def serialise(frame, display, border, cells=None) -> tuple[int, str]:
    """Build the map and its layers and render them as folium writes them (the map's own
    scripts and every layer's data: what st_folium sends, plus a page's few lines of HTML);
    bytes, mode. ``cells``: density cells summed elsewhere (the team store)."""
    base = mapview.build_base_map(border, assets=assets.map_assets(), _=ENGLISH)
    built = mapview.build_layers(frame, display, stats.counts_by_region(frame), cells=cells,
                                 _=ENGLISH)
    for fg in built.groups():
        fg.add_to(base)
    return len(base.get_root().render().encode()), built.mode


def naive(frame) -> int:
    """The usual folium approach: one CircleMarker with an HTML popup per incident."""
    m = folium.Map(location=mapview.DEFAULT_CENTER, zoom_start=7)
    for row in frame.itertuples():
        html = (f"<b>{row.date:%Y-%m-%d}</b> {row.event_type}<br>{row.summary}<br>"
                f"killed {row.fatalities}, injured {row.injured}")
        folium.CircleMarker([row.lat, row.lon], radius=6, popup=folium.Popup(html)).add_to(m)
    return len(m.get_root().render().encode())


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    pids = [pid, *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                         text=True).stdout.split())]
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def browser_figures(path: Path, viewers: int = 5,
                    env: dict[str, str | None] | None = None) -> dict[str, float]:
    """Seconds from navigation to a drawn map; server memory; memory per extra viewer."""
    from playwright.sync_api import sync_playwright

    with b.streamlit_server({"PANJ_INCIDENTS": str(path), **(env or {})}) as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        pages = []
        t0 = time.perf_counter()
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        b.offline(page)
        page.goto(url + "/")
        frame = b.map_frame(page, timeout_ms=120_000)
        frame.wait_for_function("() => window.pbwDrawn !== undefined", timeout=120_000)
        cold = time.perf_counter() - t0  # includes loading and validating the file once
        t0 = time.perf_counter()
        warm = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        b.offline(warm)
        warm.goto(url + "/")
        b.map_frame(warm, timeout_ms=120_000).wait_for_function(
            "() => window.pbwDrawn !== undefined", timeout=120_000)
        drawn = time.perf_counter() - t0
        pid = b.SERVER_PIDS[url]
        one = rss_mb(pid)
        for _ in range(viewers):
            extra = browser.new_context().new_page()
            b.offline(extra)
            extra.goto(url + "/")
            b.map_frame(extra, timeout_ms=120_000)
            pages.append(extra)
        more = rss_mb(pid)
        browser.close()
    return {"drawn cold s": cold, "drawn s": drawn, "server MB": one,
            "per extra viewer MB": (more - one) / viewers}


#: Each page, and what shows it is ready (a Playwright selector).
PAGE_READY: dict[str, str] = {
    "Map": "", "Timeline": '[data-testid="stVegaLiteChart"]',
    "Compare": '[data-testid="stMetric"]', "Data": '[data-testid="stDataFrame"]',
    "About": '[data-testid="stDataFrame"]',
}
PAGE_PATH = {"Map": "/", "Timeline": "/Timeline", "Compare": "/Compare", "Data": "/Data",
             "About": "/About"}


def _drawn(page, timeout_ms: int = 180_000) -> None:
    b.map_frame(page, timeout_ms=timeout_ms).wait_for_function(
        "() => window.pbwDrawn !== undefined", timeout=timeout_ms)


def _open(browser, url: str, name: str) -> float:
    """Seconds from navigation until page ``name`` shows its content."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    b.offline(page)
    t0 = time.perf_counter()
    page.goto(url + PAGE_PATH[name])
    if PAGE_READY[name]:
        page.locator(PAGE_READY[name]).first.wait_for(timeout=180_000)
    else:
        _drawn(page)
    took = time.perf_counter() - t0
    page.context.close()
    return took


def page_figures(path: Path, cache_folder: Path) -> dict[str, float]:
    """What a reader waits for: the first map after a start without and with the cache,
    each page warm, a filter change on the map (p50/p95 of 20 clicks), and server memory."""
    from playwright.sync_api import sync_playwright

    env: dict[str, str | None] = {"PANJ_INCIDENTS": str(path),
                                  "PANJ_CACHE_DIR": str(cache_folder)}
    out: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        for label in ("first map, no cache s", "first map, cache warm s"):
            with b.streamlit_server(env) as url:  # a fresh server: nothing in memory
                out[label] = _open(browser, url, "Map")
        # as the Dockerfile, `make run` and deploy/start start it: deploy/warm.py has run
        # the app once before the first reader (Community Cloud starts it without)
        with b.streamlit_server(env, warm=True) as url:
            out["first map, cache warm, warmed at start s"] = _open(browser, url, "Map")
        with b.streamlit_server(env) as url:
            _open(browser, url, "Map")
            for name in PAGE_READY:
                out[f"warm {name} s"] = min(_open(browser, url, name) for _ in range(2))
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            b.offline(page)
            page.goto(url + "/")
            frame = b.map_frame(page, timeout_ms=180_000)
            changes = []
            for i in range(20):
                before = frame.evaluate("() => JSON.stringify(window.pbwDrawn)")
                t0 = time.perf_counter()
                page.get_by_role("button", name="All" if i % 2 else "12 months",
                                 exact=True).click()
                frame.wait_for_function(f"() => JSON.stringify(window.pbwDrawn) !== {before!r}",
                                        timeout=60_000)
                changes.append(time.perf_counter() - t0)
                page.wait_for_timeout(300)
            q = statistics.quantiles(changes, n=20)
            out |= {"filter change p50 s": statistics.median(changes),
                    "filter change p95 s": q[18],
                    "server MB": rss_mb(b.SERVER_PIDS[url])}
        browser.close()
    return out


def pages_report(sizes: list[int]) -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = synthetic.write(n, Path(tmp))
            row = {"incidents": n, **page_figures(path, Path(tmp) / f"cache-{n}")}
            rows.append(row)
            print(pd.DataFrame([row]).T.to_string(header=False), flush=True)
    table = pd.DataFrame(rows).set_index("incidents").T
    print("\n== what readers wait for (columns: incidents) ==")
    print(table.to_string(float_format=lambda v: f"{v:,.2f}"))
    return 0


def typical_filter(frame) -> IncidentFilter:
    """What a reader typically asks for: the last three years in the three main provinces."""
    last = frame[s.DATE].max().date()
    return IncidentFilter(last - timedelta(days=3 * 365), last,
                          regions=("TJ-KT", "TJ-GB", "AF-BDS"))


def geoparquet_report(n: int) -> int:
    """At ``n`` incidents read from GeoParquet: prepare without and with the cache, filter
    and build the map layers, and this process's memory (what one server holds)."""
    provinces = layers.load_provinces()
    border = layers.load_border()
    display = layers.load_provinces(layers.PROVINCES_DISPLAY_FILE)
    border_display = layers.load_border(layers.BORDER_DISPLAY_FILE)

    def build(path: Path) -> cache.Prepared:  # as the app builds it (ui.data), so a
        # server started on the same file and cache folder reads this cache file
        return cache.Prepared(*app_prepared(load_incidents(path, regions=provinces), border,
                                            provinces), False)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        path = folder / f"synthetic_{n}.parquet"
        # typed, with the points as GeoParquet geometry, as a team's pipeline would write it
        typed = from_table(synthetic.make(n)).frame.drop(columns=[s.LAT, s.LON])
        typed.to_parquet(path)
        del typed
        print(f"wrote {n:,} rows as GeoParquet ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
        cold_s, _ = timed(cache.load_prepared, path, build, folder=folder / "c", repeat=1)
        warm_s, prepared = timed(cache.load_prepared, path, build, folder=folder / "c",
                                 repeat=1)
        frame = prepared.frame
        filter_s, subset = timed(filters.apply, frame, typical_filter(frame))
        build_s, (payload, mode) = timed(serialise, subset, display, border_display)
        all_s, (all_payload, all_mode) = timed(serialise, frame, display, border_display)
        print(f"prepare without cache {cold_s:.1f} s; with cache {warm_s:.1f} s")
        print(f"filter {filter_s:.2f} s + build {build_s:.2f} s ({len(subset):,} incidents, "
              f"{mode}, {payload / 1e6:.2f} MB) = {filter_s + build_s:.2f} s")
        print(f"everything: build {all_s:.2f} s ({all_mode}, {all_payload / 1e6:.2f} MB)")
        print(f"process memory {rss_mb(os.getpid()):,.0f} MB (this process, which still "
              "holds the generator's tables)", flush=True)
        del frame, prepared, subset
        server = server_figures(path, folder / "c")
        print(f"a real server on this file, cache warm: first map drawn in "
              f"{server['first map s']:.1f} s; server memory {server['server MB']:,.0f} MB "
              f"with one viewer, {server['server MB, 3 viewers']:,.0f} MB with three")
    return 0


def server_figures(path: Path, cache_folder: Path) -> dict[str, float]:
    """What a server holding only ``path`` (prepared, from the cache) costs: the first map
    after a start, and the server's memory with one and with three viewers."""
    from playwright.sync_api import sync_playwright

    env: dict[str, str | None] = {"PANJ_INCIDENTS": str(path),
                                  "PANJ_CACHE_DIR": str(cache_folder)}
    with b.streamlit_server(env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        first = _open(browser, url, "Map")
        pages = []
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        b.offline(page)
        page.goto(url + "/")
        _drawn(page)
        pages.append(page)
        one = rss_mb(b.SERVER_PIDS[url])
        for _ in range(2):
            extra = browser.new_context().new_page()
            b.offline(extra)
            extra.goto(url + "/")
            _drawn(extra)
            pages.append(extra)
        three = rss_mb(b.SERVER_PIDS[url])
        browser.close()
    return {"first map s": first, "server MB": one, "server MB, 3 viewers": three}


#: How the arena limit is set, for --arenas: the variable, the app's mallopt (variable
#: unset), and glibc's default of 8 per core (a variable the app leaves alone).
ARENA_SETUPS: dict[str, dict[str, str | None]] = {
    "MALLOC_ARENA_MAX=2 (environment)": {"MALLOC_ARENA_MAX": "2"},
    "no variable (the app trims freed memory)": {"MALLOC_ARENA_MAX": None},
    f"glibc default ({8 * (os.cpu_count() or 1)} arenas)": {
        "MALLOC_ARENA_MAX": str(8 * (os.cpu_count() or 1))},
}


def arena_comparison(n: int, viewers: int = 5) -> int:
    """Print server memory and memory per extra viewer under each arena setup."""
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic.write(n, Path(tmp))
        for label, env in ARENA_SETUPS.items():
            got = browser_figures(path, viewers=viewers, env=env)
            print(f"{label:45s} server {got['server MB']:8.0f} MB   per extra viewer "
                  f"{got['per extra viewer MB']:6.1f} MB", flush=True)
    return 0


async def _session(url: str, browser, until: float, expected: dict[str, str],
                   latencies: list[float], errors: list[str]) -> None:
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await ctx.new_page()
    await page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        b.LOCAL_PREFIXES) else r.abort())
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    await page.goto(url + "/")
    value = page.locator('[data-testid="stMetric"]', has_text="Incidents").first.locator(
        '[data-testid="stMetricValue"]')
    await value.wait_for(timeout=120_000)
    turn = 0
    while time.monotonic() < until:
        label = ("All", "12 months")[turn % 2]
        turn += 1
        # as a person would: wait until the app is idle ("Running…" gone) before clicking
        await page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
            timeout=60_000)
        t0 = time.perf_counter()
        await page.get_by_role("button", name=label, exact=True).click()
        try:
            # query afresh each time: a rerun may replace the metric's DOM node
            await page.wait_for_function(
                """(want) => { const m = [...document.querySelectorAll(
                    '[data-testid="stMetric"]')].find(e => e.innerText.includes('Incidents'));
                    const v = m && m.querySelector('[data-testid="stMetricValue"]');
                    return v !== null && v !== undefined && v.textContent.trim() === want; }""",
                arg=expected[label], timeout=30_000)
            latencies.append(time.perf_counter() - t0)
        except Exception as exc:  # a timeout is an error of the app, counted and reported
            await page.wait_for_timeout(15_000)
            now = (await value.inner_text()).strip()
            late = "arrived later" if now == expected[label] else f"still shows {now}"
            errors.append(f"{label}: {type(exc).__name__} after 30 s ({late})")
        if await page.locator('[data-testid="stException"]').count():
            errors.append("exception shown on the page")
    await ctx.close()


async def _load_check(path: Path, sessions: int, seconds: float,
                      expected: dict[str, str]) -> tuple[list[float], list[str]]:
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    errors: list[str] = []
    with b.streamlit_server({"PANJ_INCIDENTS": str(path)}) as url:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(),
                                               args=b.CHROMIUM_ARGS)
            until = time.monotonic() + seconds
            await asyncio.gather(*(_session(url, browser, until, expected, latencies, errors)
                                   for _ in range(sessions)))
            await browser.close()
    return latencies, errors


_ACLED_TYPE = {"armed_clash": "Battles", "incursion": "Battles", "district_fighting": "Battles",
               "resource_clash": "Battles", "cross_border_attack": "Battles",
               "troop_flight": "Strategic developments",
               "remote_violence": "Explosions/Remote violence",
               "violence_against_civilians": "Violence against civilians"}


def acled_records(n: int) -> list[dict[str, str]]:
    """``n`` synthetic incidents (realistic text lengths, points in the provinces) in the
    shape ACLED's API sends: every value a string, ISO dates, a ``timestamp``."""
    from tests import apis

    frame = synthetic.make(n)
    tajik = frame[s.COUNTRY] == "TJ"
    return pd.DataFrame({
        "event_id_cnty": "ACLSYN" + frame[s.ID].str.slice(4), "event_date": frame[s.DATE],
        "year": frame[s.DATE].str.slice(0, 4), "time_precision": "1",
        "event_type": frame[s.EVENT_TYPE].map(_ACLED_TYPE).fillna("Battles"),
        "sub_event_type": "Armed clash", "actor1": frame[s.PERPETRATOR], "actor2": "",
        "iso": tajik.map({True: "762", False: "4"}),
        "country": tajik.map({True: "Tajikistan", False: "Afghanistan"}), "admin1": "",
        "admin2": frame[s.DISTRICT], "location": frame[s.LOCATION],
        "latitude": frame[s.LAT], "longitude": frame[s.LON], "geo_precision": "2",
        "source": "Synthetic outlet", "notes": frame[s.SUMMARY],
        "fatalities": frame[s.FATALITIES].replace("", "0"), "timestamp": str(apis.STAMP),
    }).to_dict("records")


def sync_report(n: int) -> int:
    """A sync of ``n`` ACLED events from a local replay of ACLED's API (tests/apis.py) into
    the bundled curated rows, file mode: the first run (all new) and a second (nothing new)."""
    from geo import sync
    from tests import apis

    records = acled_records(n)
    os.environ.update(ACLED_USERNAME=apis.USER, ACLED_PASSWORD=apis.PASSWORD)
    with apis.serve(apis.Api(acled=records, ucdp=[])) as api, \
            tempfile.TemporaryDirectory() as tmp:
        os.environ[sync.ACLED_URL_ENV] = api.url
        out = Path(tmp) / "current.csv"
        for run in ("first sync (all new)", "second sync (nothing new)"):
            began = time.perf_counter()
            outcome = sync.run("acled", out=out, curated=layers.DATA_DIR / "incidents.csv",
                               conn=None, start=date(2010, 1, 1), end=date(2026, 12, 31))
            took = time.perf_counter() - began
            print(f"{run}: {took:.1f} s for {n:,} events ({outcome.line()})", flush=True)
        size = out.stat().st_size / 1e6
        print(f"written: {out.name} {size:.1f} MB; the process holds {rss_mb(os.getpid()):.0f} MB")
    return 0


def _fetch_ms(url: str, source: str = "127.0.0.1") -> float:
    """Milliseconds for one answer from ``url``, asked from ``source`` (a loopback address:
    the server's allowance is per client address)."""
    t0 = time.perf_counter()
    status, _headers, _body = b.fetch(url, source=source, timeout=120)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return (time.perf_counter() - t0) * 1000


def _filter_changes(page, frame, n: int = 10) -> list[float]:
    """Seconds for each of ``n`` filter changes on the map (the period buttons)."""
    changes = []
    for i in range(n):
        before = frame.evaluate("() => JSON.stringify(window.pbwDrawn)")
        t0 = time.perf_counter()
        page.get_by_role("button", name="All" if i % 2 else "12 months", exact=True).click()
        frame.wait_for_function(f"() => JSON.stringify(window.pbwDrawn) !== {before!r}",
                                timeout=60_000)
        changes.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    return changes


def _api_client(url: str, path: str, source: str, stop: Any, counts: Any) -> None:
    """One API client, from its own address (``source``, on loopback), asking for ``path``
    (gzip accepted) again as soon as it is allowed: a 429 makes it wait what
    ``Retry-After`` says."""
    while not stop.is_set():
        try:
            # as GDAL (QGIS), R's and Python's HTTP clients and browsers ask
            status, headers, _body = b.fetch(url + path, {"Accept-Encoding": "gzip"},
                                             source=source, timeout=120)
        except OSError:  # the server is going away at the end of the run
            return
        counts[status] += 1
        if status == 429:
            stop.wait(float(headers["Retry-After"] or 1))


def _client_swarm(url: str, clients: int, stop: Any, out: Any) -> None:
    """``clients`` API clients (:func:`_api_client`) until ``stop`` is set; puts how many
    answers of each status they had on ``out``. Runs in its own process at the lowest
    priority: the clients stand for machines elsewhere, so they should not take this
    machine's CPU from the server and the reader's browser, nor the benchmark's GIL from
    Playwright; what the server spends on them is what is measured."""
    import threading
    from collections import Counter

    os.nice(19)
    counts = Counter[int]()
    threads = [threading.Thread(
        target=_api_client, daemon=True,
        args=(url, f"/api/incidents.geojson?offset={i * 10}&limit=1000", f"127.0.0.{i + 2}",
              stop, counts)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out.put(dict(counts))


def feeds_report(sizes: list[int], clients: int = 20) -> int:
    """The feed and data addresses on a warm server: the default view's answer (median of
    10), and a reader's filter change on the map while ``clients`` API clients, each from
    its own address, ask for pages as fast as the server allows them."""
    import multiprocessing

    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=b.CHROMIUM_ARGS)
        for n in sizes:
            path = synthetic.write(n, Path(tmp))
            env: dict[str, str | None] = {"PANJ_INCIDENTS": str(path),
                                          "PANJ_CACHE_DIR": str(Path(tmp) / f"cache-{n}")}
            with b.streamlit_server(env) as url:
                row: dict[str, float | int | str] = {"incidents": n}
                for i, (label, address) in enumerate((
                        ("feed.atom", "/feed.atom"), ("geojson page", "/api/incidents.geojson"),
                        ("csv page", "/api/incidents.csv"))):
                    # each request from its own address: the latency, not the allowance
                    _fetch_ms(url + address, f"127.0.{i + 1}.1")  # warm: the frame is shared
                    row[f"{label} ms (median of 10)"] = statistics.median(
                        _fetch_ms(url + address, f"127.0.{i + 1}.{k + 2}") for k in range(10))
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                b.offline(page)
                page.goto(url + "/")
                frame = b.map_frame(page, timeout_ms=180_000)
                _filter_changes(page, frame, n=2)  # both views once: warm, not counted
                quiet = _filter_changes(page, frame)
                spawn = multiprocessing.get_context("spawn")
                stop, out = spawn.Event(), spawn.Queue()
                swarm = spawn.Process(target=_client_swarm, args=(url, clients, stop, out))
                swarm.start()
                began = time.perf_counter()
                loaded = _filter_changes(page, frame)
                stop.set()
                took = time.perf_counter() - began
                counts = out.get(timeout=150)
                swarm.join(timeout=30)
                page.context.close()
                row |= {"filter change alone, median s": statistics.median(quiet),
                        "filter change alone, max s": max(quiet),
                        f"filter change with {clients} API clients, median s":
                            statistics.median(loaded),
                        f"filter change with {clients} API clients, max s": max(loaded),
                        "API pages answered a second meanwhile": counts.get(200, 0) / took,
                        "API requests told to wait (429) a second": counts.get(429, 0) / took,
                        "each change alone, s": " ".join(f"{x:.2f}" for x in quiet),
                        "each change with the clients, s": " ".join(f"{x:.2f}"
                                                                   for x in loaded)}
            rows.append(row)
            print(pd.DataFrame([row]).T.to_string(header=False), flush=True)
        browser.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--naive", default="1000,10000", help="sizes for the naive baseline")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--load-size", type=int, default=10_000)
    parser.add_argument("--arenas", type=int, metavar="N",
                        help="only compare memory per viewer at N incidents: MALLOC_ARENA_MAX=2 "
                             "in the environment, the app's own mallopt, and glibc's default")
    parser.add_argument("--pages", action="store_true",
                        help="only what readers wait for at --sizes: first map with and "
                             "without the cache, every page warm, a filter change, memory")
    parser.add_argument("--geoparquet", type=int, metavar="N",
                        help="only prepare, filter and build N incidents read from GeoParquet")
    parser.add_argument("--sync", type=int, metavar="N",
                        help="only time a sync of N ACLED events from a local replay of its "
                             "API into the bundled rows")
    parser.add_argument("--first-screen", action="store_true",
                        help="only the map page's first screen against a bare st_folium "
                             "page (benchmarks/bare_map.py): 5 warm loads of each, "
                             "alternating, and the first load after a start")
    parser.add_argument("--first-screen-parts", action="store_true",
                        help="only what generic parts beside the map (a sidebar of filters, "
                             "five metrics...) cost the bare st_folium page: 7 warm loads "
                             "of each variant and of the dashboard, alternating")
    parser.add_argument("--data-page", action="store_true",
                        help="only the Data page, warm, at 1,000 and 100,000 incidents: "
                             "5 opens of each, alternating, and their ratio")
    parser.add_argument("--feeds", action="store_true",
                        help="only the feed and data addresses at --sizes, and a filter "
                             "change while 20 API clients ask for pages")
    args = parser.parse_args(argv)
    if args.first_screen:
        from benchmarks import first_screen

        first_screen.report()
        return 0
    if args.first_screen_parts:
        from benchmarks import first_screen

        first_screen.parts_report()
        return 0
    if args.data_page:
        from benchmarks import first_screen

        first_screen.data_page_report()
        return 0
    if args.feeds:
        return feeds_report([int(x) for x in args.sizes.split(",") if x])
    if args.sync:
        return sync_report(args.sync)
    if args.geoparquet:
        return geoparquet_report(args.geoparquet)
    if args.arenas:
        return arena_comparison(args.arenas)
    if args.pages:
        return pages_report([int(x) for x in args.sizes.split(",") if x])
    sizes = [int(x) for x in args.sizes.split(",") if x]
    naive_sizes = {int(x) for x in args.naive.split(",") if x}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    provinces = layers.load_provinces()
    display = layers.load_provinces(layers.PROVINCES_DISPLAY_FILE)
    border = layers.load_border(layers.BORDER_DISPLAY_FILE)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            path = synthetic.write(n, folder)
            load_s, loaded = timed(load_incidents, path, regions=provinces, repeat=1)
            frame = loaded.frame
            filter_s, subset = timed(filters.apply, frame, typical_filter(frame))
            build_s, (payload, mode) = timed(serialise, frame, display, border)
            sub_build_s, (sub_payload, sub_mode) = timed(serialise, subset, display, border)
            row = {"incidents": n, "load+validate s": load_s, "filter s": filter_s,
                   "build all s": build_s, "mode (all)": mode, "payload all MB": payload / 1e6,
                   "filtered": len(subset), "build filtered s": sub_build_s,
                   "mode (filtered)": sub_mode, "payload filtered MB": sub_payload / 1e6,
                   "filter+build s": filter_s + build_s}
            if n in naive_sizes:
                naive_s, naive_bytes = timed(naive, frame, repeat=1)
                row |= {"naive build s": naive_s, "naive MB": naive_bytes / 1e6,
                        "speed-up vs naive": naive_s / build_s}
            if not args.no_browser:
                row |= browser_figures(path)
            rows.append(row)
            print(pd.DataFrame([row]).T.to_string(header=False), flush=True)
        if rows:
            table = pd.DataFrame(rows).set_index("incidents").T
            print("\n== summary (columns: incidents) ==")
            print(table.to_string(float_format=lambda v: f"{v:,.3f}"))
        if not args.no_browser and args.sessions > 0 and args.load_seconds > 0:
            path = synthetic.write(args.load_size, folder)
            frame = load_incidents(path).frame
            today = date.today()
            recent = filters.apply(frame, IncidentFilter(today - timedelta(days=365), today))
            expected = {"All": f"{len(frame):,}", "12 months": f"{len(recent):,}"}
            lat, errs = asyncio.run(_load_check(path, args.sessions, args.load_seconds,
                                                expected))
            q = statistics.quantiles(lat, n=20) if len(lat) >= 2 else [float("nan")] * 19
            print(f"\n== load check: {args.sessions} browser sessions changing the date filter "
                  f"for {args.load_seconds:g} s, {args.load_size:,} incidents ==")
            print(f"reruns measured: {len(lat)}; p50 {statistics.median(lat) if lat else 0:.2f}"
                  f" s; p95 {q[18]:.2f} s; errors: {len(errs)}")
            for e in sorted(set(errs))[:10]:
                print("  error:", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
