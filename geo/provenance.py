"""Whose data each incident is: the datasets rows come from, their terms, and the cell that
lists the other datasets' records of a merged incident, with their own figures.

A row's ``provider`` names its dataset: ``curated`` (ours, empty in older files), ``acled``
or ``ucdp``. When several datasets report one incident (``geo.merge``), one row is shown
and its ``also_reported`` cell keeps each other record's id and figures, written
``acled:TJK1234=3;ucdp:567890=4/3-5`` (deaths, then UCDP's low-high range when given).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from geo import schema as s
from geo.i18n import N_, Translator

CURATED: Final = "curated"
ACLED: Final = "acled"
UCDP: Final = "ucdp"
#: ``PANJ_EXPORT_ALL_SOURCES=1`` says this deployment may pass on every dataset's rows in
#: bulk (it holds a licence that allows it); otherwise rows whose terms forbid it are left
#: out of bulk exports.
EXPORT_ALL_ENV: Final = "PANJ_EXPORT_ALL_SOURCES"


@dataclass(frozen=True)
class Provider:
    """A dataset incidents come from, and the terms its rows carry."""

    code: str
    label: str
    terms: str
    terms_url: str
    #: May its rows be passed on in bulk (downloads, the standalone map)?
    redistributable: bool
    #: Why its figure is the one counted when it is the shown record of a merged incident.
    counted_because: str

    def name(self, _: Translator) -> str:
        return _(self.label)


#: The datasets, in the order a merged incident picks the record it shows (and counts).
PROVIDERS: Final[dict[str, Provider]] = {
    p.code: p
    for p in (
        Provider(CURATED, N_("Panj Border Watch (curated)"),
                 N_("Our own coding of public reports, each row citing them; published with "
                    "this project under its MIT licence."),
                 "https://opensource.org/license/mit", True,
                 N_("our curated figure, read against the official statements and reports "
                    "the row cites")),
        Provider(UCDP, N_("UCDP GED"),
                 N_("Uppsala Conflict Data Program, Georeferenced Event Dataset: public and "
                    "free of charge; cite UCDP and the GED version."),
                 "https://ucdp.uu.se/downloads/", True,
                 N_("UCDP's best estimate, coded from several reports, with its low and high "
                    "estimates beside it")),
        Provider(ACLED, N_("ACLED"),
                 N_("Armed Conflict Location & Event Data: its terms of use forbid giving "
                    "others direct access to its data, and require ACLED to be credited "
                    "wherever its data is shown."),
                 "https://acleddata.com/terms-of-use/", False,
                 N_("ACLED's figure (ACLED records the most conservative reported count)")),
    )
}

_ENTRY_RE = re.compile(r"^(?P<provider>[a-z]+):(?P<id>[A-Za-z0-9._-]{1,64})="
                       r"(?P<best>\d{0,6})(?:/(?P<low>\d{0,6})-(?P<high>\d{0,6}))?$")
ENTRY_SEPARATOR: Final = ";"


@dataclass(frozen=True)
class Report:
    """Another dataset's record of an incident: its id and its own figures."""

    provider: str
    id: str
    deaths: int | None
    low: int | None = None
    high: int | None = None

    def cell(self) -> str:
        def num(v: int | None) -> str:
            return "" if v is None else str(v)
        rng = f"/{num(self.low)}-{num(self.high)}" if (self.low, self.high) != (None, None) \
            else ""
        return f"{self.provider}:{self.id}={num(self.deaths)}{rng}"


def provider_of(cell: object) -> str:
    """A ``provider`` cell's dataset: empty (older files) is ours."""
    return s.cell_text(cell) or CURATED


def parse_reported(cell: str) -> list[Report]:
    """The records an ``also_reported`` cell lists; raises ValueError naming the bad entry."""
    out = []
    for part in filter(None, (p.strip() for p in cell.split(ENTRY_SEPARATOR))):
        m = _ENTRY_RE.match(part)
        if m is None or m["provider"] not in PROVIDERS:
            msg = (f"entry {part[:80]!r} is not 'dataset:id=deaths' (or "
                   f"'ucdp:id=best/low-high') with a dataset among {', '.join(PROVIDERS)}")
            raise ValueError(msg)
        out.append(Report(m["provider"], m["id"], *(
            int(m[k]) if m[k] else None for k in ("best", "low", "high"))))
    return out


def reported_cell(reports: Iterable[Report]) -> str:
    return ENTRY_SEPARATOR.join(r.cell() for r in reports)


def reported_by(provider: pd.Series, also: pd.Series) -> pd.Series:
    """Each row's datasets as a set of codes: its own and those of ``also_reported``."""
    own = provider.fillna("").replace("", CURATED)
    others = also.fillna("").str.findall(r"(?:^|;)([a-z]+):")
    return pd.Series([frozenset([p, *o]) for p, o in zip(own, others, strict=True)],
                     index=provider.index, dtype=object)


def _count(n: int | None, _: Translator) -> str:
    return _("not given") if n is None else _.num(n)


def figure_text(provider: str, deaths: int | None, low: int | None, high: int | None,
                _: Translator) -> str:
    """One dataset's figure as a reader sees it: "UCDP GED: best 4 (low 3, high 5)"."""
    name = PROVIDERS[provider].name(_)
    if low is not None or high is not None:
        return _("{dataset}: best {best} (low {low}, high {high})", dataset=name,
                 best=_count(deaths, _), low=_count(low, _), high=_count(high, _))
    return _("{dataset}: {n} killed", dataset=name, n=_count(deaths, _))


def figures_side_by_side(row: pd.Series | dict, _: Translator) -> str:
    """Every dataset's own death figure for one shown incident, the shown record's first,
    and which one the map counts and why; empty when only one dataset reports it."""
    also = parse_reported(s.cell_text(row.get(s.ALSO_REPORTED)))
    if not also:
        return ""
    own = provider_of(row.get(s.PROVIDER))

    def num(key: str) -> int | None:
        v = row.get(key)
        return None if v is None or pd.isna(v) or v == "" else int(v)

    parts = [figure_text(own, num(s.FATALITIES), num(s.FATALITIES_LOW),
                         num(s.FATALITIES_HIGH), _)]
    parts += [figure_text(r.provider, r.deaths, r.low, r.high, _) for r in also]
    return _("{figures}. The map counts {which}.", figures=" · ".join(parts),
             which=_(PROVIDERS[own].counted_because))


def credit(frame: pd.DataFrame, _: Translator) -> str:
    """The credit a map or figure of ``frame`` owes other datasets (ACLED's terms require
    one on every visual of its data); empty when every record is ours."""
    if not len(frame) or s.PROVIDER not in frame:
        return ""
    used = set(frame[s.PROVIDER].fillna("").replace("", CURATED).unique())
    if s.ALSO_REPORTED in frame:
        used |= {p for cell in frame[s.ALSO_REPORTED].fillna("").unique()
                 for p in re.findall(r"(?:^|;)([a-z]+):", cell)}
    others = [p for p in PROVIDERS if p in used and p != CURATED]
    if not others:
        return ""
    return _("Incident data also from: {datasets} (each under its own terms; see About).",
             datasets=", ".join(PROVIDERS[p].name(_) for p in others))


def primary_order(provider: str) -> int:
    """Where a dataset stands when a merged incident picks the record to show."""
    return list(PROVIDERS).index(provider)


def export_all() -> bool:
    """True when the deployment says every dataset's rows may go out in bulk."""
    return os.environ.get(EXPORT_ALL_ENV, "").strip() == "1"


@dataclass(frozen=True)
class Withheld:
    """What a bulk export left out under the datasets' terms."""

    rows: dict[str, int]  #: shown rows left out, per dataset
    mentions: dict[str, int]  #: records named in ``also_reported``, removed, per dataset

    def __bool__(self) -> bool:
        return bool(self.rows or self.mentions)

    def text(self, _: Translator) -> str:
        parts = []
        for code, n in self.rows.items():
            name = PROVIDERS[code].name(_)
            parts.append(_.ngettext("{n} incident from {dataset}",
                                    "{n} incidents from {dataset}", n, dataset=name))
        for code, n in self.mentions.items():
            name = PROVIDERS[code].name(_)
            parts.append(_.ngettext(
                "{dataset}'s figures for {n} incident that other datasets also report",
                "{dataset}'s figures for {n} incidents that other datasets also report", n,
                dataset=name))
        return _("Left out of this download under the datasets' terms: {what}. Their "
                 "records stay on the map and in the table; see About for each dataset's "
                 "terms.", what="; ".join(parts))


#: The datasets whose terms forbid passing their rows on in bulk.
CLOSED: Final = tuple(p for p, v in PROVIDERS.items() if not v.redistributable)


def _everything_goes(frame: pd.DataFrame, allow_all: bool | None) -> bool:
    return (export_all() if allow_all is None else allow_all) or s.PROVIDER not in frame


def withheld_rows(frame: pd.DataFrame, *, allow_all: bool | None = None) -> np.ndarray:
    """True for each row whose dataset's terms forbid passing it on in bulk."""
    if _everything_goes(frame, allow_all):
        return np.zeros(len(frame), dtype=bool)
    return frame[s.PROVIDER].isin(CLOSED).to_numpy(dtype=bool)


def redistributable(frame: pd.DataFrame, *, allow_all: bool | None = None
                    ) -> tuple[pd.DataFrame, Withheld]:
    """The rows of ``frame`` its datasets' terms let us pass on in bulk, and what was left
    out: rows from a dataset that forbids it, and that dataset's figures in the other
    rows' ``also_reported``. ``allow_all`` (default: ``PANJ_EXPORT_ALL_SOURCES``) keeps
    everything."""
    if _everything_goes(frame, allow_all):
        return frame, Withheld({}, {})
    drop = withheld_rows(frame, allow_all=False)
    own = frame[s.PROVIDER]
    rows = {p: int((own == p).sum()) for p in CLOSED if (own == p).any()}
    cells = frame[s.ALSO_REPORTED].fillna("").astype(str) if s.ALSO_REPORTED in frame \
        else pd.Series("", index=frame.index)
    named = {p: cells.str.contains(f"{p}:", regex=False).to_numpy() & ~drop for p in CLOSED}
    mentions = {p: int(has.sum()) for p, has in named.items() if has.any()}
    if not rows and not mentions:  # nothing to leave out: the frame as it is, not a copy
        return frame, Withheld({}, {})
    kept = frame[~drop].copy()
    if mentions:
        kept[s.ALSO_REPORTED] = kept[s.ALSO_REPORTED].fillna("").astype(str).map(
            lambda c: reported_cell(r for r in parse_reported(c) if r.provider not in CLOSED)
            if c else c)
    return kept, Withheld(rows, mentions)
