"""Your data: import a CSV, GeoJSON, ACLED or UCDP GED file for this browser session only."""

import streamlit as st

import ui
from geo import importers

data, _v, _f = ui.start_page("Your data", filtered=False)
_ = ui.tr()

st.title(_("Your data"))
st.markdown(_("""
Upload your own incident list to see it on the same map, timeline and table, with the same
filters. Accepted formats, detected from the columns:

- this project's CSV (see *How to add an incident* on the About page);
- GeoJSON points with those properties;
- an **ACLED** export (`event_id_cnty, event_date, event_type, latitude, longitude, …`);
- **UCDP GED** (`id, date_start, latitude, longitude, best, low, high, …`).

Each point is placed in its province by its coordinates; a point in none of the mapped
provinces is kept and shown when no region filter is set. A damaged line (one with more or
fewer fields than the header) is skipped and listed in the report with its line number; the
other rows are imported. Files up to {mb} MB and {rows} rows.

**Private to you.** What you upload stays in this browser session: it is never written to
disk, never shown to anyone else, and not part of shared links; it is gone when you close
the tab. ACLED's terms forbid re-publishing its data, which is one reason uploads are never
kept.
""", mb=_.num(importers.MAX_UPLOAD_MB), rows=_.num(importers.MAX_ROWS)))

upload = st.file_uploader(_("Incidents file"), type=["csv", "txt", "geojson", "json"],
                          key="upload_file")
if upload is not None:
    ui.import_upload(upload, data.provinces)

ui.import_report()
if ui.uploaded() is not None:
    st.button(_("Remove your data"), on_click=ui.clear_upload)
