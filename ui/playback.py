"""Time playback in the sidebar: Play steps the date filter through the period on a timer.

The step, window and speed are part of the link (``geo.viewstate.parse_playback``); a link
opens paused on the frame it shows.
"""

from __future__ import annotations

import time

import streamlit as st

from geo import playback
from geo.viewstate import ViewState, parse_playback, playback_query
from ui.state import Key, filters_drawn, get, set_page_params, tr, url_params_at_start

#: How often the ticker looks whether a frame is due: the fastest speed's interval.
TICK_S = min(playback.SPEEDS.values())


def _play_frame(state: dict) -> tuple:
    return playback.window(state["from"], state["ends"][state["i"]], state["step"],
                           state["window"])


def _play(view: ViewState) -> None:
    step, window = st.session_state[Key.PLAY_STEP], st.session_state[Key.PLAY_WINDOW]
    interval = playback.SPEEDS[st.session_state[Key.PLAY_SPEED]]
    state = {"from": view.start, "to": view.end, "step": step, "window": window, "i": 0,
             "ends": playback.frame_ends(view.start, view.end, step), "interval": interval,
             "due": time.monotonic() + interval}
    st.session_state[Key.PLAY] = state
    st.session_state[Key.DATES] = _play_frame(state)


def _pause() -> None:
    st.session_state[Key.PLAY] = None


def _tick() -> None:
    state = get(Key.PLAY)
    # a run_every fragment also runs within every full run; only a due tick advances
    if not state or time.monotonic() < state["due"]:
        return
    state["due"] = time.monotonic() + state["interval"]
    if state["i"] + 1 >= len(state["ends"]):
        st.session_state[Key.PLAY] = None  # played through: stay on the last frame
        return
    state["i"] += 1
    st.session_state[Key.PENDING_DATES] = _play_frame(state)
    st.rerun(scope="app")


_ticker = st.fragment(run_every=TICK_S)(_tick)


def playback_controls(view: ViewState) -> None:
    """Play and pause through the filtered period; the map and figures follow each frame."""
    if Key.PLAY_STEP not in st.session_state:
        settings, notices = parse_playback(url_params_at_start())
        for notice in notices:
            st.warning(notice.text(tr(), markdown=True), icon="⚠️")
        st.session_state[Key.PLAY_STEP] = settings["step"]
        st.session_state[Key.PLAY_WINDOW] = settings["window"]
        st.session_state[Key.PLAY_SPEED] = settings["speed"]
    state = get(Key.PLAY)
    if not filters_drawn():  # held back with the filters until the map has drawn (#24)
        _page_params()
        return
    # In the sidebar: a bordered block of widgets right above the map broke clicks on the
    # map's incidents in Chromium (seen in the browser tests; cause not pinned down).
    _ = tr()
    sb = st.sidebar
    sb.header(_("Playback"))
    c1, c2, c3 = sb.columns(3)
    c1.selectbox(_("Step"), options=list(playback.STEPS), key=Key.PLAY_STEP,
                 format_func=lambda k: _(playback.STEPS[k]), disabled=bool(state))
    c2.selectbox(_("Window"), options=list(playback.WINDOWS), key=Key.PLAY_WINDOW,
                 format_func=lambda k: _(playback.WINDOWS[k]), disabled=bool(state),
                 help=_(playback.WINDOW_HELP))
    c3.selectbox(_("Speed"), options=list(playback.SPEEDS), key=Key.PLAY_SPEED,
                 format_func=lambda k: _(playback.SPEED_LABELS[k]), disabled=bool(state),
                 help=" · ".join(_("{speed}: {seconds} s a frame",
                                   speed=_(playback.SPEED_LABELS[k]), seconds=f"{v:g}")
                                 for k, v in playback.SPEEDS.items()))
    if state:
        sb.button(_("Pause"), on_click=_pause, width="stretch", key="play_button")
        done = (state["i"] + 1) / len(state["ends"])
        sb.progress(done, text=_("Frame {i} of {n}: {start} – {end}", i=_.num(state["i"] + 1),
                                 n=_.num(len(state["ends"])), start=_.date(view.start),
                                 end=_.date(view.end)))
    else:
        sb.button(_("Play"), on_click=_play, args=(view,), width="stretch", key="play_button",
                  help=_("Steps through the date range above; the map, figures and link "
                         "follow each frame"))
    _page_params()


def _page_params() -> None:
    set_page_params(playback_query({"step": st.session_state[Key.PLAY_STEP],
                                    "window": st.session_state[Key.PLAY_WINDOW],
                                    "speed": st.session_state[Key.PLAY_SPEED]}))


def playback_tick() -> None:
    """Advance playback on a timer. Call it last on the page: the ticker only exists
    while playing, and anything it pushed down (the map) would be remounted."""
    if get(Key.PLAY):
        _ticker()
