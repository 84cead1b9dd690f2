"""Headline figures and time series for a set of incidents; every figure is checkable from rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from geo import schema as s


@dataclass(frozen=True)
class Headline:
    """The figures shown above the map."""

    incidents: int
    killed: int
    injured: int
    killed_unreported: int  # incidents with no fatality figure (not counted as 0)
    injured_unreported: int
    unlocated: int  # incidents with no point on the map
    first: date | None
    last: date | None
    cross_border: int = 0  # attackers reported to have come from the other side


def headline(frame: pd.DataFrame) -> Headline:
    """Count incidents and sum reported casualties; unknown figures are counted apart."""
    if frame.empty:
        return Headline(0, 0, 0, 0, 0, 0, None, None)
    return Headline(
        incidents=len(frame),
        killed=int(frame[s.FATALITIES].sum(skipna=True)),
        injured=int(frame[s.INJURED].sum(skipna=True)),
        killed_unreported=int(frame[s.FATALITIES].isna().sum()),
        injured_unreported=int(frame[s.INJURED].isna().sum()),
        unlocated=int(frame[s.LAT].isna().sum()),
        first=frame[s.DATE].min().date(),
        last=frame[s.DATE].max().date(),
        cross_border=int(frame["cross_border"].fillna(False).sum())
        if "cross_border" in frame else 0,
    )


def counts_by_region(frame: pd.DataFrame) -> dict[str, int]:
    """Incidents per ISO region code, with 0 for every mapped region that has none."""
    counts = frame[s.REGION_CODE].value_counts()
    return {code: int(counts.get(code, 0)) for code in s.REGIONS}


Period = Literal["week", "month", "year"]
_FREQ = {"week": "W-MON", "month": "MS", "year": "YS"}


def time_series(frame: pd.DataFrame, *, period: Period = "month",
                by_region: bool = False) -> pd.DataFrame:
    """Incidents, killed and injured per period (optionally per region).

    Returns
    -------
    pandas.DataFrame
        Columns ``period_start`` (Timestamp), ``region_code`` (when ``by_region``),
        ``incidents``, ``killed``, ``injured``. Periods with no incident are omitted.
    """
    if period not in _FREQ:
        msg = f"period must be one of {list(_FREQ)}; got {period!r}"
        raise ValueError(msg)
    cols = ["period_start", *(["region_code"] if by_region else []),
            "incidents", "killed", "injured"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    start = frame[s.DATE].dt.to_period(
        {"week": "W-SUN", "month": "M", "year": "Y"}[period]).dt.start_time
    keys = [start.rename("period_start")]
    if by_region:
        keys.append(frame[s.REGION_CODE].rename("region_code"))
    grouped = frame.groupby(keys)
    out = pd.DataFrame({
        "incidents": grouped.size(),
        "killed": grouped[s.FATALITIES].sum(min_count=0).astype(int),
        "injured": grouped[s.INJURED].sum(min_count=0).astype(int),
    }).reset_index()
    return out[cols]
