"""Density cells: incidents summed on a grid of square cells in ``ANALYSIS_CRS``, the one
definition of a cell that the map (in memory) and the team store (in SQL) share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
from psycopg import sql
from pyproj import Transformer

from geo import schema as s
from geo.layers import ANALYSIS_CRS, STORAGE_CRS

#: The side of a density cell, in km.
DENSITY_CELL_KM: Final = 10.0


def density_cells(located: gpd.GeoDataFrame) -> dict[str, Any]:
    """Incidents summed on a grid of ``DENSITY_CELL_KM`` km squares in ``ANALYSIS_CRS``."""
    if located.empty:
        return {"lat": [], "lon": [], "count": [], "killed": [], "injured": [], "first": [],
                "last": [], "top": [], "km": DENSITY_CELL_KM}
    pts = located.geometry.to_crs(ANALYSIS_CRS)
    size = DENSITY_CELL_KM * 1000.0
    frame = pd.DataFrame({
        "cx": np.floor(pts.x.to_numpy() / size), "cy": np.floor(pts.y.to_numpy() / size),
        "x": pts.x.to_numpy(), "y": pts.y.to_numpy(),
        "k": located[s.FATALITIES].fillna(0).astype(int).to_numpy(),
        "i": located[s.INJURED].fillna(0).astype(int).to_numpy(),
        "date": located[s.DATE].to_numpy(), "type": located[s.EVENT_TYPE].to_numpy(),
    })
    grouped = frame.groupby(["cx", "cy"], sort=True)
    agg = grouped.agg(n=("x", "size"), x=("x", "mean"), y=("y", "mean"), k=("k", "sum"),
                      i=("i", "sum"), first=("date", "min"), last=("date", "max"))
    top = frame.groupby(["cx", "cy", "type"]).size().reset_index(name="c") \
        .sort_values(["cx", "cy", "c"], ascending=[True, True, False]) \
        .drop_duplicates(["cx", "cy"]).set_index(["cx", "cy"])["type"]
    lon, lat = Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True).transform(
        agg["x"].to_numpy(), agg["y"].to_numpy())
    return {
        "lat": np.round(lat, 4).tolist(), "lon": np.round(lon, 4).tolist(),
        "count": agg["n"].astype(int).tolist(), "killed": agg["k"].astype(int).tolist(),
        "injured": agg["i"].astype(int).tolist(),
        "first": agg["first"].dt.strftime("%Y-%m-%d").tolist(),
        "last": agg["last"].dt.strftime("%Y-%m-%d").tolist(),
        "top": [s.EVENT_TYPES[t].label for t in top.reindex(agg.index)],
        "km": DENSITY_CELL_KM,
    }


def cells_query(where: sql.Composable) -> sql.Composed:
    """Density cells of the incidents passing ``where``, as rows (cx, cy, lon, lat, n,
    killed, injured, first, last, top) in cell order; parameters: cell size twice, the
    WHERE clause's own, then ``EPSG_METRIC``.

    Per cell and type first (a hash aggregate, no sort of every row), then per cell.
    """
    return sql.SQL(
        "WITH t AS (SELECT floor(px / %s) AS cx, floor(py / %s) AS cy, event_type, "
        "count(*) AS n, sum(px) AS sx, sum(py) AS sy, sum(nullif(fatalities, '')::int) AS k, "
        "sum(nullif(injured, '')::int) AS i, min(day) AS first, max(day) AS last "
        "FROM pbw_incidents WHERE geom IS NOT NULL AND {} GROUP BY 1, 2, 3), "
        "c AS (SELECT cx, cy, sum(n) AS n, sum(sx) / sum(n) AS x, sum(sy) / sum(n) AS y, "
        "coalesce(sum(k), 0) AS k, coalesce(sum(i), 0) AS i, min(first) AS first, "
        "max(last) AS last, (array_agg(event_type ORDER BY n DESC, event_type))[1] AS top "
        "FROM t GROUP BY cx, cy) "
        "SELECT q.cx, q.cy, ST_X(q.pt), ST_Y(q.pt), q.n, q.k, q.i, q.first, q.last, q.top "
        "FROM (SELECT c.*, ST_Transform(ST_SetSRID(ST_MakePoint(x, y), %s), 4326) AS pt "
        "FROM c) q ORDER BY q.cx, q.cy").format(where)


def from_rows(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The cells of :func:`cells_query`'s rows, in the form :func:`density_cells` gives."""
    return {
        "lat": [round(r[3], 4) for r in rows], "lon": [round(r[2], 4) for r in rows],
        "count": [int(r[4]) for r in rows], "killed": [int(r[5]) for r in rows],
        "injured": [int(r[6]) for r in rows],
        "first": [r[7].isoformat() for r in rows], "last": [r[8].isoformat() for r in rows],
        "top": [s.EVENT_TYPES[r[9]].label for r in rows], "km": DENSITY_CELL_KM,
    }
