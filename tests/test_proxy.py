"""Behind a path prefix: Debian's nginx serves the dashboard under /panj/ (as a host's
reverse proxy would) and the map, shared links and uploads work through it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.feeds import RATE_ENV

from . import browser as b
from .conftest import IN_CI, ROOT

pytestmark = pytest.mark.browser
LINK = "/?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[str]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        if IN_CI:
            pytest.fail("nginx is missing under CI: .ci/run installs Debian's nginx-light")
        pytest.skip("nginx not found: install it with `apt-get install nginx-light`")
    # an allowance of 3 answers a second (15 at once) per client, for the test below
    with b.streamlit_server({RATE_ENV: "3"}, args=("--server.baseUrlPath", "panj"),
                            health_path="/panj") as app:
        port = int(app.rsplit(":", 1)[1])
        with b.nginx_proxy(port, tmp_path_factory.mktemp("nginx")) as url:
            yield url + "/panj"


def test_the_map_draws_offline_through_the_proxy(page, proxied) -> None:
    page.goto(proxied + LINK)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    assert b.metric(page, "Incidents") == "2"
    assert frame.locator("path.pbw-province").count() == 6
    assert page.traffic.non_tile() == [] and not page.traffic.page_errors


def test_a_shared_link_reopens_the_view_through_the_proxy(page, proxied, chromium) -> None:
    page.goto(proxied + LINK)
    b.map_frame(page)
    b.settled(page)
    page.locator('[data-testid="stCode"]').first.wait_for()  # once the map has drawn
    link = next(t for t in page.locator('[data-testid="stCode"]').all_inner_texts()
                if "start=" in t).strip()
    assert link.startswith(proxied + "/?"), link
    with b.fresh_page(chromium, link) as fresh:
        assert b.wait_for_markers(b.map_frame(fresh), 2) == 2
        assert (b.metric(fresh, "Killed"), b.metric(fresh, "Injured")) == (
            b.metric(page, "Killed"), b.metric(page, "Injured"))


def test_an_upload_works_through_the_proxy(page, proxied) -> None:
    page.goto(proxied + "/Import")
    page.locator('input[type="file"]').set_input_files(
        str(ROOT / "tests" / "data" / "acled_border_sample.csv"))
    page.locator('[data-testid="stMetric"]', has_text="Accepted").wait_for(timeout=60_000)
    assert b.metric(page, "Accepted") == "27" and b.metric(page, "Rejected") == "0"
    page.get_by_role("link", name="Map").click()
    assert b.wait_for_markers(b.map_frame(page), 54) == 54


@pytest.mark.parametrize("path", ["/_stcore/script-health-check", "/_stcore/metrics",
                                  "/_stcore//metrics", "/_stcore/script%2Dhealth-check",
                                  "/_stcore/Metrics", "/_stcore/metrics/",
                                  "/_stcore/script-health-check?x=1"])
def test_internal_endpoints_stay_internal_behind_nginx(proxied, path) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(proxied + path, timeout=30)
    assert refused.value.code == 404
    with urllib.request.urlopen(proxied + "/_stcore/health", timeout=30) as ok:
        assert ok.status == 200


def test_the_feed_and_data_answer_under_the_prefix_through_the_proxy(proxied) -> None:
    """Behind nginx under /panj/, the addresses answer there and their links point there."""
    import json
    import urllib.request

    import feedparser

    with urllib.request.urlopen(f"{proxied}/api/incidents.geojson?limit=5", timeout=30) as r:
        data = json.loads(r.read())
        assert r.status == 200 and len(data["features"]) == 5
    assert data["links"][0]["href"].startswith(f"{proxied}/api/incidents.geojson?")
    with urllib.request.urlopen(f"{proxied}/feed.atom?region=TJ-GB", timeout=30) as r:
        feed = feedparser.parse(r.read())
    assert not feed.bozo and feed.entries
    assert all(e.link.startswith(f"{proxied}/?incident=") for e in feed.entries)


def test_each_client_behind_the_proxy_has_its_own_allowance(proxied) -> None:
    """nginx forwards each client's address (X-Forwarded-For), so one busy client behind it
    is told to wait and another is still answered: the app does not see one client."""
    def ask(source: str) -> tuple[int, str | None]:
        status, headers, _body = b.fetch(f"{proxied}/api/incidents.csv?region=TJ-KT",
                                         source=source)
        return status, headers["Retry-After"]

    answered = 0
    while (status := ask("127.0.0.5"))[0] == 200 and answered < 60:
        answered += 1
    assert status[0] == 429 and status[1] == "1" and answered >= 15, (status, answered)
    assert ask("127.0.0.6")[0] == 200
