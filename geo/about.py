"""Figures for the About page: how the bundled 1:10m layers compare with official figures."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd

from geo import schema as s

#: Official figures (km, km²) quoted in data/SOURCES.md.
OFFICIAL_BORDER_KM: Final = "about 1,344–1,357"
OFFICIAL_AREA_KM2: Final[dict[str, int]] = {"TJ-GB": 64_200, "TJ-KT": 24_800, "AF-BDS": 44_059}


def comparison_table(provinces: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per measure: the value in our data, the official figure, the difference."""
    rows = [("Border length (km)", f"{border['length_km'].iloc[0]:,.0f}", OFFICIAL_BORDER_KM,
             "about 13% shorter: river bends straightened at 1:10m")]
    for code, official in OFFICIAL_AREA_KM2.items():
        area = float(provinces.set_index("iso_3166_2").loc[code, "area_km2"])
        rows.append((f"{s.REGIONS[code].label} · {code} area (km²)", f"{area:,.0f}",
                     f"about {official:,}", f"{(area - official) / official:+.1%}"))
    return pd.DataFrame(rows, columns=["Measure", "This dashboard", "Official", "Difference"])
