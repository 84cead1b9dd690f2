"""What all readers' uploads may hold together in one server process, and how many files
are read at once.

A replica serves many readers, and each reader's upload lives in that reader's session
(never on disk). One large upload is bounded by ``geo.importers``; this module bounds the
sum, so that many readers uploading at once cannot take the memory every reader needs, and
reads one file at a time, so that a second core stays free for the readers who are only
looking. It is plain Python (threads and weak references), tested without Streamlit.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

import pandas as pd

from geo.errors import IncidentDataError

#: The default budget, in MB, for what all sessions' uploads hold; ``PANJ_UPLOAD_BUDGET_MB``
#: sets another. An accepted upload is held about four times over (the rows, their border
#: distances, the combined frame and the Data page's table), all counted here.
DEFAULT_BUDGET_MB: Final = 400
BUDGET_ENV: Final = "PANJ_UPLOAD_BUDGET_MB"
#: How long a reader's file waits for another reader's to finish before being turned away.
WAIT_S: Final = 20.0
#: What an accepted upload holds, as a multiple of its rows' own memory (see above).
HELD_FACTOR: Final = 4


class UploadRefused(IncidentDataError):
    """The server cannot take this upload now (busy, or its budget is full); nothing is
    wrong with the file."""


class UploadBudget:
    """The bytes that accepted uploads hold, across every session of this process.

    ``hold(obj, size)`` counts ``size`` until ``obj`` (an import result kept in a session)
    is garbage-collected: a session that ends, or a reader who removes the file, gives its
    share back with no call. ``check(size)`` raises when ``size`` more would pass the limit.
    """

    def __init__(self, limit_bytes: int) -> None:
        if limit_bytes <= 0:
            msg = f"limit_bytes must be a positive number of bytes; got {limit_bytes!r}"
            raise ValueError(msg)
        self.limit = limit_bytes
        self._held: dict[int, int] = {}
        self._lock = threading.Lock()
        self._next = 0

    @property
    def held(self) -> int:
        with self._lock:
            return sum(self._held.values())

    def check(self, size: int) -> None:
        """Raise :class:`UploadRefused` when ``size`` more bytes would pass the limit."""
        held = self.held
        if held + size > self.limit:
            msg = (f"this server is holding as much uploaded data as it can for its readers "
                   f"right now ({held / 2**20:,.0f} MB of {self.limit / 2**20:,.0f} MB). Try "
                   "again in a few minutes, or with a smaller file")
            raise UploadRefused(msg)

    def hold(self, obj: object, size: int) -> None:
        """Count ``size`` bytes until ``obj`` is collected (after :meth:`check` passed)."""
        with self._lock:
            key, self._next = self._next, self._next + 1
            self._held[key] = size
        weakref.finalize(obj, self._release, key)

    def _release(self, key: int) -> None:
        with self._lock:
            self._held.pop(key, None)


def frame_bytes(frame: pd.DataFrame) -> int:
    """What an accepted upload holds in a session, all its copies counted."""
    return int(frame.memory_usage(deep=True).sum()) * HELD_FACTOR


_ONE_AT_A_TIME = threading.BoundedSemaphore(1)


@contextmanager
def reading_slot(wait_s: float = WAIT_S) -> Iterator[None]:
    """Read one file at a time in this process; raise :class:`UploadRefused` when another
    reader's file is still being read after ``wait_s`` seconds."""
    if not _ONE_AT_A_TIME.acquire(timeout=wait_s):
        msg = ("another reader's file is being read on this server; try again in a "
               "moment")
        raise UploadRefused(msg)
    try:
        yield
    finally:
        _ONE_AT_A_TIME.release()


def budget_from_env(environ: Mapping[str, str] = os.environ) -> UploadBudget:
    """The process's budget: ``PANJ_UPLOAD_BUDGET_MB`` MB, or the default."""
    raw = environ.get(BUDGET_ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_BUDGET_MB
    except ValueError:
        mb = -1
    if not mb > 0:
        msg = f"{BUDGET_ENV} must be a positive number of megabytes; got {raw!r}"
        raise ValueError(msg)
    return UploadBudget(int(mb * 2**20))
