"""Team mode at size: a PostgreSQL + PostGIS store of synthetic incidents against the file.

    python -m benchmarks.store [--size 1000000] [--file-size 100000] [--no-browser]

Starts its own cluster in a temporary folder (as ``tests/pg.py`` does), loads ``--size``
realistic synthetic incidents (benchmarks/synthetic.py) with the editors' tool, and prints:
the load, the revision check every rerun makes, each filter run in SQL, a replica's cold
read of the whole store and its refresh after a one-row correction, filter + map build
per view, and (with a browser) the seconds until a new reader sees the map, beside the
file mode at ``--file-size``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd

from benchmarks import synthetic
from benchmarks.run import browser_figures, serialise, timed
from geo import filters, layers, mapview, proximity, store, store_read
from geo import schema as s
from geo.filters import IncidentFilter
from geo.incidents import from_table, load_incidents, prepared
from tests import browser as b
from tests import pg


def _views(first, last) -> dict[str, IncidentFilter]:
    return {
        "everything (the default view)": IncidentFilter(first, last),
        "last 30 days": IncidentFilter(last - timedelta(days=30), last),
        "one region, one year": IncidentFilter(last - timedelta(days=365), last,
                                               regions=("TJ-GB",)),
        "within 5 km of the border, one year": IncidentFilter(
            last - timedelta(days=365), last, within_km=5.0),
    }


def _prepare(table: pd.DataFrame, provinces, border):
    return prepared(from_table(table, regions=provinces), border, provinces)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--file-size", type=int, default=100_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    why = pg.missing()
    if why:
        print(f"benchmarks.store: {why}", file=sys.stderr)
        return 1
    provinces, border = layers.load_provinces(), layers.load_border()
    display = layers.load_provinces(layers.PROVINCES_DISPLAY_FILE)
    folder = Path(tempfile.mkdtemp(prefix="panj-bench-store-"))
    t0 = time.perf_counter()
    big = synthetic.write(args.size, folder)
    small = synthetic.write(args.file_size, folder)
    print(f"synthetic files written in {time.perf_counter() - t0:.0f} s "
          f"({big.stat().st_size / 1e6:.0f} MB at {args.size:,} rows)")
    with pg.cluster(b.free_port()) as cluster:
        cluster.admin_sql("CREATE DATABASE bench")
        url = cluster.url("bench")
        with store_read.connect(url, autocommit=True) as conn:
            store.init(conn)
            t0 = time.perf_counter()
            loaded = store.load(conn, big, editor="bench", note="synthetic")
            print(f"\nload {loaded.added:,} incidents (validate, copy, insert): "
                  f"{time.perf_counter() - t0:.1f} s")
            checks = []
            for _ in range(50):
                t0 = time.perf_counter()
                store_read.revision(conn)
                checks.append(time.perf_counter() - t0)
            print(f"revision check (every rerun): median {statistics.median(checks) * 1e3:.2f}"
                  " ms")
            t0 = time.perf_counter()
            table = store_read.read_incidents(conn)
            read_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            frame = _prepare(table, provinces, border)
            print(f"replica cold start: read {read_s:.1f} s + validate and prepare "
                  f"{time.perf_counter() - t0:.1f} s")
            del table
            fix = pd.read_csv(big, dtype=str, keep_default_na=False, nrows=1)
            fix.loc[0, s.INJURED] = str(int(fix.loc[0, s.INJURED] or 0) + 1)
            fix_path = folder / "fix.csv"
            fix.to_csv(fix_path, index=False)
            store.load(conn, fix_path, editor="bench", note="one correction")
            t0 = time.perf_counter()
            delta = store_read.read_incidents(conn, since=loaded.revision or 0)
            _prepare(delta, provinces, border)
            print(f"replica refresh after a one-row correction: "
                  f"{(time.perf_counter() - t0) * 1e3:.0f} ms ({len(delta)} row read)")
            first, last = frame[s.DATE].min().date(), frame[s.DATE].max().date()
            small_frame = load_incidents(small, regions=provinces).frame
            small_frame = proximity.add_proximity(small_frame, border, provinces)
            print(f"\n{'view':40} {'store SQL':>10} {'store total':>12} {'file total':>11}"
                  f"   rows (store / file)")
            for name, flt in _views(first, last).items():
                def select(flt=flt):  # as ui.store.selection does it
                    if store_read.matches_all(conn, flt):
                        return None
                    return store_read.filtered_ids(conn, flt)

                sql_s, ids = timed(select)

                def store_view(flt=flt, ids=ids):  # as ui.data and ui.maps do it
                    chosen = frame if ids is None else frame.loc[frame[s.ID].isin(ids)]
                    located = int(chosen.geometry.notna().sum())
                    cells = store_read.density_cells(conn, flt) \
                        if mapview.choose_mode(located) == "density" else None
                    return serialise(chosen, display, border, cells=cells)

                def file_view(flt=flt):
                    return serialise(filters.apply(small_frame, flt), display, border)

                total_s, _ = timed(store_view)
                file_s, _ = timed(file_view)
                cells_s, _ = timed(store_read.density_cells, conn, flt)
                n_file = int(filters.mask(small_frame, flt).sum())
                print(f"{name:40} {sql_s:>9.2f}s {sql_s + total_s:>11.2f}s {file_s:>10.2f}s"
                      f"   {len(frame) if ids is None else len(ids):,} / {n_file:,}"
                      f"   (density cells in SQL alone: {cells_s:.2f} s)")
        if not args.no_browser:
            reader = url.replace("postgres@", f"{store_read.READER_ROLE}@")
            team = browser_figures(big, viewers=2, env={"PANJ_DATABASE_URL": reader})
            files = browser_figures(small, viewers=2, env={"PANJ_DATABASE_URL": None})
            print(f"\nnew reader, map drawn (warm server): store {args.size:,} "
                  f"{team['drawn s']:.2f} s; file {args.file_size:,} {files['drawn s']:.2f} s "
                  f"(ratio {team['drawn s'] / files['drawn s']:.2f}; target ≤ 1.5)")
            print(f"first reader after start: store {team['drawn cold s']:.1f} s; file "
                  f"{files['drawn cold s']:.1f} s · server memory: store "
                  f"{team['server MB']:.0f} MB; file {files['server MB']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
