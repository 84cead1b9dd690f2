"""Data: the filtered incidents as a sortable table with sources, and every export."""

import streamlit as st

import ui
from geo import exports, tables
from geo import schema as s

data, view, frame = ui.start_page("Data")

st.title("Data")
st.caption("Every incident in the current filter. Figures above the map are sums of the "
           "Killed and Injured columns here; an empty cell means no figure was reported. "
           "Click a column header to sort.")
if data.corrections:  # team mode: the store keeps every change
    corrected = frame[frame[s.ID].isin(list(data.corrections))]
    ui.seeded(ui.Key.ONLY_CORRECTED, ui.Key.ONLY_CORRECTED_CHOSEN, False)
    if st.toggle(f"Only corrected incidents ({len(corrected):,} in this filter)",
                 key=ui.Key.ONLY_CORRECTED, on_change=ui.keep_widget,
                 args=(ui.Key.ONLY_CORRECTED, ui.Key.ONLY_CORRECTED_CHOSEN),
                 help="Incidents whose fields were changed after they were first recorded; "
                      "each one's record on the map lists what changed, when and why"):
        frame = corrected
ui.headline(frame)
if frame.empty:
    ui.empty_hint(view, data)
else:
    everything, _ = ui.incident_table(data)  # built once per file, not per rerun
    table, n_sources = tables.rows_of(everything, frame)
    table = table.sort_values("Date", ascending=False, kind="stable")
    _, pages = tables.page_of(table, 1)
    page = 1
    if pages > 1:
        c1, c2 = st.columns([1, 3])
        ui.seeded(ui.Key.DATA_PAGE, ui.Key.DATA_PAGE_CHOSEN, 1)
        page = min(int(c1.number_input("Page", min_value=1, max_value=pages, step=1,
                                       key=ui.Key.DATA_PAGE, on_change=ui.keep_widget,
                                       args=(ui.Key.DATA_PAGE, ui.Key.DATA_PAGE_CHOSEN))),
                   pages)
        first = (page - 1) * tables.PAGE_ROWS + 1
        c2.caption(f"Rows {first:,}–{min(page * tables.PAGE_ROWS, len(table)):,} of "
                   f"{len(table):,}, newest first ({tables.PAGE_ROWS:,} a page; sorting a "
                   "column sorts this page). The downloads below hold every row.")
    shown, _ = tables.page_of(table, page)
    st.dataframe(shown, hide_index=True, width="stretch", height=520,
                 column_config=ui.table_column_config(n_sources))
    stem = f"panj-incidents_{view.start.isoformat()}_{view.end.isoformat()}"
    c1, c2, c3, c4 = st.columns(4)
    # each file is built when its button is pressed, not on every rerun
    c1.download_button("Download CSV", lambda: exports.to_csv(frame), file_name=f"{stem}.csv",
                       mime="text/csv", width="stretch",
                       help="The project's own format (see the About page); cells that a "
                            "spreadsheet would run as a formula are prefixed with '")
    c2.download_button("Download GeoJSON", lambda: exports.to_geojson(frame),
                       file_name=f"{stem}.geojson", mime="application/geo+json",
                       width="stretch",
                       help="Points in WGS84; incidents with no known point have null geometry")
    c3.download_button("Download GeoPackage", lambda: exports.to_geopackage(frame),
                       file_name=f"{stem}.gpkg", mime="application/geopackage+sqlite3",
                       width="stretch", help="Layer 'incidents', EPSG:4326, for QGIS or ArcGIS")
    c4.download_button("Download map (HTML)", lambda: ui.export_map(data, view, frame),
                       file_name=f"{stem}.html", mime="text/html", width="stretch",
                       help="This view as one HTML file that opens without the dashboard; "
                            "it names the filter it was made with")
    c1, c2, _, _ = st.columns(4)
    figure_help = ("A figure of this filter for a report: border, provinces and incidents "
                   "with a legend, the filter in words, the date of the data, a scale bar "
                   "and sources. Drawn here, no map tiles.")
    c1.download_button("Download figure (PNG)",
                       lambda: ui.export_figure(data, view, frame, "png"),
                       file_name=f"{stem}.png", mime="image/png", width="stretch",
                       help=figure_help)
    c2.download_button("Download figure (SVG)",
                       lambda: ui.export_figure(data, view, frame, "svg"),
                       file_name=f"{stem}.svg", mime="image/svg+xml", width="stretch",
                       help=figure_help + " SVG opens in Inkscape or Illustrator.")
