"""The figure for reports: real PNG and SVG from the real layers, offline, naming its filter."""

from __future__ import annotations

import io
import re
from datetime import date
from xml.etree import ElementTree

import pytest
from PIL import Image

from geo import figure, layers
from geo import schema as s
from geo.i18n import translator
from geo.viewstate import ViewState

from .conftest import fixture_frame

SVG = "{http://www.w3.org/2000/svg}"
VIEW = ViewState(date(2025, 11, 26), date(2025, 12, 1), regions=("TJ-KT", "TJ-GB"))


@pytest.fixture(scope="module")
def boundaries():
    return (layers.load_provinces(layers.PROVINCES_DISPLAY_FILE),
            layers.load_border(layers.BORDER_DISPLAY_FILE))


def _render(frame, boundaries, fmt):
    provinces, border = boundaries
    return figure.render(frame, provinces, border, filter_lines=VIEW.describe(),
                         data_note="Data reviewed 2026-04-20", fmt=fmt)


def test_the_png_is_a_picture_of_print_size(boundaries) -> None:
    png = _render(fixture_frame(), boundaries, "png")
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.size == (2400, 1500)
    # not blank: the provinces, border and markers make many colours
    assert len(picture.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


def test_the_svg_names_its_filter_counts_sources_and_draws_each_incident(boundaries) -> None:
    frame = fixture_frame()
    chosen = frame[frame[s.DATE].between("2025-11-26", "2025-12-01")
                   & frame[s.REGION_CODE].isin(VIEW.regions)]
    svg = _render(chosen, boundaries, "svg").decode("utf-8")
    assert "Dates: 2025-11-26 to 2025-12-01" in svg
    assert f"{len(chosen)} incidents · 5 killed · 3 injured" in svg
    assert "Natural Earth" in svg and re.search(r">\d+ km<", svg)  # attribution, scale bar
    assert "Cross-border attack (2)" in svg  # the legend counts each type it shows
    assert "<image" not in svg and 'href="http' not in svg  # nothing fetched when opened
    assert "<text" in svg  # text stays text: editable in Inkscape or Illustrator
    # one marker drawn per located incident, in a group per type
    root = ElementTree.fromstring(svg)
    drawn = {g.get("id"): sum(c.tag == f"{SVG}path" for c in g)
             + len(list(g.iter(f"{SVG}use")))  # a path each, or one shape used N times
             for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("incidents-")}
    located = chosen[chosen.geometry.notna()]
    assert drawn == {f"incidents-{t}": n
                     for t, n in located[s.EVENT_TYPE].value_counts().items()}
    assert sum(drawn.values()) == 2


def test_an_empty_filter_still_gives_a_figure_that_says_so(boundaries) -> None:
    svg = _render(fixture_frame().iloc[:0], boundaries, "svg").decode("utf-8")
    assert "0 incidents · 0 killed · 0 injured" in svg


def test_bad_arguments_are_named(boundaries) -> None:
    with pytest.raises(ValueError, match="fmt must be 'png' or 'svg'; got 'gif'"):
        _render(fixture_frame(), boundaries, "gif")
    with pytest.raises(ValueError, match="incidents has no CRS"):
        _render(fixture_frame().set_crs(None, allow_override=True), boundaries, "png")


def test_every_located_incident_of_the_whole_data_is_drawn(boundaries) -> None:
    frame = fixture_frame()
    root = ElementTree.fromstring(_render(frame, boundaries, "svg"))
    drawn = sum(sum(c.tag == f"{SVG}path" for c in g) + len(list(g.iter(f"{SVG}use")))
                for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("incidents-"))
    assert drawn == int(frame.geometry.notna().sum()) == 27


def test_the_figure_speaks_the_readers_language_or_english_for_dari(boundaries) -> None:
    provinces, border = boundaries
    russian = translator("ru")
    svg = figure.render(fixture_frame(), provinces, border,
                        filter_lines=VIEW.describe(russian), data_note="", fmt="svg",
                        _=russian).decode("utf-8")
    assert "Инциденты безопасности на афгано-таджикской границе" in svg
    assert "Хатлон (Таджикистан) · TJ-KT" in svg and "Даты: с 2025-11-26 по 2025-12-01" in svg
    # matplotlib would draw Dari letters unjoined and backwards: a Dari reader gets English
    assert figure.language_for(translator("fa")) is translator("en")
    assert figure.language_for(russian) is russian
