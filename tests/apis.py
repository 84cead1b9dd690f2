"""ACLED and UCDP as the tests' local HTTP server: their documented answers, errors included.

Shapes, as each service documents them:

* ACLED (since September 2025): ``POST /oauth/token`` (form: username, password,
  ``grant_type=password``, ``client_id=acled``) answers ``{"access_token", "token_type":
  "Bearer", "expires_in", "refresh_token"}``, or 400 ``invalid_grant``;
  ``GET /api/acled/read?_format=json&country=…&event_date=a|b&event_date_where=BETWEEN``
  ``[&timestamp=t&timestamp_where=>=]&limit=n&page=p`` answers ``{"status": 200,
  "success": true, "count", "messages": [], "data": [...]}`` with every value a string;
  ``GET /api/deleted/read?deleted_timestamp=t&deleted_timestamp_where=>=`` answers ``data``
  rows of ``event_id_cnty`` and ``deleted_timestamp``. A missing or wrong bearer token: 401.
* UCDP GED: ``GET /api/gedevents/<version>?pagesize=n&page=p&Country=…&StartDate=…``
  with the ``x-ucdp-access-token`` header answers ``{"TotalCount", "TotalPages",
  "PreviousPageUrl", "NextPageUrl", "Result": [...]}`` with typed values (numbers, null).

Events come from ``tests/data/*_border_sample.csv`` (the bundled incidents written in each
dataset's layout), plus what a test adds. ``faults`` makes a route fail: a list of
``(route, page, what)`` consumed in order, ``what`` being an HTTP status, ``"429:<s>"``
(with ``Retry-After``), ``"drop"`` (the connection is cut half-way through the body) or
``"garbage"`` (not JSON).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd

DATA = Path(__file__).parent / "data"


def stamp(day: str) -> int:
    """A Unix time for an ISO day (ACLED's ``timestamp``)."""
    return int(datetime.fromisoformat(day + "T00:00:00+00:00").timestamp())


STAMP = stamp("2026-12-01")
USER, PASSWORD, TOKEN = "analyst@example.org", "correct horse battery", "acled-token-7f3a"
UCDP_TOKEN = "ucdp-token-91c2"


def acled_samples() -> list[dict[str, str]]:
    """The sample ACLED events as the API sends them: ISO dates, strings, a timestamp."""
    table = pd.read_csv(DATA / "acled_border_sample.csv", dtype=str).fillna("")
    table["event_date"] = pd.to_datetime(table["event_date"], format="%d %B %Y") \
        .dt.strftime("%Y-%m-%d")
    table["timestamp"] = str(STAMP)  # when ACLED last changed them
    return table.to_dict("records")


def ucdp_samples() -> list[dict[str, Any]]:
    """The sample UCDP GED events as the API sends them: numbers as numbers, null."""
    table = pd.read_csv(DATA / "ucdp_ged_border_sample.csv", dtype=str).fillna("")
    out = []
    for rec in table.to_dict("records"):
        typed: dict[str, Any] = {}
        for k, v in rec.items():
            if v == "":
                typed[k] = None
            elif k in ("latitude", "longitude"):
                typed[k] = float(v)
            elif k in ("id", "best", "low", "high", "where_prec", "date_prec",
                       "type_of_violence", "country_id", "year"):
                typed[k] = int(v)
            else:
                typed[k] = v
        for k in ("date_start", "date_end"):
            if typed.get(k):
                typed[k] = typed[k][:10] + "T00:00:00"
        out.append(typed)
    return out


@dataclass
class Api:
    """What the server holds and what it saw."""

    acled: list[dict[str, Any]] = field(default_factory=acled_samples)
    deleted: list[dict[str, str]] = field(default_factory=list)
    ucdp: list[dict[str, Any]] = field(default_factory=ucdp_samples)
    faults: list[tuple[str, int, str]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = field(
        default_factory=list)
    url: str = ""

    def fault(self, route: str, page: int) -> str | None:
        for i, (r, p, what) in enumerate(self.faults):
            if r == route and p == page:
                del self.faults[i]
                return what
        return None

    def requests_to(self, route: str) -> list[dict[str, list[str]]]:
        return [q for _m, path, q, _h in self.seen if path.startswith(route)]


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None,
                  *, fault: str | None = None) -> None:
            data = json.dumps(body).encode() if fault != "garbage" else b"<html>oops"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if fault == "drop":  # promise the whole body, send half, hang up
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _faulted(self, route: str, page: int) -> str | None:
            what = api.fault(route, page)
            if what is None or what in ("drop", "garbage"):
                return what
            if what.startswith("429"):
                self._send(429, {"message": "Too Many Requests"},
                           {"Retry-After": what.split(":")[1]})
            else:
                self._send(int(what), {"message": "server error"})
            return "sent"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            api.seen.append(("POST", self.path, form, dict(self.headers)))
            if self.path != "/oauth/token":
                self._send(404, {"message": "not found"})
                return
            if self._faulted("token", 1) == "sent":
                return
            ok = (form.get("username") == [USER] and form.get("password") == [PASSWORD]
                  and form.get("grant_type") == ["password"] and form.get("client_id") == ["acled"])
            if not ok:
                self._send(400, {"error": "invalid_grant", "error_description":
                                 "The user credentials were incorrect."})
                return
            self._send(200, {"token_type": "Bearer", "expires_in": 86400,
                             "access_token": TOKEN, "refresh_token": "refresh-1"})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            q = parse_qs(parts.query)
            api.seen.append(("GET", parts.path, q, dict(self.headers)))
            one = {k: v[0] for k, v in q.items()}
            if parts.path in ("/api/acled/read", "/api/deleted/read"):
                self._acled(parts.path, one)
            elif parts.path.startswith("/api/gedevents/"):
                self._ucdp(one)
            else:
                self._send(404, {"message": "not found"})

        def _acled(self, path: str, q: dict[str, str]) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"message": "Unauthorized"})
                return
            page, limit = int(q.get("page", "1")), int(q.get("limit", "5000"))
            route = "read" if path.endswith("acled/read") else "deleted"
            fault = self._faulted(route, page)
            if fault == "sent":
                return
            if route == "read":
                rows = api.acled
                if "timestamp" in q:
                    rows = [r for r in rows if int(r.get("timestamp") or 0) >= int(q["timestamp"])]
                if "event_date" in q:
                    first, last = q["event_date"].split("|")
                    rows = [r for r in rows if not isinstance(r, dict)
                            or first <= str(r.get("event_date", "")) <= last]
            else:
                rows = [r for r in api.deleted
                        if int(r["deleted_timestamp"]) >= int(q.get("deleted_timestamp", 0))]
            chunk = rows[(page - 1) * limit: page * limit]
            self._send(200, {"status": 200, "success": True, "last_update": 1,
                             "count": len(chunk), "messages": [], "data": chunk,
                             "filename": "acled_export"}, fault=fault)

        def _ucdp(self, q: dict[str, str]) -> None:
            if self.headers.get("x-ucdp-access-token") != UCDP_TOKEN:
                self._send(401, {"message": "a valid x-ucdp-access-token is required"})
                return
            page, size = int(q.get("page", "0")), int(q.get("pagesize", "100"))
            fault = self._faulted("ged", page)
            if fault == "sent":
                return
            rows = api.ucdp
            if "StartDate" in q:
                rows = [r for r in rows if q["StartDate"] <= r["date_start"][:10]
                        <= q.get("EndDate", "9999")]
            pages = max(1, -(-len(rows) // size))
            real = "https://ucdpapi.pcr.uu.se/api/gedevents/26.1"  # as UCDP writes it
            self._send(200, {
                "TotalCount": len(rows), "TotalPages": pages,
                "PreviousPageUrl": f"{real}?pagesize={size}&page={page - 1}" if page else "",
                "NextPageUrl": f"{real}?pagesize={size}&page={page + 1}"
                if page + 1 < pages else "",
                "Result": rows[page * size:(page + 1) * size]}, fault=fault)

    return Handler


@contextlib.contextmanager
def serve(api: Api | None = None) -> Iterator[Api]:
    """The two APIs on a free local port (``api.url``), for one test."""
    api = api or Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


