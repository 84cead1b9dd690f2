"""The incident table a reader sees: readable labels, casualty figures, a column per source."""

from __future__ import annotations

import pandas as pd

from geo import schema as s

SOURCE_COLUMN = "Source {n}"


def incident_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Display table of incidents and the number of ``Source n`` URL columns it has.

    Figures stay as they are recorded: a missing count stays missing (not reported).
    """
    parsed = frame[s.SOURCES].map(s.parse_sources)
    n_sources = int(parsed.map(len).max()) if len(parsed) else 0
    out = pd.DataFrame({
        "ID": frame[s.ID],
        "Date": frame[s.DATE].dt.date,
        "Date precision": frame[s.DATE_PRECISION],
        "Time": frame[s.TIME_LOCAL],
        "Region": frame[s.REGION_CODE].map(lambda c: f"{s.region_label(c)} · {c}"),
        "District": frame[s.DISTRICT],
        "Location": frame[s.LOCATION],
        "Type": frame[s.EVENT_TYPE].map(lambda t: s.EVENT_TYPES[t].label),
        "Killed": frame[s.FATALITIES],
        "Injured": frame[s.INJURED],
        "Victims": frame[s.VICTIMS],
        "Blamed (by whom)": frame[s.PERPETRATOR],
        "Attackers from": frame[s.ORIGIN],
        "Location precision": frame[s.GEO_PRECISION].map(
            lambda p: f"{p}: {s.GEO_PRECISIONS[int(p)]}"),
        "Lat": frame[s.LAT],
        "Lon": frame[s.LON],
        "Confidence": frame[s.CONFIDENCE],
        "Summary": frame[s.SUMMARY],
        "Notes": frame[s.NOTES],
        "Sources": parsed.map(lambda ss: "; ".join(
            f"{x.outlet}, {x.published or 'undated'}" for x in ss)),
    }).reset_index(drop=True)
    if s.DATASET in frame:
        out.insert(1, "Dataset", frame[s.DATASET].map(
            {s.BUNDLED: "Bundled", s.YOURS: "Your data"}).to_numpy())
    for i in range(n_sources):
        out[SOURCE_COLUMN.format(n=i + 1)] = parsed.map(
            lambda ss, i=i: ss[i].url if i < len(ss) else None).to_numpy()
    return out, n_sources
