"""The figure for reports: real PNG and SVG from the real layers, offline, naming its filter."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from xml.etree import ElementTree

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from PIL import Image

from geo import figure, layers
from geo import schema as s
from geo.i18n import ENGLISH, translator
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
    return figure.render(frame, provinces, border, filter_lines=VIEW.describe(ENGLISH),
                         data_note="Data reviewed 2026-04-20", fmt=fmt, _=ENGLISH)


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
    assert "Dates: 26 Nov 2025 to 1 Dec 2025" in svg
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


def test_the_figure_speaks_the_readers_language(boundaries) -> None:
    provinces, border = boundaries
    russian = translator("ru")
    svg = figure.render(fixture_frame(), provinces, border,
                        filter_lines=VIEW.describe(russian), data_note="", fmt="svg",
                        _=russian).decode("utf-8")
    assert "Инциденты в сфере безопасности на афгано-таджикской границе" in svg
    assert "Хатлон (Таджикистан) · TJ-KT" in svg
    assert "Даты: с 26 нояб. 2025\u202fг. по 1 дек. 2025\u202fг." in svg


def _dari_figure(boundaries) -> list[str]:
    """The text runs of the Dari figure's SVG (its text stays text, as the app writes it)."""
    provinces, border = boundaries
    dari = translator("fa")
    svg = figure.render(fixture_frame(), provinces, border, filter_lines=VIEW.describe(dari),
                        data_note="", fmt="svg", _=dari).decode("utf-8")
    return ["".join(el.itertext()) for el in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_the_dari_figure_is_in_dari_text(boundaries) -> None:
    runs = _dari_figure(boundaries)
    dari = translator("fa")
    title = dari("Security incidents on the Afghanistan–Tajikistan border")
    assert title in runs and title != "Security incidents on the Afghanistan–Tajikistan border"
    assert any(dari.date(date(2025, 11, 26)) in run for run in runs)  # ۵ قوس ۱۴۰۴
    # every run is Arabic script but the scale bar's ("150 km") and empty ones
    other = [run for run in runs if not re.search("[\u0600-\u06ff]", run)]
    assert all(re.fullmatch(r"[\d\s]*(km)?", run) for run in other), other
    english = re.compile(r"\b(incidents?|killed)\b|\bborder\b(?! Watch)", re.I)
    assert not [run for run in runs if english.search(run)]


def test_the_dari_title_is_drawn_shaped_and_right_to_left(boundaries) -> None:
    """The title as the PNG draws it (matplotlib's glyph layout): its letters take their
    joined forms, and its first letter is its rightmost glyph."""
    dari = translator("fa")
    title = dari("Security incidents on the Afghanistan–Tajikistan border")
    assert title in _dari_figure(boundaries)
    font = text_to_path._get_font(FontProperties(family="DejaVu Sans"))
    font.set_size(13, 72)
    glyphs = [(x, name) for name, x, _y, _scale in
              text_to_path.get_glyphs_with_font(font, title)[0]]

    def glyph(cp: int) -> str:
        return f"DejaVuSans-{font.get_char_index(cp):x}"

    isolated = {glyph(ord(c)) for c in title}
    # shaped: most letters are drawn in a contextual (joined) form, not their isolated glyph
    joined = [name for _x, name in glyphs if name not in isolated]
    assert len(joined) > len(glyphs) / 2, glyphs
    # right to left: the glyph furthest right is a form of the title's first letter, the
    # one furthest left a form of its last
    first, last = title[0], title[-1]
    assert max(glyphs)[1] in {glyph(cp) for cp in _forms(first)}
    assert min(glyphs)[1] in {glyph(cp) for cp in _forms(last)}


def _forms(letter: str) -> list[int]:
    """``letter`` and its Arabic presentation forms (isolated, final, initial, medial),
    from Unicode's decompositions."""
    return [ord(letter)] + [cp for cp in range(0xFB50, 0xFEFF) if unicodedata.decomposition(
        chr(cp)).split()[-1:] == [f"{ord(letter):04X}"]]
