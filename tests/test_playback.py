"""Playback frames: steps, cumulative and moving windows."""

from __future__ import annotations

from datetime import date

import pytest

from geo import playback


def test_monthly_frames_end_on_month_ends_and_at_the_end() -> None:
    ends = playback.frame_ends(date(2025, 11, 1), date(2026, 2, 10), "month")
    assert ends == [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31),
                    date(2026, 2, 10)]


def test_weekly_and_daily_frames() -> None:
    assert len(playback.frame_ends(date(2025, 1, 1), date(2025, 1, 31), "week")) == 5
    assert playback.frame_ends(date(2025, 1, 1), date(2025, 1, 3), "day") == [
        date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)]
    assert playback.frame_ends(date(2025, 1, 1), date(2025, 1, 1), "month") == [
        date(2025, 1, 1)]


def test_windows() -> None:
    start = date(2025, 1, 1)
    assert playback.window(start, date(2025, 6, 30), "month", "cumulative") == (
        start, date(2025, 6, 30))
    assert playback.window(start, date(2025, 6, 30), "month", "moving") == (
        date(2025, 3, 1), date(2025, 6, 30))
    assert playback.window(start, date(2025, 1, 31), "month", "moving") == (
        start, date(2025, 1, 31))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match=r"step must be one of .* got 'year'"):
        playback.advance(date(2025, 1, 1), "year")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"window must be one of"):
        playback.window(date(2025, 1, 1), date(2025, 2, 1), "day", "sliding")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"must not be after end"):
        playback.frame_ends(date(2025, 2, 1), date(2025, 1, 1), "day")
