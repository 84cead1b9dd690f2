"""Keeping the incidents current from the ACLED and UCDP APIs: ``python -m geo.sync acled|ucdp``.

Each run reads one dataset's API, keeps the events inside the dashboard's provinces (the same
point-in-province rule as every import, ``geo.importers.assign_regions``), maps them with the
file importers' mapping (``geo.importers.from_acled`` / ``from_ucdp``: one mapping per
dataset), merges each incident's records across datasets (``geo.merge``) and writes the
result, all or nothing:

* team mode (``PANJ_DATABASE_URL`` or ``--database``): into the store through the editors'
  load path, as editor ``sync:acled`` / ``sync:ucdp``, with history; a run that brings
  nothing new leaves no revision;
* file mode (``--out FILE``): the merged set (curated plus synced, each incident once) in
  our format, ready for ``PANJ_INCIDENTS=FILE make run``; the datasets' own records and the
  sync state are kept beside it in ``FILE.sync/``.

ACLED is read as it documents its API since September 2025: an OAuth token from the account's
email and password (``ACLED_USERNAME``, ``ACLED_PASSWORD``), then ``/api/acled/read`` by
country and date, paged, asking only for events changed since the last sync (``timestamp``),
and ``/api/deleted/read`` for the events ACLED deleted since, which are withdrawn here (kept,
with history, and no longer shown). UCDP GED is read from ``/api/gedevents/<version>`` with
its access token (``UCDP_API_TOKEN``) in the ``x-ucdp-access-token`` header, paged.
Credentials come only from the environment and never reach a log or a message. Base URLs
come from ``PANJ_ACLED_API_URL`` and ``PANJ_UCDP_API_URL`` (mirrors and tests).

About 560 lines: the two clients share the retrying HTTP reader, the mapping, the update of
the stored records and both ways of writing them; apart, each would be half a story.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import psycopg
import requests

from geo import merge, store, store_read, validate
from geo import provenance as pv
from geo import schema as s
from geo.errors import IncidentDataError, StoreError, SyncError
from geo.importers import ACLED_FIELDS, UCDP_FIELDS, assign_regions, from_acled, from_ucdp
from geo.incidents import INCIDENTS_FILE, good_rows, validate_table
from geo.layers import load_provinces

SOURCES: Final = (pv.ACLED, pv.UCDP)
ACLED_URL_ENV: Final = "PANJ_ACLED_API_URL"
UCDP_URL_ENV: Final = "PANJ_UCDP_API_URL"
UCDP_VERSION_ENV: Final = "PANJ_UCDP_VERSION"
DEFAULT_URLS: Final = {pv.ACLED: "https://acleddata.com", pv.UCDP: "https://ucdpapi.pcr.uu.se"}
#: The GED release read by default: the yearly release of 2026. UCDP's monthly candidate
#: releases (``26.0.x``) carry recent months; name one in ``PANJ_UCDP_VERSION``.
UCDP_VERSION: Final = "26.1"
CREDENTIALS: Final = {pv.ACLED: ("ACLED_USERNAME", "ACLED_PASSWORD"), pv.UCDP: ("UCDP_API_TOKEN",)}
ACLED_COUNTRIES: Final = ("Tajikistan", "Afghanistan")
#: Gleditsch-Ward codes, as UCDP keys countries: Afghanistan 700, Tajikistan 702.
UCDP_COUNTRIES: Final = ("700", "702")
#: The first day synced when a dataset has never been synced (the curated rows start 2020).
FIRST_DAY: Final = date(2020, 1, 1)
ACLED_PAGE: Final = 5000
UCDP_PAGE: Final = 1000
MAX_PAGES: Final = 1000
#: The longest ``Retry-After`` honoured; a longer one fails the sync (run it later).
MAX_WAIT_S: Final = 120.0
TRIES: Final = 4
#: A sync that has not succeeded for this long, after a failed attempt, is shown as failing.
STALE_AFTER: Final = timedelta(days=1)


class Http:
    """JSON over HTTP with the retries real APIs need: 429 with ``Retry-After``, 5xx and
    dropped connections retried a few times; 401 and other refusals fail at once."""

    def __init__(self, base: str, source: str, *, tries: int = TRIES, backoff: float = 1.0,
                 max_wait: float = MAX_WAIT_S, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = 60.0) -> None:
        self.base, self.source, self.tries, self.backoff = base.rstrip("/"), source, tries, backoff
        self.what = pv.PROVIDERS[source].label
        self.max_wait, self.sleep, self.timeout = max_wait, sleep, timeout
        self.session = requests.Session()
        self.requests = 0

    def json(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             data: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> Any:
        url = self.base + path
        last = ""
        for attempt in range(1, self.tries + 1):
            self.requests += 1
            try:
                resp = self.session.request(method, url, params=params, data=data,
                                            headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:  # refused, reset, cut off mid-body
                last = f"the connection failed ({type(exc).__name__})"
                self.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            if resp.status_code == 429:
                wait = retry_after(resp.headers.get("Retry-After"))
                if wait > self.max_wait:
                    msg = (f"{self.what} asks us to wait {wait:.0f} s before asking again "
                           f"(429 Too Many Requests); run the sync later")
                    raise SyncError(msg)
                last = "429 Too Many Requests"
                self.sleep(wait)
                continue
            if resp.status_code in (401, 403) or (
                    resp.status_code == 400 and "invalid_grant" in resp.text):
                names = " and ".join(CREDENTIALS[self.source])
                msg = (f"{self.what} refused the credentials ({resp.status_code} "
                       f"{resp.reason}): check {names}")
                raise SyncError(msg)
            if resp.status_code >= 500:
                last = f"{resp.status_code} {resp.reason}"
                self.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            if resp.status_code >= 400:
                msg = (f"{self.what} refused {path} ({resp.status_code} {resp.reason}): "
                       f"{resp.text[:200]!r}")
                raise SyncError(msg)
            try:
                return resp.json()
            except ValueError as exc:
                msg = f"{self.what} answered {path} with something that is not JSON"
                raise SyncError(msg) from exc
        msg = f"{self.what} did not answer {path} after {self.tries} tries: {last}"
        raise SyncError(msg)


def retry_after(value: str | None) -> float:
    """A ``Retry-After`` header in seconds: delay-seconds or an HTTP date; 1 s if absent."""
    if not value:
        return 1.0
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Fetched:
    """What one run read from a dataset's API."""

    records: list[Any]
    deleted: dict[str, str] = field(default_factory=dict)  #: id -> day it was deleted
    newest: int | None = None  #: ACLED: the latest ``timestamp`` seen
    requests: int = 0


def acled_token(http: Http, username: str, password: str) -> str:
    """An access token from ACLED's OAuth endpoint (password grant, client ``acled``)."""
    body = http.json("POST", "/oauth/token", data={
        "username": username, "password": password, "grant_type": "password",
        "client_id": "acled", "scope": "authenticated"})
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise SyncError("ACLED's token endpoint answered without an access_token")
    return token


def _pages(http: Http, path: str, params: dict[str, Any], headers: dict[str, str],
           key: str, limit: int) -> list[Any]:
    out: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        body = http.json("GET", path, params={**params, "limit": limit, "page": page},
                         headers=headers)
        if not isinstance(body, dict) or body.get("success") is False \
                or not isinstance(body.get(key), list):
            said = body.get("messages") or body.get("error") if isinstance(body, dict) else ""
            msg = f"ACLED answered {path} page {page} without its {key!r} list: {said!r}"
            raise SyncError(msg[:400])
        out += body[key]
        if len(body[key]) < limit:
            return out
    raise SyncError(f"ACLED sent more than {MAX_PAGES} pages for {path}; narrow the dates")


def fetch_acled(http: Http, token: str, *, start: date, end: date,
                since: int | None) -> Fetched:
    """ACLED events in Tajikistan and Afghanistan dated ``start``–``end``; with ``since``
    (a Unix time), only those added or changed since then, and the ids deleted since."""
    headers = {"Authorization": f"Bearer {token}"}
    params: dict[str, Any] = {"_format": "json", "country": ":OR:".join(ACLED_COUNTRIES),
                              "event_date": f"{start.isoformat()}|{end.isoformat()}",
                              "event_date_where": "BETWEEN"}
    if since is not None:
        params |= {"timestamp": since, "timestamp_where": ">="}
    records = _pages(http, "/api/acled/read", params, headers, "data", ACLED_PAGE)
    stamps = [int(r["timestamp"]) for r in records
              if isinstance(r, dict) and str(r.get("timestamp", "")).isdigit()]
    deleted: dict[str, str] = {}
    if since is not None:
        for row in _pages(http, "/api/deleted/read", {
                "_format": "json", "deleted_timestamp": since,
                "deleted_timestamp_where": ">="}, headers, "data", ACLED_PAGE):
            if isinstance(row, dict) and row.get("event_id_cnty"):
                when = str(row.get("deleted_timestamp", ""))
                deleted[str(row["event_id_cnty"])] = datetime.fromtimestamp(
                    int(when), UTC).date().isoformat() if when.isdigit() else ""
    return Fetched(records, deleted, max(stamps, default=since), http.requests)


def fetch_ucdp(http: Http, token: str, version: str, *, start: date, end: date) -> Fetched:
    """UCDP GED events in Afghanistan and Tajikistan dated ``start``–``end``, every page.

    Pages are asked for by number; ``NextPageUrl`` is not followed, so the token is only
    ever sent to the configured address."""
    headers = {"x-ucdp-access-token": token}
    records: list[Any] = []
    for page in range(MAX_PAGES):
        body = http.json("GET", f"/api/gedevents/{version}", headers=headers, params={
            "pagesize": UCDP_PAGE, "page": page, "Country": ",".join(UCDP_COUNTRIES),
            "StartDate": start.isoformat(), "EndDate": end.isoformat()})
        if not isinstance(body, dict) or not isinstance(body.get("Result"), list):
            msg = f"UCDP answered page {page} without its 'Result' list"
            raise SyncError(msg)
        records += body["Result"]
        if page + 1 >= int(body.get("TotalPages") or 0):
            return Fetched(records, requests=http.requests)
    raise SyncError(f"UCDP sent more than {MAX_PAGES} pages; narrow the dates")


# --- from records to our rows ---------------------------------------------------------


@dataclass
class Mapped:
    table: pd.DataFrame  #: the records kept, in our format (strings)
    outside: int  #: placed in no dashboard province
    problems: list[str]  #: one line per problem, naming the record, the field and why
    malformed: int = 0  #: records left out for their problems


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def to_rows(source: str, records: Sequence[Any], provinces: gpd.GeoDataFrame) -> Mapped:
    """The records of ``source`` as our rows: kept when inside a dashboard province and
    valid; every malformed record is named, and the rest are kept."""
    fields = ACLED_FIELDS if source == pv.ACLED else UCDP_FIELDS
    problems = [f"record {n}: not an event object ({type(r).__name__})"
                for n, r in enumerate(records, 1) if not isinstance(r, dict)]
    not_objects = len(problems)
    rows = [{k: _cell(v) for k, v in r.items() if k in fields}
            for r in records if isinstance(r, dict)]
    numbers = [n for n, r in enumerate(records, 1) if isinstance(r, dict)]
    if not rows:
        return Mapped(pd.DataFrame(columns=list(s.COLUMNS)), 0, problems, not_objects)
    raw = pd.DataFrame(rows, dtype=object).fillna("").astype(str)
    mapped = from_acled(raw) if source == pv.ACLED else from_ucdp(raw)
    placed = assign_regions(validate.read_table(mapped), provinces)
    inside = (placed[s.REGION_CODE] != s.OUTSIDE_REGION).to_numpy()
    outside = int((~inside).sum())
    placed = placed[inside].reset_index(drop=True)
    numbers = [n for n, keep in zip(numbers, inside, strict=True) if keep]
    report = validate_table(placed, regions=provinces, normalised=True)
    for p in report.errors:
        if p.row is None:
            continue
        k = p.row - 2
        problems.append(f"record {numbers[k]} ({source} event {placed[s.PROVIDER_ID].iat[k]}"
                        f"): {p.field} {p.value[:60]!r} {p.message}")
    keep = good_rows(report, len(placed))
    return Mapped(s.with_optional_columns(placed[keep]).reset_index(drop=True), outside,
                  problems, not_objects + int((~keep).sum()))


#: What a dataset's record says, for telling whether a new copy of it changed: everything
#: but what the merge and the curators set.
_CONTENT: Final = tuple(c for c in s.COLUMNS
                        if c not in (s.REVIEWED, s.MERGED_INTO, s.ALSO_REPORTED))


@dataclass
class Outcome:
    """What a sync did, in figures."""

    source: str
    fetched: int = 0
    kept: int = 0
    outside: int = 0
    malformed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    merged: int = 0  #: this dataset's records shown as one incident with another's
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.source}: {self.fetched} fetched, {self.kept} kept in the provinces "
                f"({self.outside} outside, {self.malformed} malformed), {self.new} new, "
                f"{self.updated} updated, {self.unchanged} unchanged, {self.withdrawn} "
                f"withdrawn, {self.merged} merged with another dataset's record, in "
                f"{self.seconds:.1f} s")


def update(existing: pd.DataFrame, source: str, mapped: Mapped, deleted: Mapping[str, str],
           outcome: Outcome) -> pd.DataFrame:
    """``existing`` (every dataset's records, strings) with ``source``'s new and changed
    records, its deletions withdrawn, and every incident merged again."""
    table = s.with_optional_columns(existing).loc[:, list(s.COLUMNS)].copy() \
        .reset_index(drop=True)
    own = table[s.PROVIDER] == source
    index = {pid: i for i, pid in zip(table.index[own], table.loc[own, s.PROVIDER_ID],
                                      strict=True)}
    fresh = mapped.table.loc[:, list(s.COLUMNS)].reset_index(drop=True)
    at = fresh[s.PROVIDER_ID].map(index)
    known = at.notna().to_numpy()
    rows = at[known].astype(int).to_numpy()
    content = list(_CONTENT)
    old = fresh.loc[known, content].to_numpy()
    same = (table.loc[rows, content].to_numpy() == old).all(axis=1)
    changed = rows[~same]  # the dataset changed its record: a curator looks at it again
    table.loc[changed, content] = old[~same]
    table.loc[changed, s.REVIEWED] = "no"
    outcome.unchanged += int(same.sum())
    outcome.updated += len(changed)
    added = fresh[~known]
    outcome.new += len(added)
    for pid, day in deleted.items():
        i = index.get(pid)
        if i is not None and table.at[i, s.WITHDRAWN] == "":
            table.at[i, s.WITHDRAWN] = (f"deleted by {pv.PROVIDERS[source].label}"
                                        + (f" on {day}" if day else ""))
            outcome.withdrawn += 1
    if len(added):
        table = pd.concat([table, added], ignore_index=True)
    merged = merge.merge(table)
    mine = merged[s.PROVIDER] == source
    grouped = (merged[s.MERGED_INTO] != "") | (merged[s.ALSO_REPORTED] != "")
    outcome.merged = int((mine & grouped & (merged[s.WITHDRAWN] == "")).sum())
    return merged


# --- state, and the two places a sync writes --------------------------------------------


def sync_dir(out: Path) -> Path:
    """Where file mode keeps the datasets' own records and its state: ``FILE.sync/``."""
    return out.with_name(out.name + ".sync")


def read_state_file(directory: Path) -> dict[str, dict[str, Any]]:
    try:
        state = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def read_state_store(conn: psycopg.Connection) -> dict[str, dict[str, Any]]:
    out = {}
    for source, text in conn.execute("SELECT source, state FROM pbw_sync").fetchall():
        try:
            out[source] = json.loads(text)
        except ValueError:
            continue
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


def _csv(table: pd.DataFrame) -> bytes:
    return table.loc[:, list(s.COLUMNS)].to_csv(index=False, lineterminator="\n").encode()


def _record(state: dict[str, dict[str, Any]], source: str, *, ok: bool, error: str = "",
            newest: int | None = None, outcome: Outcome | None = None) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    entry = dict(state.get(source, {}))
    entry["last_attempt"] = now
    entry["last_error"] = "" if ok else error
    if ok:
        entry["last_success"] = now
        if newest is not None:
            entry["newest_timestamp"] = newest
        if outcome is not None:
            entry["counts"] = {k: v for k, v in asdict(outcome).items()
                               if isinstance(v, int) and not isinstance(v, bool)}
    return entry


def status_lines(state: Mapping[str, Mapping[str, Any]], now: datetime | None = None
                 ) -> list[tuple[str, str | None, str | None]]:
    """Per dataset synced: (code, last success as ISO time or None, the error when the
    last attempt failed and no sync has succeeded for ``STALE_AFTER``, else None)."""
    now = now or datetime.now(UTC)
    out = []
    for source in SOURCES:
        entry = state.get(source)
        if not entry:
            continue
        success = entry.get("last_success") or None
        error = entry.get("last_error") or None
        if error and success:
            try:
                fresh = now - datetime.fromisoformat(success) < STALE_AFTER
            except ValueError:
                fresh = False
            error = None if fresh else error
        out.append((source, success, error))
    return out


# --- the command ------------------------------------------------------------------------


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        msg = f"{name} is not set: credentials come from the environment only"
        raise SyncError(msg)
    return value


def fetch(source: str, *, start: date, end: date, since: int | None,
          backoff: float = 1.0) -> Fetched:
    """Read ``source``'s API (credentials and base URL from the environment)."""
    env = ACLED_URL_ENV if source == pv.ACLED else UCDP_URL_ENV
    base = os.environ.get(env, "").strip() or DEFAULT_URLS[source]
    http = Http(base, source, backoff=backoff)
    if source == pv.ACLED:
        user, password = (_env(n) for n in CREDENTIALS[pv.ACLED])
        token = acled_token(http, user, password)
        return fetch_acled(http, token, start=start, end=end, since=since)
    version = os.environ.get(UCDP_VERSION_ENV, "").strip() or UCDP_VERSION
    return fetch_ucdp(http, _env(CREDENTIALS[pv.UCDP][0]), version, start=start, end=end)


def run(source: str, *, out: Path | None, curated: Path, conn: psycopg.Connection | None,
        start: date | None = None, end: date | None = None, backoff: float = 1.0) -> Outcome:
    """One sync of ``source`` into ``out`` (file mode) or the store behind ``conn``.

    Raises SyncError (the API failed) or IncidentDataError (the data would not validate);
    either way nothing is changed but the recorded attempt.
    """
    began = time.perf_counter()
    outcome = Outcome(source)
    if (conn is None) == (out is None):
        raise ValueError("give exactly one of out (file mode) and conn (team mode)")
    state = read_state_store(conn) if conn is not None else read_state_file(
        sync_dir(out))  # type: ignore[arg-type]  # out is set when conn is not
    since = state.get(source, {}).get("newest_timestamp") if source == pv.ACLED else None
    try:
        fetched = fetch(source, start=start or FIRST_DAY, end=end or s.service_today(),
                        since=since, backoff=backoff)
        mapped = to_rows(source, fetched.records, load_provinces())
        outcome.fetched, outcome.kept, outcome.outside = (len(fetched.records),
                                                           len(mapped.table), mapped.outside)
        outcome.malformed, outcome.problems = mapped.malformed, mapped.problems
        if conn is not None:
            existing = store_read.read_incidents(conn)
            table = update(existing, source, mapped, fetched.deleted, outcome)
            outcome.seconds = time.perf_counter() - began
            store.load_table(conn, table, editor=f"sync:{source}", note=outcome.line(),
                             file=f"{source} API")
        else:
            _write_files(source, out, curated, mapped, fetched, outcome)  # type: ignore[arg-type]
    except (SyncError, IncidentDataError, StoreError, psycopg.Error) as exc:
        entry = _record(state, source, ok=False, error=str(exc).splitlines()[0][:300])
        _save_state(conn, out, state, source, entry)
        raise
    outcome.seconds = time.perf_counter() - began
    entry = _record(state, source, ok=True, newest=fetched.newest, outcome=outcome)
    _save_state(conn, out, state, source, entry)
    return outcome


def _write_files(source: str, out: Path, curated: Path, mapped: Mapped, fetched: Fetched,
                 outcome: Outcome) -> None:
    directory = sync_dir(out)
    ours = store.read_file_table(curated)
    ours = ours[ours[s.PROVIDER].isin(["", pv.CURATED])]
    parts = [ours] + [store.read_file_table(directory / f"{p}.csv") for p in SOURCES
                      if (directory / f"{p}.csv").exists()]
    table = update(pd.concat(parts, ignore_index=True), source, mapped, fetched.deleted,
                   outcome)
    report = validate_table(table, regions=load_provinces())
    if not report.ok:
        msg = "the merged set would not validate; nothing was written:\n" + report.summary()
        raise IncidentDataError(msg, report)
    for p in SOURCES:
        rows = table[table[s.PROVIDER] == p]
        if len(rows) or (directory / f"{p}.csv").exists():
            _write_atomic(directory / f"{p}.csv", _csv(rows))
    _write_atomic(out, _csv(table[merge.shown(table)]))


def _save_state(conn: psycopg.Connection | None, out: Path | None,
                state: dict[str, dict[str, Any]], source: str, entry: dict[str, Any]) -> None:
    if conn is not None:
        conn.execute("INSERT INTO pbw_sync VALUES (%s, %s) ON CONFLICT (source) DO UPDATE "
                     "SET state = excluded.state", (source, json.dumps(entry)))
        return
    state = {**state, source: entry}
    _write_atomic(sync_dir(out) / "state.json",  # type: ignore[arg-type]
                  json.dumps(state, indent=1, sort_keys=True).encode())


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geo.sync``. Exit 0 when the sync succeeded, 1 when it changed nothing."""
    parser = argparse.ArgumentParser(prog="python -m geo.sync", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", choices=SOURCES)
    parser.add_argument("--out", type=Path, help="file mode: write the merged set here")
    parser.add_argument("--curated", type=Path, default=INCIDENTS_FILE,
                        help="file mode: our curated incidents (default: the bundled file)")
    parser.add_argument("--database", default=None, help="team mode: PostgreSQL URL of an "
                        f"editor role (default: ${store_read.DATABASE_ENV})")
    parser.add_argument("--start", type=date.fromisoformat, default=None,
                        help=f"first event day (default {FIRST_DAY})")
    args = parser.parse_args(argv)
    url = args.database or store_read.database_url()
    if args.out is None and not url:
        parser.error(f"give --out FILE (file mode) or set {store_read.DATABASE_ENV} (team mode)")
    try:
        if args.out is not None:
            outcome = run(args.source, out=args.out, curated=args.curated, conn=None,
                          start=args.start)
            where = f"wrote {args.out}"
        else:
            assert url is not None  # checked above
            with store_read.connect(url, autocommit=True) as conn:
                outcome = run(args.source, out=None, curated=args.curated, conn=conn,
                              start=args.start)
            where = "loaded into the team store"
    except (SyncError, IncidentDataError, StoreError) as exc:
        print(f"error: {args.source} sync failed, nothing changed: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"error: the store refused: {type(exc).__name__}", file=sys.stderr)
        return 1
    for problem in outcome.problems[:50]:
        print(f"skipped {problem}", file=sys.stderr)
    if len(outcome.problems) > 50:
        print(f"… and {len(outcome.problems) - 50} more malformed records", file=sys.stderr)
    print(outcome.line() + f"; {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
