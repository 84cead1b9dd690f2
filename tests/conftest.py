"""Shared fixtures: the real bundled layers and a known-good incident row to spoil."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from geo.layers import DATA_DIR, load_border, load_provinces

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def provinces() -> gpd.GeoDataFrame:
    return load_provinces()


@pytest.fixture(scope="session")
def border() -> gpd.GeoDataFrame:
    return load_border()


def good_row(**changes: str) -> dict[str, str]:
    """One valid incident (the 26 Nov 2025 attack, abridged), with ``changes`` applied."""
    row = {
        "id": "T-1", "date": "2025-11-26", "date_precision": "day", "time_local": "",
        "country": "TJ", "region_code": "TJ-KT", "district": "Shamsiddin Shohin",
        "location": "mining camp", "lat": "37.84137", "lon": "70.04865", "geo_precision": "2",
        "event_type": "cross_border_attack", "origin": "", "origin_lat": "", "origin_lon": "",
        "fatalities": "3", "injured": "1", "victims": "workers", "perpetrator": "unknown",
        "summary": "A test incident.", "sources": "Outlet, 2025-11-27, https://example.org/a",
        "confidence": "high", "notes": "",
    }
    row.update(changes)
    return row


def data_checksums() -> dict[str, str]:
    """sha256 of every bundled data file, to prove nothing wrote to data/."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(DATA_DIR.iterdir()) if p.is_file()}


def chromium_path() -> str | None:
    """Debian's Chromium, or None (tests then skip, except under CI where they fail)."""
    path = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
    return path


# --- real-browser support -----------------------------------------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _bundled_data_never_changes():
    """Whatever the tests feed the app (uploads, bad files, garbage links), data/ stays
    byte-identical."""
    before = data_checksums()
    yield
    assert data_checksums() == before, "a test run changed a file in data/"
