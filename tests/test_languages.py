"""The interface's languages in a real browser: Dari right to left on a phone and a desktop,
the language selector, and right-to-left data text that stays text."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from geo import charts

from . import browser as b

pytestmark = pytest.mark.browser
LINK = "/?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 1000}}


def _direction(page, selector: str) -> str:
    return page.evaluate(f"() => getComputedStyle(document.querySelector('{selector}'))"
                         ".direction")


@pytest.mark.parametrize("size", list(SIZES))
def test_dari_reads_right_to_left_and_the_map_stays_a_map(chromium, server, size) -> None:
    context = chromium.new_context(viewport=SIZES[size], is_mobile=size == "phone")
    try:
        page = context.new_page()
        traffic = b.offline(page)
        page.goto(server + LINK + "&lang=fa")
        frame = b.map_frame(page)
        assert b.wait_for_markers(frame, 2) == 2
        # the document says its language; the page's text runs right to left
        assert page.evaluate("() => document.documentElement.lang") == "fa-AF"
        assert _direction(page, '[data-testid="stMain"]') == "rtl"
        # and ends on the right, captions too (Streamlit sets them text-align: left)
        b.settled(page)
        aligned = page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"] p')]
            .filter(e => e.innerText.trim()).map(e => getComputedStyle(e).textAlign)""")
        assert len(aligned) > 5 and set(aligned) == {"right"}, aligned
        assert b.metric(page, "حادثه‌ها") == "۲"  # "Incidents", in Persian digits
        # the map keeps its own layout; its legend and popups speak Dari, right to left
        assert frame.evaluate("() => getComputedStyle(document.querySelector("
                              "'.leaflet-container')).direction") == "ltr"
        legend = frame.locator(".pbw-legend").first
        assert legend.get_attribute("dir") == "rtl" and legend.get_attribute("lang") == "fa-AF"
        assert "راهنما" in legend.inner_text()  # "Legend"
        # on a phone the map starts in the first screen, as in English
        top = page.locator('iframe[title*="streamlit_folium"]').first.bounding_box()["y"]
        assert top < SIZES[size]["height"]
        # the link carries the language
        link = page.locator('[data-testid="stCode"]').last.inner_text().strip()
        assert parse_qs(urlparse(link).query)["lang"] == ["fa"]
        assert _direction(page, '[data-testid="stCode"]') == "ltr"  # links stay readable
        assert traffic.non_tile() == [] and not traffic.page_errors
    finally:
        context.close()


def test_the_language_selector_translates_the_page_the_map_and_the_link(page, server) -> None:
    page.goto(server + LINK)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    b.settled(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Русский").click(timeout=30_000)
    page.wait_for_function("() => new URL(location.href).searchParams.get('lang') === 'ru'",
                           timeout=60_000)
    page.locator('[data-testid="stMetric"]', has_text="Инциденты").first.wait_for(
        timeout=60_000)
    assert b.metric(page, "Убито") == "5"  # the same figures
    # the map is drawn again with Russian labels (the old frame may linger a moment)
    page.wait_for_function("""() => [...document.querySelectorAll('iframe')].some(f => {
        try { return f.contentDocument.querySelector('.pbw-legend summary')
                     .textContent === 'Легенда'; } catch (e) { return false; } })""",
                           timeout=60_000)
    frame = b.map_frame(page)
    assert b.wait_for_markers(frame, 2) == 2
    assert page.evaluate("() => document.documentElement.lang") == "ru"
    params = parse_qs(urlparse(page.url).query)
    assert params["start"] == ["2025-11-26"] and params["region"] == ["TJ-KT,TJ-GB"]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_right_to_left_data_text_is_shown_as_text(page, adversarial_server, lang) -> None:
    # the adversarial server's one incident of that day is the Dari one (conftest)
    frame = b.click_the_only_marker(
        page, adversarial_server + f"/?start=2025-10-01&end=2025-10-01&lang={lang}")
    popup = frame.locator(".pbw-popup").first
    popup.wait_for(timeout=20_000)
    assert "<img src=x" in popup.inner_text() and "<b>شغنان</b>" in popup.inner_text()
    assert popup.get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
    # the summary keeps its own direction in either interface
    assert popup.locator("p[dir=auto]").first.inner_text().startswith("درگیری")
    record = page.locator(".pbw-record").first
    record.wait_for(timeout=20_000)
    assert "<i>workers</i>" in record.inner_text()
    assert page.traffic.dialogs == [] and not page.traffic.page_errors


def test_dari_date_fields_read_year_month_day(page, server) -> None:
    """The date range's fields are laid out right to left in Dari; each date's own parts
    stay year-month-day (they once read 29-03-2020)."""
    page.goto(server + LINK + "&lang=fa")
    segments = page.locator('[data-testid="stDateInputField"] [data-range-field="start"] '
                            '[role="spinbutton"]')
    segments.first.wait_for()
    left = {s.get_attribute("data-type"): s.bounding_box()["x"] for s in segments.all()}
    assert left["year"] < left["month"] < left["day"], left
    assert segments.first.inner_text() == "2025"


TIMELINE_WIDTHS = {"phone": 375, "tablet": 768, "desktop": 1440}


@pytest.mark.parametrize("size", list(TIMELINE_WIDTHS))
def test_the_timeline_fits_its_page_and_draws_its_bars(chromium, server, size) -> None:
    """The chart and its legend stay inside the page at every width (at 1440 px its right
    edge and legend were cut off), and the monthly bars are still drawn on a phone."""
    width = TIMELINE_WIDTHS[size]
    context = chromium.new_context(viewport={"width": width, "height": 900},
                                   is_mobile=size == "phone")
    try:
        page = context.new_page()
        page.goto(server + "/Timeline")
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        canvas = chart.locator("canvas.marks")
        canvas.wait_for()
        page.wait_for_function("() => document.querySelector("
                               "'[data-testid=stVegaLiteChart] canvas.marks').width > 0")
        box, drawn = chart.bounding_box(), canvas.bounding_box()
        assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, (box, drawn)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        # the upper chart's bars: pixels in the regions' colours
        chart.scroll_into_view_if_needed()
        image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
        upper = image.crop((0, 0, image.width, image.height // 2))
        wanted = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
                  for c in charts.REGION_COLORS.values()}
        coloured = sum(n for n, rgb in upper.getcolors(1 << 20) if rgb in wanted)
        assert coloured > 100, coloured
    finally:
        context.close()
