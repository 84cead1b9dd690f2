"""Where incidents lie relative to the border: geodesic distance, side, and cross-border origin."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo import schema as s
from geo.i18n import Translator
from geo.layers import ANALYSIS_CRS, STORAGE_CRS, WGS84

#: Columns this module adds to an incidents frame.
BORDER_KM: Final = "border_km"
CROSS_BORDER: Final = "cross_border"
MAX_BAND_KM: Final = 200


def border_distance_km(border: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic distance in km from each point to the border line (EPSG:4326).

    The nearest point on the line is found in ``ANALYSIS_CRS`` (metric); the distance to it
    is then measured on the WGS84 ellipsoid. NaN where a coordinate is missing.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out
    fwd = Transformer.from_crs(STORAGE_CRS, ANALYSIS_CRS, always_xy=True)
    inv = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    line = shapely.transform(border, lambda xy: np.column_stack(fwd.transform(xy[:, 0],
                                                                               xy[:, 1])))
    x, y = fwd.transform(lon[ok], lat[ok])
    pts = shapely.points(x, y)
    # The line's segments in an R-tree: each point finds its nearest segment in log time,
    # then the nearest point on that one segment (a scan of the whole line per point took
    # seconds at 100k incidents).
    coords = shapely.get_coordinates(line)
    segments = shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1))
    which = shapely.STRtree(segments).query_nearest(pts, all_matches=False)
    order = np.argsort(which[0])
    nearest = shapely.get_point(shapely.shortest_line(segments[which[1][order]], pts), 0)
    nx, ny = inv.transform(shapely.get_x(nearest), shapely.get_y(nearest))
    _fwd, _back, metres = WGS84.inv(lon[ok], lat[ok], nx, ny)
    out[ok] = np.asarray(metres) / 1000.0
    return out


def side_of(provinces: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> pd.Series:
    """ISO country (TJ or AF) whose mapped provinces contain each point; None elsewhere."""
    countries = provinces.dissolve("country")[["geometry"]].reset_index()
    pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_xy(lon, lat, crs=STORAGE_CRS))
    joined = gpd.sjoin(pts, countries, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    side = joined["country"].astype(object)
    return side.where(side.notna(), None)


def add_proximity(frame: gpd.GeoDataFrame, border: gpd.GeoDataFrame,
                  provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with ``border_km`` and ``cross_border``.

    ``cross_border`` is True where a reported origin point lies on the other side of the
    border from the incident's country, or, with no origin point, where the reported origin
    names the other country; False where the origin point is on the same side; NA where no
    origin was reported.
    """
    out = frame.copy()
    line = border.geometry.iloc[0]
    out[BORDER_KM] = border_distance_km(line, out[s.LON].to_numpy(), out[s.LAT].to_numpy())
    has_origin = out[s.ORIGIN_LAT].notna() & out[s.ORIGIN_LON].notna()
    cross = pd.Series(pd.NA, index=out.index, dtype="boolean")
    if has_origin.any():
        origin_side = side_of(provinces, out.loc[has_origin, s.ORIGIN_LON].to_numpy(),
                              out.loc[has_origin, s.ORIGIN_LAT].to_numpy())
        known = origin_side.notna().to_numpy()
        idx = out.index[has_origin][known]
        cross.loc[idx] = origin_side[known].to_numpy() != out.loc[idx, s.COUNTRY].to_numpy()
    # no origin point: a reported origin that names the other country still counts
    other = out[s.COUNTRY].map({"TJ": "afghanistan", "AF": "tajikistan"})
    named = pd.Series([isinstance(o, str) and isinstance(c, str) and c in o.lower()
                       for o, c in zip(out[s.ORIGIN], other, strict=True)], index=out.index)
    cross = cross.mask(cross.isna() & named, True)
    out[CROSS_BORDER] = cross
    return out


def distance_text(km: object, _: Translator) -> str:
    """How far from the border, said the same way in popups and records ("" if unknown).

    ``_`` has no default: the popup once called this without it, and every reader saw the
    distance in English."""
    if km is None or pd.isna(km):
        return ""
    return _("{km} km from the mapped point (geodesic)",
             km=_.num(float(km), places=1))  # type: ignore[arg-type]


def within_km(frame: pd.DataFrame, km: float | None) -> pd.Series:
    """Mask: incidents at most ``km`` from the border (all when ``km`` is None)."""
    if km is None:
        return pd.Series(True, index=frame.index)
    if not 0 < km <= MAX_BAND_KM:
        msg = f"km must be above 0 and at most {MAX_BAND_KM}; got {km!r}"
        raise ValueError(msg)
    return frame[BORDER_KM].le(km).fillna(False)


def band(border: gpd.GeoDataFrame, km: float) -> BaseGeometry:
    """The area within ``km`` of the border line (a metric buffer), in EPSG:4326."""
    line = border.to_crs(ANALYSIS_CRS).geometry.iloc[0]
    return gpd.GeoSeries([line.buffer(km * 1000.0, quad_segs=4)], crs=ANALYSIS_CRS).to_crs(
        STORAGE_CRS).iloc[0]
