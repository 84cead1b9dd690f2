"""Every view as a feed and as data: ``/feed.atom`` and ``/api/incidents.{geojson,csv}`` with
a link's parameters, read with a real feed parser and with GeoPandas, on a real server."""

from __future__ import annotations

import email.utils
import gzip
import io
import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import feedparser
import geopandas as gpd
import pandas as pd
import pytest

from geo import exports, feeds, filters
from geo import schema as s
from geo.i18n import ENGLISH
from geo.incidents import from_table
from geo.viewstate import parse_query

from . import browser as b
from .conftest import fixture_frame, good_row

FIRST, LAST = date(2020, 6, 13), date(2026, 4, 17)


def _parse(**params: str) -> feeds.Request:
    return feeds.parse({k: [v] for k, v in params.items()}, first=FIRST, last=LAST,
                       today=date(2026, 12, 7))


@pytest.mark.parametrize(("params", "param", "allowed"), [
    ({"region": "XX"}, "region", "allowed: TJ-KT, TJ-GB"),
    ({"start": "2025-13-01"}, "start", ""),
    ({"source": "gdelt"}, "source", "allowed: curated, ucdp, acled"),
    ({"limit": "0"}, "limit", "a whole number from 1 to 10,000"),
    ({"limit": "10001"}, "limit", "a whole number from 1 to 10,000"),
    ({"offset": "-1"}, "offset", "a whole number from 0"),
    ({"format": "kml"}, "format", "unknown parameter; allowed: "),
])
def test_a_bad_parameter_is_refused_naming_it_the_value_and_what_is_allowed(
        params, param, allowed) -> None:
    with pytest.raises(feeds.BadRequest) as caught:
        _parse(**params)
    body = caught.value.body()
    assert body["parameter"] == param and body["value"] == next(iter(params.values()))
    assert allowed in body["allowed"] and "ignored" not in body["allowed"]


def test_a_whole_link_is_accepted_and_only_its_filter_chooses_rows() -> None:
    asked = _parse(start="2025-11-01", end="2025-12-31", region="TJ-KT", lat="37.9",
                   lon="70.4", zoom="8", incident="PBW-0024", basemap="terrain", step="week")
    assert asked.view.regions == ("TJ-KT",) and (asked.offset, asked.limit) == (0, 1000)
    assert asked.query() == "start=2025-11-01&end=2025-12-31&region=TJ-KT"


def test_the_feed_is_valid_atom_with_every_incident_of_the_view() -> None:
    frame = fixture_frame()
    asked = _parse(start="2025-11-01", end="2026-04-17", lang="ru")
    chosen = feeds.rows(frame, asked.view)
    body = feeds.atom(chosen, asked, self_url="https://pbw.example/feed.atom?x=1",
                      dashboard="https://pbw.example/", data_updated=datetime(2026, 12, 1,
                                                                              tzinfo=UTC),
                      corrections={}, _=ENGLISH)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert [e.id.rsplit("/", 1)[1] for e in parsed.entries] == list(chosen[s.ID])
    first = parsed.entries[0]  # newest first
    assert first.link == f"https://pbw.example/?incident={chosen[s.ID].iat[0]}&lang=ru"
    assert "Killed:" in first.content[0].value and "Sources:" in first.content[0].value
    assert parsed.feed.updated == "2026-12-01T00:00:00Z"


def test_hostile_text_is_text_in_the_feed_and_the_data() -> None:
    payload = "<script>alert(1)</script> & ]]> \"quoted\" <b onmouseover=x>"
    table = pd.DataFrame([good_row(summary=payload, location=payload,
                                   sources="<i>Out</i>let, 2025-11-27, https://example.org/a?b=1&c=2")])
    frame = from_table(table).frame
    asked = _parse(start="2025-01-01", end="2025-12-31")
    body = feeds.atom(feeds.rows(frame, asked.view), asked, self_url="https://x/feed.atom",
                      dashboard="https://x/", data_updated=datetime(2026, 1, 1, tzinfo=UTC),
                      corrections={}, _=ENGLISH)
    assert b"<script>" not in body and b"&lt;script&gt;" in body
    parsed = feedparser.parse(body)
    assert not parsed.bozo and payload in parsed.entries[0].content[0].value
    data = json.loads(feeds.geojson_page(frame, next_url=None, total=1))
    assert data["features"][0]["properties"]["summary"] == payload


def test_a_geojson_page_opens_in_gis_tools_as_is(tmp_path) -> None:
    frame = fixture_frame()
    asked = _parse(region="TJ-KT", limit="5")
    part, after = feeds.page(feeds.rows(frame, asked.view), asked)
    body = feeds.geojson_page(part, next_url="https://x/api/incidents.geojson?offset=5",
                              total=12)
    path = tmp_path / "page.geojson"
    path.write_bytes(body)
    read = gpd.read_file(path)  # pyogrio, as QGIS reads it (GDAL)
    assert len(read) == 5 and read.crs.to_epsg() == 4326 and after == 5
    assert list(read["id"]) == list(part[s.ID])
    assert json.loads(body)["links"][0]["rel"] == "next"


# --- on a real server ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with b.streamlit_server() as url:
        yield url


_get = b.fetch


@pytest.mark.slow
def test_the_addresses_answer_with_the_data_pages_rows(api) -> None:
    query = "start=2025-11-01&end=2026-04-17&region=TJ-KT,TJ-GB"
    status, headers, body = _get(f"{api}/api/incidents.csv?{query}")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    view, _n = parse_query({"start": "2025-11-01", "end": "2026-04-17",
                            "region": "TJ-KT,TJ-GB"}, default_start=FIRST, default_end=LAST)
    expected = filters.apply(fixture_frame(), view.filter) \
        .sort_values([s.DATE, s.ID], ascending=[False, True])
    assert body == exports.to_csv(expected)  # the Data page's CSV of the same view
    status, headers, body = _get(f"{api}/api/incidents.geojson?{query}")
    assert status == 200 and headers["Content-Type"] == "application/geo+json"
    assert len(gpd.read_file(io.BytesIO(body))) == len(expected)
    status, headers, body = _get(f"{api}/feed.atom?{query}")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(body)
    assert not parsed.bozo and len(parsed.entries) == len(expected)
    assert parsed.entries[0].link.startswith(f"{api}/?incident=")


@pytest.mark.slow
def test_paging_follows_next_links_to_every_row(api) -> None:
    url, ids = f"{api}/api/incidents.geojson?limit=7", []
    total = None
    while url:
        status, headers, body = _get(url)
        assert status == 200
        total = int(headers["X-Total-Count"])
        data = json.loads(body)
        ids += [f["properties"]["id"] for f in data["features"]]
        url = next((link["href"] for link in data["links"] if link["rel"] == "next"), None)
        assert (url is None) == ("Link" not in headers)
    assert total == 30 and len(ids) == 30 and len(set(ids)) == 30


@pytest.mark.slow
def test_conditional_requests_get_304_and_bad_ones_a_400(api) -> None:
    status, headers, _body = _get(f"{api}/api/incidents.geojson?region=AF-BDS")
    assert status == 200 and headers["Cache-Control"].startswith("public, max-age=")
    again, _h, body = _get(f"{api}/api/incidents.geojson?region=AF-BDS",
                           {"If-None-Match": headers["ETag"]})
    assert again == 304 and body == b""
    since, _h, _b = _get(f"{api}/feed.atom?region=AF-BDS",
                         {"If-Modified-Since": headers["Last-Modified"]})
    assert since == 304
    older = email.utils.format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    assert _get(f"{api}/feed.atom?region=AF-BDS", {"If-Modified-Since": older})[0] == 200
    other, _h, _b = _get(f"{api}/api/incidents.geojson?region=AF-TAK",
                         {"If-None-Match": headers["ETag"]})
    assert other == 200  # another view is another answer
    status, headers, body = _get(f"{api}/api/incidents.csv?within=7")
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": "bad parameter", "parameter": "within",
                                "value": "7", "allowed": "allowed: 1, 2, 5, 10, 20, 50 (km)"}


def test_each_client_has_an_allowance_of_answers_that_refills() -> None:
    allowance = feeds.Allowance(2, 3, clients=2)
    assert [allowance.take("a", now=0.0) for _ in range(4)] == [0, 0, 0, 1]
    assert allowance.take("b", now=0.0) == 0  # another client has its own
    assert allowance.take("a", now=0.4) == 1  # 0.8 of an answer: not yet
    assert allowance.take("a", now=0.5) == 0  # one answer after half a second at 2/s
    assert allowance.take("a", now=100.0) == 0  # a full bucket, never more than the burst
    assert [allowance.take("a", now=100.0) for _ in range(3)] == [0, 0, 1]
    slow = feeds.Allowance(0.1, 1)
    assert slow.take("c", now=0.0) == 0 and slow.take("c", now=0.0) == 10
    allowance.take("c", now=100.0)  # a third client: the least recent ("b") is forgotten
    assert allowance.take("b", now=100.0) == 0 and allowance.take("b", now=100.0) == 0


@pytest.mark.parametrize(("raw", "rate", "burst"), [("", 2, 10), ("5", 5, 25), ("0.05", 0.05, 1)])
def test_the_allowance_comes_from_the_environment(raw, rate, burst) -> None:
    allowance = feeds.allowance_from_env({feeds.RATE_ENV: raw})
    assert allowance is not None and (allowance.rate, allowance.burst) == (rate, burst)
    assert feeds.allowance_from_env({feeds.RATE_ENV: "0"}) is None


def test_the_servers_allowance_for_all_clients_comes_from_its_own_variable() -> None:
    total = dict(name=feeds.TOTAL_RATE_ENV, default=feeds.DEFAULT_TOTAL_RATE)
    default = feeds.allowance_from_env({}, **total)
    assert default is not None and (default.rate, default.burst) == (10, 50)
    assert feeds.allowance_from_env({feeds.RATE_ENV: "0"}, **total) is not None  # not this one
    assert feeds.allowance_from_env({feeds.TOTAL_RATE_ENV: "0"}, **total) is None
    with pytest.raises(ValueError, match=r"PANJ_API_TOTAL_RATE must be a number.*got 'lots'"):
        feeds.allowance_from_env({feeds.TOTAL_RATE_ENV: "lots"}, **total)


@pytest.mark.parametrize("raw", ["fast", "-1", "inf", "nan"])
def test_a_bad_allowance_is_refused_naming_the_variable(raw) -> None:
    with pytest.raises(ValueError, match=f"PANJ_API_RATE must be a number.*got '{raw}'"):
        feeds.allowance_from_env({feeds.RATE_ENV: raw})


@pytest.mark.slow
def test_many_clients_together_get_no_more_than_the_servers_allowance() -> None:
    """However many addresses ask, the addresses take no more than PANJ_API_TOTAL_RATE from
    the server's readers; the page itself is never limited."""
    with b.streamlit_server({feeds.RATE_ENV: "1000", feeds.TOTAL_RATE_ENV: "0.01"}) as url:
        path = "/api/incidents.csv?region=TJ-GB"  # one answer every 100 s, 1 at once
        statuses = [_get(url + path, source=f"127.0.0.{i + 2}") for i in range(3)]
        assert [status for status, _h, _b in statuses] == [200, 429, 429]
        _status, headers, body = statuses[-1]
        refused = json.loads(body)
        assert refused["error"] == "too many requests to this server from all clients together"
        assert refused["allowed"] == "0.01 a second, 1 at once (PANJ_API_TOTAL_RATE)"
        assert 1 <= int(headers["retry-after"]) == int(refused["retry_after_seconds"]) <= 100
        assert _get(url + "/", source="127.0.0.9")[0] == 200


def _children(pid: int) -> list[int]:
    """The answers' worker processes the server ``pid`` started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or \
                Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_a_busy_client_waits_its_turn_others_do_not_and_answers_come_from_a_lower_worker(
        ) -> None:
    with b.streamlit_server({feeds.RATE_ENV: "2"}) as url:  # 2 a second, 10 at once
        path = "/api/incidents.geojson?region=TJ-KT"
        began, answered = time.monotonic(), 0
        while (asked := _get(url + path, source="127.0.0.1"))[0] == 200 and answered < 40:
            answered += 1
        # the ten at once, and two more a second while they were being answered
        assert 10 <= answered <= 10 + 2 * (time.monotonic() - began), answered
        status, headers, body = asked
        assert status == 429 and int(headers["retry-after"]) == 1
        refused = json.loads(body)
        assert refused["error"] == "too many requests from this address"
        assert refused["allowed"] == "2 a second, 10 at once (PANJ_API_RATE)"
        assert _get(url + "/", source="127.0.0.1")[0] == 200  # the page itself is never limited
        assert _get(url + path, source="127.0.0.2")[0] == 200  # another client is answered
        # a proxy on this machine names its client, and each is counted apart
        assert _get(url + path, {"X-Forwarded-For": "203.0.113.7"},
                    source="127.0.0.1")[0] == 200

        # gzip for clients that take it: the same bytes, its own validator, either matches
        plain_status, plain_headers, plain = _get(url + path, source="127.0.0.3")
        status, headers, zipped = _get(url + path, {"Accept-Encoding": "gzip, deflate"},
                                       source="127.0.0.3")
        assert plain_status == status == 200 and headers["content-encoding"] == "gzip"
        assert gzip.decompress(zipped) == plain and len(zipped) < len(plain) / 3
        # (Streamlit's gzip middleware may name it again: the same list to a cache)
        assert {v.strip() for v in ",".join(headers.get_all("vary")).split(",")} == \
            {v.strip() for v in ",".join(plain_headers.get_all("vary")).split(",")} == \
            {"Accept-Encoding"}
        assert headers["etag"] == plain_headers["etag"][:-1] + '-gzip"'
        assert _get(url + path, {"Accept-Encoding": "gzip",
                                 "If-None-Match": plain_headers["etag"]},
                    source="127.0.0.3")[0] == 304

        # answers are worked out in one worker below the server's priority, which leaves
        # when the server is killed
        server = b.SERVER_PIDS[url]
        (worker,) = _children(server)
        assert os.getpriority(os.PRIO_PROCESS, worker) == \
            os.getpriority(os.PRIO_PROCESS, server) + feeds.WORKER_NICENESS
        os.kill(server, signal.SIGKILL)
        assert _gone(worker, within_s=10)


@pytest.mark.slow
def test_the_addresses_follow_the_base_path() -> None:
    with b.streamlit_server(args=("--server.baseUrlPath", "panj"), health_path="/panj") as url:
        status, _h, body = _get(f"{url}/panj/feed.atom?region=TJ-GB")
        assert status == 200
        parsed = feedparser.parse(body)
        assert parsed.entries and all(e.link.startswith(f"{url}/panj/?incident=")
                                      for e in parsed.entries)
        assert _get(f"{url}/feed.atom")[0] != 200  # only under the prefix



@pytest.mark.slow
@pytest.mark.parametrize("route", ["/feed.atom", "/api/incidents.geojson",
                                   "/api/incidents.csv"])
def test_garbage_in_every_parameter_gets_a_400_or_an_answer_never_an_error(api,
                                                                           route) -> None:
    """The hostile-link fuzz of the pages, on the addresses: every link parameter (derived
    from the code that reads them), the paging and one nobody knows."""
    from .test_pages import GARBAGE, LINK_PARAMS

    for j, param in enumerate((*LINK_PARAMS, "offset", "limit")):
        for k in range(3):
            value = GARBAGE[(j + k) % len(GARBAGE)]
            status, headers, body = _get(f"{api}{route}?{urlencode({param: value})}")
            assert status in (200, 400), (param, value, status)
            if status == 400:
                refused = json.loads(body)
                assert refused["parameter"] == param and refused["value"] == value
                assert headers["Content-Type"] == "application/json"
            assert b"<script>" not in body


@pytest.mark.slow
def test_the_page_names_its_views_feed_for_feed_readers(api) -> None:
    status, headers, body = _get(f"{api}/?region=TJ-KT&lat=37.9&start=2025-11-01")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    assert (b'<link rel="alternate" type="application/atom+xml" title="Panj Border Watch" '
            b'href="feed.atom?region=TJ-KT&amp;start=2025-11-01">') in body
    hostile = urlencode({"region": '"><script>alert(1)</script>'})
    _s, _h, body = _get(f"{api}/?{hostile}")
    assert b"<script>alert(1)" not in body and body.count(b'rel="alternate"') == 1


@pytest.mark.parametrize(("lang", "words"), [("en", "Follow this view"),
                                              ("fa", "این نما را دنبال کنید")])
def test_the_map_offers_to_follow_its_view_in_the_readers_language(lang, words) -> None:
    from .conftest import app_test

    at = app_test(region="TJ-KT", type="armed_clash", lat="37.9", lon="70.4", zoom="8",
                  lang=lang).run()
    assert not at.exception, at.exception
    offer = next(m.value for m in at.markdown if "feed.atom?" in m.value)
    assert offer.startswith(f"[{words}]")
    # the view's filter, not the map's place, in the feed and both data addresses
    query = "&region=TJ-KT&type=armed_clash"
    assert offer.count(query) == 3 and "lat=" not in offer
    assert (f"lang={lang}" in offer) == (lang != "en")  # English is the default
