"""The benchmark harness runs end to end at a small size (figures are not asserted: speed
is measured by `make bench`, not by tests), and its synthetic data is valid and labelled."""

from __future__ import annotations

import pytest

from benchmarks import run, synthetic
from geo import schema as s
from geo.incidents import validate_table
from geo.layers import load_provinces

from .conftest import IN_CI, ROOT, chromium_path


def test_synthetic_incidents_validate_and_say_they_are_synthetic(provinces) -> None:
    frame = synthetic.make(300)
    report = validate_table(frame, regions=load_provinces())
    assert report.ok, report.summary()
    assert frame[s.ID].str.startswith("SYN-").all()
    assert frame[s.SUMMARY].str.contains("not a real event").all()
    assert frame[s.REGION_CODE].isin(list(s.REGIONS)).all()


def test_harness_prints_every_figure(capsys) -> None:
    assert run.main(["--sizes", "300", "--naive", "300", "--no-browser"]) == 0
    out = capsys.readouterr().out
    for label in ("load+validate s", "filter s", "build all s", "payload all MB",
                  "naive build s", "speed-up vs naive"):
        assert label in out


@pytest.mark.browser
@pytest.mark.bench
def test_geoparquet_mode_prints_every_figure(capsys) -> None:
    """Including a real server's first map and memory, in the bench's own Chromium."""
    if chromium_path() is None:
        (pytest.fail if IN_CI else pytest.skip)("Chromium not found: apt-get install chromium")
    assert run.main(["--geoparquet", "300"]) == 0
    out = capsys.readouterr().out
    for label in ("as GeoParquet", "prepare without cache", "with cache", "filter",
                  "build", "process memory", "first map drawn in", "with three"):
        assert label in out


def test_synthetic_text_is_as_long_as_the_bundled_text() -> None:
    frame = synthetic.make(2_000)
    real = synthetic._bundled_lengths()
    for column in ("summary", "notes"):
        mean = frame[column].str.len().mean()
        assert 0.7 * real[column].mean() <= mean <= 1.4 * real[column].mean(), column
    assert frame[s.SOURCES].str.count(r"\|").mean() + 1 >= real["sources"].mean() * 0.7


def test_the_sync_benchmark_prints_both_runs(capsys) -> None:
    """``--sync N``: N synthetic ACLED events from the local replay of its API, twice."""
    assert run.main(["--sync", "200"]) == 0
    out = capsys.readouterr().out
    assert "first sync (all new):" in out and "200 new" in out
    assert "second sync (nothing new):" in out and "200 unchanged" in out


@pytest.mark.browser
@pytest.mark.bench
def test_the_first_screen_benchmark_times_both_pages_and_says_where_time_goes(capsys) -> None:
    """``--first-screen`` in small: one warm load of each page, the figures of both, and
    the bare reference page is what it claims (one element: the map)."""
    from benchmarks import first_screen

    if chromium_path() is None:
        (pytest.fail if IN_CI else pytest.skip)("Chromium not found: apt-get install chromium")
    dashboard, bare = first_screen.report(loads=1)
    for row in (dashboard, bare):
        assert row["warm median s"] > 0 and row["first load after a start s"] > 0
        assert row["script runs before the map"] >= 1 and row["first run s (server)"] > 0
        assert row["requests before the first shape"] > 0 and row["frames on the page then"] == 1
    assert bare["elements on the page then"] == 1 < dashboard["elements on the page then"]
    assert "dashboard / bare st_folium page: " in capsys.readouterr().out


def _bare_page(parts: str, monkeypatch):
    """``benchmarks/bare_map.py`` run in AppTest with ``parts`` beside its map."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PANJ_BARE_PARTS", parts)
    return AppTest.from_file(str(ROOT / "benchmarks" / "bare_map.py"), default_timeout=60).run()


def test_the_bare_page_draws_the_parts_it_is_asked_for(monkeypatch) -> None:
    """``--first-screen-parts`` measures what it names: as many filters as the dashboard's
    sidebar, five metrics with help (or without), or the five figures in one HTML block."""
    plain = _bare_page("", monkeypatch)
    assert not plain.exception and not plain.sidebar.children and not plain.metric
    both = _bare_page("sidebar,metrics", monkeypatch)
    assert not both.exception
    bar = both.sidebar
    assert (len(bar.selectbox), len(bar.date_input), len(bar.multiselect), len(bar.button)) \
        == (4, 1, 3, 4)
    assert len(both.metric) == 5 and all(m.proto.help for m in both.metric)
    assert not any(m.proto.help for m in _bare_page("plain-metrics", monkeypatch).metric)
    figures = _bare_page("figures", monkeypatch)
    assert not figures.metric and len(figures.get("html")) == 1
    wrong = _bare_page("sidebar,legend", monkeypatch)
    assert [e.value for e in wrong.error] == [
        "PANJ_BARE_PARTS: unknown part(s) ['legend']; allowed: sidebar, metrics, "
        "plain-metrics, figures"]


@pytest.mark.browser
@pytest.mark.bench
def test_the_data_page_benchmark_opens_both_sizes(capsys) -> None:
    """``--data-page`` in small: one size, one open, its table shown and its line printed."""
    from benchmarks import first_screen

    if chromium_path() is None:
        (pytest.fail if IN_CI else pytest.skip)("Chromium not found: apt-get install chromium")
    medians = first_screen.data_page_report((300,), loads=1)
    assert list(medians) == [300] and medians[300] > 0
    assert "Data page, warm, 300 incidents: median" in capsys.readouterr().out
