"""Memory per viewer without restarts: where the host cannot set MALLOC_ARENA_MAX (Streamlit
Community Cloud), page runs hand freed memory back (ui/memory.py) and the server never
restarts under a reader; 10 cold starts exactly as Community Cloud starts the app each draw
the first reader's map with no reload."""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager, ExitStack
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


#: Each cold start proves two things: the server never restarts under its first reader
#: (its PID lives and it announced its start once: a restart in place with ``os.execv``
#: keeps the PID and announces again), so one start shows a restart, and that reader's map
#: draws with no reload. The self-restart this guards against left 5 of 15 first readers
#: blank: ten starts would all have drawn with it 1.7% of the time, and the first start's
#: announcement fails it every time.
COLD_STARTS = 10
#: Servers started at once: two cold starts share the machine, as a host's neighbours do,
#: and the test takes half as long.
AT_ONCE = 2


def _cold_start() -> tuple[AbstractContextManager[str], str]:
    """A server started as Community Cloud starts one, entered: (its manager, its URL)."""
    manager = b.streamlit_server({"MALLOC_ARENA_MAX": None})
    return manager, manager.__enter__()


@pytest.mark.browser
@pytest.mark.slow
def test_every_first_reader_after_a_cold_start_sees_the_map(chromium) -> None:
    """As Community Cloud starts the app: `streamlit run app.py`, no MALLOC_ARENA_MAX, no
    warm-up; the first reader opens a link the moment the server answers."""
    drawn = []
    for _round in range(COLD_STARTS // AT_ONCE):
        with ThreadPoolExecutor(AT_ONCE) as pool, ExitStack() as stack:
            opened = []
            # each reader arrives as soon as its own server answers
            for started in as_completed([pool.submit(_cold_start) for _ in range(AT_ONCE)]):
                manager, url = started.result()
                stack.push(manager)  # stopped when the round ends
                pid = b.SERVER_PIDS[url]
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                assert not any(v.startswith(b"MALLOC_ARENA_MAX=") for v in environ)
                page = stack.enter_context(
                    b.fresh_page(chromium, url + "/?start=2025-11-26&end=2025-12-01"))
                opened.append((url, pid, page))
            for url, pid, page in opened:
                frame = b.map_frame(page, timeout_ms=60_000)  # no reload, ever
                drawn.append(b.wait_for_markers(frame, 2))
                assert b.SERVER_PIDS[url] == pid and Path(f"/proc/{pid}").exists(), url
                log = b.server_log(int(url.rsplit(":", 1)[1])).read_text()
                assert log.count(b.START_BANNER) == 1, log[-2000:]  # not restarted in place
    assert drawn == [2] * COLD_STARTS
