"""The interface in English, Russian, Tajik and Dari: complete catalogs, locale formats,
``?lang=`` in links, every page in every language, and data text that stays itself."""

from __future__ import annotations

import ast
import html
import re
from datetime import date

import pandas as pd
import pytest

import ui
from geo import maptext, mapview, proximity, tables
from geo import schema as s
from geo.i18n import LANGUAGES, Translator, catalog_path, extract, problems, translator
from geo.incidents import from_table
from geo.viewstate import parse_query, query_string, to_query

from .conftest import ROOT, app_test, good_row

OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
PAGES = ["app.py", *(path for path, _title in ui.PAGES)]


@pytest.fixture(scope="module")
def template():
    return extract(ROOT)


# --- the catalogs -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_catalog_translates_every_string(template, lang) -> None:
    """Fails, listing each one, when code marks text that a catalog lacks: run
    ``make messages`` and translate what it lists."""
    assert len(template) > 300  # the extraction found the interface's text
    assert problems(template, lang) == []


def test_the_catalog_check_can_fail(template, tmp_path) -> None:
    """A new marked string, a lost placeholder and an unused translation are all reported."""
    (tmp_path / "app.py").write_text('_("A sentence no catalog has yet")\n'
                                     '_("Dates: {start} to {end}")\n', encoding="utf-8")
    found = problems(extract(tmp_path), "ru")
    assert "ru: not translated: 'A sentence no catalog has yet'" in found
    assert any("no longer used: 'Filters'" in line for line in found)
    # a translation that drops a placeholder is caught too
    spoiled = tmp_path / "ru.po"
    spoiled.write_bytes(catalog_path("ru").read_bytes().replace(
        "с {start} по {end}".encode(), "с {start}".encode()))
    original = catalog_path("ru").read_bytes()
    try:
        catalog_path("ru").write_bytes(spoiled.read_bytes())
        assert any("placeholders ['start'] instead of ['end', 'start']" in line
                   for line in problems(template, "ru"))
    finally:
        catalog_path("ru").write_bytes(original)


def test_every_plural_call_is_extracted_as_a_plural(template) -> None:
    """Babel's extractor can take ``x + _.ngettext("a", "b", n)`` for a plain ``_("a")``;
    the catalogs would then hold no plural forms and the reader would get English."""
    plurals = {m.id[0] for m in template if isinstance(m.id, (list, tuple))}
    calls = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"),
                 *ROOT.glob("geo/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "ngettext" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                calls.append((path.name, node.args[0].value))
    assert len(calls) > 10
    assert [c for c in calls if c[1] not in plurals] == []


def test_text_is_translated_through_a_name_the_extractor_reads() -> None:
    """``tr()("…")`` is called, but Babel's extractor knows only ``_``, ``N_`` and
    ``ngettext``: such text never reached the catalogs (the store's outage notices were
    English in every language until this test)."""
    inline = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Call) \
                    and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                inline.append((path.name, node.lineno))
    assert inline == []


def test_no_marked_text_hides_in_an_f_string() -> None:
    """Python 3.12 tokenizes f-strings and Babel then finds ``_("…")`` inside them; 3.11
    does not: the catalogs would differ with the Python that made them."""
    hidden = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"),
                 *ROOT.glob("geo/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [(path.name, call.lineno) for call in ast.walk(node)
                           if isinstance(call, ast.Call) and call.args
                           and isinstance(call.args[0], ast.Constant)
                           and ast.unparse(call.func) in ("_", "_.ngettext", "N_")]
    assert hidden == []


def test_the_pot_file_is_current(template) -> None:
    """``geo/locale/messages.pot`` lists what the code marks (``make messages`` writes it)."""
    from babel.messages.pofile import read_po

    with (ROOT / "geo" / "locale" / "messages.pot").open("rb") as fh:
        committed = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fh) if m.id}
    wanted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in template if m.id}
    assert committed == wanted, "run `make messages`"


def _rebinds_underscore(tree: ast.AST) -> list[int]:
    """Lines where ``_`` (the translator, by gettext convention) is assigned anything but
    a translator, or used as a throwaway name."""
    bad = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            value = ast.unparse(node.value)
            if value in ("ui.tr()", "tr()", "_ or tr()", "translator('ru')",
                         "figure.language_for(tr())"):
                continue
            targets = list(node.targets)
        elif isinstance(node, (ast.For, ast.comprehension)):
            targets = [node.target]
        if any(name == "_" for target in targets for name in _bound_names(target)):
            bad.append(getattr(node, "lineno", 0))
    return bad


def _bound_names(target: ast.AST) -> list[str]:
    """The names an assignment target binds (not those inside a subscript or attribute)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _bound_names(element)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def test_underscore_is_only_ever_the_translator() -> None:
    """``_`` means "translate" everywhere: a throwaway ``_`` would silently replace it."""
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"),
                 *ROOT.glob("geo/*.py")]:
        lines = _rebinds_underscore(ast.parse(path.read_text(encoding="utf-8")))
        assert not lines, f"{path.name} rebinds _ at line(s) {lines}; use another name"


def test_the_underscore_check_can_fail() -> None:
    assert _rebinds_underscore(ast.parse("_ = ui.tr()\nfirst, _ = pair\nx[_('a')] = 1\n"
                                         "for _, row in rows: pass\n")) == [2, 4]


def test_every_label_the_map_scripts_read_is_provided() -> None:
    used = set()
    for path in (ROOT / "geo" / "static" / "map").glob("*.js"):
        used |= set(re.findall(r"\bT\.([A-Za-z]+)", path.read_text(encoding="utf-8")))
    provided = set(maptext.script_text())
    assert used, "the scripts read no labels"
    assert used <= provided, sorted(used - provided)


# --- formats ------------------------------------------------------------------------------


def test_plurals_follow_each_language() -> None:
    ru = translator("ru")
    forms = [ru.ngettext("{n} incident from {origin}", "{n} incidents from {origin}", n,
                         origin="X") for n in (1, 3, 5, 21)]
    # "(источник: …)", not "из …": {origin} is a phrase in the nominative ("общее
    # хранилище (ревизия 3)"), which "из" would need in the genitive
    assert forms == ["1 инцидент (источник: X)", "3 инцидента (источник: X)",
                     "5 инцидентов (источник: X)", "21 инцидент (источник: X)"]
    assert translator("en").ngettext("{n} incident from {origin}",
                                     "{n} incidents from {origin}", 1, origin="X") == \
        "1 incident from X"


def test_dates_and_numbers_are_written_as_each_locale_writes_them() -> None:
    day = date(2025, 11, 26)
    assert translator("en").date(day) == "26 Nov 2025"
    assert translator("ru").date(day, "long") == "26 ноября 2025\u202fг."
    assert translator("tg").date(day, "long") == "26 Ноябр 2025"
    # Dari: Afghan month names, Persian digits
    assert translator("fa").date(day, "long") == "۲۶ نومبر ۲۰۲۵"
    assert translator("fa").num(1350) == "۱٬۳۵۰"
    assert translator("ru").num(12345) == "12\u00a0345"
    assert translator("en").num(12345) == "12,345"


def test_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="lang must be one of en, ru, tg, fa; got 'de'"):
        Translator("de")


def test_province_names_in_each_language() -> None:
    names = {code: s.region_label("TJ-GB", translator(code)) for code in LANGUAGES}
    assert names == {"en": "Gorno-Badakhshan (Tajikistan)",
                     "ru": "Горно-Бадахшанская АО (Таджикистан)",
                     "tg": "Кӯҳистони Бадахшон (Тоҷикистон)",
                     "fa": "بدخشان کوهستانی (تاجیکستان)"}
    # the two Badakhshans stay apart in every language
    for code in LANGUAGES:
        _ = translator(code)
        assert s.region_label("TJ-GB", _) != s.region_label("AF-BDS", _)


# --- the link -----------------------------------------------------------------------------


def test_lang_round_trips_through_the_link() -> None:
    view, notices = parse_query({"lang": "FA"}, default_start=date(2025, 1, 1),
                                default_end=date(2025, 12, 31))
    assert notices == [] and view.lang == "fa"
    assert to_query(view)["lang"] == "fa"
    assert "lang=fa" in query_string(view)
    english, _none = parse_query({}, default_start=date(2025, 1, 1),
                                 default_end=date(2025, 12, 31))
    assert english.lang == "en" and "lang" not in to_query(english)


def test_unknown_lang_falls_back_with_a_notice_in_the_readers_language() -> None:
    view, notices = parse_query({"lang": "de", "zoom": "99", "lat": "37", "lon": "70"},
                                default_start=date(2025, 1, 1), default_end=date(2025, 12, 31))
    assert view.lang == "en"
    by_param = {n.param: n for n in notices}
    assert str(by_param["lang"]) == ("Link parameter `lang` = “de”: allowed: en, ru, tg, fa; "
                                     "using en")
    assert by_param["zoom"].text(translator("ru")) == (
        "Параметр ссылки `zoom` = «99»: должно быть целым числом от 3 до 18; карта "
        "открывается на всей границе")


# --- data text stays itself, and never becomes markup --------------------------------------

MIXED = "حمله در <b>شغنان</b> & Shughnon — 3 killed"


def _frame(**changes: str):
    return from_table(pd.DataFrame([good_row(**changes)])).frame


def _row(**changes: str) -> pd.Series:
    return _frame(**changes).iloc[0]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_record_escapes_right_to_left_and_mixed_text(lang) -> None:
    _ = translator(lang)
    _title, fields, _sources = tables.incident_record(_row(summary=MIXED, notes=MIXED), _)
    body = tables.record_html(fields, _)
    assert "<b>" not in body and html.escape(MIXED) in body
    assert f'dir="{_.dir}"' in body and f'lang="{_.language.tag}"' in body
    # the summary is shown as it was written, under a label in the reader's language
    labels = dict(fields.itertuples(index=False, name=None))
    assert labels[_("Summary")] == MIXED


def test_map_features_carry_labels_in_the_language_and_data_as_written() -> None:
    _ = translator("fa")
    feature = mapview.incident_features(_frame(summary=MIXED), _)[0]["properties"]
    assert feature["summary"] == MIXED  # text only: the script puts it in with textContent
    assert feature["title"].endswith("— حملهٔ فرامرزی")  # cross_border_attack, in Dari
    assert "ختلان" in feature["tip"] or "Shamsiddin Shohin" in feature["tip"]
    html_text = mapview.safe_json(feature)
    assert "<b>" not in html_text and "\\u003cb\\u003e" in html_text


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_the_popups_distance_to_the_border_is_in_the_readers_language(lang, border,
                                                                      provinces) -> None:
    _ = translator(lang)
    frame = proximity.add_proximity(_frame(), border, provinces)
    feature = mapview.incident_features(frame, _)[0]["properties"]
    assert feature["borderKm"] == proximity.distance_text(frame[proximity.BORDER_KM].iloc[0], _)
    assert "km from the mapped point" not in feature["borderKm"]


# --- every page, in every language ---------------------------------------------------------


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_every_language(page, lang) -> None:
    at = app_test(page, lang=lang).run()
    assert not at.exception, at.exception
    assert not at.error
    _ = translator(lang)
    assert at.title[0].value in {_("About Panj Border Watch"), _("Timeline"), _("Data"),
                                 _("Your data"), _("Compare two periods"), "Panj Border Watch"}
    assert at.sidebar.header[0].value == _("Filters")
    assert at.sidebar.selectbox[0].value == lang
    styles = " ".join(e.proto.body for e in at.get("html"))
    assert ("direction: rtl" in styles) == LANGUAGES[lang].rtl
    assert f"documentElement.lang = '{LANGUAGES[lang].tag}'" in styles


def test_choosing_a_language_changes_the_page_and_the_link() -> None:
    at = app_test().run()
    assert {m.label for m in at.metric} >= {"Incidents", "Killed"}
    at.sidebar.selectbox[0].set_value("ru").run()
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Инциденты", "Убито"}
    assert at.query_params["lang"] in ("ru", ["ru"])
    link = next(c.value for c in at.code if "lang=ru" in c.value)
    assert "start=" in link
    # figures are the same in every language
    figures = {m.label: m.value for m in at.metric}
    at.sidebar.selectbox[0].set_value("en").run()
    assert {m.value for m in at.metric} >= {figures["Инциденты"], figures["Убито"]}
    assert "lang" not in at.query_params


def test_an_unknown_lang_in_a_link_is_a_notice_not_an_error() -> None:
    at = app_test(lang="xx").run()
    assert not at.exception
    assert any("`lang` = “xx”" in w.value for w in at.warning)
    assert at.sidebar.header[0].value == "Filters"
