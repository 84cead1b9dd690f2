"""The malloc arena cap: a server started without MALLOC_ARENA_MAX restarts itself once with
it (mallopt from inside the app was measured and does not help; see ui/memory.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ui import memory

from . import browser as b


@pytest.mark.parametrize(("argv", "expected"), [
    (["/usr/local/bin/python", "/usr/local/bin/streamlit", "run", "app.py"], True),
    (["/x/bin/python", "-m", "streamlit", "run", "app.py", "--server.port", "1"], True),
    (["/x/bin/python", "-m", "pytest", "tests"], False),
    (["/usr/local/bin/streamlit", "hello"], False),
    (["python"], False),
    (["python", "app.py", "run"], False),
])
def test_only_a_streamlit_server_restarts_itself(argv, expected) -> None:
    assert memory.started_by_streamlit_run(argv) is expected


def test_importing_ui_under_tests_changes_nothing() -> None:
    assert "restart" not in memory.STATUS


@pytest.mark.browser
def test_a_server_without_the_variable_restarts_with_it(page) -> None:
    with b.streamlit_server({"MALLOC_ARENA_MAX": None}) as url:
        pid = b.SERVER_PIDS[url]
        before = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert not any(v.startswith(b"MALLOC_ARENA_MAX=") for v in before)
        page.goto(url + "/")  # the first reader's run restarts the server with the cap
        environ = Path(f"/proc/{pid}/environ")
        deadline = time.monotonic() + 60
        while b"MALLOC_ARENA_MAX=2" not in environ.read_bytes().split(b"\0"):
            assert time.monotonic() < deadline, "the server did not restart with the cap"
            time.sleep(0.2)
        # same process, new image with the cap; it serves the map (after the reload a reader
        # gives a page that lost its server: waiting for the page to reconnect by itself
        # took up to 30 s)
        ok, detail = b.warm_up.warm(url, wait_s=60)  # listening again, and the app runs
        assert ok, detail
        page.reload()
        frame = b.map_frame(page, timeout_ms=60_000)
        assert b.markers(frame) > 0
