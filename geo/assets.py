"""Where the map's JavaScript and CSS come from: Leaflet from its PyPI package, ours from files.

No CDN is ever referenced. ``install`` copies the files from the installed
``xstatic-leaflet`` package into the app's ``static/vendor/`` folder (git-ignored), which
Streamlit serves at ``/app/static/`` when ``server.enableStaticServing`` is on. The map's
own scripts and styles are real files in ``geo/static/map/`` (package data): ``map_script``
and ``map_css`` read them once.
"""

from __future__ import annotations

import argparse
import base64
import functools
import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Final

from xstatic.pkg import leaflet

ROOT: Final = Path(__file__).resolve().parent.parent
VENDOR_DIR: Final = ROOT / "static" / "vendor"
#: URL path at which Streamlit serves ``static/`` (relative to the server's base URL).
STATIC_URL: Final = "/app/static/vendor"

#: The only files the map needs: Leaflet's script, its stylesheet and the layer-control icons.
_LEAFLET_FILES: Final = ("leaflet.js", "leaflet.css", "images/layers.png",
                         "images/layers-2x.png", "images/marker-icon.png",
                         "images/marker-icon-2x.png", "images/marker-shadow.png")


@dataclass(frozen=True)
class MapAssets:
    """URLs of the map's scripts and stylesheets, in load order."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]


def leaflet_source_dir() -> Path:
    """The folder of the installed ``xstatic-leaflet`` package holding leaflet.js."""
    return Path(leaflet.BASE_DIR)


def leaflet_version() -> str:
    return str(leaflet.VERSION)


def install(dest: Path = VENDOR_DIR) -> Path:
    """Copy Leaflet into ``dest/leaflet/`` unless an identical copy is already there.

    Returns
    -------
    Path
        The folder holding ``leaflet.js``.
    """
    src = leaflet_source_dir()
    target = dest / "leaflet"
    for name in _LEAFLET_FILES:
        s, t = src / name, target / name
        if t.exists() and t.stat().st_size == s.stat().st_size:
            continue
        t.parent.mkdir(parents=True, exist_ok=True)
        tmp = t.with_suffix(t.suffix + ".tmp")
        shutil.copyfile(s, tmp)
        tmp.replace(t)  # atomic: a concurrent reader never sees half a file
    return target


def map_assets(base_url: str = "") -> MapAssets:
    """The map's asset URLs on this server.

    Parameters
    ----------
    base_url
        The server's ``server.baseUrlPath`` (``""`` at the root, ``"panj"`` when the app
        is served under ``/panj/``).
    """
    prefix = ("/" + base_url.strip("/")) if base_url.strip("/") else ""
    root = f"{prefix}{STATIC_URL}/leaflet"
    return MapAssets(js=(("leaflet", f"{root}/leaflet.js"),),
                     css=(("leaflet_css", f"{root}/leaflet.css"),))


def inline_leaflet() -> tuple[str, str]:
    """Leaflet's script and stylesheet as text, for a map file that works on its own.

    The stylesheet's images become data: URIs so nothing is fetched. The text is read from
    the installed package at export time; it is never committed.
    """
    src = leaflet_source_dir()
    css = (src / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((src / "images" / name).read_bytes()).decode()
        css = css.replace(f"images/{name}", f"data:image/png;base64,{data}")
    return (src / "leaflet.js").read_text(encoding="utf-8"), css


#: The map's own scripts (``geo/static/map/<name>.js``); ``helpers.js`` is prepended to each.
MAP_SCRIPTS: Final = ("incidents", "compact", "density", "band", "provinces", "origins",
                      "border", "legend", "export_note")


def _map_file(name: str) -> str:
    return (files("geo") / "static" / "map" / name).read_text(encoding="utf-8")


@functools.cache
def map_script(name: str) -> str:
    """The text of one map script, with the shared helpers before it.

    Parameters
    ----------
    name
        One of ``MAP_SCRIPTS``.
    """
    if name not in MAP_SCRIPTS:
        msg = f"name must be one of {list(MAP_SCRIPTS)}; got {name!r}"
        raise ValueError(msg)
    return _map_file("helpers.js") + "\n" + _map_file(f"{name}.js")


@functools.cache
def map_css() -> str:
    """The map's own stylesheet (``geo/static/map/map.css``)."""
    return _map_file("map.css")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy Leaflet into static/vendor/.")
    parser.add_argument("--dest", type=Path, default=VENDOR_DIR)
    args = parser.parse_args(argv)
    path = install(args.dest)
    print(f"Leaflet {leaflet_version()} installed in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
