"""Headline figures and time series for a set of incidents; every figure is checkable from rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from geo import schema as s
from geo.i18n import Translator
from geo.proximity import CROSS_BORDER


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
        cross_border=int(frame[CROSS_BORDER].fillna(False).sum())
        if CROSS_BORDER in frame else 0,
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


#: A region's change is flagged when it is at least this large (as a share of the previous
#: period) and involves at least ``FLAG_MIN_INCIDENTS`` incidents in one of the periods.
FLAG_CHANGE: float = 0.5
FLAG_MIN_INCIDENTS: int = 3


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``start``."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def region_change(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Per region: incidents, killed and injured in two periods, the change, and a flag.

    Returns
    -------
    pandas.DataFrame
        One row per mapped region (and "outside", when any incident is) with columns
        ``region_code``, ``incidents``, ``incidents_before``, ``change`` (share, NaN when
        there were none before), ``killed``, ``killed_before``, ``injured``,
        ``injured_before`` and ``flag`` ("rise", "fall", "new" or "").
    """
    def sums(frame: pd.DataFrame) -> pd.DataFrame:
        grouped = frame.groupby(s.REGION_CODE)
        return pd.DataFrame({"incidents": grouped.size(),
                             "killed": grouped[s.FATALITIES].sum(min_count=0),
                             "injured": grouped[s.INJURED].sum(min_count=0)})

    seen = set(current[s.REGION_CODE]) | set(previous[s.REGION_CODE])
    codes = list(s.REGIONS) + sorted(seen - set(s.REGIONS))
    now = sums(current).reindex(codes).fillna(0).astype(int)
    before = sums(previous).reindex(codes).fillna(0).astype(int)
    out = pd.DataFrame({"region_code": codes,
                        "incidents": now["incidents"].to_numpy(),
                        "incidents_before": before["incidents"].to_numpy(),
                        "killed": now["killed"].to_numpy(),
                        "killed_before": before["killed"].to_numpy(),
                        "injured": now["injured"].to_numpy(),
                        "injured_before": before["injured"].to_numpy()})
    prior = out["incidents_before"].replace(0, np.nan)
    out["change"] = (out["incidents"] - out["incidents_before"]) / prior
    big = out[["incidents", "incidents_before"]].max(axis=1) >= FLAG_MIN_INCIDENTS
    out["flag"] = np.select(
        [big & (out["incidents_before"] == 0),
         big & (out["change"] >= FLAG_CHANGE), big & (out["change"] <= -FLAG_CHANGE)],
        ["new", "rise", "fall"], default="")
    return out


def span_text(first: date | None, last: date | None,
              _: Translator) -> tuple[str, str]:
    """The date span of some incidents, short (for a metric) and exact (for its help)."""
    if first is None or last is None:
        return "—", _("No incident in the current filter")
    exact = _("First and last incident: {first} to {last}", first=_.date(first),
              last=_.date(last))
    if first == last:
        return _.date(first), _("One day: {day}", day=_.date(first))
    if first.year == last.year:
        short = _.month(first) if first.month == last.month else \
            f"{_.date(first, 'LLL')}–{_.month(last)}"
        return short, exact
    return f"{_.month(first)} – {_.month(last)}", exact
