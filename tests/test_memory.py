"""The malloc arena cap: a server started without MALLOC_ARENA_MAX restarts itself once with
it (mallopt from inside the app was measured and does not help; see ui/memory.py)."""

from __future__ import annotations

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
        page.goto(url + "/")
        try:  # the page usually reconnects by itself after the restart
            frame = b.map_frame(page, timeout_ms=30_000)
        except AssertionError:  # now and then it needs the reload a reader would give it
            page.reload()
            frame = b.map_frame(page, timeout_ms=60_000)
        assert b.markers(frame) > 0
        after = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"MALLOC_ARENA_MAX=2" in after  # same process, new image with the cap
