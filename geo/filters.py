"""Filtering incidents by date range, region, event type, actor group, dataset and distance; no
function here mutates its input."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from geo import provenance as pv
from geo import schema as s
from geo.proximity import BORDER_KM, within_km


@dataclass(frozen=True)
class IncidentFilter:
    """What the reader asked to see. Empty ``regions``/``types``/``actors`` mean all."""

    start: date
    end: date
    regions: tuple[str, ...] = field(default=())
    types: tuple[str, ...] = field(default=())
    within_km: float | None = None  # only incidents this close to the border
    actors: tuple[str, ...] = field(default=())  # incidents naming any of these groups
    #: incidents any of these datasets reports (``geo.provenance.PROVIDERS``)
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start > self.end:
            msg = (f"start ({self.start.isoformat()}) must not be after end "
                   f"({self.end.isoformat()})")
            raise ValueError(msg)
        unknown = [r for r in self.regions if r not in s.REGIONS]
        if unknown:
            msg = f"regions {unknown} are not ISO 3166-2 codes of mapped provinces: " \
                  + ", ".join(s.REGIONS)
            raise ValueError(msg)
        bad_types = [t for t in self.types if t not in s.EVENT_TYPES]
        if bad_types:
            msg = f"types {bad_types} are not event types: " + ", ".join(s.EVENT_TYPES)
            raise ValueError(msg)
        bad_actors = [a for a in self.actors if a not in s.ACTOR_GROUPS]
        if bad_actors:
            msg = f"actors {bad_actors} are not actor groups: " + ", ".join(s.ACTOR_GROUPS)
            raise ValueError(msg)
        bad_sources = [p for p in self.sources if p not in pv.PROVIDERS]
        if bad_sources:
            msg = f"sources {bad_sources} are not datasets: " + ", ".join(pv.PROVIDERS)
            raise ValueError(msg)

    @property
    def without_actors(self) -> IncidentFilter:
        """The same filter with no actor condition (the team store filters the rest in
        SQL; actor groups are read from the loaded frame)."""
        return replace(self, actors=())


def mask(frame: pd.DataFrame, flt: IncidentFilter) -> pd.Series:
    """Boolean Series: True for each incident that passes ``flt`` (dates inclusive)."""
    dates = frame[s.DATE]
    keep = (dates >= pd.Timestamp(flt.start)) & (dates <= pd.Timestamp(flt.end))
    if flt.regions:
        keep &= frame[s.REGION_CODE].isin(flt.regions)
    if flt.types:
        keep &= frame[s.EVENT_TYPE].isin(flt.types)
    if flt.actors:
        keep &= actor_mask(frame, flt.actors)
    if flt.sources:
        keep &= source_mask(frame, flt.sources)
    if flt.within_km is not None:
        if BORDER_KM not in frame:
            msg = "filtering by distance needs the border_km column (geo.proximity)"
            raise ValueError(msg)
        keep &= within_km(frame, flt.within_km)
    return keep


def actor_mask(frame: pd.DataFrame, actors: tuple[str, ...]) -> pd.Series:
    """True for each incident whose ``actors`` cell names any of ``actors``."""
    either = "|".join(a for a in s.ACTOR_GROUPS if a in actors)
    sep = s.ACTOR_SEPARATOR
    pattern = f"(?:^|{sep})(?:{either})(?:{sep}|$)"
    return frame[s.ACTORS].str.contains(pattern, regex=True).fillna(False).astype(bool)


def source_mask(frame: pd.DataFrame, sources: tuple[str, ...]) -> pd.Series:
    """True for each incident that any of ``sources`` reports: as its shown record, or
    merged into it (``also_reported``)."""
    own = frame[s.PROVIDER].fillna("").replace("", pv.CURATED) if s.PROVIDER in frame \
        else pd.Series(pv.CURATED, index=frame.index)
    keep = own.isin(sources)
    if s.ALSO_REPORTED in frame:
        pattern = "(?:^|;)(?:" + "|".join(sources) + "):"
        keep |= frame[s.ALSO_REPORTED].fillna("").str.contains(pattern, regex=True)
    return keep.fillna(False).astype(bool)


def apply(frame: pd.DataFrame, flt: IncidentFilter) -> pd.DataFrame:
    """The incidents that pass ``flt``, as a new frame (same type as ``frame``).

    Boolean indexing already copies the selected rows; a second copy would only cost
    memory per viewer.
    """
    keep = mask(frame, flt)
    return frame if keep.all() else frame.loc[keep]


def date_span(frame: pd.DataFrame) -> tuple[date, date] | None:
    """First and last incident date, or None for an empty frame."""
    if frame.empty:
        return None
    return frame[s.DATE].min().date(), frame[s.DATE].max().date()
