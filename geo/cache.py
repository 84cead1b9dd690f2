"""The on-disk cache of prepared incidents (validated, typed, with their border distances),
as Parquet with a GeoArrow geometry column: a restarted server reads a file it has seen
instead of parsing it again.

A cache file is named after everything that decides its content: the incidents file's
sha256, ``CACHE_FORMAT``, the incident format's columns (``schema.COLUMNS``) and the
checksums of the boundary layers, so a new column can never be served from an old file.
It is written under a temporary name and renamed, so a reader never sees half a file, and
two servers sharing the folder each rename their own whole copy. A file that does not read
back whole, or whose stored key differs, is ignored and rebuilt; a folder that is missing or
read-only means no cache, never an error. The folder is ``$PANJ_CACHE_DIR``, else
``panj-border-watch`` under the user's cache directory; never ``data/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq

from geo import schema as s
from geo.layers import BORDER_FILE, PROVINCES_FILE

#: Bump when the prepared frame changes shape or meaning: every older cache file is ignored.
#: (A new or renamed incident column needs no bump: the columns are part of the key.)
CACHE_FORMAT: Final = 4
CACHE_ENV: Final = "PANJ_CACHE_DIR"
_META_KEY: Final = b"panj_border_watch"


@dataclass(frozen=True)
class Prepared:
    """A prepared incidents frame, its validation warnings, and where it came from."""

    frame: gpd.GeoDataFrame
    warnings: tuple[str, ...]
    from_cache: bool


def cache_dir() -> Path:
    """``$PANJ_CACHE_DIR``, else ``panj-border-watch`` in the user's cache directory."""
    override = os.environ.get(CACHE_ENV, "").strip()
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "panj-border-watch"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in blocks (incident files can be hundreds of MB)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(path: Path) -> str:
    """What a cache file must match: the file's content, the schema, the layers."""
    layers = "".join(file_sha256(p) for p in (PROVINCES_FILE, BORDER_FILE))
    inputs = f"{file_sha256(path)}|{CACHE_FORMAT}|{','.join(s.COLUMNS)}|{layers}"
    return hashlib.sha256(inputs.encode()).hexdigest()[:32]


def read(folder: Path, key: str) -> Prepared | None:
    """The cached frame for ``key``, or None when there is none or it is not whole."""
    path = folder / f"incidents-{key}.parquet"
    try:
        meta = pq.read_schema(path).metadata or {}
        stamp = json.loads(meta.get(_META_KEY, b"{}"))
        if stamp.get("key") != key or stamp.get("schema") != CACHE_FORMAT:
            return None
        frame = gpd.GeoDataFrame.from_arrow(pq.read_table(path))
        if len(frame) != stamp.get("rows") or frame.crs is None:
            return None
    except (OSError, ValueError, TypeError, KeyError):
        # missing, truncated, foreign or corrupt (pyarrow's errors derive from these)
        return None
    return Prepared(frame, tuple(stamp.get("warnings", ())), from_cache=True)


def write(folder: Path, key: str, prepared: Prepared) -> Path | None:
    """Store ``prepared`` for ``key``; None when the folder cannot be written (no cache)."""
    stamp = json.dumps({"key": key, "schema": CACHE_FORMAT, "rows": len(prepared.frame),
                        "warnings": list(prepared.warnings)})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".incidents-", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError:
        return None
    tmp = Path(name)
    try:
        table = pa.table(prepared.frame.to_arrow(index=False))  # geometry as GeoArrow WKB
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                              _META_KEY: stamp.encode()})
        pq.write_table(table, tmp)
        final = folder / f"incidents-{key}.parquet"
        os.replace(tmp, final)  # atomic: readers see the old file or the whole new one
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    return final


def load_prepared(path: Path, build: Callable[[Path], Prepared], *,
                  folder: Path | None = None) -> Prepared:
    """The prepared incidents of ``path``: from the cache when it holds them, else built
    with ``build`` and stored for the next start."""
    where = folder or cache_dir()
    key = cache_key(path)
    cached = read(where, key)
    if cached is not None:
        return cached
    built = build(path)
    write(where, key, built)
    return built
