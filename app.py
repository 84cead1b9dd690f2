"""Panj Border Watch: the app's entry point (navigation) and its main page, the map."""

import streamlit as st

import ui


def map_page() -> None:
    """The map of incidents along the Afghanistan–Tajikistan border, with the headline."""
    data, view, frame = ui.start_page(ui.APP_TITLE, map_first=True)
    _ = ui.tr()
    st.title("Panj Border Watch")
    st.caption(_("Security incidents along the ~1,350 km Afghanistan–Tajikistan border, from "
                 "public reporting. Click a marker for its sources; every figure comes from "
                 "the rows on the Data page."))
    ui.data_warnings(data, full=False)
    ui.headline(frame)
    # Always there, so that a hint appearing never moves the map below it: a moved map is
    # remounted, losing the reader's pan and zoom.
    with st.container():
        if frame.empty:
            ui.empty_hint(view, data)
    ui.playback_controls(view)
    ui.map_panel(data, view, frame)
    ui.playback_tick()


_ = ui.tr()  # the reader's language, from the link or the selector, names the pages
st.navigation([st.Page(map_page, title=_("Map"), default=True),
               *(st.Page(path, title=_(title)) for path, title in ui.PAGES)]).run()
