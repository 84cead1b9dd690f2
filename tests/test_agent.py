"""HAProxy's agent check (geo/agent.py): one line per connection, as HAProxy reads it."""

from __future__ import annotations

import socket

import pytest

from geo import agent

from . import browser as b


def _ask(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        return conn.makefile().readline()


@pytest.mark.parametrize(("ready", "line"), [
    (lambda: (True, ""), "up ready\n"),
    (lambda: (False, "nothing to show yet\nsecond line"), "down #nothing to show yet second "
                                                         "line\n"),
    (lambda: 1 / 0, "down #the readiness check failed: ZeroDivisionError\n"),
])
def test_the_agent_answers_in_haproxys_words(ready, line) -> None:
    port = b.free_port()
    server = agent.start(port, ready)
    try:
        assert _ask(port) == line
        assert _ask(port) == line  # every check asks afresh
    finally:
        server.shutdown()


def test_the_agent_follows_the_replica_as_it_changes() -> None:
    state = {"ok": False}
    port = b.free_port()
    server = agent.start(port, lambda: (state["ok"], "store away"))
    try:
        assert _ask(port).startswith("down")
        state["ok"] = True
        assert _ask(port) == "up ready\n"
    finally:
        server.shutdown()


def test_a_port_out_of_range_is_named() -> None:
    with pytest.raises(ValueError, match=r"port must be a TCP port number from 1 to 65535; "
                                         r"got 70000"):
        agent.start(70000, lambda: (True, ""))
