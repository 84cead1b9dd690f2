"""Synthetic incidents for benchmarks only: spread along the border like the real ones.

Every row says it is synthetic (id SYN-…, summary, source on example.org); they are
written to a temporary folder and never shipped as data.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import schema as s
from geo.layers import ANALYSIS_CRS, STORAGE_CRS, load_border, load_provinces, region_of_points

END = date(2026, 4, 17)
YEARS = 10
TYPE_WEIGHTS = {"armed_clash": 0.35, "incursion": 0.15, "cross_border_attack": 0.1,
                "remote_violence": 0.1, "violence_against_civilians": 0.1,
                "resource_clash": 0.1, "troop_flight": 0.1}


def make(n: int, *, seed: int = 7) -> pd.DataFrame:
    """``n`` valid incidents in the project's format, within 20 km of the border."""
    rng = np.random.default_rng(seed)
    provinces = load_provinces()
    line = load_border().to_crs(ANALYSIS_CRS).geometry.iloc[0]
    inv = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    regions: list[np.ndarray] = []
    have = 0
    while have < n:
        k = int((n - have) * 1.3) + 16
        pts = [line.interpolate(d) for d in rng.uniform(0, line.length, k)]
        ang = rng.uniform(0, 2 * np.pi, k)
        dist = rng.uniform(0, 20_000, k)
        x = np.array([p.x for p in pts]) + dist * np.cos(ang)
        y = np.array([p.y for p in pts]) + dist * np.sin(ang)
        lon, lat = inv.transform(x, y)
        code = region_of_points(provinces, lon, lat).to_numpy()
        ok = np.array([c is not None for c in code])
        lats.append(lat[ok])
        lons.append(lon[ok])
        regions.append(code[ok])
        have += int(ok.sum())
    lat = np.concatenate(lats)[:n]
    lon = np.concatenate(lons)[:n]
    region = np.concatenate(regions)[:n].astype(str)
    days = rng.integers(0, YEARS * 365, n)
    dates = [(END - timedelta(days=int(d))).isoformat() for d in days]
    killed = np.where(rng.random(n) < 0.6, rng.poisson(1.2, n).astype(str), "")
    injured = np.where(rng.random(n) < 0.5, rng.poisson(1.0, n).astype(str), "")
    ids = [f"SYN-{i:06d}" for i in range(n)]
    types = rng.choice(list(TYPE_WEIGHTS), n, p=list(TYPE_WEIGHTS.values()))
    frame = pd.DataFrame({
        s.ID: ids, s.DATE: dates, s.DATE_PRECISION: "day", s.TIME_LOCAL: "",
        s.COUNTRY: [c[:2] for c in region], s.REGION_CODE: region, s.DISTRICT: "",
        s.LOCATION: "synthetic point", s.LAT: np.round(lat, 5).astype(str),
        s.LON: np.round(lon, 5).astype(str), s.GEO_PRECISION: rng.choice(["1", "2"], n),
        s.EVENT_TYPE: types, s.ORIGIN: "", s.ORIGIN_LAT: "", s.ORIGIN_LON: "",
        s.FATALITIES: killed, s.INJURED: injured, s.VICTIMS: "", s.PERPETRATOR: "",
        s.SUMMARY: [f"Synthetic benchmark incident {i}; not a real event." for i in ids],
        s.SOURCES: [f"Synthetic benchmark, n.d., https://example.org/synthetic/{i}"
                    for i in ids],
        s.CONFIDENCE: "low", s.NOTES: "", s.GAZETTEER_ID: "",
    })
    return frame[list(s.COLUMNS)]


def write(n: int, folder: Path) -> Path:
    path = folder / f"synthetic_{n}.csv"
    if not path.exists():
        make(n).to_csv(path, index=False)
    return path
