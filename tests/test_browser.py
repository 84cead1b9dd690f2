"""Real-browser tests: headless Debian Chromium, every non-local request blocked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pandas as pd
import pytest

from geo.i18n import ENGLISH

from . import browser as b
from .conftest import (
    FIXTURE_INCIDENTS,
    ROOT,
    fixture_frame,
)

pytestmark = pytest.mark.browser
LINK = "/?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB"


def test_map_renders_offline_with_border_provinces_and_markers(page, server) -> None:
    page.goto(server + "/")
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 27) == 27  # 30 incidents, 3 without a point
    assert frame.locator("path.pbw-province").count() == 6
    assert frame.locator("path.pbw-border").count() == 1
    assert frame.locator(".pbw-label").count() == 6
    assert b.metric(page, "Incidents") == "30"
    # with no internet only background tiles were asked for; the app itself needs none
    assert page.traffic.blocked, "no tile was blocked: the offline route never matched"
    assert page.traffic.non_tile() == []
    assert not page.traffic.page_errors


def test_shared_link_reproduces_the_view_in_a_fresh_browser(page, server, chromium) -> None:
    page.goto(server + LINK)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    assert b.metric(page, "Incidents") == "2" and b.metric(page, "Killed") == "5"
    # once the map has drawn, the link is a code block with its copy icon, no longer text
    code = page.locator('[data-testid="stCode"]').last
    link = code.inner_text().strip()
    params = parse_qs(urlparse(link).query)
    assert params["start"] == ["2025-11-26"] and params["region"] == ["TJ-KT,TJ-GB"]
    block = page.locator('[data-testid="stElementContainer"]').filter(has=code).last
    block.hover()
    block.get_by_role("button", name="Copy to clipboard").wait_for(timeout=10_000)
    assert page.locator('[data-testid="stText"]').count() == 0
    with b.fresh_page(chromium, link) as fresh:
        assert b.wait_for_markers(b.map_frame(fresh), 2) == 2
        assert b.metric(fresh, "Incidents") == "2" and b.metric(fresh, "Injured") == "3"


def test_changing_the_date_range_changes_the_markers(page, server) -> None:
    page.goto(server + LINK)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    zoom_before = frame.evaluate("() => window.map.getZoom()")
    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str)
    located_tj = rows[rows.region_code.isin(["TJ-KT", "TJ-GB"]) & rows.lat.notna()]
    page.get_by_role("button", name="All", exact=True).click()
    # every date, and the region filter still in force
    assert b.wait_for_markers(frame, len(located_tj)) == len(located_tj) == 19
    assert b.metric(page, "Date span") == "Jun 2020 – Apr 2026"
    # the map was updated in place: same Leaflet map, same zoom
    assert frame.evaluate("() => window.map.getZoom()") == zoom_before


def test_popup_shows_figures_and_source_links(page, server) -> None:
    frame = b.click_the_only_marker(page, server + "/?start=2025-11-26&end=2025-11-26")
    popup = frame.locator(".pbw-popup")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Cross-border attack" in text and "Killed" in text and "3" in text
    hrefs = [a.get_attribute("href") for a in popup.locator("a").all()]
    assert hrefs and all(h.startswith("https://") for h in hrefs)


def test_markers_are_reached_by_keyboard_and_told_apart_by_shape(page, server) -> None:
    page.goto(server + "/")
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 27) == 27
    shapes = frame.locator("path.pbw-incident").evaluate_all(
        "els => els.map(e => e.getAttribute('d'))")
    assert len(set(shapes)) >= 4  # one shape per event type in the data, not only colour
    page.goto(server + "/?start=2025-11-26&end=2025-11-26")
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 1) == 1
    b.settled(page)
    marker = frame.locator(".pbw-marker").first
    assert marker.get_attribute("tabindex") == "0" and marker.get_attribute("role") == "button"
    assert "Cross-border attack" in (marker.get_attribute("aria-label") or "")
    marker.focus()
    assert frame.evaluate("() => document.activeElement.classList.contains('pbw-marker')")
    marker.press("Enter")
    # Enter does what a click does: the record opens beside the map and joins the link (the
    # popup it also opens may close again when the page reruns, so it is not waited for)
    page.wait_for_function("() => new URL(location.href).searchParams.has('incident')",
                           timeout=30_000)
    page.locator(".pbw-record").first.wait_for(timeout=30_000)


def test_panning_the_map_updates_the_link(page, server) -> None:
    page.goto(server + LINK)
    frame = b.map_frame(page)
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function("() => new URL(location.href).searchParams.get('zoom') === '8'",
                           timeout=20_000)
    assert parse_qs(urlparse(page.url).query)["region"] == ["TJ-KT,TJ-GB"]


def test_bad_link_parameter_shows_a_notice(page, server) -> None:
    page.goto(server + "/?start=2025-13-45&basemap=<script>alert(1)</script>")
    b.map_frame(page)
    notices = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("start" in n for n in notices) and any("basemap" in n for n in notices)
    assert not page.traffic.dialogs


#: Markdown a crafted link could try to slip into the app's own notices.
MARKDOWN_LINK = "[x](http://example.org)"
MARKDOWN_IMAGE = "![t](http://example.org/t.png)"


def test_markdown_in_a_link_stays_text_in_its_notice(page, server) -> None:
    query = urlencode({"basemap": MARKDOWN_LINK, "incident": MARKDOWN_IMAGE,
                       "region": ":red[TJ-KT] <b>x</b>"})
    page.goto(f"{server}/?{query}")
    b.map_frame(page)
    alerts = page.locator('[data-testid="stAlert"]')
    text = "\n".join(alerts.all_inner_texts()).replace("\u2060", "")  # the word joiners
    assert MARKDOWN_LINK in text and MARKDOWN_IMAGE in text  # shown as the characters sent
    assert ":red[TJ-KT] <b>x</b>" in text
    assert alerts.locator("a, img, b, span[style]").count() == 0
    assert page.locator('a[href*="example.org"], img[src*="example.org"]').count() == 0
    assert not [u for u in page.traffic.blocked if "example.org" in u]


#: The day of the adversarial server's two script-bearing incidents (conftest).
HOSTILE_DAY = "/?start=2025-11-26&end=2025-11-26"


def test_script_in_data_never_runs(page, adversarial_server) -> None:
    page.goto(adversarial_server + HOSTILE_DAY)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    for marker in frame.locator("path.pbw-incident").all():
        marker.hover(force=True)  # whatever a hover runs, runs before the click below
        marker.click(force=True)
        frame.locator(".pbw-popup").first.wait_for()
    frame.locator(".pbw-popup details summary").first.click()
    frame.locator(".pbw-popup details[open]").first.wait_for()
    popup_text = frame.locator(".pbw-popup").first.inner_text()
    assert "<img src=x" in popup_text  # shown as text
    assert "{{ 7*7 }}" in popup_text and "49" not in popup_text  # never evaluated
    page.goto(adversarial_server + "/Data")
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
    b.idle(page)
    page.goto(adversarial_server + "/Timeline")
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first.bounding_box()
    for x in range(10, int(chart["width"]), 40):  # hover over bars and context rules
        page.mouse.move(chart["x"] + x, chart["y"] + chart["height"] / 3)
    b.idle(page)
    assert page.traffic.dialogs == []
    assert not page.traffic.page_errors


def test_clicking_a_province_filters_to_it(page, server) -> None:
    page.goto(server + "/")
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 27) == 27
    b.settled(page)
    # a point inside Kunduz, well away from any marker
    xy = frame.evaluate("() => window.map.latLngToContainerPoint([36.75, 68.75])")
    hit = frame.evaluate("(p) => document.elementFromPoint(p.x, p.y).getAttribute('class')", xy)
    assert "pbw-province" in hit, f"something covers Kunduz on the map: {hit}"
    frame.locator("#map_div").click(position={"x": xy["x"], "y": xy["y"]})
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('region') === 'AF-KDZ'", timeout=20_000)
    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str)
    expected = str(int((rows.region_code == "AF-KDZ").sum()))
    b.idle(page)
    assert b.metric(page, "Incidents") == expected


def test_uploading_an_acled_export_puts_it_on_the_map(page, server) -> None:
    page.goto(server + "/Import")
    page.locator('input[type="file"]').set_input_files(
        str(ROOT / "tests" / "data" / "acled_border_sample.csv"))
    accepted = page.locator('[data-testid="stMetric"]', has_text="Accepted")
    accepted.wait_for(timeout=60_000)
    assert b.metric(page, "Accepted") == "27" and b.metric(page, "Rejected") == "0"
    page.get_by_role("link", name="Map").click()  # same session: the upload comes along
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 54) == 54  # 27 bundled + 27 imported, with a point
    mine = frame.locator('path.pbw-incident[stroke="#0b3d91"]').count()
    assert mine == 27
    assert b.metric(page, "Incidents") == "57"
    assert page.traffic.non_tile() == []


def test_a_ged_file_with_a_damaged_line_imports_its_good_rows(page, server, tmp_path) -> None:
    lines = (ROOT / "tests" / "data" / "ucdp_ged_border_sample.csv").read_text(
        encoding="utf-8").splitlines()
    lines[3] += ",one field too many"
    path = tmp_path / "ged-export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.goto(server + "/Import")
    page.locator('input[type="file"]').set_input_files(str(path))
    page.locator('[data-testid="stMetric"]', has_text="Accepted").wait_for(timeout=60_000)
    assert b.metric(page, "Rows read") == str(len(lines) - 1)
    assert b.metric(page, "Accepted") == str(len(lines) - 2)
    assert b.metric(page, "Rejected") == "1"
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # the row-by-row report
    page.get_by_role("link", name="Map").click()
    assert b.wait_for_markers(b.map_frame(page), 27 + len(lines) - 2) == 27 + len(lines) - 2


def test_a_link_to_a_page_on_a_fresh_server_opens_in_the_app_navigation(chromium) -> None:
    """The first reader after a start may arrive on /Data: Streamlit must not run that page
    on its own with its automatic page list ("app", "Data"), and the link must hold."""
    link = "/Data?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB"
    with b.streamlit_server() as url, b.fresh_page(chromium, url + link) as page:
        page.locator('[data-testid="stMetric"]', has_text="Incidents").wait_for(timeout=60_000)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text().split()
        assert "Map" in nav and "app" not in nav, nav
        assert b.metric(page, "Incidents") == "2"
        assert "region=TJ-KT" in page.url


def test_exported_map_opens_without_the_server(chromium, tmp_path, provinces) -> None:
    from geo import layers, mapview

    html = mapview.export_html(
        fixture_frame(), layers.load_provinces(layers.PROVINCES_DISPLAY_FILE),
        layers.load_border(layers.BORDER_DISPLAY_FILE), basemap="streets",
        filter_lines=["Dates: 2020-06-13 to 2026-04-17"], link="http://example.org/?x=1",
        made="2026-11-28", _=ENGLISH)
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    context = chromium.new_context()
    try:
        pg = context.new_page()
        traffic = b.offline(pg)
        pg.goto(path.as_uri())
        pg.locator("path.pbw-border").wait_for(timeout=20_000)
        assert pg.locator("path.pbw-incident").count() == 27
        assert "Dates: 2020-06-13 to 2026-04-17" in pg.locator("body").inner_text()
        assert not traffic.page_errors and traffic.non_tile() == []
    finally:
        context.close()


def test_playback_steps_the_map_and_figures_without_remounting(page, server) -> None:
    page.goto(server + "/?start=2025-07-01&end=2026-04-30&step=month")
    frame = b.map_frame(page)
    # Play after the map has reported its view, as the other click tests do: in one CI run
    # a click made during that first map rerun never took effect (no frame in 20 s)
    b.settled(page)
    frame.evaluate("() => { window.map.__pbwSameMap = true; }")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=15_000)
    ends = []
    for _ in range(40):  # up to ~20 s: frames come every 1.5 s
        end = parse_qs(urlparse(page.url).query).get("end", [""])[0]
        if end != "2026-04-30" and (not ends or ends[-1] != end):  # before Play took effect
            ends.append(end)
        if len(ends) >= 4:
            break
        page.wait_for_timeout(500)
    assert ends[:4] == ["2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31"], ends
    # the same Leaflet map all along: frames update its layers, never rebuild it
    assert frame.evaluate("() => window.map.__pbwSameMap === true")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    b.idle(page)
    paused = parse_qs(urlparse(page.url).query)["end"][0]
    # nothing may move for longer than two frames (1.5 s each): a wait a negative needs
    page.wait_for_timeout(3500)
    assert parse_qs(urlparse(page.url).query)["end"][0] == paused
    assert parse_qs(urlparse(page.url).query)["step"] == ["month"]
    assert b.metric(page, "Incidents") != "12"  # a frame, not the whole period



#: Run in every frame: the top window counts the websocket's messages; the map's frame,
#: when Leaflet first draws, notes what the sidebar held then and marks its own window.
_FIRST_SHAPE = """
(() => {
  const top = window.top;
  if (window === top) {
    window.pbwMessages = 0;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", () => { window.pbwMessages += 1; });
      }
    };
    return;
  }
  const timer = setInterval(() => {
    if (!document.querySelector(".leaflet-pane path")) return;
    clearInterval(timer);
    window.pbwFirstMap = true;
    const bar = top.document.querySelector('[data-testid="stSidebar"]');
    top.pbwSidebarAtFirstShape = bar ? {
      widgets: bar.querySelectorAll('[data-testid="stSelectbox"], [data-testid="stButton"], '
                                    + '[data-testid="stMultiSelect"]').length,
      text: bar.innerText} : null;
  }, 16);
})();
"""


def test_the_map_draws_before_the_filters_which_then_come_without_moving_it(page,
                                                                           server) -> None:
    page.context.add_init_script(_FIRST_SHAPE)
    page.goto(server + LINK + "&step=month&speed=fast")
    frame = b.map_frame(page)
    page.wait_for_function("() => window.pbwSidebarAtFirstShape !== undefined")
    first = page.evaluate("() => window.pbwSidebarAtFirstShape")
    assert first is not None, "no sidebar at the first shape: the map would narrow later"
    assert first["widgets"] == 0 and "The filters appear once the map has drawn" in \
        first["text"]
    # the filters come with the map's first report, holding the link's view
    page.locator(b.FILTERS).first.wait_for(timeout=15_000)
    regions = page.locator(b.FILTERS).first.inner_text()
    assert "TJ-KT" in regions and "TJ-GB" in regions
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert page.get_by_text("The filters appear once the map has drawn").count() == 0
    assert b.wait_for_markers(frame, 2) == 2 and b.metric(page, "Incidents") == "2"
    assert frame.evaluate("() => window.pbwFirstMap === true"), "the map was remounted"
    # the widgets hold the link's view, not their defaults: a change keeps the rest of it
    page.get_by_role("button", name="All", exact=True).click()
    page.wait_for_function("() => !location.search.includes('end=2025-12-01')")
    b.idle(page)
    query = parse_qs(urlparse(page.url).query)
    assert (query["region"], query["step"], query["speed"]) == (["TJ-KT,TJ-GB"], ["month"],
                                                                ["fast"]), query
    # and the wait for a map that never reports is over: nothing runs on its timer
    b.idle(page)
    before = page.evaluate("() => window.pbwMessages")
    page.wait_for_timeout(4_000)  # longer than ui.page.FILTERS_WAIT
    assert page.evaluate("() => window.pbwMessages") == before
    assert not page.traffic.page_errors


def test_the_filters_come_even_if_the_map_never_draws(page, server) -> None:
    blocked: list[str] = []
    page.route("**/vendor/leaflet/leaflet.js",
                lambda route: (blocked.append(route.request.url), route.abort()))
    page.goto(server + "/?region=TJ-GB")
    page.get_by_text("The filters appear once the map has drawn").wait_for(timeout=30_000)
    # no Leaflet, so no map and no report: the filters come once ui.page.FILTERS_WAIT is over
    page.locator(b.FILTERS).first.wait_for(timeout=15_000)
    assert "TJ-GB" in page.locator(b.FILTERS).first.inner_text()
    assert blocked, "Leaflet was not blocked: the route never matched"
    maps = [f for f in page.frames if "streamlit_folium" in f.url]
    assert maps and all(f.locator(".leaflet-pane path").count() == 0 for f in maps)


def test_an_empty_filter_does_not_remount_the_map(page, server) -> None:
    page.goto(server + "/?start=2025-11-26&end=2025-11-30")
    frame = b.map_frame(page)
    b.settled(page)
    frame.evaluate("() => { window.map.__pbwSameMap = true; }")
    page.get_by_role("button", name="30 days", exact=True).click()  # nothing in the data
    page.locator('[data-testid="stAlert"]', has_text="No incidents match").wait_for()
    assert b.wait_for_markers(frame, 0) == 0
    assert frame.evaluate("() => window.map.__pbwSameMap === true")


def test_clicking_an_incident_opens_its_record(page, server) -> None:
    b.click_the_only_marker(page, server + "/?start=2025-11-30&end=2025-11-30")
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('incident') === 'PBW-0025'",
        timeout=20_000)
    page.get_by_text("30 Nov 2025 — Cross-border attack").wait_for()


def test_the_figure_downloads_as_a_real_png_offline(page, server) -> None:
    page.goto(server + "/Data?start=2025-11-26&end=2025-12-01")
    button = page.get_by_role("button", name="Download figure (PNG)")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=60_000) as got:
        button.click()
    body = Path(got.value.path()).read_bytes()
    assert body[:8] == b"\x89PNG\r\n\x1a\n" and len(body) > 50_000
    assert got.value.suggested_filename == "panj-incidents_2025-11-26_2025-12-01.png"
    assert page.traffic.non_tile() == []


def test_the_record_wraps_on_a_phone_instead_of_cutting_values_off(chromium, server) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        b.offline(pg)
        pg.goto(server + "/?incident=PBW-0024")
        record = pg.locator("dl.pbw-record")
        record.wait_for(timeout=45_000)
        notes = record.locator("dd").filter(has_text="24 November")
        assert notes.count() == 1
        box = notes.bounding_box()
        assert box is not None and box["width"] <= 390 and box["height"] > 40  # wrapped
        # the whole value is there and nothing scrolls sideways
        assert notes.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (820, 1180), (1400, 1000)],
                         ids=["phone", "tablet", "desktop"])
def test_the_map_starts_in_the_first_screen(chromium, server, width, height) -> None:
    context = chromium.new_context(viewport={"width": width, "height": height},
                                   is_mobile=width < 640)
    try:
        pg = context.new_page()
        b.offline(pg)
        pg.goto(server + "/?start=2025-11-26&end=2025-12-01")
        box = b.map_frame(pg).frame_element().bounding_box()
        assert box is not None and box["y"] + 150 <= height, box  # 150 px of map at least
        assert b.metric(pg, "Incidents") == "2" and b.metric(pg, "Killed") == "5"
        # the figures sit above the map, not beside one another off screen
        figures = pg.locator('[data-testid="stMetric"]')
        assert all(m.bounding_box()["x"] + 20 < width for m in figures.all())
    finally:
        context.close()
