"""Helpers for the real-browser tests: a Streamlit server and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:", "file:")
TILE_HOSTS = ("tile.openstreetmap.org", "tile.opentopomap.org", "server.arcgisonline.com")


#: base URL → process id of each running server, to read its memory
SERVER_PIDS: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the dashboard on a free port; yields its base URL.

    It inherits this process's environment, so under pytest it shows the frozen test data
    (``conftest.FIXTURE_ENV``); ``env`` adds to or overrides that.
    """
    port = free_port()
    full_env = {"MALLOC_ARENA_MAX": "2", **os.environ, **(env or {})}  # as `make run`
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"pbw-streamlit-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                msg = f"streamlit did not start; its log:\n{log.read_text()[-3000:]}"
                raise RuntimeError(msg)
            time.sleep(0.3)
        SERVER_PIDS[url] = proc.pid
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


def offline(page) -> Traffic:
    """Block every non-local request (as with no internet) and record what was tried."""
    traffic = Traffic()

    def route(r) -> None:
        if r.request.url.startswith(LOCAL_PREFIXES):
            r.continue_()
        else:
            traffic.blocked.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    def on_dialog(dialog) -> None:
        traffic.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: traffic.page_errors.append(str(e)))
    return traffic


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


def settled(page, timeout_ms: int = 30_000) -> None:
    """Wait until the map has reported its view (zoom in the link): until then it may
    still be fitting itself, and a click can land beside its target."""
    page.wait_for_function("() => new URL(location.href).searchParams.has('zoom')",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)


def click_the_only_marker(page, url: str):
    """Open a link whose filter shows one incident, and click it; returns the map frame."""
    page.goto(url)
    frame = map_frame(page)
    assert wait_for_markers(frame, 1) == 1
    settled(page)
    frame.locator("path.pbw-incident").first.click(force=True)
    return frame
