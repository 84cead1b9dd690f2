"""The answers of the addresses beside the pages: ``/feed.atom``, ``/api/incidents.geojson``
and ``/api/incidents.csv`` with a link's parameters (``serve.py``'s ``st.App`` routes them
here); and the page itself at the root, naming its view's feed in ``<link rel="alternate">``.

Each answer comes from the same prepared incidents the pages show (the file's, shared with
every session, or the team store's latest revision), through ``geo.feeds``. Answers carry an
``ETag`` and ``Last-Modified`` from the data's revision and answer a conditional request
with 304; bad parameters get a 400 whose JSON names the parameter, the value and what is
allowed; a store that cannot be reached gets a 503; a client asking faster than its
allowance (``geo.feeds.Allowance``) gets a 429. Nothing here writes.
"""

from __future__ import annotations

import email.utils
import functools
import html
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import pandas as pd
import psycopg
import psycopg_pool
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from streamlit import file_util

from geo import exports, feeds, store_read
from geo import schema as s
from geo.errors import IncidentDataError, PanjError
from geo.incidents import incidents_path, load_review, review_path

FEED: Final = feeds.ADDRESSES["atom"]
GEOJSON: Final = feeds.ADDRESSES["geojson"]
CSV: Final = feeds.ADDRESSES["csv"]


class _JSON(JSONResponse):
    """A JSON answer that no browser reads as markup (``geo.feeds.json_bytes``)."""

    def render(self, content: Any) -> bytes:
        return feeds.json_bytes(content)


def _refuse(body: dict[str, str], status: int, **headers: str) -> Response:
    return _JSON(body, status_code=status, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", **headers})


@dataclass(frozen=True)
class Source:
    """The incidents an answer is made from, and when they last changed."""

    frame: pd.DataFrame
    key: str  #: the data's revision, for validators
    modified: datetime  #: when the data last changed
    corrections: dict[str, Any]


def _source() -> Source:
    # imported at the first request, once Streamlit's runtime (and its caches) exist: the
    # incidents are the very frame the pages share
    from ui import data as ui_data
    from ui import store as ui_store

    provinces, _shown, _line, border = ui_data._layers()
    url = store_read.database_url()
    if url:
        snap, made = ui_store.route_snapshot(url, provinces, border)
        return Source(snap.incidents, f"store:{snap.revision}", made,
                      dict(snap.corrections))
    path = incidents_path()
    stat = path.stat()
    frame, _warnings = ui_data._incidents(str(path), stat.st_mtime, stat.st_size)
    modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    review = load_review(path) if review_path(path).exists() else None
    if review is not None:  # the review date says when the data was last looked at
        modified = max(modified, datetime.combine(review.reviewed, datetime.min.time(), UTC))
    return Source(frame, f"file:{path}:{stat.st_mtime_ns}:{stat.st_size}", modified, {})


def _origin(request: Request, base: str) -> str:
    """This server's address as the client wrote it (``Host``; a proxy passes it on), with
    the path prefix the app is served under. ``X-Forwarded-Proto`` may say https, nothing
    else; ``X-Forwarded-Host`` is not trusted (a shared cache would keep a forged host)."""
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    scheme = proto if proto in ("http", "https") else request.url.scheme
    host = request.headers.get("host") or request.url.netloc
    return f"{scheme}://{host}{base}"


def _conditional(request: Request, tags: tuple[str, ...], modified: datetime) -> bool:
    """True when the client already holds this answer in any coding (RFC 9110: ETag first,
    compared weakly)."""
    match = request.headers.get("if-none-match")
    if match is not None:
        held = {t.strip().removeprefix("W/") for t in match.split(",")}
        return not held.isdisjoint(tags) or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return modified.replace(microsecond=0) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _answer(request: Request, kind: str, base: str) -> Response:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    try:
        source = _source()
    except FileNotFoundError:
        return _refuse({"error": "the incidents file does not exist"}, 503)
    except (PanjError, IncidentDataError, psycopg.Error, psycopg_pool.PoolTimeout) as exc:
        return _refuse({"error": "the incidents cannot be read now",
                        "reason": str(exc).splitlines()[0][:200]}, 503, **{"Retry-After": "10"})
    frame = source.frame
    first, last = ((frame[s.DATE].min().date(), frame[s.DATE].max().date()) if len(frame)
                   else (s.MIN_DATE, s.service_today()))
    try:
        asked = feeds.parse(params, first=first, last=last)
    except feeds.BadRequest as exc:
        return _refuse(exc.body(), 400)
    query = asked.query(offset=asked.offset, limit=asked.limit)
    tag = feeds.etag(source.key, kind, query)
    # gzip only where serve.py's Precoded passes the coding on (else Streamlit compresses)
    zipped = _accepts_gzip(request.scope.get(feeds.ACCEPT_SCOPE) or "")
    # each coding of an answer has its own strong validator; either one is a match
    ztag = tag[:-1] + '-gzip"'
    headers = {"ETag": ztag if zipped else tag, "Last-Modified": email.utils.format_datetime(
        source.modified.astimezone(UTC), usegmt=True), "Cache-Control": feeds.CACHE_CONTROL,
        "Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff"}
    if _conditional(request, (tag, ztag), source.modified):
        return Response(status_code=304, headers=headers)
    origin = _origin(request, base)
    remembered = (source.key, kind, query, origin)
    with _ANSWERS_LOCK:
        done = _ANSWERS.get(remembered)
        if done is not None:
            _ANSWERS.move_to_end(remembered)
    if done is None:
        with _WORKING:  # one answer worked out at a time: readers' pages keep the CPU
            with _ANSWERS_LOCK:  # asked for again while the first was being worked out
                done = _ANSWERS.get(remembered)
            if done is None:
                make, media, own = _work(kind, source, asked, origin)
                done = _Done(*_in_worker(make), media, own)
                _remember(remembered, done)
    if zipped:
        headers[feeds.CODED_HEADER.decode()] = "gzip"  # Content-Encoding, from serve.py
    return Response(done.gz if zipped else done.body, media_type=done.media,
                    headers={**headers, **done.headers})


def _accepts_gzip(accept: str) -> bool:
    """Whether an ``Accept-Encoding`` value takes gzip (``gzip`` or ``*``, q above 0)."""
    for part in accept.lower().split(","):
        coding, _sep, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


@dataclass(frozen=True)
class _Done:
    """One answer worked out: its body and gzip coding, type and own headers."""

    body: bytes
    gz: bytes
    media: str
    headers: dict[str, str]


def _work(kind: str, source: Source, asked: feeds.Request,
          origin: str) -> tuple[Callable[[], bytes], str, dict[str, str]]:
    """How to make the body of one answer (a job for the worker), its type and its own
    headers (see :func:`_answer`). The rows are chosen here, from the shared frame."""
    frame = source.frame
    headers: dict[str, str] = {}
    chosen = _view_rows(source.key, frame, asked)
    if kind == "atom":
        self_url = f"{origin}{FEED}?{asked.query()}"
        entries = feeds.take(frame, chosen[:feeds.FEED_ENTRIES])
        shown = set(entries[s.ID])
        return (functools.partial(
            feeds.atom_in, asked.view.lang, entries, asked, self_url=self_url,
            dashboard=f"{origin}/", data_updated=source.modified,
            corrections={k: v for k, v in source.corrections.items() if k in shown}),
                "application/atom+xml; charset=utf-8", headers)
    positions, after = feeds.page(chosen, asked)
    part = feeds.take(frame, positions)
    path = GEOJSON if kind == "geojson" else CSV
    next_url = None if after is None else \
        f"{origin}{path}?{asked.query(offset=after, limit=asked.limit)}"
    headers["X-Total-Count"] = str(len(chosen))
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if kind == "geojson":
        return (functools.partial(feeds.geojson_page, part, next_url=next_url,
                                  total=len(chosen)), "application/geo+json", headers)
    return functools.partial(exports.to_csv, part), "text/csv; charset=utf-8", headers


#: The process answers are worked out in (started at the first one): its own interpreter at
#: a lower priority, so a client's new page takes neither this server's interpreter lock
#: nor the CPU from a reader's script run. It leaves when the server does.
_WORKER: ProcessPoolExecutor | None = None
_WORKER_LOCK = threading.Lock()


def _in_worker(make: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """``geo.feeds.made(make)`` in the worker; started again if it died (once), else here."""
    global _WORKER
    for _attempt in range(2):
        with _WORKER_LOCK:
            if _WORKER is None:
                _WORKER = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=feeds.worker_started, initargs=(os.getpid(),))
            worker = _WORKER
        try:
            return worker.submit(feeds.made, make).result()
        except BrokenProcessPool:  # killed (out of memory?): a new one for the next answer
            with _WORKER_LOCK:
                if _WORKER is worker:
                    _WORKER = None
    return feeds.made(make)


#: Answers already worked out, by (data revision, address, query, origin): a feed reader or
#: a GIS client asking again costs a lookup. Bounded in bytes; the newest revision's stay.
_ANSWERS: OrderedDict[tuple[str, ...], _Done] = OrderedDict()
_ANSWERS_LOCK = threading.Lock()
_WORKING = threading.Lock()
ANSWERS_MAX_BYTES: Final = 64 * 1024 * 1024


def _remember(key: tuple[str, ...], done: _Done) -> None:
    with _ANSWERS_LOCK:
        stale = [k for k in _ANSWERS if k[0] != key[0]]  # an older revision's
        for k in stale:
            del _ANSWERS[k]
        _ANSWERS[key] = done
        size = sum(len(v.body) + len(v.gz) for v in _ANSWERS.values())
        while size > ANSWERS_MAX_BYTES and len(_ANSWERS) > 1:
            _k, old = _ANSWERS.popitem(last=False)
            size -= len(old.body) + len(old.gz)


_ORDERS: dict[str, Any] = {}
_ORDERS_LOCK = threading.Lock()


def _order(key: str, frame: pd.DataFrame) -> Any:
    """The rows newest first (``geo.feeds.newest_first``), once per revision of the data."""
    with _ORDERS_LOCK:
        if key not in _ORDERS:
            _ORDERS.clear()  # one revision at a time: the newest
            _ORDERS[key] = feeds.newest_first(frame)
        return _ORDERS[key]


#: The rows of the latest views (by the data's revision and the view's query), so that a
#: client paging through a view, or many asking for one, filter the incidents once.
_VIEWS: OrderedDict[tuple[str, str], Any] = OrderedDict()
VIEWS_KEPT: Final = 16


def _view_rows(key: str, frame: pd.DataFrame, asked: feeds.Request) -> Any:
    """Positions of the rows of ``asked``'s view (``geo.feeds.chosen``), newest first."""
    view = (key, asked.query())
    with _ORDERS_LOCK:
        if view in _VIEWS:
            _VIEWS.move_to_end(view)
            return _VIEWS[view]
    positions = feeds.chosen(frame, asked.view, _order(key, frame))
    with _ORDERS_LOCK:
        for old in [k for k in _VIEWS if k[0] != key]:  # an older revision's
            del _VIEWS[old]
        _VIEWS[view] = positions
        while len(_VIEWS) > VIEWS_KEPT:
            _VIEWS.popitem(last=False)
    return positions


@functools.cache
def _index_html() -> str:
    return (Path(file_util.get_static_dir()) / "index.html").read_text(encoding="utf-8")


def _index(request: Request) -> Response:
    """Streamlit's page, with a ``<link rel="alternate">`` to the feed of the view the
    address asks for, where feed readers look for it (Streamlit gives scripts no way into
    the page's head; the page itself is the same file Streamlit serves)."""
    chosen = [(k, v) for k, v in request.query_params.multi_items() if k in feeds.FILTER_PARAMS]
    href = "feed.atom" + ("?" + urlencode(chosen, safe=",:") if chosen else "")
    link = ('<link rel="alternate" type="application/atom+xml" '
            f'title="Panj Border Watch" href="{html.escape(href, quote=True)}">')
    page = _index_html().replace("</head>", link + "</head>", 1)
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


async def endpoint(request: Request, kind: str, base: str,
                   allowance: feeds.Allowance | None = None,
                   total: feeds.Allowance | None = None) -> Response:
    """The answer of address ``kind`` (a key of ``geo.feeds.ADDRESSES``) under ``base``.

    A client past its ``allowance``, or any client once all of them together are past the
    server's ``total``, gets 429 with ``Retry-After``; the page is never limited. Behind a
    proxy on this machine the client is the address it forwards (uvicorn reads
    ``X-Forwarded-For`` from loopback only).
    """
    if kind == "index":
        return _index(request)
    # on the event loop, one request at a time: the allowances need no lock. The client's
    # own first, so that one busy client cannot spend the server's allowance on refusals.
    for limit, key, error, variable in (
            (allowance, request.client.host if request.client else "",
             "too many requests from this address", feeds.RATE_ENV),
            (total, "", "too many requests to this server from all clients together",
             feeds.TOTAL_RATE_ENV)):
        if limit is not None and (wait := limit.take(key)):
            return _refuse({"error": error,
                            "allowed": f"{limit.rate:g} a second, {limit.burst} at once "
                                       f"({variable})",
                            "retry_after_seconds": str(wait)}, 429, **{"Retry-After": str(wait)})
    return await run_in_threadpool(_answer, request, kind, base)


def feed_link(view_query: str, base: str) -> str:
    """The feed's address for a view's query, relative to the site root."""
    return f"{base}{FEED}?{view_query}"

