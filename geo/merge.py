"""One incident however many datasets report it: the match rule and the merge.

Two records, from different datasets, are the same incident when

* their dates are at most ``MATCH_DAYS`` (2) days apart,
* their points are at most ``MATCH_KM`` (15) km apart, measured on the WGS84 ellipsoid, and
* their types are compatible (``compatible``: the same type, or two types that one
  dataset's coding can give to an event the other codes differently, such as ACLED's
  "Battles" for what we code as an incursion).

A dataset never matches itself: two curated rows are never merged, and neither are two
ACLED or two UCDP events (each dataset already keeps one record per event). Records
without a point or withdrawn by their dataset are never matched. Closest pairs (in days,
then km) are joined first, and a group never holds two records of one dataset, nor two
records that do not match each other.

Each group shows one record, by the order of ``geo.provenance.PROVIDERS`` (curated,
then UCDP, then ACLED); the others get ``merged_into`` = its id and are hidden, and their
ids and figures go to its ``also_reported``. The merge starts afresh from the records each
time, so running it twice gives the same table.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from pyproj import Geod, Transformer

from geo import provenance as pv
from geo import schema as s
from geo.layers import ANALYSIS_CRS, STORAGE_CRS

MATCH_DAYS: Final = 2
MATCH_KM: Final = 15.0

#: Types one dataset may give to what another codes as another type of the same family.
TYPE_FAMILIES: Final[tuple[frozenset[str], ...]] = (
    # fighting on or over the border: ACLED "Battles", UCDP state-based and non-state
    frozenset({"armed_clash", "incursion", "cross_border_attack", "district_fighting",
               "resource_clash", "troop_flight"}),
    # fire from a distance: ACLED "Explosions/Remote violence"
    frozenset({"remote_violence", "cross_border_attack", "armed_clash"}),
    # one-sided violence: ACLED and UCDP code attacks on civilians apart
    frozenset({"violence_against_civilians", "cross_border_attack", "resource_clash"}),
    # ground changing hands without a fight: ACLED "Strategic developments" ("other")
    frozenset({"troop_flight", "district_fighting", "other"}),
)
_GEOD: Final = Geod(ellps="WGS84")


def compatible(a: str, b: str) -> bool:
    """True when event types ``a`` and ``b`` may describe one incident."""
    return a == b or any(a in f and b in f for f in TYPE_FAMILIES)


def candidate_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """Every pair of matchable records that meets the rule, closest first.

    Columns ``a``, ``b`` (positions in ``table``), ``days`` and ``km``. Records are
    bucketed in cells of ``MATCH_KM`` and by day, so only neighbours are compared.
    """
    lat = pd.to_numeric(table[s.LAT], errors="coerce").to_numpy()
    lon = pd.to_numeric(table[s.LON], errors="coerce").to_numpy()
    day = s.parse_days(table[s.DATE].astype(str))
    provider = table[s.PROVIDER].fillna("").replace("", pv.CURATED).to_numpy()
    ok = ~np.isnan(lat) & ~np.isnan(lon) & day.notna().to_numpy() \
        & (table[s.WITHDRAWN].fillna("").to_numpy() == "")
    pos = np.flatnonzero(ok)
    empty = pd.DataFrame({"a": [], "b": [], "days": [], "km": []})
    if len(pos) < 2 or len(set(provider[pos])) < 2:
        return empty
    x, y = Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True).transform(
        lon[pos], lat[pos])
    cell = MATCH_KM * 1000.0
    pts = pd.DataFrame({"p": pos, "cx": np.floor(np.asarray(x) / cell).astype(np.int64),
                        "cy": np.floor(np.asarray(y) / cell).astype(np.int64),
                        "d": (day.to_numpy()[pos].astype("datetime64[D]").astype(np.int64))})
    shifts = pd.DataFrame([(dx, dy, dd) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                           for dd in range(-MATCH_DAYS, MATCH_DAYS + 1)],
                          columns=["dx", "dy", "dd"])
    probe = pts.merge(shifts, how="cross")
    probe["cx"] += probe.pop("dx")
    probe["cy"] += probe.pop("dy")
    probe["d"] += probe.pop("dd")
    pairs = probe.merge(pts, on=["cx", "cy", "d"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["p_a"] < pairs["p_b"]]
    a, b = pairs["p_a"].to_numpy(), pairs["p_b"].to_numpy()
    keep = provider[a] != provider[b]
    types = table[s.EVENT_TYPE].astype(str).to_numpy()
    keep &= np.fromiter((compatible(types[i], types[j]) for i, j in zip(a, b, strict=True)),
                        bool, len(a))
    a, b = a[keep], b[keep]
    if not len(a):
        return empty
    _az, _baz, metres = _GEOD.inv(lon[a], lat[a], lon[b], lat[b])
    days = np.abs(day.to_numpy()[a] - day.to_numpy()[b]).astype("timedelta64[D]").astype(int)
    out = pd.DataFrame({"a": a, "b": b, "days": days, "km": np.asarray(metres) / 1000.0})
    out = out[out["km"] <= MATCH_KM]
    ids = table[s.ID].astype(str).to_numpy()
    out = out.assign(ia=ids[out["a"]], ib=ids[out["b"]])
    return out.sort_values(["days", "km", "ia", "ib"]).drop(columns=["ia", "ib"]) \
        .reset_index(drop=True)


def merge(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (incidents as strings, every dataset's records) with each incident's
    records merged: see the module's rule. Returns a copy; no row is dropped (hidden
    records keep their data and say where they went)."""
    out = s.with_optional_columns(table).copy().reset_index(drop=True)
    out[s.MERGED_INTO] = ""
    out[s.ALSO_REPORTED] = ""
    provider = out[s.PROVIDER].fillna("").replace("", pv.CURATED).to_numpy()
    pairs = candidate_pairs(out)
    group = np.arange(len(out))
    members: dict[int, set[int]] = {i: {i} for i in range(len(out))}
    matched = set(zip(pairs["a"], pairs["b"], strict=True))

    def match(i: int, j: int) -> bool:
        return (min(i, j), max(i, j)) in matched

    for i, j in zip(pairs["a"], pairs["b"], strict=True):
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        a, b = members[gi], members[gj]
        if {provider[k] for k in a} & {provider[k] for k in b}:
            continue  # never two records of one dataset in one incident
        if not all(match(p, q) for p in a for q in b):
            continue  # every record of an incident matches every other
        for k in b:
            group[k] = gi
        a |= b
        del members[gj]
    ids = out[s.ID].astype(str).to_numpy()
    for records in members.values():
        if len(records) < 2:
            continue
        shown = min(records, key=lambda k: (pv.primary_order(provider[k]), ids[k]))
        others = sorted(records - {shown}, key=lambda k: (pv.primary_order(provider[k]),
                                                          ids[k]))
        out.loc[others, s.MERGED_INTO] = ids[shown]
        out.at[shown, s.ALSO_REPORTED] = pv.reported_cell(_report(out.loc[k], provider[k])
                                                          for k in others)
    return out


def _report(row: pd.Series, provider: str) -> pv.Report:
    def num(col: str) -> int | None:
        text = s.cell_text(row.get(col)).strip()
        return int(float(text)) if text else None
    own_id = s.cell_text(row.get(s.PROVIDER_ID)) or s.cell_text(row[s.ID])
    return pv.Report(provider, own_id, num(s.FATALITIES), num(s.FATALITIES_LOW),
                     num(s.FATALITIES_HIGH))


def shown(table: pd.DataFrame) -> pd.Series:
    """Which rows a reader sees: not merged into another record, not withdrawn."""
    merged = table[s.MERGED_INTO] if s.MERGED_INTO in table else pd.Series("", table.index)
    gone = table[s.WITHDRAWN] if s.WITHDRAWN in table else pd.Series("", table.index)
    return (merged.fillna("").astype(str) == "") & (gone.fillna("").astype(str) == "")
