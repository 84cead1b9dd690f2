"""Time playback: the sequence of date windows a play-through of a period shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

import pandas as pd

from geo.i18n import N_

Step = Literal["day", "week", "month"]
Window = Literal["cumulative", "moving"]
#: Steps and windows by their link value, with their labels (marked for the catalogs).
STEPS: Final[dict[str, str]] = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
WINDOWS: Final[dict[str, str]] = {"cumulative": N_("Cumulative"), "moving": N_("Moving")}
WINDOW_HELP: Final = N_("Cumulative: every incident from the start of the range. Moving: the "
                        "last 4 steps only.")
MOVING_STEPS: Final = 4
#: Playback speeds: seconds each frame stays on screen.
SPEEDS: Final[dict[str, float]] = {"slow": 3.0, "normal": 1.5, "fast": 0.75}
SPEED_LABELS: Final[dict[str, str]] = {"slow": N_("Slow"), "normal": N_("Normal"),
                                       "fast": N_("Fast")}


def advance(day: date, step: Step, n: int = 1) -> date:
    """``day`` moved ``n`` steps (months are calendar months)."""
    if step not in STEPS:
        msg = f"step must be one of {list(STEPS)}; got {step!r}"
        raise ValueError(msg)
    if step == "month":
        return (pd.Timestamp(day) + pd.DateOffset(months=n)).date()
    return day + timedelta(days=n * (7 if step == "week" else 1))


def frame_ends(start: date, end: date, step: Step) -> list[date]:
    """The last day of each frame: one step after another from ``start``, ending at ``end``."""
    if start > end:
        msg = f"start ({start}) must not be after end ({end})"
        raise ValueError(msg)
    ends: list[date] = []
    n = 1
    while True:
        last = advance(start, step, n) - timedelta(days=1)
        if last >= end:
            ends.append(end)
            return ends
        ends.append(last)
        n += 1


def window(start: date, frame_end: date, step: Step, mode: Window) -> tuple[date, date]:
    """The dates a frame shows: from ``start`` (cumulative) or the last few steps (moving)."""
    if mode not in WINDOWS:
        msg = f"window must be one of {list(WINDOWS)}; got {mode!r}"
        raise ValueError(msg)
    if mode == "cumulative":
        return start, frame_end
    first = advance(frame_end + timedelta(days=1), step, -MOVING_STEPS)
    return max(start, first), frame_end
