"""Helpers for the real-browser tests: a Streamlit server and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conftest import ROOT


def _script_module(path: Path):
    """A standalone script (not in a package) imported as a module."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: ``deploy/warm.py``: runs a fresh server's app once before readers arrive.
warm_up = _script_module(ROOT / "deploy" / "warm.py")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:", "file:")
TILE_HOSTS = ("tile.openstreetmap.org", "tile.opentopomap.org", "server.arcgisonline.com")


#: base URL → process id of each running server, to read its memory
SERVER_PIDS: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_log(port: int) -> Path:
    """Where :func:`streamlit_server` writes the output of the server on ``port``."""
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"pbw-streamlit-{port}.log"


#: What Streamlit prints each time a server starts (once per process image: a restart in
#: place, ``os.execv``, keeps the PID but prints it again).
START_BANNER = "You can now view your Streamlit app"


@contextlib.contextmanager
def streamlit_server(env: dict[str, str | None] | None = None, *, args: tuple[str, ...] = (),
                     python: str = sys.executable, cwd: Path = ROOT,
                     health_path: str = "", warm: bool = False,
                     script: str = "serve.py") -> Iterator[str]:
    """Run the dashboard on a free port; yields its base URL.

    It inherits this process's environment, so under pytest it shows the frozen test data
    (``conftest.FIXTURE_ENV``); ``env`` adds to or overrides that. ``args`` are more
    ``streamlit run`` options, ``python`` and ``cwd`` another interpreter and checkout (the
    deploy test), ``script`` another main script in ``cwd`` (a benchmark's reference page),
    and ``health_path`` the base path the server answers under. With
    ``warm``, the app is run once before it is handed over, as the Dockerfile, ``make run``
    and ``deploy/start`` do (``deploy/warm.py``).
    """
    port = free_port()
    merged = {"MALLOC_ARENA_MAX": "2", **os.environ, **(env or {})}  # as `make run`
    full_env = {k: v for k, v in merged.items() if v is not None}  # env may unset a name
    log = server_log(port)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", *args],
            cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}{health_path}/_stcore/health",
                                            timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                msg = f"streamlit did not start; its log:\n{log.read_text()[-3000:]}"
                raise RuntimeError(msg)
            time.sleep(0.3)
        SERVER_PIDS[url] = proc.pid
        if warm:
            ok, detail = warm_up.warm(url + health_path)
            if not ok:
                msg = f"the warm-up failed: {detail}; the server's log:\n{log.read_text()[-3000:]}"
                raise RuntimeError(msg)
        yield url
    finally:
        SERVER_PIDS.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Traffic:
    """Requests the page tried to make to anything but this machine (all were blocked)."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def non_tile(self) -> list[str]:
        return [u for u in self.blocked if not any(h in u for h in TILE_HOSTS)]


#: Any URL that does not start with one of ``LOCAL_PREFIXES``. Routed as a pattern, so that
#: Playwright hands only these to Python: routing every request through a Python callback
#: made each page load 0.3 to 0.5 s slower (measured on four loads of a filtered map).
NON_LOCAL = re.compile("^(?!(?:" + "|".join(re.escape(p) for p in LOCAL_PREFIXES) + "))")


def offline(page) -> Traffic:
    """Block every non-local request (as with no internet) and record what was tried."""
    traffic = Traffic()

    def route(r) -> None:
        traffic.blocked.append(r.request.url)
        r.abort()

    page.context.route(NON_LOCAL, route)
    def on_dialog(dialog) -> None:
        traffic.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: traffic.page_errors.append(str(e)))
    return traffic


@contextlib.contextmanager
def fresh_page(chromium, url: str) -> Iterator:
    """``url`` opened in a new browser context (no cookies, no session), offline."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        offline(page)
        page.goto(url)
        yield page
    finally:
        context.close()


def map_frame(page, timeout_ms: int = 45_000):
    """The streamlit-folium iframe, once its Leaflet map has drawn the border."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                with contextlib.suppress(Exception):
                    if frame.locator("path.pbw-border").count() > 0:
                        return frame
        page.wait_for_timeout(250)
    msg = "the map did not render within the timeout"
    raise AssertionError(msg)


def markers(frame) -> int:
    return frame.locator("path.pbw-incident").count()


def wait_for_markers(frame, expected: int, timeout_ms: int = 30_000) -> int:
    deadline = time.monotonic() + timeout_ms / 1000
    n = markers(frame)
    while n != expected and time.monotonic() < deadline:
        frame.page.wait_for_timeout(250)
        n = markers(frame)
    return n


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


#: The sidebar's filters, which a session's first map draws once it has drawn.
FILTERS = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'


def settled(page, timeout_ms: int = 30_000) -> None:
    """Wait until the map has reported its view (zoom in the link): until then it may
    still be fitting itself, and a click can land beside its target. The filters, held
    back until then on a session's first map, are there too (in the page, if not in
    sight: a phone's sidebar is closed)."""
    page.wait_for_function("() => new URL(location.href).searchParams.has('zoom')",
                           timeout=timeout_ms)
    page.locator(FILTERS).first.wait_for(state="attached", timeout=timeout_ms)
    page.wait_for_timeout(300)


def idle(page, quiet_ms: int = 500, timeout_ms: int = 30_000) -> None:
    """Wait until the app's script has stopped running and stayed stopped for ``quiet_ms``
    (Streamlit marks its root ``data-test-script-state``), so a page's last rerun is over."""
    page.wait_for_function("""(quiet) => {
        const app = document.querySelector('[data-testid="stApp"]');
        const now = performance.now();
        if (!app || app.dataset.testScriptState !== 'notRunning') {
            window.pbwIdleSince = null; return false; }
        window.pbwIdleSince = window.pbwIdleSince || now;
        return now - window.pbwIdleSince >= quiet; }""", arg=quiet_ms, polling=100,
        timeout=timeout_ms)


def click_the_only_marker(page, url: str):
    """Open a link whose filter shows one incident, and click it; returns the map frame."""
    page.goto(url)
    frame = map_frame(page)
    assert wait_for_markers(frame, 1) == 1
    settled(page)
    frame.locator("path.pbw-incident").first.click(force=True)
    return frame


#: The test server around ``deploy/nginx.conf``, the example a host copies into its own.
NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        client_header_timeout 10s;
{locations}
    }}
}}
"""


def nginx_locations(upstream_port: int) -> str:
    """``deploy/nginx.conf`` with the app's port set to ``upstream_port``."""
    example = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert example.count("127.0.0.1:8501") == 1, "deploy/nginx.conf names its upstream once"
    return example.replace("127.0.0.1:8501", f"127.0.0.1:{upstream_port}")


@contextlib.contextmanager
def nginx_proxy(upstream_port: int, folder: Path) -> Iterator[str]:
    """Debian's nginx on a free loopback port, proxying ``/panj/`` (websockets included) to
    a dashboard started with ``server.baseUrlPath=panj``; yields the proxy's base URL."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=folder, port=port,
                                      locations=nginx_locations(upstream_port)),
                    encoding="utf-8")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/panj/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = folder / "error.log"
                    msg = f"nginx did not start: {log.read_text() if log.exists() else ''}"
                    raise RuntimeError(msg) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


#: axe-core, the accessibility rules the browser tests check every page against: fetched
#: from the npm registry on first use into this environment (never committed).
AXE_VERSION = "4.11.0"


def axe_script() -> str | None:
    """The text of ``axe.min.js``, fetched with ``npm pack`` into ``sys.prefix`` once; None
    when npm is not installed."""
    target = Path(sys.prefix) / "share" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent",
                            "--pack-destination", tmp], check=True, capture_output=True,
                           timeout=300)
            with tarfile.open(Path(tmp) / f"axe-core-{AXE_VERSION}.tgz") as tar:
                member = tar.extractfile("package/axe.min.js")
                assert member is not None, "the axe-core package has no axe.min.js"
                text = member.read()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(text)
        partial.replace(target)
    return target.read_text(encoding="utf-8")


def axe_violations(page, script: str, impacts: tuple[str, ...] = ("critical", "serious")
                   ) -> list[str]:
    """Run axe-core on ``page`` and its frames (the map's too); the violations of the given
    impacts, one line each: rule, impact, how many elements, and the first of them."""
    for frame in page.frames:
        frame.add_script_tag(content=script)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => [v.id, v.impact, v.nodes.length,
                                      v.nodes[0].target.join(' '), v.help]); }""")
    return [f"{rule} ({impact}, {n} element(s), e.g. {where}): {what}"
            for rule, impact, n, where, what in found if impact in impacts]


def fetch(url: str, headers: dict[str, str] | None = None, *, source: str | None = None,
          timeout: float = 30) -> tuple[int, Any, bytes]:
    """GET ``url``: its status, its headers (looked up without regard to case) and body,
    an HTTP error's included. With ``source``, asked from that loopback address (the feed
    and data addresses' allowance is per client address), and redirects are not followed."""
    if source is not None:
        where = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port,
                                          timeout=timeout, source_address=(source, 0))
        try:
            conn.request("GET", where.path + (f"?{where.query}" if where.query else ""),
                         headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.msg, resp.read()
        finally:
            conn.close()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()
