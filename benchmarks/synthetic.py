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
from geo.incidents import INCIDENTS_FILE
from geo.layers import ANALYSIS_CRS, STORAGE_CRS, load_border, load_provinces, region_of_points

END = date(2026, 4, 17)
YEARS = 10
TYPE_WEIGHTS = {"armed_clash": 0.35, "incursion": 0.15, "cross_border_attack": 0.1,
                "remote_violence": 0.1, "violence_against_civilians": 0.1,
                "resource_clash": 0.1, "troop_flight": 0.1}


#: Filler words for synthetic text (no real place, person or event).
_WORDS = ("synthetic", "benchmark", "text", "of", "typical", "length", "for", "the", "report",
          "border", "guards", "said", "group", "crossed", "river", "district", "figures",
          "unconfirmed", "according", "to", "officials", "and", "local", "sources")


def _text_of_length(rng: np.random.Generator, lengths: np.ndarray, lead: str) -> list[str]:
    """Synthetic sentences whose lengths follow ``lengths`` (at least the ``lead``)."""
    pool = " ".join(rng.choice(_WORDS, 4000))
    out = []
    for n in lengths:
        start = int(rng.integers(0, len(pool) - 1000))
        out.append((lead + " " + pool[start:start + max(0, int(n) - len(lead) - 1)]).strip())
    return out


def _bundled_lengths() -> dict[str, np.ndarray]:
    """Lengths of the bundled rows' free text, and their number of sources."""
    table = pd.read_csv(INCIDENTS_FILE, dtype=str, keep_default_na=False)
    return {"summary": table[s.SUMMARY].str.len().to_numpy(),
            "notes": table[s.NOTES].str.len().to_numpy(),
            "victims": table[s.VICTIMS].str.len().to_numpy(),
            "perpetrator": table[s.PERPETRATOR].str.len().to_numpy(),
            "location": table[s.LOCATION].str.len().to_numpy(),
            "sources": table[s.SOURCES].str.count(r"\|").to_numpy() + 1}


def make(n: int, *, seed: int = 7) -> pd.DataFrame:
    """``n`` valid incidents in the project's format, within 20 km of the border.

    Free-text lengths and the number of sources per row are drawn from the bundled rows'
    own distribution, so loading and drawing them costs what real rows cost.
    """
    rng = np.random.default_rng(seed)
    real = _bundled_lengths()
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
    def draw(key: str) -> np.ndarray:
        return rng.choice(real[key], n)

    n_sources = draw("sources")
    sources = [" | ".join(f"Synthetic outlet {k}, 2025-11-{k + 10:02d}, "
                          f"https://example.org/synthetic/{i}/{'x' * int(rng.integers(20, 90))}"
                          for k in range(int(m))) for i, m in zip(ids, n_sources, strict=True)]
    frame = pd.DataFrame({
        s.ID: ids, s.DATE: dates, s.DATE_PRECISION: "day", s.TIME_LOCAL: "",
        s.COUNTRY: [c[:2] for c in region], s.REGION_CODE: region, s.DISTRICT: "",
        s.LOCATION: _text_of_length(rng, draw("location"), "synthetic point"),
        s.LAT: np.round(lat, 5).astype(str),
        s.LON: np.round(lon, 5).astype(str), s.GEO_PRECISION: rng.choice(["1", "2"], n),
        s.EVENT_TYPE: types, s.ORIGIN: "", s.ORIGIN_LAT: "", s.ORIGIN_LON: "",
        s.FATALITIES: killed, s.INJURED: injured,
        s.VICTIMS: _text_of_length(rng, draw("victims"), ""),
        s.PERPETRATOR: _text_of_length(rng, draw("perpetrator"), ""),
        s.SUMMARY: [f"Synthetic benchmark incident {i}; not a real event. {text}"
                    for i, text in zip(ids, _text_of_length(
                        rng, np.maximum(draw("summary") - 55, 10), ""), strict=True)],
        s.SOURCES: sources,
        s.CONFIDENCE: "low", s.NOTES: _text_of_length(rng, draw("notes"), ""),
        s.GAZETTEER_ID: "",
        # coded as the bundled rows are, and a fifth left empty, as imports leave it (the
        # groups then come from the words: the costlier path)
        s.ACTORS: rng.choice(["taliban,tajik_forces", "tajik_forces,smugglers",
                              "armed_unidentified,civilians,chinese", "taliban,afghan_republic",
                              ""], n),
    })
    return s.with_optional_columns(frame)[list(s.COLUMNS)]


def write(n: int, folder: Path) -> Path:
    path = folder / f"synthetic_{n}.csv"
    if not path.exists():
        make(n).to_csv(path, index=False)
    return path
