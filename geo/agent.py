"""HAProxy's agent check for a replica: one line that says whether this replica has
incidents to show, so that the balancer sends readers only to replicas that do.

HAProxy's HTTP check (``/_stcore/health``) only proves that Streamlit answers. A replica
that started while the team store was down answers too, with nothing to show; the agent
lets HAProxy tell the two apart (``agent-check agent-port N`` in ``deploy/haproxy.cfg``).
On each connection it asks ``ready()`` and answers ``up ready`` or ``down`` with a reason,
as HAProxy's agent protocol reads them, then closes. A standard-library TCP server in a
daemon thread: it never blocks the app and ends with the process.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable
from typing import Final

#: ``deploy/start`` gives each replica its agent's port in this variable.
PORT_ENV: Final = "PANJ_AGENT_PORT"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        try:
            ok, why = server.ready()
        except Exception as exc:  # an agent that cannot tell says down, never crashes
            ok, why = False, f"the readiness check failed: {type(exc).__name__}"
        line = "up ready\n" if ok else f"down #{why.replace(chr(10), ' ')[:200]}\n"
        self.request.sendall(line.encode("ascii", "replace"))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int],
                 ready: Callable[[], tuple[bool, str]]) -> None:
        super().__init__(address, _Handler)
        self.ready = ready


def start(port: int, ready: Callable[[], tuple[bool, str]], *,
          host: str = "127.0.0.1") -> socketserver.BaseServer:
    """Answer HAProxy's agent checks on ``host:port`` in a daemon thread; ``ready()`` gives
    (has something to show, why not). Returns the server (``shutdown()`` stops it)."""
    if not 0 < port < 65536:
        msg = f"port must be a TCP port number from 1 to 65535; got {port!r}"
        raise ValueError(msg)
    server = _Server((host, port), ready)
    threading.Thread(target=server.serve_forever, name="panj-agent", daemon=True).start()
    return server
