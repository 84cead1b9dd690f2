"""Accessibility in a real browser: every page passes axe-core with no critical or serious
violation, in English and in Dari, at desktop and phone sizes, the map's frame included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ui

from . import browser as b
from .conftest import IN_CI

#: What shows each of ``ui.PAGES`` has drawn; a page missing here fails
#: :func:`test_every_page_has_a_ready_sign`.
READY = {"pages/1_Timeline.py": '[data-testid="stVegaLiteChart"]',
         "pages/5_Compare.py": '[data-testid="stMetric"]',
         "pages/2_Data.py": '[data-testid="stDataFrame"]',
         "pages/3_Import.py": '[data-testid="stFileUploader"]',
         "pages/4_About.py": '[data-testid="stDataFrame"]'}


def url_path(page: str) -> str:
    """A page file's address, as ``st.Page`` names it (its number prefix dropped)."""
    return "/" + re.sub(r"^\d+_", "", Path(page).stem)


#: Each page's address and its ready sign (the map, ``/``: its markers).
PAGES = {"/": None, **{url_path(path): READY.get(path) for path, _title in ui.PAGES}}


def test_every_page_has_a_ready_sign() -> None:
    assert set(READY) == {path for path, _title in ui.PAGES}


@pytest.fixture(scope="module")
def axe() -> str:
    script = b.axe_script()
    if script is None:
        if IN_CI:
            pytest.fail("npm is missing under CI: .ci/run installs it from Debian")
        pytest.skip("npm not found: axe-core comes from the npm registry (apt-get install npm)")
    return script


def _open(page, url: str, path: str, query: str = "?start=2025-11-26&end=2025-12-01") -> None:
    page.goto(url + path + query)
    ready = PAGES[path]
    if ready is None:
        b.wait_for_markers(b.map_frame(page), 2)
        b.settled(page)  # with the filters, which come once the map has drawn
        b.idle(page)
    else:
        page.locator(ready).first.wait_for(timeout=60_000)
        b.idle(page)  # let the page's last rerun finish


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_passes_axe(page, server, axe, path, lang) -> None:
    """In English and in Dari (right to left, its own digits)."""
    _open(page, server, path, f"?start=2025-11-26&end=2025-12-01&lang={lang}")
    assert b.axe_violations(page, axe) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_map_on_a_phone_passes_axe(chromium, server, axe, lang) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        b.offline(pg)
        _open(pg, server, "/", f"?start=2025-11-26&end=2025-12-01&lang={lang}")
        assert b.axe_violations(pg, axe) == []
    finally:
        context.close()


@pytest.mark.browser
def test_axe_finds_what_it_should(page, server, axe) -> None:
    """The check can fail: an image with no text, put on the page, is reported."""
    _open(page, server, "/")
    page.evaluate("""() => { const i = document.createElement('img');
        i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; document.body.appendChild(i); }""")
    found = b.axe_violations(page, axe)
    assert any(v.startswith("image-alt (critical") for v in found), found
