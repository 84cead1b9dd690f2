"""The boundary layers: loading the border line and the provinces, and measuring against them.

Stored layers are EPSG:4326. Lengths and areas are geodesic (on the WGS84 ellipsoid);
distances to a polygon are computed in ``ANALYSIS_CRS``, a metric projection of the
border region.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from geo import schema as s
from geo import validate
from geo.errors import LayerError
from geo.i18n import ENGLISH
from geo.schema import REGIONS

STORAGE_CRS: Final = "EPSG:4326"
#: WGS 84 / UTM zone 42N: metric, covers 66–72°E; the error at the eastern end of the
#: Wakhan (75°E) stays under 0.5%, ample for tolerance checks.
ANALYSIS_CRS: Final = "EPSG:32642"
WGS84: Final = Geod(ellps="WGS84")

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
PROVINCES_FILE: Final = DATA_DIR / "provinces.geojson"
BORDER_FILE: Final = DATA_DIR / "border.geojson"
PROVINCES_DISPLAY_FILE: Final = DATA_DIR / "provinces_display.geojson"
BORDER_DISPLAY_FILE: Final = DATA_DIR / "border_display.geojson"

PROVINCE_COLUMNS: Final = ("iso_3166_2", "name", "country", "area_km2")


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area of a (multi)polygon in EPSG:4326 on the WGS84 ellipsoid, in km²."""
    area, _perimeter = WGS84.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def geodesic_length_km(geom: BaseGeometry) -> float:
    """Length of a (multi)line in EPSG:4326 on the WGS84 ellipsoid, in km."""
    return float(WGS84.geometry_length(geom)) / 1000.0


def _read(path: Path, what: str) -> gpd.GeoDataFrame:
    if not Path(path).is_file():
        msg = (f"{what} file {str(path)!r} does not exist; rebuild the layers with "
               "`make data` (see data/SOURCES.md)")
        raise LayerError(msg)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        msg = f"{what} file {str(path)!r} could not be read as GeoJSON: {exc}"
        raise LayerError(msg) from exc
    if gdf.crs is None:
        msg = f"{what} file {str(path)!r} has no CRS; expected {STORAGE_CRS}"
        raise LayerError(msg)
    return gdf.to_crs(STORAGE_CRS)


def load_provinces(path: Path = PROVINCES_FILE) -> gpd.GeoDataFrame:
    """Read the province layer.

    Parameters
    ----------
    path
        A GeoJSON file with one polygon per province and the properties
        ``iso_3166_2``, ``name``, ``country`` and ``area_km2``.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, indexed 0..n-1, with a ``label`` column ("Badakhshan (Afghanistan)").

    Raises
    ------
    LayerError
        When the file is missing, unreadable, lacks a column or holds an unknown code.
    """
    gdf = _read(path, "province layer")
    missing = [c for c in PROVINCE_COLUMNS if c not in gdf.columns]
    if missing:
        msg = f"province layer {str(path)!r} lacks the properties {missing}"
        raise LayerError(msg)
    unknown = sorted(set(gdf["iso_3166_2"]) - set(REGIONS))
    if unknown:
        msg = (f"province layer {str(path)!r} has unknown iso_3166_2 codes {unknown}; "
               f"allowed: {', '.join(REGIONS)}")
        raise LayerError(msg)
    gdf["label"] = gdf["iso_3166_2"].map(lambda c: REGIONS[c].label(ENGLISH))
    return gdf.reset_index(drop=True)


def load_border(path: Path = BORDER_FILE) -> gpd.GeoDataFrame:
    """Read the border line: a single LineString feature with ``length_km``, EPSG:4326."""
    gdf = _read(path, "border layer")
    if len(gdf) != 1 or gdf.geometry.iloc[0].geom_type != "LineString":
        types = list(gdf.geometry.geom_type)
        msg = f"border layer {str(path)!r} must hold one LineString; got {types}"
        raise LayerError(msg)
    return gdf


def distance_to_region_km(
    provinces: gpd.GeoDataFrame,
    lon: ArrayLike,
    lat: ArrayLike,
    codes: ArrayLike,
) -> NDArray[np.float64]:
    """Distance in km from each point to the province named by its ISO code (0 inside).

    Parameters
    ----------
    provinces
        The province layer (see :func:`load_provinces`).
    lon, lat
        Point coordinates in degrees, EPSG:4326.
    codes
        ISO 3166-2 code of the province each point should lie in.

    Returns
    -------
    numpy.ndarray
        Kilometres, computed in ``ANALYSIS_CRS``; NaN where the code has no province.
    """
    lon_arr = np.asarray(lon, dtype=float)
    lat_arr = np.asarray(lat, dtype=float)
    codes_arr = np.asarray(codes, dtype=object)
    out = np.full(len(lon_arr), np.nan)
    shapes = provinces.set_index("iso_3166_2").geometry
    for code, geom in shapes.items():
        mask = codes_arr == code
        if not mask.any():
            continue
        # most points lie inside their province: a prepared point-in-polygon test settles
        # them at 0 km, and only the others are measured (in the metric projection)
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, lon_arr[mask], lat_arr[mask])
        dist = np.zeros(int(mask.sum()))
        if not inside.all():
            pts = gpd.GeoSeries.from_xy(lon_arr[mask][~inside], lat_arr[mask][~inside],
                                        crs=STORAGE_CRS).to_crs(ANALYSIS_CRS)
            far = gpd.GeoSeries([geom], crs=STORAGE_CRS).to_crs(ANALYSIS_CRS).iloc[0]
            dist[~inside] = pts.distance(far).to_numpy() / 1000.0
        out[mask] = dist
    return out


def region_of_points(provinces: gpd.GeoDataFrame, lon: ArrayLike, lat: ArrayLike) -> pd.Series:
    """ISO 3166-2 code of the province containing each point, or None outside them all."""
    pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_xy(lon, lat, crs=STORAGE_CRS))
    joined = gpd.sjoin(pts, provinces[["iso_3166_2", "geometry"]], how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    codes = joined["iso_3166_2"].astype(object)
    return codes.where(codes.notna(), None)


def region_problems(
    table: pd.DataFrame,
    provinces: gpd.GeoDataFrame,
    *,
    warn_km: float = 2.0,
    reject_km: float = 25.0,
    first_row: int = 2,
    skip_rows: set[int] | frozenset[int] = frozenset(),
) -> list[validate.Problem]:
    """Check that each point lies in the province its ``region_code`` names.

    Within ``warn_km`` of it is accepted (the 1:10m boundaries can put a riverside site
    across the river), up to ``reject_km`` is a warning, beyond is an error.

    Parameters
    ----------
    table
        The incidents as strings (``geo.schema.read_table``).
    provinces
        The province layer (see :func:`load_provinces`).
    first_row
        The number reported for the first data row (as in ``geo.validate.validate``).
    skip_rows
        Reported row numbers to leave out, e.g. rows whose coordinates are already wrong.
    """
    if not isinstance(provinces, gpd.GeoDataFrame):
        msg = f"provinces must be a GeoDataFrame of provinces; got {type(provinces).__name__}"
        raise TypeError(msg)
    lat = s.parse_degrees(table[s.LAT])
    lon = s.parse_degrees(table[s.LON])
    rows = pd.RangeIndex(len(table)) + first_row
    usable = (lat.between(-90, 90) & lon.between(-180, 180)
              & table[s.REGION_CODE].isin(list(s.REGIONS)) & ~rows.isin(list(skip_rows)))
    idx = np.flatnonzero(usable.to_numpy())
    if len(idx) == 0:
        return []
    dist = distance_to_region_km(provinces, lon.iloc[idx].to_numpy(), lat.iloc[idx].to_numpy(),
                                 table[s.REGION_CODE].iloc[idx].to_numpy())
    problems = []
    outside = ~(dist <= warn_km)  # only the rows to report cost a Python step
    for i, d in zip(idx[outside], dist[outside], strict=True):
        code = table[s.REGION_CODE].iat[i]
        value = f"{table[s.LAT].iat[i]}, {table[s.LON].iat[i]}"
        where = f"lies {d:.1f} km outside {code} ({s.REGIONS[code].name})"
        if d > reject_km:
            problems.append(validate.Problem(int(i) + first_row, "lat/lon", value, where
                                      + f"; more than {reject_km:g} km means a wrong point "
                                      "or a wrong region_code"))
        else:
            problems.append(validate.Problem(int(i) + first_row, "lat/lon", value, where
                                      + "; accepted, since the 1:10m boundary can put a "
                                      "riverside site across the river", "warning"))
    return problems
