"""Warm a dashboard that has just started, before its first reader arrives.

Waits for ``/_stcore/health``, then runs the app once through Streamlit's script health
check (``server.scriptHealthCheckEnabled`` in ``.streamlit/config.toml``). That run
imports the libraries and loads the boundary layers and the incidents into the server's
caches, which a fresh server's first reader otherwise waits for (about 2 s;
docs/PERFORMANCE.md). The Dockerfile, ``make run`` and ``deploy/start`` run it beside the
server; on hosts that start the app themselves (Community Cloud) the first reader still
waits.

Usage: ``python deploy/warm.py [URL]``; URL defaults to http://127.0.0.1 on
``$STREAMLIT_SERVER_PORT`` (8501) under ``$STREAMLIT_SERVER_BASE_URL_PATH``. Exits 0 once
the app ran without error, 1 if it failed or the server did not answer within 180 s.
Only the standard library: it runs before, and beside, the app.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request

WAIT_S = 180.0


def _get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def warm(base: str, wait_s: float = WAIT_S) -> tuple[bool, str]:
    """Wait for the server at ``base`` and run the app once; (ran without error, detail)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if _get(f"{base}/_stcore/health", 2)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            return False, f"{base} did not answer /_stcore/health within {wait_s:.0f} s"
        time.sleep(0.5)
    started = time.monotonic()
    try:
        status, body = _get(f"{base}/_stcore/script-health-check",
                            max(deadline - time.monotonic(), 30))
    except OSError as exc:
        return False, f"the warm-up run did not finish: {exc}"
    took = time.monotonic() - started
    if status == 404:
        return False, ("the server has no script health check: set "
                       "server.scriptHealthCheckEnabled = true (.streamlit/config.toml)")
    if body.strip() == "timeout":
        return False, ("the warm-up run took longer than Streamlit's 60 s check; it goes on "
                       "in the server, and its log says if it fails")
    if status != 200:
        return False, f"the app failed its warm-up run ({status} {body.strip()}); see its log"
    return True, f"warmed in {took:.1f} s"


def main(argv: list[str]) -> int:
    prefix = os.environ.get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
    port = os.environ.get("STREAMLIT_SERVER_PORT", "").strip() or "8501"
    base = (argv[1] if len(argv) > 1 else f"http://127.0.0.1:{port}"
            + (f"/{prefix}" if prefix else "")).rstrip("/")
    ok, detail = warm(base)
    print(f"warm-up of {base}: {detail}", file=sys.stderr if not ok else sys.stdout,
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
