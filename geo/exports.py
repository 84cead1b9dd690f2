"""Exporting filtered incidents as CSV (the project's own format) and GeoJSON, safely."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio

from geo import schema as s

_NUMERIC_COLUMNS = (s.LAT, s.LON, s.ORIGIN_LAT, s.ORIGIN_LON, s.FATALITIES, s.INJURED,
                    s.GEO_PRECISION, s.FATALITIES_LOW, s.FATALITIES_HIGH)


def neutralise_formulas(texts: pd.Series) -> pd.Series:
    """A column of text with each cell a spreadsheet would evaluate prefixed with a single
    quote."""
    return texts.mask(texts.str.startswith(s.FORMULA_START), "'" + texts)


def _number(value: object) -> str:
    return "" if pd.isna(value) else (f"{value:g}" if isinstance(value, float) else str(value))


def to_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed incidents back to the string table of ``data/incidents.csv`` (same columns)."""
    out = pd.DataFrame(index=frame.index)
    for col in s.COLUMNS:
        series = frame[col]
        if col == s.DATE:
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif col in _NUMERIC_COLUMNS:
            out[col] = [_number(v) for v in series.tolist()]
        else:
            out[col] = neutralise_formulas(series.fillna("").astype(str))
    return out.reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of the incidents in the project's format, formula cells neutralised."""
    return to_table(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def geojson_document(frame: gpd.GeoDataFrame) -> dict:
    """The GeoJSON FeatureCollection (RFC 7946, WGS84) of the incidents, as a dict;
    unlocated ones get a null geometry."""
    if frame.crs is None or frame.crs.to_string() != "EPSG:4326":
        msg = f"incidents must be in EPSG:4326 to export GeoJSON; got CRS {frame.crs}"
        raise ValueError(msg)
    whole = (s.FATALITIES, s.INJURED, s.GEO_PRECISION, s.FATALITIES_LOW, s.FATALITIES_HIGH)
    table = to_table(frame)
    names = list(table.columns)
    columns = [[None if v == "" else (int(v) if col in whole else v)
                for v in table[col].tolist()] for col in names]
    points = [None if geom is None else {"type": "Point", "coordinates": [geom.x, geom.y]}
              for geom in frame.geometry]
    features = []
    for i, values in enumerate(zip(*columns, strict=True)):
        props = dict(zip(names, values, strict=True))
        props["sources"] = [{"outlet": x.outlet, "published": x.published, "url": x.url}
                            for x in s.parse_sources((props[s.SOURCES] or "").lstrip("'"))]
        features.append({"type": "Feature", "properties": props, "geometry": points[i]})
    return {"type": "FeatureCollection", "features": features}


def to_geojson(frame: gpd.GeoDataFrame) -> bytes:
    """GeoJSON (RFC 7946, WGS84) of the incidents, as a file; see :func:`geojson_document`."""
    return json.dumps(geojson_document(frame), ensure_ascii=False, indent=1).encode("utf-8")


def to_geopackage(frame: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage (layer ``incidents``, EPSG:4326), written in memory: exports may hold a
    reader's uploaded data, which must never touch the disk."""
    if frame.crs is None or frame.crs.to_string() != "EPSG:4326":
        msg = f"incidents must be in EPSG:4326 to export a GeoPackage; got CRS {frame.crs}"
        raise ValueError(msg)
    out = frame.copy()
    # a calendar date, stored as a GeoPackage DATE (only the Arrow writer keeps the type)
    out[s.DATE] = out[s.DATE].dt.date.astype(pd.ArrowDtype(pa.date32()))
    for col in out.columns:
        if str(out[col].dtype) == "boolean":  # GeoPackage has no nullable boolean
            out[col] = out[col].map(lambda v: None if pd.isna(v) else ("yes" if v else "no"))
    buf = io.BytesIO()
    pyogrio.write_dataframe(out, buf, driver="GPKG", layer="incidents", use_arrow=True)
    return buf.getvalue()
