"""Keeping memory per viewer flat on hosts that cannot set ``MALLOC_ARENA_MAX`` (Streamlit
Community Cloud), without ever restarting the server under a reader.

Each viewer's script runs in its own thread, and glibc gives busy threads their own malloc
arenas, which keep what they freed: at 100k incidents that held about 50 MB per viewer
(docs/PERFORMANCE.md). ``MALLOC_ARENA_MAX=2`` in the environment stops that, and ``make
run``, the Docker image and ``deploy/start`` set it. Calling ``mallopt`` from inside the app
does not help (glibc made its arenas before the first script ran).

An earlier version restarted its own process with the variable at the first reader. That
reader's page could stay blank (5 of 15 cold starts, issue #20), and a link shared to a
sleeping app meets exactly that reader. So the app no longer restarts: where the variable
is unset on glibc, each script run first hands memory that every arena has freed back to
the system (``malloc_trim``, at most once a second per process), which is what the arenas
were keeping. docs/PERFORMANCE.md gives what it holds per viewer, measured.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import threading
import time
from collections.abc import Callable
from typing import Final

#: The limit ``make run`` and the Docker image set through the environment.
ARENAS: Final = 2
VARIABLE: Final = "MALLOC_ARENA_MAX"
#: At most one trim in this many seconds, whatever the number of viewers.
TRIM_EVERY_S: Final = 1.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is none (or the variable is set)."""
    if os.environ.get(VARIABLE):
        return None
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    trim = libc.malloc_trim
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()
_lock = threading.Lock()
_last = 0.0

#: What this process does about the arenas, for the logs and the tests.
STATUS: Final = (f"{VARIABLE}={os.environ[VARIABLE]} from the environment"
                 if os.environ.get(VARIABLE) else
                 "malloc_trim before script runs" if _TRIM else "not glibc: nothing needed")


def trim_freed_memory(now: Callable[[], float] = time.monotonic) -> bool:
    """Give memory the arenas freed back to the system, unless that was done less than
    ``TRIM_EVERY_S`` ago or the variable is set; says whether it trimmed."""
    global _last
    if _TRIM is None:
        return False
    with _lock:
        at = now()
        if at - _last < TRIM_EVERY_S:
            return False
        _last = at
    _TRIM(0)
    return True
