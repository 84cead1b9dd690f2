"""Memory per viewer without restarts: where the host cannot set MALLOC_ARENA_MAX (Streamlit
Community Cloud), page runs hand freed memory back (ui/memory.py) and the server never
restarts under a reader; 20 cold starts exactly as Community Cloud starts the app each draw
the first reader's map with no reload."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from ui import memory

from . import browser as b


def test_under_the_tests_the_variable_is_set_or_trimming_is_on() -> None:
    if os.environ.get(memory.VARIABLE):
        assert memory.STATUS.startswith(f"{memory.VARIABLE}=")
    else:
        assert memory.STATUS == "malloc_trim before script runs"
    assert "restart" not in memory.STATUS


def test_trimming_runs_at_most_once_a_second(monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "_TRIM", calls.append)
    monkeypatch.setattr(memory, "_last", 0.0)
    clock = itertools.chain([10.0, 10.5, 11.2, 11.3], itertools.repeat(20.0))
    results = [memory.trim_freed_memory(now=lambda: next(clock)) for _ in range(4)]
    assert results == [True, False, True, False] and calls == [0, 0]


def test_nothing_is_trimmed_where_the_variable_is_set(monkeypatch) -> None:
    monkeypatch.setattr(memory, "_TRIM", None)
    assert memory.trim_freed_memory() is False


COLD_STARTS = 20


@pytest.mark.browser
@pytest.mark.slow
def test_every_first_reader_after_a_cold_start_sees_the_map(chromium) -> None:
    """As Community Cloud starts the app: `streamlit run app.py`, no MALLOC_ARENA_MAX, no
    warm-up; the first reader opens a link the moment the server answers."""
    drawn = []
    for start in range(COLD_STARTS):
        with b.streamlit_server({"MALLOC_ARENA_MAX": None}) as url:
            pid = b.SERVER_PIDS[url]
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert not any(v.startswith(b"MALLOC_ARENA_MAX=") for v in environ)
            with b.fresh_page(chromium, url + "/?start=2025-11-26&end=2025-12-01") as page:
                frame = b.map_frame(page, timeout_ms=45_000)  # no reload, ever
                drawn.append(b.wait_for_markers(frame, 2))
            assert b.SERVER_PIDS[url] == pid and Path(f"/proc/{pid}").exists(), start
    assert drawn == [2] * COLD_STARTS
