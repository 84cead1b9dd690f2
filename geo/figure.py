"""A figure of the filtered incidents for reports: PNG or SVG, drawn with matplotlib, offline.

The map is drawn in ``ANALYSIS_CRS`` (metres), so the scale bar is true; no tiles, so it
needs no internet. Incident types differ by shape as well as by colour (the map's
colour-blind-safe palette). The figure names its filter, the date of the data, the count of
incidents it could not place, and its sources, in the reader's language. Dari is drawn in
Dari: matplotlib 3.11 shapes and orders right-to-left text (libraqm), and its own DejaVu Sans
has the Arabic-script letters Dari uses.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib_scalebar.scalebar import ScaleBar

from geo import provenance as pv
from geo import schema as s
from geo.i18n import N_, Translator
from geo.layers import ANALYSIS_CRS

Format = Literal["png", "svg"]
#: One marker shape per event type, in vocabulary order, so print in grey still tells them
#: apart.
SHAPES: Final = ("o", "s", "^", "D", "v", "P", "X", "*", "h")
ATTRIBUTION: Final = N_("Boundaries: Natural Earth (public domain). Incidents: Panj Border "
                        "Watch, compiled from public reporting; each one's sources are in "
                        "the dashboard's Data page.")

_COUNTRY_FILL: Final = {"TJ": "#eeeeee", "AF": "#f7f3ea"}


def render(incidents: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
           border: gpd.GeoDataFrame, *, filter_lines: Sequence[str], data_note: str,
           fmt: Format = "png", _: Translator) -> bytes:
    """The figure as PNG (200 dpi) or SVG bytes.

    Parameters
    ----------
    incidents
        The filtered incidents (EPSG:4326); those with no point are counted, not drawn.
    provinces, border
        The boundary layers (EPSG:4326).
    filter_lines
        The filter in words (``ViewState.describe``), printed under the title.
    data_note
        How current the data is, printed at the foot.
    fmt
        ``"png"`` or ``"svg"``.
    _
        The language of its words.
    """
    if fmt not in ("png", "svg"):
        msg = f"fmt must be 'png' or 'svg'; got {fmt!r}"
        raise ValueError(msg)
    for name, frame in (("incidents", incidents), ("provinces", provinces),
                        ("border", border)):
        if frame.crs is None:
            msg = f"{name} has no CRS; set it (EPSG:4326) before drawing a figure"
            raise ValueError(msg)
    fig = Figure(figsize=(12, 7.5), layout="constrained")
    # right-to-left text starts at the right edge
    rtl = _.language.rtl
    start: Literal["left", "right"] = "right" if rtl else "left"
    edge = 0.98 if rtl else 0.02
    ax = fig.add_subplot()
    prov = provinces.to_crs(ANALYSIS_CRS)
    prov.plot(ax=ax, color=prov["country"].map(_COUNTRY_FILL).fillna("#f2f2f2"),
              edgecolor="#9a9a9a", linewidth=0.6)
    for point, code in zip(prov.representative_point(), prov["iso_3166_2"], strict=True):
        ax.annotate(s.region_option(code, _), (point.x, point.y), ha="center", fontsize=7,
                    color="#555555")
    border.to_crs(ANALYSIS_CRS).plot(ax=ax, color="#222222", linewidth=1.6)
    located = incidents[incidents.geometry.notna()].to_crs(ANALYSIS_CRS)
    handles = [Line2D([], [], color="#222222", linewidth=1.6,
                      label=_("Afghanistan–Tajikistan border"))]
    types = list(s.EVENT_TYPES)
    for code in types:
        rows = located[located[s.EVENT_TYPE] == code]
        if rows.empty:
            continue
        kind = s.EVENT_TYPES[code]
        casualties = rows[s.FATALITIES].fillna(0).astype(float) + \
            rows[s.INJURED].fillna(0).astype(float)
        shape = SHAPES[types.index(code) % len(SHAPES)]
        ax.scatter(rows.geometry.x, rows.geometry.y, s=18 + 10 * np.sqrt(casualties),
                   marker=shape, color=kind.color, edgecolor="#222222", linewidth=0.5,
                   alpha=0.85, zorder=3, gid=f"incidents-{code}")
        handles.append(Line2D([], [], linestyle="", marker=shape, color=kind.color,
                              markeredgecolor="#222222", markersize=7,
                              label=f"{_(kind.label)} ({_.num(len(rows))})"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False, title=_("Marker size: killed + injured"), title_fontsize=7,
              alignment=start)
    ax.add_artist(ScaleBar(1, "m", location="lower right", box_alpha=0.8, font_properties={
        "size": 8}))
    minx, miny, maxx, maxy = prov.total_bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_axis_off()
    killed, injured = incidents[s.FATALITIES].sum(), incidents[s.INJURED].sum()
    fig.suptitle(_("Security incidents on the Afghanistan–Tajikistan border"), fontsize=13,
                 x=edge, ha=start, gid="figure-title")
    # (the counts are worked out first: a bare _ inside the call would hide its plural from
    # the catalogs' extractor)
    killed_text, injured_text = _count(killed, _), _count(injured, _)
    counts = _.ngettext("{n} incident · {killed} killed · {injured} injured (reported figures)",
                        "{n} incidents · {killed} killed · {injured} injured (reported "
                        "figures)", len(incidents), killed=killed_text, injured=injured_text)
    ax.set_title(" · ".join(filter_lines) + "\n" + counts, fontsize=9, loc=start)
    unplaced = len(incidents) - len(located)
    foot = [data_note]
    if unplaced:
        foot.append(_.ngettext("{n} incident with no known point is counted but not drawn.",
                               "{n} incidents with no known point are counted but not drawn.",
                               unplaced))
    foot.append(_(ATTRIBUTION) + " " + _("Map: {crs} (UTM 42N).", crs=ANALYSIS_CRS))
    if owed := pv.credit(incidents, _):
        foot.append(owed)
    fig.supxlabel("\n".join(foot), x=0.99 if rtl else 0.01, ha=start, fontsize=6.5,
                  color="#444444", multialignment=start)
    out = io.BytesIO()
    with rc_context({"svg.fonttype": "none"}):  # SVG text stays text, editable
        fig.savefig(out, format=fmt, dpi=200 if fmt == "png" else 72,
                    metadata={"Title": "Panj Border Watch figure"} if fmt == "svg" else None)
    return out.getvalue()


def _count(value: Any, _: Translator) -> str:
    return _.num(0 if pd.isna(value) else int(value))
