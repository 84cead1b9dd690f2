"""The interface in English, Russian, Tajik and Dari: complete catalogs, locale formats,
``?lang=`` in links, every page in every language, and data text that stays itself."""

from __future__ import annotations

import ast
import csv
import html
import re
from datetime import date

import pandas as pd
import pytest
from babel.messages.pofile import read_po

import ui
from geo import maptext, mapview, proximity, tables
from geo import schema as s
from geo.catalogs import extract, problems
from geo.i18n import ENGLISH, LANGUAGES, Translator, catalog_path, translator
from geo.incidents import from_table
from geo.viewstate import parse_query, query_string, to_query

from .conftest import ROOT, app_test, fixture_frame, good_row

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
    assert any("placeholders ['start'] instead of ['end', 'start']" in line
               for line in problems(template, "ru", spoiled))


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
            if value in ("ui.tr()", "tr()", "translator('ru')"):
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
    provided = set(maptext.script_text(_=ENGLISH))
    assert used, "the scripts read no labels"
    assert used == provided, (sorted(used - provided), sorted(provided - used))


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
    # Tajik: the izofat month, lower case, and the numeric form with full stops
    tajik = translator("tg")
    assert tajik.date(day, "long") == tajik.date(day) == "26 ноябри 2025"
    assert tajik.date(date(2026, 1, 5)) == "5 январи 2026"  # no leading zero
    assert tajik.date(day, "short") == "26.11.2025"
    assert tajik.month(day) == "ноябри 2025" and tajik.date(day, "LLL") == "ноябр"
    dari = translator("fa")
    # Dari: the Gregorian month of a chart's bin in full (CLDR abbreviates it to جنو)
    assert dari.month(date(2026, 1, 5)) == "جنوری ۲۰۲۶"
    assert dari.date(date(2025, 7, 2), "LLL") == "جولای"
    assert dari.gregorian(day) == "۲۶ نومبر ۲۰۲۵"
    assert dari.num(1350) == "۱٬۳۵۰" and dari.num(1350.5, places=1) == "۱٬۳۵۰٫۵"
    # signs take the left-to-right mark and CLDR's own minus, so −۴ never shows as ۴-
    assert dari.num(-4) == "\u200e−۴"
    assert dari.percent(0.25) == "۲۵٪" and dari.percent(0.25, signed=True) == "\u200e+۲۵٪"
    assert translator("ru").percent(-0.25, signed=True) == "-25\u00a0%"
    assert translator("en").percent(0.25, signed=True) == "+25%"
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
    shown = dict(zip(mapview.popup_labels(_), feature["values"], strict=True))[
        _("To the border")]
    assert shown == proximity.distance_text(frame[proximity.BORDER_KM].iloc[0], _)
    assert "km from the mapped point" not in shown


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
    link = next(t.value for t in at.text if "lang=ru" in t.value)
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


# --- calendars, directions and the glossary ----------------------------------------------

#: Gregorian days and their Afghan solar Hijri dates, from the review (i18n_review.md,
#: checked against the known Nowruz dates and 15 Aug 2021 = 24 Asad 1400).
AFGHAN_DATES = [
    (date(2020, 6, 13), "۲۴ جوزا ۱۳۹۹"), (date(2021, 6, 22), "۱ سرطان ۱۴۰۰"),
    (date(2021, 8, 15), "۲۴ اسد ۱۴۰۰"), (date(2024, 11, 18), "۲۸ عقرب ۱۴۰۳"),
    (date(2025, 7, 2), "۱۱ سرطان ۱۴۰۴"), (date(2025, 11, 26), "۵ قوس ۱۴۰۴"),
    (date(2025, 11, 30), "۹ قوس ۱۴۰۴"), (date(2026, 1, 5), "۱۵ جدی ۱۴۰۴"),
    (date(2026, 4, 17), "۲۸ حمل ۱۴۰۵"), (date(2026, 3, 21), "۱ حمل ۱۴۰۵"),
    (date(2026, 3, 20), "۲۹ حوت ۱۴۰۴"),
]


@pytest.mark.parametrize(("day", "afghan"), AFGHAN_DATES)
def test_dari_dates_are_in_the_afghan_solar_hijri_calendar(day, afghan) -> None:
    dari = translator("fa")
    assert dari.date(day) == dari.date(day, "long") == afghan
    assert dari.date_both(day) == f"{afghan} ({dari.gregorian(day)})"
    # the other languages keep the Gregorian calendar
    assert translator("en").date_both(day) == translator("en").date(day, "long")


def test_iso_dates_and_link_values_are_isolated_in_right_to_left_text() -> None:
    day = date(2025, 11, 26)
    assert translator("fa").iso(day) == "\u20662025-11-26\u2069"
    assert translator("en").iso(day) == "2025-11-26"
    _view, notices = parse_query({"start": "2025-13-45"}, default_start=date(2020, 1, 1),
                                 default_end=date(2026, 4, 17), today=date(2026, 12, 6))
    dari = notices[0].text(translator("fa"))
    assert "\u20662025-13-45\u2069" in dari and "\u20662020-01-01\u2069" in dari
    assert not _bare_iso_dates(dari)
    assert notices[0].text(translator("en")) == (
        "Link parameter `start` = “2025-13-45”: must be a date like 2025-11-26; using "
        "2020-01-01")


#: An ISO date not wrapped in a first-strong isolate (U+2066 … U+2069).
_BARE_ISO = re.compile(r"(?<!\u2066)\b\d{4}-\d{2}-\d{2}\b")


def _bare_iso_dates(text: str) -> list[str]:
    """ISO dates in ``text`` outside code spans and link targets that are not isolated."""
    return _BARE_ISO.findall(re.sub(r"`[^`]*`|\]\([^)]*\)", "", text))


def _page_text(at) -> list[str]:
    """Every reader-facing text of an AppTest run: headings, markdown, captions, notices,
    metrics (labels, values, help) and widget help, in the main area and the sidebar."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info",
                 "error", "success"):
        texts += [e.value for e in at.get(kind)]
    for m in at.metric:
        texts += [m.label, m.value, m.proto.help]
    for kind in ("date_input", "selectbox", "multiselect", "slider", "radio", "toggle",
                 "checkbox", "number_input", "text_input"):
        texts += [e.proto.help for e in at.get(kind)]
    return [str(t) for t in texts if t]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_drops_a_bare_iso_date_or_latin_percent_into_dari_text(page) -> None:
    """Under the bidi algorithm an ISO date among Dari letters reads 26-11-2025; every
    date a page writes is the Afghan date or an isolated ISO one."""
    at = app_test(page, lang="fa", start="2025-06-01", end="2026-04-17").run()
    assert not at.exception
    texts = _page_text(at)
    assert len(texts) > 5
    assert [t for t in texts if _bare_iso_dates(t)] == []
    assert [t for t in texts if re.search(r"[0-9]%|%[0-9+]", t)] == []


def test_the_dari_check_finds_a_bare_date() -> None:
    assert _bare_iso_dates("تاریخ‌ها: از 2025-11-26 تا `2025-12-01`") == ["2025-11-26"]
    assert _bare_iso_dates("از \u20662025-11-26\u2069") == []
    # a link's address is not read: only its words are
    assert _bare_iso_dates("[دنبال کنید](https://x/feed.atom?start=2025-11-26)") == []
    assert _bare_iso_dates("[از 2025-11-26](https://x/)") == ["2025-11-26"]


def test_the_dari_record_and_table_show_the_gregorian_date_beside_the_afghan_one() -> None:
    frame = from_table(pd.DataFrame([good_row(date="2025-11-26")])).frame
    dari = translator("fa")
    title, fields, _sources = tables.incident_record(frame.iloc[0], dari)
    assert title.startswith("۵ قوس ۱۴۰۴")
    shown = dict(zip(fields["Field"], fields["Value"], strict=True))
    assert shown[dari("Date")].startswith("۵ قوس ۱۴۰۴ (۲۶ نومبر ۲۰۲۵)")
    table, _n = tables.incident_table(frame)
    labelled = tables.labelled(table, dari)
    columns = list(labelled.columns)
    assert columns[columns.index("Date") + 1] == tables.OWN_DATE
    assert labelled[tables.OWN_DATE].iloc[0] == "۵ قوس ۱۴۰۴"
    assert tables.OWN_DATE not in tables.labelled(table, translator("ru")).columns


# --- the glossary: one word per concept per language ------------------------------------

GLOSSARY = ROOT / "geo" / "locale" / "glossary.csv"


def _glossary_breaches(lang: str, messages: list[tuple[str, list[str]]]) -> list[str]:
    """Where ``messages`` (English, translations) break the glossary for ``lang``: a
    concept's English with no word of the concept in the translation, or a word to avoid."""
    found = []
    with GLOSSARY.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if not row[lang]:
            continue
        pattern = re.compile(row[lang], re.I)
        for english, strings in messages:
            if row["kind"] == "use" and re.search(row["en"], english, re.I):
                found += [f"{lang}: {row['concept']} is {row[lang]!r}, not in {text!r}"
                          for text in strings if not pattern.search(text)]
            elif row["kind"] == "avoid":
                found += [f"{lang}: avoid {hit.group(0)!r} ({row['why']}) in {text!r}"
                          for text in strings for hit in [pattern.search(text)] if hit]
    return found


def _messages(lang: str) -> list[tuple[str, list[str]]]:
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[lang].locale)
    return [(m.id[0] if isinstance(m.id, tuple) else m.id,
             list(m.string) if isinstance(m.string, tuple) else [m.string])
            for m in catalog if m.id]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_catalog_keeps_to_its_glossary(lang) -> None:
    assert _glossary_breaches(lang, _messages(lang)) == []


def test_the_glossary_check_can_fail() -> None:
    assert _glossary_breaches("fa", [("Incidents", ["رویدادها"])]) == [
        "fa: incident is 'حادثه', not in 'رویدادها'"]
    assert _glossary_breaches("tg", [("Playback", ["Навохтан"])])[0].startswith(
        "tg: playback is 'пахш'")
    assert any("avoid 'Навохтан'" in line
               for line in _glossary_breaches("tg", [("Playback", ["Навохтан"])]))


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_different_labels_get_different_words(lang) -> None:
    """Two interface labels that mean different things never share a translation (Tajik
    had Замина for both Context and Background); only case variants and listed synonyms do."""
    same_concept = {frozenset({"Date span", "Period"}), frozenset({"no", "none"})}
    by_text: dict[str, set[str]] = {}
    for english, strings in _messages(lang):
        if len(english) <= 40 and len(strings) == 1:
            by_text.setdefault(strings[0].strip().lower(), set()).add(english)
    clashes = [ids for ids in by_text.values() if len({i.lower() for i in ids}) > 1 and
               frozenset(ids) not in same_concept]
    assert clashes == []


# --- no English left where a translation exists -------------------------------------------

#: Words that are names in every language (the project, its data sources, map providers).
NAMES = re.compile(r"Panj Border Watch|Natural Earth|OpenStreetMap|OpenTopoMap|Esri|Leaflet|"
                   r"ACLED|UCDP|GeoJSON|CSV|HTML|ISO 3166-2|EPSG:\d+|UTM \d+N")


def _english_phrases(template, lang: str) -> set[str]:
    """The fixed text of every interface message a catalog translates differently: the
    runs of words between its placeholders, of two words or more."""
    _ = translator(lang)
    phrases = set()
    for message in template:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        if isinstance(message.id, str) and _(message.id) == message.id:
            continue  # the same in this language (a name, a code)
        for english in ids:
            for piece in re.split(r"\{[^{}]*\}|[`*()\[\]«»“”:;.,!?·—–\n]", NAMES.sub("", english)):
                words = re.findall(r"[A-Za-z][A-Za-z'-]+", piece)
                if len(words) >= 2 and " ".join(words) == " ".join(piece.split()):
                    phrases.add(" ".join(words))
    return phrases


def _reader_text(lang: str, border, provinces) -> list[str]:
    """What a reader of ``lang`` sees of the bundled data, without the data's own words:
    popups and tooltips, every record's labels and its coded values, the legend and the
    map's labels, the headline and the sidebar, and a link's notices."""
    _ = translator(lang)
    frame = proximity.add_proximity(fixture_frame(), border, provinces)
    data_fields = {_(name) for name in ("Victims", "Blamed (by whom)", "Attackers from",
                                        "Summary", "Notes", "Location", "District",
                                        "Time (local)", "Incident ID")}
    texts: list[str] = []
    for feature in mapview.incident_features(frame, _):
        p = feature["properties"]
        shown = zip(mapview.popup_labels(_), p["values"], strict=True)
        texts += [p["title"], *(f"{k}: {v}" for k, v in shown if k not in data_fields and v)]
    for _i, row in frame.iterrows():
        title, fields, sources = tables.incident_record(row, _)
        texts += [title, *sources.columns]
        texts += [f"{k}: {v}" for k, v in fields.itertuples(index=False, name=None)
                  if k not in data_fields]
    texts += [str(v) for v in maptext.script_text(_).values()]
    legend = mapview._legend_data(_)
    texts += [label for label, *_rest in legend["types"] + legend["shades"]]
    _view, notices = parse_query({"start": "2030-01-01", "region": "XX", "type": "nope",
                                  "basemap": "google", "zoom": "99"},
                                 default_start=date(2020, 1, 1), default_end=date(2026, 4, 17),
                                 today=date(2026, 12, 6))
    texts += [n.text(_) for n in notices]
    at = app_test(lang=lang, start="2025-06-01", end="2026-04-17", region="XX").run()
    assert not at.exception
    texts += _page_text(at)
    return [NAMES.sub("", t) for t in texts]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_no_english_is_left_where_a_translation_exists(template, lang, border,
                                                       provinces) -> None:
    phrases = _english_phrases(template, lang)
    assert len(phrases) > 200
    assert _english_left(_reader_text(lang, border, provinces), phrases) == []


def _english_left(texts: list[str], phrases: set[str]) -> list[str]:
    """Each phrase found as whole words in a text, with the text's start. The patterns are
    compiled once (there are more than the 512 ``re`` keeps), and tried only where the
    phrase occurs at all."""
    patterns = [(phrase, re.compile(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])"))
                for phrase in sorted(phrases)]
    return sorted({f"{phrase!r} in {text[:80]!r}" for text in texts
                   for phrase, pattern in patterns if phrase in text and pattern.search(text)})


def test_the_english_check_finds_english() -> None:
    """The check above sees an English label left in a translated text (as the popup's
    distance line once was)."""
    template = extract(ROOT)
    phrases = _english_phrases(template, "ru")
    assert "from the mapped point" in " | ".join(phrases)
    found = _english_left(["12 km from the mapped point", "12 km from the mapped pointer"],
                          phrases)
    assert [line for line in found if line.endswith("' in '12 km from the mapped point'")]
    assert not [line for line in found if "pointer" in line]  # whole words only
