"""Shared fixtures: the real bundled layers, a frozen incident dataset, a good row to spoil.

Behaviour tests never read ``data/incidents.csv``: they run on ``tests/data/incidents.csv``,
a frozen copy, so that adding an incident to the bundled data (the commonest change) turns
no test red except ``test_bundled_data.py``, the one module that owns the bundled figures.
The whole session, AppTest runs and browser servers included, points the app at the frozen
files through ``PANJ_INCIDENTS`` and ``PANJ_CONTEXT_EVENTS``.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.cache import CACHE_ENV
from geo.feeds import RATE_ENV, TOTAL_RATE_ENV
from geo.incidents import CONTEXT_ENV, INCIDENTS_ENV, LoadedIncidents, load_incidents
from geo.layers import DATA_DIR, load_border, load_provinces

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: The frozen datasets every behaviour test runs on (see the module docstring).
FIXTURE_INCIDENTS = ROOT / "tests" / "data" / "incidents.csv"
FIXTURE_CONTEXT = ROOT / "tests" / "data" / "context_events.csv"
#: What the app is pointed at during tests, as ``env`` for a server or ``monkeypatch``. Every
#: test asks the feed and data addresses from this one machine, so their per-client
#: allowance is wide here; tests/test_feeds.py tests the allowance with its own.
FIXTURE_ENV = {INCIDENTS_ENV: str(FIXTURE_INCIDENTS), CONTEXT_ENV: str(FIXTURE_CONTEXT),
               RATE_ENV: "1000", TOTAL_RATE_ENV: "1000"}


@functools.cache
def _fixture() -> LoadedIncidents:
    return load_incidents(FIXTURE_INCIDENTS)


def fixture_frame():
    """The frozen incidents as a typed GeoDataFrame (a fresh copy each call)."""
    return _fixture().frame.copy()


@pytest.fixture(scope="session", autouse=True)
def _app_reads_the_frozen_data(tmp_path_factory):
    """The frozen data, and an incidents cache of the session's own (never ~/.cache)."""
    env = {**FIXTURE_ENV, CACHE_ENV: str(tmp_path_factory.mktemp("incidents-cache"))}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def provinces() -> gpd.GeoDataFrame:
    return load_provinces()


@pytest.fixture(scope="session")
def border() -> gpd.GeoDataFrame:
    return load_border()


def good_row(**changes: str) -> dict[str, str]:
    """One valid incident (the 26 Nov 2025 attack, abridged), with ``changes`` applied."""
    row = {
        "id": "T-1", "date": "2025-11-26", "date_precision": "day", "time_local": "",
        "country": "TJ", "region_code": "TJ-KT", "district": "Shamsiddin Shohin",
        "location": "mining camp", "lat": "37.84137", "lon": "70.04865", "geo_precision": "2",
        "event_type": "cross_border_attack", "origin": "", "origin_lat": "", "origin_lon": "",
        "fatalities": "3", "injured": "1", "victims": "workers", "perpetrator": "unknown",
        "summary": "A test incident.", "sources": "Outlet, 2025-11-27, https://example.org/a",
        "confidence": "high", "notes": "",
    }
    row.update(changes)
    return row


def data_checksums() -> dict[str, str]:
    """sha256 of every bundled data file, to prove nothing wrote to data/."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(DATA_DIR.iterdir()) if p.is_file()}


@functools.cache
def _components():
    """Streamlit's registry of v2 components, scanned once for the session. A new AppTest
    otherwise reads the metadata of every installed package to build its own (half a
    second each, about 25 s over the suite); the scan's result is the same every time."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def app_test(page: str = "app.py", *, map_reported: bool = True, **params: str):
    """An AppTest on ``page``, entered as the server does: through app.py, with ``params``
    as the link's query parameters.

    AppTest has no browser, so the map never reports that it has drawn: ``map_reported``
    (the default) starts the session as a browser's is once it has, with the filters the
    map page holds back until then (``ui.page.start_page``) drawn from the first run.
    """
    from streamlit.testing.v1 import AppTest

    from ui.state import Key

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if hasattr(at, "_bidi_component_manager"):  # Streamlit 1.56 has no v2 components
        at._bidi_component_manager = _components()
    if page != "app.py":
        at.switch_page(page)
    at.query_params.update(params)
    if map_reported:
        at.session_state[Key.FILTERS_DRAWN] = True
    return at


def unescaped(markdown: str) -> str:
    """Markdown from ``geo.text.markdown_safe`` as a reader sees it: escapes undone, the
    invisible word joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def chromium_path() -> str | None:
    """Debian's Chromium, or None (tests then skip, except under CI where they fail)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
    return path


# --- real-browser support -----------------------------------------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"


#: Fixtures that start a PostgreSQL cluster: a test that uses one is in the ``pg`` tier.
PG_FIXTURES = {"pg_cluster", "store_url"}


def _runs_the_app(module) -> set[str]:
    """Names of ``module``'s functions that run the app with AppTest, directly or through
    another function of the module (one step deep, as the helpers are written)."""
    sources = {name: inspect.getsource(obj) for name, obj in vars(module).items()
               if inspect.isfunction(obj) and obj.__module__ == module.__name__}
    direct = {n for n, src in sources.items() if "app_test(" in src or "AppTest" in src}
    return direct | {n for n, src in sources.items()
                     if any(re.search(rf"\b{h}\(", src) for h in direct)}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark each test with its tier, so a fast lane can leave the costly ones out:
    ``apptest`` (runs the app in AppTest), ``pg`` (starts PostgreSQL); ``browser`` and
    ``bench`` are marked where the tests are written."""
    by_module: dict[object, set[str]] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module not in by_module:
            by_module[module] = _runs_the_app(module)
        if module is not None and getattr(item, "originalname", item.name) in \
                by_module[module]:
            item.add_marker(pytest.mark.apptest)
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.pg)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _bundled_data_never_changes():
    """Whatever the tests feed the app (uploads, bad files, garbage links), data/ stays
    byte-identical."""
    before = data_checksums()
    yield
    assert data_checksums() == before, "a test run changed a file in data/"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright (never a browser download)."""
    from . import browser as b

    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is missing under CI: .ci/run installs Debian's chromium")
        pytest.skip("Chromium not found: install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=b.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The dashboard on the frozen data, shared by every browser test that only reads it
    (each test opens its own browser context, so its own Streamlit session)."""
    from . import browser as b

    with b.streamlit_server(warm=True) as url:
        yield url


@pytest.fixture(scope="session")
def adversarial_server(tmp_path_factory) -> Iterator[str]:
    """The dashboard on incidents whose text attacks the page: two (26 Nov 2025) carry
    script and template payloads in every text field, one (1 Oct 2025) is Dari mixed with
    English and markup. One server for every browser test that only reads them."""
    from . import browser as b

    payload = {
        "summary": "<img src=x onerror=alert('summary')> </script><script>alert(2)</script>",
        "victims": "<svg onload=alert('victims')>", "district": "${alert('tpl')}",
        "location": "`-alert(1)-`", "perpetrator": "\"><iframe src=javascript:alert(4)>",
        "notes": "<details open ontoggle=alert('notes')> {{ 7*7 }}",
        "sources": "<b onmouseover=alert(5)>X</b>, 2025-11-27, https://example.org/a",
    }
    dari = "درگیری در <b>شغنان</b> — Shughnon <img src=x onerror=alert(1)> ۳ تن"
    path = tmp_path_factory.mktemp("adversarial") / "incidents.csv"
    pd.DataFrame([good_row(**payload), good_row(id="T-2", **payload),
                  good_row(id="T-3", date="2025-10-01", summary=dari,
                           victims="افراد ملکی & <i>workers</i>")]).to_csv(path, index=False)
    with b.streamlit_server({"PANJ_INCIDENTS": str(path)}) as url:
        yield url


@pytest.fixture
def page(chromium, request):
    """A fresh browser page that cannot reach the internet; a screenshot if the test fails."""
    from . import browser as b

    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.traffic = b.offline(pg)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


# --- team mode: a real PostgreSQL 15 + PostGIS ------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    """A cluster of the session's own, with a template database the store schema is in."""
    from geo import store, store_read

    from . import browser as b
    from . import pg

    pg.require()
    with pg.cluster(b.free_port()) as cluster:
        cluster.admin_sql("CREATE DATABASE pbw_template")
        with store_read.connect(cluster.url("pbw_template"), autocommit=True) as conn:
            store.init(conn)
        yield cluster


_STORES = itertools.count()


@pytest.fixture
def store_url(pg_cluster, request) -> str:
    """An editor's URL to a fresh, initialised, empty store for this test alone."""
    # unique per test: the app's pools keep connections to earlier tests' stores open
    name = f"t{next(_STORES)}_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    pg_cluster.admin_sql(f'CREATE DATABASE "{name}" TEMPLATE pbw_template')
    return pg_cluster.url(name)
