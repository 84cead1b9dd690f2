"""The map's words: layer names, legend and popup labels, attribution, in the reader's language.

``geo.mapview`` draws; this module says what the drawing is called. The labels the map's
scripts show (``geo/static/map/*.js``) travel as one object, ``T``, built by
:func:`script_text`; a test checks that every ``T.<key>`` the scripts read is here.
"""

from __future__ import annotations

from typing import Final

from geo.i18n import N_, Translator

BOUNDARY_ATTRIBUTION: Final = N_("Boundaries: Natural Earth 1:10m (public domain) | "
                                 "Incidents: Panj Border Watch, from public reporting")

LAYER_PROVINCES: Final = N_("Provinces (shaded by incidents)")
LAYER_ORIGINS: Final = N_("Reported origin of attackers")
LAYER_INCIDENTS: Final = N_("Incidents")
LAYER_BORDER: Final = N_("Afghanistan–Tajikistan border")

#: How a date known only to the week, month or year is flagged ("±week").
DATE_UNITS: Final[dict[str, str]] = {"week": N_("week"), "month": N_("month"),
                                     "year": N_("year")}

#: What the scripts show, by the key they read it under (``T.killed`` …).
SCRIPT_TEXT: Final[dict[str, str]] = {
    # legend.js
    "legend": N_("Legend"),
    "eventType": N_("Event type"),
    "markerSize": N_("Marker size: killed + injured as reported"),
    "shapeNote": N_("Shape and colour: event type. Tab reaches each marker; Enter opens it."),
    "outlineNote": N_("Solid outline: the named site. Dashed: district centre. Thick blue "
                      "outline: your uploaded data."),
    "perProvince": N_("Incidents in the current filter, per province"),
    "borderLine": N_("Afghanistan–Tajikistan border (1:10m)"),
    "originLine": N_("Reported origin → target"),
    # incidents.js and compact.js
    # (the popups' field labels come with their values, from geo.fields)
    "yours": N_("Your data: uploaded in this browser session only"),
    "notes": N_("Notes: conflicting figures, location"),
    "sources": N_("Sources"),
    "undated": N_("undated"),
    "pressEnter": N_("Press Enter for the full record."),
    "firstSource": N_("First source"),
    "abridged": N_("Abridged: the Data page lists every field and source."),
    # density.js ({n} and {km} are filled in by the script)
    "cell": N_("Incidents in this {km} km cell: {n}"),
    "killedReported": N_("Killed (reported)"),
    "injuredReported": N_("Injured (reported)"),
    "span": N_("From {first} to {last}"),
    "topType": N_("Most common type"),
    "narrow": N_("Narrow the filter to see each incident."),
    # export_note.js
    "openView": N_("Open this view in the dashboard"),
}


def script_text(_: Translator) -> dict[str, str]:
    """The scripts' labels in the language of ``_``, with its direction and language tag."""
    return {**{k: _(v) for k, v in SCRIPT_TEXT.items()}, "dir": _.dir,
            "lang": _.language.tag}
