"""The incident format: column names, allowed values, labels and help, sources and typing.

Everything that reads, writes, filters or shows incidents takes its column names and
vocabularies from here; checking a table against them is ``geo.validate``'s job.

About 420 lines: the columns and every vocabulary a reader can filter by (regions, types,
actor groups, precisions) stay in one place, as ``data/README.md`` documents them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final, Literal

import numpy as np
import pandas as pd

from geo.i18n import N_, Translator

# --- column names -----------------------------------------------------------------------
ID: Final = "id"
DATE: Final = "date"
DATE_PRECISION: Final = "date_precision"
TIME_LOCAL: Final = "time_local"
COUNTRY: Final = "country"
REGION_CODE: Final = "region_code"
DISTRICT: Final = "district"
LOCATION: Final = "location"
LAT: Final = "lat"
LON: Final = "lon"
GEO_PRECISION: Final = "geo_precision"
EVENT_TYPE: Final = "event_type"
ORIGIN: Final = "origin"
ORIGIN_LAT: Final = "origin_lat"
ORIGIN_LON: Final = "origin_lon"
FATALITIES: Final = "fatalities"
INJURED: Final = "injured"
VICTIMS: Final = "victims"
PERPETRATOR: Final = "perpetrator"
SUMMARY: Final = "summary"
SOURCES: Final = "sources"
CONFIDENCE: Final = "confidence"
NOTES: Final = "notes"
GAZETTEER_ID: Final = "gazetteer_id"
ACTORS: Final = "actors"
# whose record a row is, and how the datasets' records of one incident were merged
# (geo.provenance owns their values, geo.merge the rule that fills them)
PROVIDER: Final = "provider"
PROVIDER_ID: Final = "provider_id"
FATALITIES_LOW: Final = "fatalities_low"
FATALITIES_HIGH: Final = "fatalities_high"
ALSO_REPORTED: Final = "also_reported"
MERGED_INTO: Final = "merged_into"
REVIEWED: Final = "reviewed"
WITHDRAWN: Final = "withdrawn"

#: The columns of ``data/incidents.csv``, in file order. Keep these names stable.
COLUMNS: Final[tuple[str, ...]] = (
    ID, DATE, DATE_PRECISION, TIME_LOCAL, COUNTRY, REGION_CODE, DISTRICT, LOCATION,
    LAT, LON, GEO_PRECISION, EVENT_TYPE, ORIGIN, ORIGIN_LAT, ORIGIN_LON, FATALITIES,
    INJURED, VICTIMS, PERPETRATOR, SUMMARY, SOURCES, CONFIDENCE, NOTES, GAZETTEER_ID, ACTORS,
    PROVIDER, PROVIDER_ID, FATALITIES_LOW, FATALITIES_HIGH, ALSO_REPORTED, MERGED_INTO,
    REVIEWED, WITHDRAWN,
)
#: The columns synced and merged rows add (geo.provenance, geo.merge); curated files
#: leave them out.
PROVENANCE_COLUMNS: Final[tuple[str, ...]] = (
    PROVIDER, PROVIDER_ID, FATALITIES_LOW, FATALITIES_HIGH, ALSO_REPORTED, MERGED_INTO,
    REVIEWED, WITHDRAWN)
#: Columns a file may leave out (files made before they existed); read as empty.
OPTIONAL_COLUMNS: Final[frozenset[str]] = frozenset({GAZETTEER_ID, ACTORS,
                                                     *PROVENANCE_COLUMNS})
#: ``gazetteer_id`` names a GeoNames point as ``geonames:<geonameid>`` (see geo.gazetteer).
GAZETTEER_PREFIX: Final = "geonames:"

#: Not a file column: set on loaded frames to tell the bundled incidents from a reader's
#: uploaded ones ("bundled" or "yours").
DATASET: Final = "dataset"
BUNDLED: Final = "bundled"
YOURS: Final = "yours"

#: ``reviewed``: empty (curated rows) or "yes" when a curator has checked the row, "no"
#: for a synced record no curator has looked at yet (readers see it marked).
REVIEWED_VALUES: Final = ("", "yes", "no")

#: Columns that may not be empty.
REQUIRED: Final[frozenset[str]] = frozenset(
    {ID, DATE, DATE_PRECISION, COUNTRY, REGION_CODE, GEO_PRECISION, EVENT_TYPE, SUMMARY,
     SOURCES, CONFIDENCE}
)

#: Free-text columns and the longest value accepted in each.
TEXT_COLUMNS: Final[tuple[str, ...]] = (
    DISTRICT, LOCATION, ORIGIN, VICTIMS, PERPETRATOR, SUMMARY, SOURCES, NOTES, WITHDRAWN,
)
MAX_TEXT_CHARS: Final = 4000

# --- vocabularies -----------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A province on the border, keyed by its ISO 3166-2 code."""

    code: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    country_name: str

    def label(self, _: Translator) -> str:
        """The name a reader sees, with the country: "Badakhshan" exists on both sides."""
        return _("{name} ({country})", name=_(self.name), country=_(self.country_name))


#: The provinces the dashboard maps, keyed by ISO 3166-2 code. Never key them by name.
REGIONS: Final[dict[str, Region]] = {
    r.code: r
    for r in (
        Region("TJ-KT", N_("Khatlon"), "TJ", N_("Tajikistan")),
        Region("TJ-GB", N_("Gorno-Badakhshan"), "TJ", N_("Tajikistan")),
        Region("AF-BDS", N_("Badakhshan"), "AF", N_("Afghanistan")),
        Region("AF-TAK", N_("Takhar"), "AF", N_("Afghanistan")),
        Region("AF-KDZ", N_("Kunduz"), "AF", N_("Afghanistan")),
        Region("AF-BAL", N_("Balkh"), "AF", N_("Afghanistan")),
    )
}

COUNTRIES: Final[dict[str, str]] = {"TJ": N_("Tajikistan"), "AF": N_("Afghanistan")}


@dataclass(frozen=True)
class EventType:
    """One value of the controlled ``event_type`` vocabulary."""

    code: str
    label: str
    help: str
    color: str  # marker colour on the map (colour-blind-safe palette, Okabe–Ito)


EVENT_TYPES: Final[dict[str, EventType]] = {
    t.code: t
    for t in (
        EventType("armed_clash", N_("Armed clash"),
                  N_("Exchange of fire between border forces and armed smugglers, militants "
                     "or the other side's forces."), "#D55E00"),
        EventType("incursion", N_("Armed incursion"),
                  N_("Armed men cross the border and are intercepted or killed."), "#CC79A7"),
        EventType("cross_border_attack", N_("Cross-border attack"),
                  N_("An attack launched from across the border on people or a site, such as "
                     "foreign workers' camps."), "#B2182B"),
        EventType("remote_violence", N_("Remote violence"),
                  N_("Rockets, shelling, drones or other fire from a distance."), "#E69F00"),
        EventType("violence_against_civilians", N_("Violence against civilians"),
                  N_("Civilians deliberately killed or hurt at or near the border."),
                  "#0072B2"),
        EventType("resource_clash", N_("Mining or resource clash"),
                  N_("Violence over gold mining, water or land in a border district."),
                  "#009E73"),
        EventType("troop_flight", N_("Offensive and troop flight"),
                  N_("A border district or crossing taken in an offensive, with troops "
                     "fleeing across the border."), "#56B4E9"),
        EventType("district_fighting", N_("Fighting in a border district"),
                  N_("Armed forces and armed groups fight over an Afghan district that "
                     "touches the border (the 2020–2021 offensive, later resistance raids), "
                     "away from the border line itself."), "#999933"),
        EventType("other", N_("Other (imported)"),
                  N_("Riots, protests, strategic developments and other categories of "
                     "imported data that this vocabulary does not cover."), "#8C8C8C"),
    )
}


@dataclass(frozen=True)
class ActorGroup:
    """A group of actors a reader can filter by (``?actor=``)."""

    code: str
    label: str
    help: str
    #: Words that name the group in ``perpetrator``/``victims`` text, as a lower-case
    #: regular expression (no ``\\b``, ``\\s`` or ``\\d``, so it runs in RE2 on Arrow
    #: strings); used only for rows whose ``actors`` cell is empty (see derive_actors).
    words: str


#: The actor groups, in the order lists show them. A row's ``actors`` cell names the groups
#: its sources say took part, as perpetrators or victims (codes joined by commas); where it
#: is empty (imports, older files) the groups come from the words in ``perpetrator`` and
#: ``victims``, which can over- or under-count: code the cell to say it exactly.
ACTOR_GROUPS: Final[dict[str, ActorGroup]] = {
    g.code: g
    for g in (
        ActorGroup("taliban", N_("Taliban"), N_("The Taliban movement, and its government "
                                                 "and forces since August 2021."),
                   "taliban|islamic emirate|of afghanistan [(]2021-"),
        ActorGroup("afghan_republic", N_("Afghan republic forces"),
                   N_("The army, police and uprising militias of the Afghan republic, until "
                      "August 2021."),
                   "afghan government|government (?:soldiers|troops|forces|servicemen)|"
                   "security forces? members|public uprising|uprising (?:forces|militia)|"
                   "border policeman|of afghanistan [(](?:2004|2014)-2021"),
        ActorGroup("resistance", N_("Anti-Taliban resistance"),
                   N_("Armed groups fighting the Taliban government since 2021, such as the "
                      "National Resistance Front."),
                   "national resistance front|afghanistan freedom front|[^a-z]nrf[^a-z]"),
        ActorGroup("tajik_forces", N_("Tajik border and security forces"),
                   N_("Tajikistan's border troops, army and security service (SCNS)."),
                   "tajik (?:border|military|security|forces|officer)|border troops|"
                   "border guard|of tajikistan"),
        ActorGroup("militants", N_("Militant groups"),
                   N_("Named militant groups, such as Islamic State Khorasan and Jamaat "
                      "Ansarullah, and those officials call terrorist."),
                   "islamic state|iskp|is-k|ansarullah|terroris|militant"),
        ActorGroup("armed_unidentified", N_("Unidentified armed men"),
                   N_("Armed men or groups that no source identifies."),
                   "unidentified|unknown (?:armed|gunmen)|armed men|armed group|gunmen|"
                   "intruders?[^a-z]"),
        ActorGroup("smugglers", N_("Smugglers and traffickers"),
                   N_("People carrying drugs or other goods across the border illegally."),
                   "smuggl|traffick"),
        ActorGroup("civilians", N_("Civilians"),
                   N_("Residents, workers, refugees and other people who bear no arms."),
                   "civilian|resident|villager|refugee|worker|employee|businessman|miners|"
                   "[^a-z](?:man|woman|child|children)[^a-z]"),
        ActorGroup("chinese", N_("Chinese nationals and firms"),
                   N_("Chinese workers, managers and companies in the border districts."),
                   "chinese"),
    )
}
#: Separates the codes in an ``actors`` cell.
ACTOR_SEPARATOR: Final = ","

DATE_PRECISIONS: Final[dict[str, str]] = {
    "day": N_("the day is known"),
    "week": N_("known to within about a week"),
    "month": N_("known to the month only"),
    "year": N_("known to the year only"),
}

GEO_PRECISIONS: Final[dict[int, str]] = {
    1: N_("the named site or village"),
    2: N_("district centre (the site is somewhere in the district)"),
    3: N_("province (no better location reported)"),
}

CONFIDENCES: Final[dict[str, str]] = {
    "high": N_("several independent or official sources agree"),
    "medium": N_("one good source, or sources disagree on details"),
    "low": N_("a single weak source, or the date or year is uncertain"),
    "unrated": N_("not assessed: imported from another dataset"),
}
#: The confidence values as words (the codes are the file's).
CONFIDENCE_LABELS: Final[dict[str, str]] = {
    "high": N_("high"), "medium": N_("medium"), "low": N_("low"), "unrated": N_("unrated"),
}

#: ``region_code`` of an imported incident whose point lies in none of the mapped
#: provinces: kept and shown under "all regions", flagged in the import report.
OUTSIDE_REGION: Final = "outside"
OUTSIDE_LABEL: Final = N_("Outside the mapped provinces")


def region_label(code: str, _: Translator) -> str:
    """The reader's name for a region code, with its country."""
    region = REGIONS.get(code)
    return region.label(_) if region else _(OUTSIDE_LABEL)


def region_option(code: str, _: Translator) -> str:
    """A region as lists and tables show it: its name, then its ISO code."""
    return f"{region_label(code, _)} · {code}"

#: Largest casualty count accepted in one row; anything larger is a typo or an attack.
MAX_COUNT: Final = 100_000
#: Earliest date accepted.
MIN_DATE: Final = date(1990, 1, 1)

#: The time zone where each calendar day begins first (the Line Islands, UTC+14).
_EARLIEST_ZONE: Final = timezone(timedelta(hours=14))


def service_today() -> date:
    """The latest calendar date anywhere on Earth: the one "today" that the loader and
    every replica agree on, whatever the time zone each machine runs in. An incident
    dated today in Dushanbe (UTC+5) or Kabul (UTC+4:30) is never "in the future" to a
    replica running in UTC, which once rejected such a row and showed nothing at all."""
    return datetime.now(_EARLIEST_ZONE).date()


SOURCE_SEPARATOR: Final = " | "
#: A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_SOURCE_RE = re.compile(
    r"^(?P<outlet>.+?), (?P<date>\d{4}-\d{2}-\d{2}|n\.d\.), (?P<url>\S+)$"
)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# --- sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One cited report: outlet, publication date (None when the page showed none), URL."""

    outlet: str
    published: str | None
    url: str


def parse_sources(text: str) -> list[Source]:
    """Split a ``sources`` cell into its reports.

    Parameters
    ----------
    text
        One or more ``Outlet, YYYY-MM-DD, URL`` separated by `` | ``; ``n.d.`` stands for
        an unknown publication date.

    Returns
    -------
    list of Source

    Raises
    ------
    ValueError
        Naming the part that does not fit and what is expected.
    """
    sources: list[Source] = []
    for part in (p.strip() for p in text.split(SOURCE_SEPARATOR.strip())):
        if not part:
            continue
        m = _SOURCE_RE.match(part)
        if m is None:
            msg = f"source {part[:80]!r} is not 'Outlet, YYYY-MM-DD, URL' (or 'n.d.' for the date)"
            raise ValueError(msg)
        url = m["url"]
        if not is_http_url(url):
            msg = (f"source URL {url[:80]!r} must be an http:// or https:// address with no "
                   "spaces, quotes or angle brackets")
            raise ValueError(msg)
        published = None if m["date"] == "n.d." else m["date"]
        if published is not None and _parse_day(published) is None:
            msg = f"source date {published!r} is not a real calendar date"
            raise ValueError(msg)
        sources.append(Source(m["outlet"].strip(), published, url))
    if not sources:
        msg = "at least one source is required"
        raise ValueError(msg)
    return sources


def cell_text(value: object) -> str:
    """A cell as the reader sees it: missing (None, NaN, NA) is the empty string."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def is_valid_id(text: str) -> bool:
    """True for a well-formed incident id (see the ``id`` column)."""
    return bool(_ID_RE.fullmatch(text))


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no spaces or quotes."""
    return bool(re.match(r"^https?://[^\s/\"'<>]+(/[^\s\"'<>]*)?$", url))


# --- typing helpers and actor codes ---------------------------------------------------


def _parse_day(text: str) -> date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


Severity = Literal["error", "warning"]


def derive_actors(perpetrator: pd.Series, victims: pd.Series) -> pd.Series:
    """The actor groups whose words (``ActorGroup.words``) appear in each row's
    ``perpetrator`` or ``victims`` text, as an ``actors`` cell (codes joined by commas,
    empty when none is named)."""
    text = " " + perpetrator.str.lower() + " | " + victims.str.lower() + " "
    out = pd.Series("", index=perpetrator.index, dtype=object)
    for code, group in ACTOR_GROUPS.items():
        named = text.str.contains(group.words, regex=True).fillna(False).to_numpy(bool)
        out[named] = out[named] + ACTOR_SEPARATOR + code
    return out.str.lstrip(ACTOR_SEPARATOR)


def actor_codes(cell: str) -> list[str]:
    """The codes of one ``actors`` cell, in the order ``ACTOR_GROUPS`` lists them."""
    given = set(cell.split(ACTOR_SEPARATOR)) if cell else set()
    return [code for code in ACTOR_GROUPS if code in given]


def with_optional_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every missing optional column added, empty (a copy when any is)."""
    absent = [col for col in COLUMNS if col in OPTIONAL_COLUMNS and col not in table.columns]
    return table.assign(**dict.fromkeys(absent, "")) if absent else table


def parse_days(text: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` strings as timestamps; NaT where the text is not a real calendar day.

    Days outside pandas' timestamp range (before 1677 or after 2262) are NaT as well.
    """
    shaped = text.str.fullmatch(_DATE_RE.pattern).fillna(False).astype(bool)
    return pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")


def parse_degrees(text: pd.Series) -> pd.Series:
    """Decimal degrees as floats; NaN where the text is empty, not a number, or not finite."""
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    return values.where(np.isfinite(values))
