"""Untrusted text in Streamlit's Markdown: escaped so that it shows its characters only."""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo.i18n import ENGLISH
from geo.text import JOINER, markdown_safe
from geo.viewstate import parse_query

HOSTILE = ["[x](http://example.org)", "![t](http://example.org/t.png)", "<img src=x>",
           ":red[alarm]", ":material/warning:", "**bold** _it_ `code`", "# heading",
           "http://example.org/autolink", "a\n\n- list\n> quote", "&lt;b&gt;", "$x^2$",
           "| a | b |", "\\[not\\](escaped)"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_character_is_escaped(text) -> None:
    safe = markdown_safe(text).replace(JOINER, "")
    unescaped = re.sub(r"\\.", "", safe)  # what remains once every escape pair is dropped
    assert not re.search(r"""[\\`*_{}\[\]()#+\-.!|<>~$:&=^"'/@%;?]""", unescaped), safe
    assert "\n" not in safe
    # CommonMark shows an escaped character as itself: undoing the escapes gives the text,
    # its line breaks folded to one space
    assert re.sub(r"\\(.)", r"\1", safe) == re.sub(r"\n+", " ", text)


@pytest.mark.parametrize("text", ["http://example.org", "WWW.example.org", "ana@example.org"])
def test_autolink_patterns_are_broken_by_a_joiner(text) -> None:
    """GFM autolinks are found after escapes are undone: each pattern needs `://`, `www.`
    or a dotted domain, and a WORD JOINER sits inside every one of them."""
    shown = re.sub(r"\\(.)", r"\1", markdown_safe(text))
    assert not re.search(r"https?://|www\.|@[-\w]+\.[-\w]", shown, flags=re.I)
    assert shown.replace(JOINER, "") == text


def test_letters_digits_and_other_scripts_are_left_alone() -> None:
    assert markdown_safe("PBW 0024 Хатлон بدخشان") == "PBW 0024 Хатлон بدخشان"


def test_a_link_notice_escapes_the_value_for_markdown_only() -> None:
    _view, notices = parse_query({"basemap": "[x](http://example.org)"},
                                 default_start=date(2025, 1, 1), default_end=date(2025, 12, 1))
    (notice,) = notices
    assert "[x](http://example.org)" in notice.text(_=ENGLISH)
    shown = notice.text(markdown=True, _=ENGLISH).replace(JOINER, "")
    assert "\\[x\\]\\(http\\:\\/\\/example\\.org\\)" in shown
    assert "`basemap`" in shown  # the app's own Markdown around the value still works
