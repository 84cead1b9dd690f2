"""The one list of an incident's fields as readers see them: each field's label, how its
value is written, and where it shows (popup, compact popup, record, table).

The record panel, the detailed popup and the abridged (compact) popup draw their rows from
:data:`FIELDS`, in its order; the Data table names its column for each field shown there
(``tests/test_fields.py`` holds every list to this one). Adding a field is one entry here
plus its label's translations. Exports write the data format itself (``geo.schema``), not
a presentation of it; a new incident column is a recipe in ``docs/CONTRIBUTING.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import pandas as pd

from geo import provenance as pv
from geo import schema as s
from geo.i18n import N_, Translator
from geo.proximity import BORDER_KM, CROSS_BORDER, distance_text

#: The places a field can show.
PLACES: Final = frozenset({"popup", "compact", "record", "table"})


@dataclass(frozen=True)
class Field:
    """One field of an incident as readers see it."""

    key: str  #: a stable name (the popup's row key)
    label: str  #: English, marked for the catalogs (``N_``); translated where shown
    value: Callable[[pd.Series, Translator], str]  #: the text shown; "" leaves the row out
    where: frozenset[str]  #: a subset of :data:`PLACES`
    table: str = ""  #: the Data table's column for it, if it is shown there
    #: The incident column (or columns) the value is made from, if known: a whole column
    #: of values is then written once per distinct value (:meth:`column`).
    depends: str | tuple[str, ...] = ""

    def __post_init__(self) -> None:
        unknown = self.where - PLACES
        if unknown:
            msg = f"where must be a subset of {sorted(PLACES)}; got {sorted(unknown)}"
            raise ValueError(msg)

    def row(self, incident: pd.Series, _: Translator) -> tuple[str, str]:
        """(label, value) in the language of ``_``."""
        return _(self.label), self.value(incident, _)

    def column(self, frame: pd.DataFrame, _: Translator) -> list[str]:
        """The value for every row of ``frame`` (canvas markers: thousands of rows)."""
        if not self.depends:
            return [self.value(row, _) for _i, row in frame.iterrows()]
        if isinstance(self.depends, str):
            name = self.depends
            return each_distinct(frame[name], lambda v: self.value(pd.Series({name: v}), _))
        names = self.depends
        keys = pd.Series(list(zip(*(frame[c] for c in names), strict=True)), index=frame.index,
                         dtype=object)
        return each_distinct(keys, lambda v: self.value(pd.Series(dict(zip(
            names, cast(tuple, v), strict=True))), _))


def _text(column: str) -> Callable[[pd.Series, Translator], str]:
    """A field of the data's own words, shown as written."""
    return lambda row, _: s.cell_text(row.get(column))


def _count(column: str) -> Callable[[pd.Series, Translator], str]:
    """A reported figure; a missing one says so rather than 0."""
    def value(row: pd.Series, _: Translator) -> str:
        number = row.get(column)
        return _("not reported") if number is None or pd.isna(number) else _.num(int(number))
    return value


def _date(row: pd.Series, _: Translator) -> str:
    precision = _(s.DATE_PRECISIONS[row[s.DATE_PRECISION]])
    return f"{_.date_both(row[s.DATE].date())} ({precision})"


def _point(row: pd.Series, _: Translator) -> str:
    return _("no point known") if pd.isna(row[s.LAT]) else \
        f"{row[s.LAT]:.5f}, {row[s.LON]:.5f}"


def _origin(row: pd.Series, _: Translator) -> str:
    point = "" if pd.isna(row.get(s.ORIGIN_LAT)) else \
        f" ({row[s.ORIGIN_LAT]:.5f}, {row[s.ORIGIN_LON]:.5f})"
    return s.cell_text(row.get(s.ORIGIN)) + point


def _cross(row: pd.Series, _: Translator) -> str:
    value = row.get(CROSS_BORDER)
    if value is None or pd.isna(value):
        return ""
    return _("yes: attackers reported to come from the other side") if bool(value) else \
        _("no: origin reported on the same side")


def actor_labels(cell: str, _: Translator) -> str:
    """An ``actors`` cell as the reader's labels, e.g. "Taliban; Tajik border and security
    forces" (the record's field and the Data table's column)."""
    return "; ".join(_(s.ACTOR_GROUPS[c].label) for c in s.actor_codes(cell))


def each_distinct(values: pd.Series, write: Callable[[object], str]) -> list[str]:
    """``write`` of every value in ``values``, called once per distinct value (a column of
    thousands of markers holds few distinct figures or days)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return np.array([write(v) for v in distinct] + [""], dtype=object)[codes].tolist()


def _actors(row: pd.Series, _: Translator) -> str:
    return actor_labels(s.cell_text(row.get(s.ACTORS)), _)


def _dataset(row: pd.Series, _: Translator) -> str:
    return {s.BUNDLED: _("Bundled"), s.YOURS: _("Your data (this session only)")}.get(
        s.cell_text(row.get(s.DATASET)), "")


def _reported(row: pd.Series, _: Translator) -> str:
    """The datasets that report the incident, the shown record's first."""
    own = pv.provider_of(row.get(s.PROVIDER))
    try:
        also = pv.parse_reported(s.cell_text(row.get(s.ALSO_REPORTED)))
    except ValueError:
        also = []
    names = [pv.PROVIDERS[own].name(_)]
    names += [n for r in also if (n := pv.PROVIDERS[r.provider].name(_)) not in names]
    return "; ".join(names)


def _review(row: pd.Series, _: Translator) -> str:
    return _("not yet reviewed by a curator") if s.cell_text(row.get(s.REVIEWED)) == "no" \
        else ""


def _figures(row: pd.Series, _: Translator) -> str:
    try:
        return pv.figures_side_by_side(row, _)
    except ValueError:
        return ""


def _terms(row: pd.Series, _: Translator) -> str:
    provider = pv.PROVIDERS[pv.provider_of(row.get(s.PROVIDER))]
    return _("{dataset}'s terms: {url}", dataset=provider.name(_), url=provider.terms_url)


def _confidence(row: pd.Series, _: Translator) -> str:
    code = row[s.CONFIDENCE]
    return f"{_(s.CONFIDENCE_LABELS[code])}: {_(s.CONFIDENCES[code])}"


POPUP, RECORD = frozenset({"popup", "record"}), frozenset({"record"})
EVERYWHERE = frozenset({"popup", "record", "table"})

#: Every field of an incident, in the order readers see them.
FIELDS: Final[tuple[Field, ...]] = (
    Field("killed", N_("Killed"), _count(s.FATALITIES), EVERYWHERE | {"compact"}, "Killed",
          depends=s.FATALITIES),
    Field("injured", N_("Injured"), _count(s.INJURED), EVERYWHERE | {"compact"}, "Injured",
          depends=s.INJURED),
    Field("victims", N_("Victims"), _text(s.VICTIMS), EVERYWHERE, "Victims"),
    Field("blamed", N_("Blamed (by whom)"), _text(s.PERPETRATOR), EVERYWHERE,
          "Blamed (by whom)"),
    Field("actors", N_("Actors"), _actors, RECORD | {"table"}, "Actors"),
    Field("origin", N_("Attackers from"), _origin, EVERYWHERE, "Attackers from"),
    Field("date", N_("Date"), _date, RECORD | {"table"}, "Date"),
    Field("time", N_("Time (local)"), _text(s.TIME_LOCAL), EVERYWHERE, "Time"),
    Field("region", N_("Region"), lambda row, _: s.region_option(row[s.REGION_CODE], _),
          RECORD | {"table"}, "Region"),
    Field("district", N_("District"), _text(s.DISTRICT), RECORD | {"table"},
          "District"),
    Field("location", N_("Location"), _text(s.LOCATION), RECORD | {"table"},
          "Location"),
    Field("point", N_("Point"), _point, POPUP),
    Field("precision", N_("Location precision"),
          lambda row, _: _(s.GEO_PRECISIONS[int(row[s.GEO_PRECISION])]), EVERYWHERE,
          "Location precision"),
    Field("border", N_("To the border"), lambda row, _: distance_text(row.get(BORDER_KM), _),
          EVERYWHERE, "To the border (km)"),
    Field("cross", N_("Cross-border"), _cross, EVERYWHERE, "Cross-border"),
    Field("confidence", N_("Confidence"), _confidence, EVERYWHERE, "Confidence"),
    Field("summary", N_("Summary"), _text(s.SUMMARY), RECORD | {"table"},
          "Summary"),
    Field("notes", N_("Notes"), _text(s.NOTES), RECORD | {"table"}, "Notes"),
    Field("dataset", N_("Dataset"), _dataset, RECORD | {"table"}, "Dataset"),
    Field("reported", N_("Reported by"), _reported, EVERYWHERE, "Reported by",
          depends=(s.PROVIDER, s.ALSO_REPORTED)),
    Field("review", N_("Review"), _review, EVERYWHERE | {"compact"}, "Review",
          depends=s.REVIEWED),
    Field("figures", N_("Each dataset's figures"), _figures, RECORD | {"table"},
          "Each dataset's figures"),
    Field("terms", N_("Terms"), _terms, RECORD | {"table"}, "Terms", depends=s.PROVIDER),
    Field("id", N_("Incident ID"), lambda row, _: str(row[s.ID]),
          EVERYWHERE | {"compact"}, "ID", depends=s.ID),
)


def shown_in(place: str) -> tuple[Field, ...]:
    """The fields shown in ``place`` (one of :data:`PLACES`), in order."""
    if place not in PLACES:
        msg = f"place must be one of {sorted(PLACES)}; got {place!r}"
        raise ValueError(msg)
    return tuple(f for f in FIELDS if place in f.where)


def rows(incident: pd.Series, place: str, _: Translator) -> list[tuple[str, str]]:
    """``incident``'s (label, value) rows for ``place``, leaving out empty values."""
    return [pair for f in shown_in(place) if (pair := f.row(incident, _))[1]]
