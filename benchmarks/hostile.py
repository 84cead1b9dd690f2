"""A hostile upload corpus, made by code: files a careless or malicious reader could upload.

Each maker returns ``(file name, bytes)``. The tests (``tests/test_upload_limits.py``) and
``python -m benchmarks.uploads`` import every one of them; nothing is written to disk
unless a caller does. Sizes follow ``geo.importers.MAX_BYTES``: the largest files sit just
under it, so they are read rather than refused for their size.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from typing import Final

from benchmarks import synthetic
from geo import importers

#: A point in Khatlon, to give hostile features a real place.
LON, LAT = 69.7, 37.6
GOOD_ROW: Final = (
    'T-1,2025-11-26,day,,TJ,TJ-KT,Shamsiddin Shohin,Frontier post,37.6,69.7,2,'
    'armed_clash,,,,1,,,,A clash at a frontier post.,"Asia-Plus, 2025-11-27, '
    'https://asiaplus.tj/a",medium,')
HEADER: Final = ("id,date,date_precision,time_local,country,region_code,district,location,"
                 "lat,lon,geo_precision,event_type,origin,origin_lat,origin_lon,fatalities,"
                 "injured,victims,perpetrator,summary,sources,confidence,notes")


def unique_key_geojson(megabytes: float) -> tuple[str, bytes]:
    """Point features that each carry a property key of their own, as OpenStreetMap
    exports do: a naive reader builds a features × keys table from them."""
    target = min(int(megabytes * 1_000_000), importers.MAX_BYTES - 1_000)
    parts, size, n = [], 40, 0
    while size < target:
        feature = json.dumps({"type": "Feature", "properties": {
            f"name:osm_{n}": f"Frontier post {n}", f"addr:street_{n}": "Panj river road"},
            "geometry": {"type": "Point", "coordinates": [LON + n % 97 / 1e4, LAT]}})
        parts.append(feature)
        size += len(feature) + 1
        n += 1
    text = '{"type": "FeatureCollection", "features": [' + ",".join(parts) + "]}"
    return f"osm-{megabytes:g}mb.geojson", text.encode()


def wide_csv(columns: int = 100_000) -> tuple[str, bytes]:
    """A header of 100,000 columns (under 1 MB), with repeats, and one row."""
    header = ",".join(f"c{i % (columns - 10)}" for i in range(columns))
    return "wide.csv", (header + "\n" + "," * (columns - 1) + "\n").encode()


def malformed_lines(lines: int = 1_000_000) -> tuple[str, bytes]:
    """One good row among a million lines that have the wrong number of fields."""
    return "damaged.csv", (HEADER + "\n" + GOOD_ROW + "\n" + "x,y\n" * lines).encode()


def every_row_wrong(rows: int = 100_000) -> tuple[str, bytes]:
    """Our format with every field of every row wrong: millions of problems to report."""
    bad = ",".join(["?"] * 23)
    return "all-wrong.csv", (HEADER + "\n" + "\n".join([bad] * rows) + "\n").encode()


def deep_nesting(depth: int = 200_000) -> tuple[str, bytes]:
    """A feature whose property nests 200,000 lists deep (a recursion bomb)."""
    text = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"notes": ' + "[" * depth + "]" * depth + '}, "geometry": {"type": "Point", '
            f'"coordinates": [{LON}, {LAT}]}}}}]}}')
    return "deep.geojson", text.encode()


def _properties() -> dict[str, str]:
    """The good row's fields, as GeoJSON properties."""
    values = next(csv.reader([GOOD_ROW]))
    return dict(zip(HEADER.split(","), values, strict=True))


def odd_coordinates() -> tuple[str, bytes]:
    """Huge, overflowing and vanishing coordinates: valid JSON numbers, each its feature."""
    values = ["1e308", "-1e308", "1e999", "-1e999", "1e-400", "123456789012345678901234567890",
              "-0"]
    features = []
    for i, v in enumerate([*values, None]):  # the last one is a good point, to be kept
        props = json.dumps({**_properties(), "id": f"T-{i}"})
        where = f"[{LON}, {LAT}]" if v is None else f"[{v}, {v}]"
        features.append(f'{{"type": "Feature", "properties": {props}, "geometry": '
                        f'{{"type": "Point", "coordinates": {where}}}}}')
    return "coordinates.geojson", ('{"type": "FeatureCollection", "features": ['
                                   + ",".join(features) + "]}").encode()


def not_json_numbers() -> tuple[str, bytes]:
    """NaN and Infinity, which JavaScript writes but JSON does not allow."""
    return "nan.geojson", (b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
                           b'"properties": {}, "geometry": {"type": "Point", '
                           b'"coordinates": [NaN, Infinity]}}]}')


def odd_coordinates_csv() -> tuple[str, bytes]:
    rows = [GOOD_ROW.replace("37.6,69.7", f"{v},{v}").replace("T-1", f"T-{i}")
            for i, v in enumerate(["inf", "-inf", "nan", "1e309", "1e308", "0x10", "½"])]
    return "coordinates.csv", (HEADER + "\n" + "\n".join(rows) + "\n").encode()


def invalid_utf8() -> tuple[str, bytes]:
    return "latin1.csv", (HEADER + "\n" + GOOD_ROW + "\n").encode() + b"T-2,\xff\xfe\xfa\n"


def compressed() -> tuple[str, bytes]:
    """A gzip file named as CSV: no format this dashboard reads is compressed."""
    return "incidents.csv", gzip.compress(((HEADER + "\n" + GOOD_ROW + "\n") * 1000).encode())


def huge_cell() -> tuple[str, bytes]:
    """One 18 MB summary cell (the rest of the 20 MB is the other cells)."""
    cell = "A" * (importers.MAX_BYTES - 2_000_000)
    return "huge-cell.csv", (HEADER + "\n" + GOOD_ROW.replace("A clash", cell) + "\n").encode()


def realistic(megabytes: float = 19.5) -> tuple[str, bytes]:
    """Not hostile: the most realistic rows (``benchmarks.synthetic``, the bundled rows'
    text lengths) that fit in the size, which every reader may upload."""
    per_row = len(synthetic.make(200).to_csv(index=False)) / 200
    rows = synthetic.make(int(megabytes * 1e6 / per_row)).to_csv(index=False).encode()
    return "realistic.csv", rows[:importers.MAX_BYTES].rsplit(b"\n", 1)[0] + b"\n"


#: Every maker, by the name the benchmark prints.
CORPUS: Final[dict[str, Callable[[], tuple[str, bytes]]]] = {
    "unique keys 1 MB": lambda: unique_key_geojson(1),
    "unique keys 5 MB": lambda: unique_key_geojson(5),
    "unique keys 20 MB": lambda: unique_key_geojson(20),
    "100,000 columns": wide_csv,
    "1,000,000 bad lines": malformed_lines,
    "100,000 wrong rows": every_row_wrong,
    "nested 200,000 deep": deep_nesting,
    "odd coordinates (GeoJSON)": odd_coordinates,
    "odd coordinates (CSV)": odd_coordinates_csv,
    "NaN and Infinity (GeoJSON)": not_json_numbers,
    "invalid UTF-8": invalid_utf8,
    "gzip as .csv": compressed,
    "one 18 MB cell": huge_cell,
    "realistic rows, 19.5 MB": realistic,
}
