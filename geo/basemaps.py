"""The map backgrounds a reader can choose: their link value, label, tile URL and attribution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from geo.i18n import N_


@dataclass(frozen=True)
class Basemap:
    """One background. ``url`` is None for "none": the map then needs no tile server at all."""

    label: str
    url: str | None = None
    attribution: str = ""
    max_zoom: int = 18


_OSM: Final = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

#: Base maps by their link value (``?basemap=``). Tiles load in the reader's browser only.
BASEMAPS: Final[dict[str, Basemap]] = {
    "streets": Basemap(N_("Streets (OpenStreetMap)"),
                       "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                       f"{_OSM} contributors", 19),
    "terrain": Basemap(N_("Terrain (OpenTopoMap)"),
                       "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
                       f"Map data {_OSM} contributors, SRTM | style &copy; "
                       '<a href="https://opentopomap.org">OpenTopoMap</a> (CC-BY-SA)', 17),
    "satellite": Basemap(N_("Satellite (Esri World Imagery)"),
                         "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/"
                         "MapServer/tile/{z}/{y}/{x}",
                         "Tiles &copy; Esri, Maxar, Earthstar Geographics and the GIS user "
                         "community", 18),
    "none": Basemap(N_("No background tiles")),
}
DEFAULT_BASEMAP: Final = "streets"
