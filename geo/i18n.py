"""The interface's languages: gettext catalogs (Babel) and dates and numbers per locale.

Interface text is written in English in the code, marked with ``_("…")`` (or ``N_("…")``
where a table defines it, translated where it is shown), and translated from the catalogs
in ``geo/locale/<lang>/LC_MESSAGES/messages.po``. ``make messages`` (``geo.catalogs``)
extracts the marked text and updates the catalogs; a test fails when a catalog misses or
mistranslates one (a missing or extra ``{placeholder}``).

Text from the data (summaries, notes, sources, place descriptions) is never translated: it
stays in the language it was written in, and the pages say so.

This module is at the bottom of ``geo``: it imports nothing from it.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import jdatetime
from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"


@dataclass(frozen=True)
class Language:
    """A language of the interface: its link value, its own name, its Babel locale."""

    code: str  # the link's ``?lang=`` value
    name: str  # as its readers write it
    locale: str  # Babel/CLDR locale for dates and numbers
    rtl: bool = False
    #: The BCP 47 tag pages mark their text with (``lang`` attribute).
    tag: str = ""
    #: The calendar its readers date days in: ``gregorian`` or ``persian`` (solar Hijri).
    calendar: str = "gregorian"
    #: Month names for dates where CLDR's are wrong or thin (in order, January or Hamal
    #: first); empty: CLDR's.
    months: tuple[str, ...] = ()


#: The months of the solar Hijri calendar as Afghanistan names them (CLDR ``fa_AF``,
#: calendar "persian"; Babel ships only the Gregorian calendar): Hamal, Sawr, Jawza, Saratan,
#: Asad, Sunbula, Mizan, Aqrab, Qaws, Jadi, Dalw, Hut.
AFGHAN_MONTHS: Final = ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس",
                        "جدی", "دلو", "حوت")
#: Tajik months as a date names them, in the izofat form ("26 ноябри 2025"): CLDR's ``tg``
#: data has only the capitalised nominative ("Ноябр") and a Russian ``dd/MM/yy`` short form.
TAJIK_MONTHS: Final = ("январи", "феврали", "марти", "апрели", "майи", "июни", "июли",
                       "августи", "сентябри", "октябри", "ноябри", "декабри")

#: The interface's languages, in the order the selector lists them. Dari is written right
#: to left, its days in Afghanistan's solar Hijri calendar (:data:`AFGHAN_MONTHS`).
LANGUAGES: Final[dict[str, Language]] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "en_GB", tag="en"),
        Language("ru", "Русский", "ru", tag="ru"),
        Language("tg", "Тоҷикӣ", "tg", tag="tg", months=TAJIK_MONTHS),
        Language("fa", "دری", "fa_AF", rtl=True, tag="fa-AF", calendar="persian",
                 months=AFGHAN_MONTHS),
    )
}
DEFAULT_LANG: Final = "en"

#: The zero of the numbering systems our locales use by default (CLDR), besides Latin.
_ZERO: Final = {"arabext": "۰", "arab": "٠"}

#: Unicode's first-strong isolate and its end: an inserted value keeps its own direction
#: (an ISO date in Dari text would otherwise read 26-11-2025).
LRI, PDI = "\u2066", "\u2069"

#: A ``{placeholder}`` in a message: translations must keep exactly the same ones.
PLACEHOLDER: Final = re.compile(r"\{([a-z_]*)(?:[:!][^{}]*)?\}")


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it (tables of labels)."""
    return message


def catalog_path(lang: str) -> Path:
    """The ``.po`` catalog of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def _translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English needs none: the code is written in it).

    Compiled from the ``.po`` file in memory, so the catalog and what the app shows can
    never drift apart; fuzzy and empty entries fall back to English.
    """
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    with catalog_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[lang].locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Interface text, dates and numbers in one language. Call it like gettext::

        _ = translator("ru")
        _("Incidents")                       # "Инциденты"
        _("Within {km} km", km=_.num(5))     # placeholders are filled after translation
        _.ngettext("{n} incident", "{n} incidents", 3)   # "{n}" is the count, localised
    """

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            msg = f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}"
            raise ValueError(msg)
        self.lang = lang
        self.language = LANGUAGES[lang]
        self._catalog = _translations(lang)
        self._numbers: dict[tuple[float, int], str] = {}
        locale = Locale.parse(self.language.locale)
        zero = _ZERO.get(locale.default_numbering_system, "0")
        self._digit_map = {ord("0") + i: ord(zero) + i for i in range(10)} if zero != "0" \
            else {}
        symbols = locale.number_symbols.get(locale.default_numbering_system, {})
        self._sign_map = {ord(ascii_): symbols[name] for ascii_, name in (
            ("-", "minusSign"), ("+", "plusSign"), ("%", "percentSign")) if name in symbols}

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"

    def __call__(self, message: str, /, **fields: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**fields) if fields else text

    def ngettext(self, singular: str, plural: str, n: int, /, **fields: object) -> str:
        """The form of ``singular``/``plural`` for ``n``, with ``{n}`` the localised count."""
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(**{"n": self.num(n), **fields})

    def num(self, value: float, *, places: int = 0) -> str:
        """``value`` as this locale writes numbers (grouping, decimal sign, digits, minus).
        Each number is written once (a popup per incident writes the same few many times)."""
        key = (value, places)
        if key not in self._numbers:
            pattern = "#,##0" + ("." + "0" * places if places else "")
            self._numbers[key] = self._symbols(format_decimal(
                value, format=pattern, locale=self.language.locale,
                numbering_system="default"))
        return self._numbers[key]

    def percent(self, value: float, *, signed: bool = False) -> str:
        """``value`` (0.25 for 25 %) as a whole percentage the way this locale writes one:
        "25%", "25 %", "۲۵٪"; with ``signed``, a plus or minus sign always ("+25 %")."""
        pattern = str(Locale.parse(self.language.locale).percent_formats[None].pattern)
        if signed:
            pattern = f"+{pattern};-{pattern}"
        return self._symbols(format_percent(value, format=pattern,
                                            locale=self.language.locale))

    def date(self, day: dt.date, form: str = "medium") -> str:
        """``day`` as this language writes dates: ``short``, ``medium`` or ``long``.

        Dari: the solar Hijri date with the Afghan month names ("۵ قوس ۱۴۰۴"), the
        calendar of Afghanistan; the other languages: the Gregorian date (Tajik with its
        izofat month forms, "26 ноябри 2025"). Any other ``form`` is a CLDR pattern of the
        Gregorian calendar (``LLLL`` for a month's name), for the charts' monthly bins.
        """
        own = self.language.months
        if form not in ("short", "medium", "long"):
            if own:  # CLDR abbreviates fa_AF months to جنو (and July to جول), tg to Янв
                form = re.sub(r"(?<![LM])([LM])\1\1(?![LM])", r"\1\1\1\1", form)
            text = self.digits(format_date(day, format=form, locale=self.language.locale))
            return text.lower() if self.lang == "tg" else text  # Tajik: "январ", not "Январ"
        if self.language.calendar == "persian":
            hijri = jdatetime.date.fromgregorian(date=day)
            year, month, mday = hijri.year, hijri.month, hijri.day
        else:
            year, month, mday = day.year, day.month, day.day
        if not own:
            return self.digits(format_date(day, format=form, locale=self.language.locale))
        if form == "short":  # Tajik 26.11.2025; Dari ۱۴۰۴/۹/۵, as Afghan forms write it
            text = f"{year}/{month}/{mday}" if self.language.calendar == "persian" else \
                f"{mday:02d}.{month:02d}.{year}"
        else:
            text = f"{mday} {own[month - 1]} {year}"
        return self.digits(text)

    def gregorian(self, day: dt.date) -> str:
        """``day`` in the Gregorian calendar, in full, for comparing with other sources
        ("26 November 2025", "۲۶ نومبر ۲۰۲۵")."""
        if self.language.calendar == "gregorian":
            return self.date(day, "long")
        return self.digits(format_date(day, format="long", locale=self.language.locale))

    def date_both(self, day: dt.date) -> str:
        """``day`` in full, with the Gregorian date beside it where the language's calendar
        is another ("۵ قوس ۱۴۰۴ (۲۶ نومبر ۲۰۲۵)"): for comparing with other sources."""
        if self.language.calendar == "gregorian":
            return self.date(day, "long")
        return f"{self.date(day, 'long')} ({self.gregorian(day)})"

    def month(self, day: dt.date) -> str:
        """The Gregorian month and year of ``day`` (the charts' and playback's bins), e.g.
        "Nov 2025", "нояб. 2025 г.", "ноябри 2025", "نومبر ۲۰۲۵"."""
        if self.language.months and self.language.calendar == "gregorian":
            return f"{self.language.months[day.month - 1]} {day.year}"
        return self.date(day, "LLL y")

    def iso(self, day: dt.date) -> str:
        """``day`` as an ISO date (the form links take), isolated in right-to-left text so it
        still reads 2025-11-26."""
        return self.isolate(day.isoformat())

    def isolate(self, text: str) -> str:
        """``text`` kept in its own direction inside this language's text (right to left:
        wrapped in an isolate; left to right: as it is)."""
        return f"{LRI}{text}{PDI}" if self.language.rtl else text

    def digits(self, text: str) -> str:
        """``text`` in the locale's own digits: Babel picks the separators of its default
        numbering system (Dari: ``arabext``) but always writes Latin digits."""
        return text.translate(self._digit_map) if self._digit_map else text

    def _symbols(self, text: str) -> str:
        """A number Babel formatted, with the signs and digits of the locale's default
        numbering system (Babel keeps ASCII ``-``, ``+`` and ``%``; Dari writes a
        left-to-right mark before its signs, so "−۴" is not shown as "۴-")."""
        if not self._digit_map:
            return text
        return self.digits(text.translate(self._sign_map))

    @property
    def dir(self) -> str:
        """The text direction: ``rtl`` or ``ltr``."""
        return "rtl" if self.language.rtl else "ltr"


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str = DEFAULT_LANG) -> Translator:
    """The (shared, immutable) translator of ``lang``; raises ValueError for an unknown one."""
    return Translator(lang)


#: English, for callers that name no language (exports, tests, the command line).
ENGLISH: Final = translator(DEFAULT_LANG)


def placeholders(message: str) -> set[str]:
    """The ``{placeholder}`` names in ``message``."""
    return set(PLACEHOLDER.findall(message))
