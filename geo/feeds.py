"""Every view as a feed and as data: the Atom feed and the API's GeoJSON and CSV pages for a
link's own parameters, and what they share (strict parameters, the rows of a view, paging,
validators for conditional requests).

The parameters are the link's (``geo.viewstate``), read strictly: where a page falls back to
its default with a notice, an address answers 400 naming the parameter, the value and what
is allowed. Rows are the Data page's rows for that view, newest first, under the same terms
(``geo.provenance.redistributable``). Text goes out through an XML writer or the JSON
encoder, never pasted into markup. Each client has an allowance of answers a second
(:class:`Allowance`), so a few busy clients cannot take the server from its readers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import threading
import time as clock
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Final
from urllib.parse import quote

import numpy as np
import pandas as pd

from geo import exports, filters
from geo import provenance as pv
from geo import schema as s
from geo.i18n import Translator, translator
from geo.viewstate import PARAMS, PERIOD_PREFIXES, ViewState, parse_query, query_string

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
#: The addresses, by the kind of answer each gives (under ``server.baseUrlPath``); the
#: page itself ("index") is served at the root with a link to its view's feed.
ADDRESSES: Final = {"index": "/", "atom": "/feed.atom", "geojson": "/api/incidents.geojson",
                    "csv": "/api/incidents.csv"}
#: Rows a request gets unless it asks for fewer (``limit``), and the most it may ask for.
DEFAULT_LIMIT: Final = 1000
MAX_LIMIT: Final = 10_000
#: Entries in a feed: the newest of the view (feed readers keep what they have seen).
FEED_ENTRIES: Final = 200
#: How long a client or proxy may reuse an answer before asking again (it revalidates).
CACHE_CONTROL: Final = "public, max-age=300, must-revalidate"
#: Parameters a link may carry that an address accepts and ignores (the map's place, the
#: open incident, playback and the Compare page's periods): a link pasted whole works.
IGNORED: Final = frozenset({"lat", "lon", "zoom", "basemap", "incident", "step", "window",
                            "speed", *(f"{p}_{e}" for p in PERIOD_PREFIXES
                                       for e in ("start", "end"))})
PAGING: Final = ("offset", "limit")
KNOWN: Final = frozenset(PARAMS) | IGNORED | frozenset(PAGING)
#: Where the server puts the client's ``Accept-Encoding`` for the addresses (``serve.py``),
#: and the header an answer names its coding in for the server to pass on.
ACCEPT_SCOPE: Final = "pbw.accept_encoding"
CODED_HEADER: Final = b"x-pbw-content-encoding"
#: Answers a second one client (one address) may have, and how many it may ask for at once.
RATE_ENV: Final = "PANJ_API_RATE"
DEFAULT_RATE: Final = 2.0
BURST_SECONDS: Final = 5
#: Answers a second all clients together may have from one server: what the addresses may
#: take from the readers of the pages, however many clients there are.
TOTAL_RATE_ENV: Final = "PANJ_API_TOTAL_RATE"
DEFAULT_TOTAL_RATE: Final = 10.0


class BadRequest(ValueError):
    """A parameter an address cannot use: answered with 400 and :meth:`body`."""

    def __init__(self, param: str, value: str, allowed: str) -> None:
        super().__init__(f"{param}={value!r}: {allowed}")
        self.param, self.value, self.allowed = param, value, allowed

    def body(self) -> dict[str, str]:
        return {"error": "bad parameter", "parameter": self.param, "value": self.value,
                "allowed": self.allowed}


@dataclass(frozen=True)
class Request:
    """What an address was asked for."""

    view: ViewState
    offset: int
    limit: int

    def query(self, **paging: int) -> str:
        """The view's link parameters (and ``paging``) as a query string."""
        extra = {k: str(v) for k, v in paging.items()}
        return query_string(self.view, extra, only=(*FILTER_PARAMS, *extra))


#: The parameters that choose rows (the rest of a link only places the map).
FILTER_PARAMS: Final = ("start", "end", "region", "type", "actor", "within", "source", "lang")


def feed_query(view: ViewState) -> str:
    """The query of ``view``'s feed and data addresses: the link's filter parameters."""
    return query_string(view, only=FILTER_PARAMS)


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def parse(params: Mapping[str, Sequence[str]], *, first: date, last: date,
          today: date | None = None) -> Request:
    """The request in ``params`` (each key's values, as a query string holds them).

    ``first`` and ``last`` are the data's first and last day: the dates a link without
    ``start``/``end`` shows. Raises BadRequest for an unknown parameter or a value the link
    would not use as given.
    """
    for key in params:
        if key not in KNOWN:
            raise BadRequest(key, _one(params, key) or "", "unknown parameter; allowed: "
                             + ", ".join(sorted(KNOWN - IGNORED)))
    view, notices = parse_query({k: v for k, v in params.items() if k in FILTER_PARAMS},
                                default_start=first, default_end=last, today=today)
    if notices:  # a page shows a notice and its default; an address refuses
        n = notices[0]
        allowed = n.message.replace(" ignored;", ";").split("; using")[0].split("; showing")[0]
        raise BadRequest(n.param, n.value, allowed)
    numbers = {}
    for key, default, low, high in (("offset", 0, 0, 10**9), ("limit", DEFAULT_LIMIT, 1,
                                                                 MAX_LIMIT)):
        text = _one(params, key)
        if text is None or text == "":
            numbers[key] = default
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            raise BadRequest(key, text, f"a whole number from {low} to {high:,}")
        numbers[key] = int(text)
    return Request(view, numbers["offset"], numbers["limit"])


def newest_first(frame: pd.DataFrame) -> np.ndarray:
    """Positions of ``frame``'s rows, newest first, ties by id: worked out once per
    revision of the data, then shared by every answer."""
    days = frame[s.DATE].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.lexsort((frame[s.ID].to_numpy(dtype=str), -days))


def chosen(frame: pd.DataFrame, view: ViewState, order: np.ndarray) -> np.ndarray:
    """Positions (in ``order``) of the incidents of ``view`` that the datasets' terms let
    an address pass on (``geo.provenance.redistributable``)."""
    keep = filters.mask(frame, view.filter).to_numpy(dtype=bool) & ~pv.withheld_rows(frame)
    return order[keep[order]]


def take(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """The rows at ``positions``, with what the terms forbid removed from merged rows."""
    kept, _withheld = pv.redistributable(frame.iloc[positions])
    return kept


def rows(frame: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Every incident of ``view``, newest first, under the datasets' terms."""
    return take(frame, chosen(frame, view, newest_first(frame)))


def page(positions: np.ndarray | pd.DataFrame, request: Request
         ) -> tuple[np.ndarray | pd.DataFrame, int | None]:
    """One page of ``positions`` (or of rows) and the offset of the next page (None: this
    is the last)."""
    part = positions[request.offset: request.offset + request.limit]
    after = request.offset + request.limit
    return part, (after if after < len(positions) else None)


def etag(data_key: str, kind: str, query: str) -> str:
    """A strong validator of one answer: the data's revision, the format and the query."""
    digest = hashlib.sha256(f"{data_key}|{kind}|{query}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def json_bytes(value: Any) -> bytes:
    """JSON as UTF-8, with ``<``, ``>`` and ``&`` written as escapes: the same data to any
    JSON reader, and no markup to a browser that mistakes it for a page."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .encode("utf-8")


def geojson_page(part: pd.DataFrame, *, next_url: str | None, total: int) -> bytes:
    """RFC 7946 GeoJSON of ``part`` (the Data page's export), with the paging as foreign
    members: ``totalFeatures`` and ``links`` (``next`` while there are more)."""
    body = exports.geojson_document(part) if len(part) else {
        "type": "FeatureCollection", "features": []}
    body["totalFeatures"] = total
    body["links"] = [{"rel": "next", "href": next_url, "type": "application/geo+json"}] \
        if next_url else []
    return json_bytes(body)


# --- Atom -------------------------------------------------------------------------------


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tag(what: str) -> str:
    return f"tag:panj-border-watch,2026:{what}"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
    if text is not None:
        el.text = text
    return el


def _entry_text(row: pd.Series, changes: Sequence[Any], _: Translator) -> str:
    place = ", ".join(p for p in (s.region_option(row[s.REGION_CODE], _),
                                  s.cell_text(row.get(s.DISTRICT)),
                                  s.cell_text(row.get(s.LOCATION))) if p)

    def count(col: str) -> str:
        v = row.get(col)
        return _("not reported") if v is None or pd.isna(v) else _.num(int(v))

    lines = [_.date_both(row[s.DATE].date()), _(s.EVENT_TYPES[row[s.EVENT_TYPE]].label),
             place,
             _("Killed: {killed} · Injured: {injured}", killed=count(s.FATALITIES),
               injured=count(s.INJURED)),
             "", s.cell_text(row.get(s.SUMMARY)), ""]
    if s.cell_text(row.get(s.REVIEWED)) == "no":
        lines.insert(4, _("not yet reviewed by a curator"))
    lines.append(_("Sources:"))
    undated = _("undated")
    lines += [f"- {x.outlet}, {x.published or undated}, {x.url}"
              for x in s.parse_sources(row[s.SOURCES])]
    if changes:
        lines += ["", _("Corrected:")]
        lines += [f"- {c.text(_)}" for c in changes]
    return "\n".join(lines)


def atom(chosen: pd.DataFrame, request: Request, *, self_url: str, dashboard: str,
         data_updated: datetime, corrections: Mapping[str, Sequence[Any]],
         _: Translator) -> bytes:
    """The Atom 1.0 feed of ``chosen`` (a view's rows, newest first).

    Each entry is one incident: its id, dates, type, place, figures, summary, sources and
    its dashboard link (which opens that incident). An entry's ``updated`` is its latest
    correction (team mode), else the incident's own day; the feed's is the latest of those
    and ``data_updated`` (when the data last changed).
    """
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed",
                      {"{http://www.w3.org/XML/1998/namespace}lang": _.lang})
    view_query = request.query()
    _sub(feed, "id", _tag("view?" + view_query))
    _sub(feed, "title", _("Panj Border Watch: {view}", view="; ".join(
        request.view.describe(_))))
    _sub(feed, "subtitle", _("Security incidents on the Afghanistan–Tajikistan border in this "
                             "view, newest first, each with its sources."))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{dashboard}?{view_query}")
    author = _sub(feed, "author")
    _sub(author, "name", "Panj Border Watch")
    _sub(feed, "generator", "Panj Border Watch")
    entries = []
    newest = data_updated
    for _i, row in chosen.head(FEED_ENTRIES).iterrows():
        incident = str(row[s.ID])
        changes = tuple(corrections.get(incident, ()))
        day = datetime.combine(row[s.DATE].date(), time(), UTC)
        updated = max([day, *(c.at for c in changes)])
        newest = max(newest, updated)
        entries.append((incident, row, changes, day, updated))
    _sub(feed, "updated", _stamp(newest))
    for incident, row, changes, day, updated in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", _tag("incident/" + quote(incident, safe="")))
        title = _("{day}: {type}, {region}", day=_.date(row[s.DATE].date()),
                  type=_(s.EVENT_TYPES[row[s.EVENT_TYPE]].label),
                  region=s.region_label(row[s.REGION_CODE], _))
        _sub(entry, "title", title)
        _sub(entry, "published", _stamp(day))
        _sub(entry, "updated", _stamp(updated))
        opened = ViewState(request.view.start, request.view.end, incident=incident,
                           lang=request.view.lang)
        link = f"{dashboard}?" + query_string(opened, only=("incident", "lang"))
        _sub(entry, "link", rel="alternate", type="text/html", href=link)
        for source in s.parse_sources(row[s.SOURCES]):
            _sub(entry, "link", rel="related", href=source.url, title=source.outlet)
        _sub(entry, "category", term=str(row[s.EVENT_TYPE]),
             label=_(s.EVENT_TYPES[row[s.EVENT_TYPE]].label))
        _sub(entry, "content", _entry_text(row, changes, _), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


class Allowance:
    """Each client's allowance of answers: ``rate`` a second, up to ``burst`` at once (a
    token bucket per address). A client past its allowance is told how many seconds to
    wait; the addresses of the ``clients`` most recent are remembered (bounded memory)."""

    def __init__(self, rate: float, burst: int, *, clients: int = 10_000) -> None:
        if not (rate > 0 and burst >= 1):
            msg = f"rate must be > 0 and burst >= 1; got rate={rate!r}, burst={burst!r}"
            raise ValueError(msg)
        self.rate, self.burst, self._clients = rate, burst, clients
        self._held: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> int:
        """0 when ``client`` may have an answer now (and it is counted), else the whole
        seconds to wait before asking again (for ``Retry-After``)."""
        now = clock.monotonic() if now is None else now
        tokens, since = self._held.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) * self.rate)
        wait = 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))
        self._held[client] = (tokens - 1 if wait == 0 else tokens, now)
        while len(self._held) > self._clients:
            self._held.popitem(last=False)
        return wait


def allowance_from_env(environ: Mapping[str, str] = os.environ, *, name: str = RATE_ENV,
                       default: float = DEFAULT_RATE) -> Allowance | None:
    """The allowance the variable ``name`` sets in answers a second, the burst being five
    seconds' worth; ``default`` when unset, None for ``0`` (no limit). ``PANJ_API_RATE`` is
    each client's; ``PANJ_API_TOTAL_RATE`` (``TOTAL_RATE_ENV``) is all clients' together."""
    raw = environ.get(name, "").strip()
    try:
        rate = float(raw) if raw else default
    except ValueError:
        rate = -1
    if rate == 0:
        return None
    if not (rate > 0 and math.isfinite(rate)):
        msg = f"{name} must be a number of answers a second (0: no limit); got {raw!r}"
        raise ValueError(msg)
    return Allowance(rate, max(1, math.ceil(rate * BURST_SECONDS)))


# --- the answers' worker process ------------------------------------------------------------
# An answer is worked out in a process of its own at a lower priority (ui/routes.py), so a
# client's new page never takes the server's interpreter or the CPU from a reader's page.


def atom_in(lang: str, chosen: pd.DataFrame, request: Request, **kwargs: Any) -> bytes:
    """:func:`atom` in the language ``lang`` (a translator is built where it runs)."""
    return atom(chosen, request, _=translator(lang), **kwargs)


def made(make: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """``make()``'s bytes and their gzip coding (most clients take gzip)."""
    body = make()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


#: How much lower than the server the worker runs (``nice``), and how often it checks that
#: the server is still there.
WORKER_NICENESS: Final = 10
_PARENT_CHECK_S: Final = 1.0


def worker_started(server_pid: int) -> None:
    """In a new worker: yield the CPU to the server, and leave when the server is gone (a
    killed server cannot stop its worker, and nothing else would)."""
    os.nice(WORKER_NICENESS)

    def watch() -> None:
        while os.getppid() == server_pid:
            clock.sleep(_PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="pbw-server-watch").start()

