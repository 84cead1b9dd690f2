"""Capping glibc's malloc arenas for hosts that cannot set the environment (Streamlit
Community Cloud).

Each viewer's script runs in its own thread, and glibc gives busy threads their own malloc
arenas: at 100k incidents that kept about 50 MB per viewer (docs/PERFORMANCE.md).
``MALLOC_ARENA_MAX=2`` in the environment stops that. Calling ``mallopt`` from inside the
app does not: measured with ``python -m benchmarks.run --arenas 100000``, it left 52 MB per
extra viewer against 1.1 MB with the variable, because glibc has made its arenas before the
first script runs. So when a Streamlit server was started without the variable, the app
restarts its own process once, with the variable set: the first reader's page reconnects
after a few seconds (now and then it needs a reload), and every later reader gets the cap.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from typing import Final

#: The limit ``make run`` and the Docker image set through the environment.
ARENAS: Final = 2
VARIABLE: Final = "MALLOC_ARENA_MAX"


def started_by_streamlit_run(argv: list[str]) -> bool:
    """Whether ``argv`` (the interpreter's own, ``sys.orig_argv``: Streamlit rewrites
    ``sys.argv`` for the script) started a server with ``streamlit run``."""
    return any("streamlit" in os.path.basename(arg).lower() and argv[i + 1:i + 2] == ["run"]
               for i, arg in enumerate(argv))


def limit_malloc_arenas() -> str:
    """Make sure glibc's arena cap is in force; says what was done.

    Restarts the process (``os.execv``, same PID, same arguments) when it must, so only
    call it from a running dashboard, as ``ui`` does on import.
    """
    if os.environ.get(VARIABLE):
        return f"{VARIABLE}={os.environ[VARIABLE]} from the environment"
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return "not glibc: no arena cap needed"
    if not started_by_streamlit_run(sys.orig_argv):
        return f"{VARIABLE} not set, and not a streamlit server: nothing done"
    os.environ[VARIABLE] = str(ARENAS)
    # The server's listening socket is inheritable (uvicorn makes it so for its workers), so
    # mark every descriptor past stdio close-on-exec: exec then closes them all at once and
    # the new image can bind the port. (Closing them here would pull them from under the
    # server's event loop, which still runs until exec.)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            with contextlib.suppress(OSError):
                os.set_inheritable(fd, False)
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return "unreachable"  # pragma: no cover


#: What :func:`limit_malloc_arenas` found when this module was first imported.
STATUS: Final = limit_malloc_arenas()
