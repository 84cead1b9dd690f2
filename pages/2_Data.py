"""Data: the filtered incidents as a sortable table with sources, and every export."""

import streamlit as st

import ui
from geo import exports, tables
from geo import provenance as pv
from geo import schema as s

data, view, frame = ui.start_page("Data")
_ = ui.tr()

st.title(_("Data"))
st.caption(_("Every incident in the current filter. Figures above the map are sums of the "
             "Killed and Injured columns here; an empty cell means no figure was reported. "
             "Click a column header to sort."))
ui.untranslated_note(_("Summaries, notes, places and sources stay in the language they were "
                       "written in (mostly English); labels and figures are translated."))
if data.corrections:  # team mode: the store keeps every change
    corrected = frame[frame[s.ID].isin(list(data.corrections))]
    ui.seeded(ui.Key.ONLY_CORRECTED, ui.Key.ONLY_CORRECTED_CHOSEN, False)
    if st.toggle(_("Only corrected incidents ({n} in this filter)", n=_.num(len(corrected))),
                 key=ui.Key.ONLY_CORRECTED, on_change=ui.keep_widget,
                 args=(ui.Key.ONLY_CORRECTED, ui.Key.ONLY_CORRECTED_CHOSEN),
                 help=_("Incidents whose fields were changed after they were first recorded; "
                        "each one's record on the map lists what changed, when and why")):
        frame = corrected
ui.headline(frame)
if frame.empty:
    ui.empty_hint(view, data)
else:
    everything, _n = ui.incident_table(data)  # built once per file, not per rerun
    table, n_sources = tables.rows_of(everything, frame)
    table = table.sort_values("Date", ascending=False, kind="stable")
    _first_page, pages = tables.page_of(table, 1)
    page = 1
    if pages > 1:
        c1, c2 = st.columns([1, 3])
        ui.seeded(ui.Key.DATA_PAGE, ui.Key.DATA_PAGE_CHOSEN, 1)
        page = min(int(c1.number_input(_("Page"), min_value=1, max_value=pages, step=1,
                                       key=ui.Key.DATA_PAGE, on_change=ui.keep_widget,
                                       args=(ui.Key.DATA_PAGE, ui.Key.DATA_PAGE_CHOSEN))),
                   pages)
        first = (page - 1) * tables.PAGE_ROWS + 1
        c2.caption(_("Rows {first}–{last} of {n}, newest first ({size} a page; sorting a "
                     "column sorts this page). The downloads below hold every row.",
                     first=_.num(first), last=_.num(min(page * tables.PAGE_ROWS, len(table))),
                     n=_.num(len(table)), size=_.num(tables.PAGE_ROWS)))
    shown, _n = tables.page_of(table, page)
    st.dataframe(tables.labelled(shown, _), hide_index=True, width="stretch", height=520,
                 column_config=ui.table_column_config(n_sources))
    stem = f"panj-incidents_{view.start.isoformat()}_{view.end.isoformat()}"
    # bulk files carry only what each dataset's terms let us pass on (PANJ_EXPORT_ALL_SOURCES)
    bulk, withheld = pv.redistributable(frame)
    if withheld:
        st.info(withheld.text(_), icon="ℹ️")
    c1, c2, c3, c4 = st.columns(4)
    # each file is built when its button is pressed, not on every rerun
    c1.download_button(_("Download CSV"), lambda: exports.to_csv(bulk),
                       file_name=f"{stem}.csv", mime="text/csv", width="stretch",
                       help=_("The project's own format (see the About page); cells that a "
                              "spreadsheet would run as a formula are prefixed with '"))
    c2.download_button(_("Download GeoJSON"), lambda: exports.to_geojson(bulk),
                       file_name=f"{stem}.geojson", mime="application/geo+json",
                       width="stretch",
                       help=_("Points in WGS84; incidents with no known point have null "
                              "geometry"))
    c3.download_button(_("Download GeoPackage"), lambda: exports.to_geopackage(bulk),
                       file_name=f"{stem}.gpkg", mime="application/geopackage+sqlite3",
                       width="stretch",
                       help=_("Layer 'incidents', EPSG:4326, for QGIS or ArcGIS"))
    c4.download_button(_("Download map (HTML)"), lambda: ui.export_map(data, view, bulk),
                       file_name=f"{stem}.html", mime="text/html", width="stretch",
                       help=_("This view as one HTML file that opens without the dashboard; "
                              "it names the filter it was made with"))
    c1, c2, _c3, _c4 = st.columns(4)
    figure_help = _("A figure of this filter for a report: border, provinces and incidents "
                    "with a legend, the filter in words, the date of the data, a scale bar "
                    "and sources. Drawn here, no map tiles.")
    if _.language.rtl:
        figure_help += " " + _("Its text is in English: the drawing library cannot lay out "
                               "Dari script.")
    c1.download_button(_("Download figure (PNG)"),
                       lambda: ui.export_figure(data, view, frame, "png"),
                       file_name=f"{stem}.png", mime="image/png", width="stretch",
                       help=figure_help)
    c2.download_button(_("Download figure (SVG)"),
                       lambda: ui.export_figure(data, view, frame, "svg"),
                       file_name=f"{stem}.svg", mime="image/svg+xml", width="stretch",
                       help=figure_help + " " + _("SVG opens in Inkscape or Illustrator."))
