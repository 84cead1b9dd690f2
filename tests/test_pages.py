"""Every page under Streamlit's AppTest: it runs, filters change figures, links round-trip."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo import viewstate
from geo.incidents import INCIDENTS_ENV
from geo.text import JOINER

from .conftest import FIXTURE_INCIDENTS, app_test, data_checksums, good_row, unescaped

PAGES = ["app.py", *(path for path, _ in ui.PAGES)]
#: The pages that show the headline figures of the filtered incidents.
WITH_FIGURES = ("app.py", "pages/1_Timeline.py", "pages/2_Data.py")


def run(page: str = "app.py", **params: str) -> AppTest:
    return app_test(page, **params).run()


def qp(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return ",".join(value) if isinstance(value, list) else value


def count(**where: str) -> str:
    """Incidents in the test data matching column=value pairs, as the metric shows it."""
    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str)
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return str(len(rows))


def _html(at: AppTest) -> list[str]:
    """The bodies of the page's ``st.html`` elements (Streamlit 1.56's AppTest has no
    ``at.html``; ``get`` works in every version)."""
    return [e.proto.body for e in at.get("html")]


def record_fields(at: AppTest) -> dict[str, str]:
    """The open incident record's label → value pairs, as the page shows them."""
    body = next(b for b in _html(at) if "pbw-record" in b)
    return {html.unescape(k): html.unescape(v) for k, v in
            re.findall(r'<dt>(.*?)</dt><dd dir="auto">(.*?)</dd>', body, flags=re.S)}


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module", autouse=True)
def _data_untouched():
    before = data_checksums()
    yield
    assert data_checksums() == before, "a page wrote to data/"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page) -> None:
    at = run(page)
    assert not at.exception, at.exception
    assert not at.error


def test_map_page_headline_figures() -> None:
    at = run()
    assert figures(at) == {"Incidents": "30", "Killed": "40", "Injured": "23",
                           "Cross-border": "20", "Date span": "Jun 2020 – Apr 2026"}
    assert qp(at, "start") == "2020-06-13" and qp(at, "end") == "2026-04-17"


def test_shared_link_reproduces_the_two_november_attacks() -> None:
    at = run(start="2025-11-26", end="2025-12-01", region="TJ-KT,TJ-GB")
    assert not at.exception
    assert figures(at)["Incidents"] == "2"
    assert (figures(at)["Killed"], figures(at)["Injured"]) == ("5", "3")
    assert at.sidebar.multiselect[0].value == ["TJ-KT", "TJ-GB"]
    assert at.sidebar.date_input[0].value == (date(2025, 11, 26), date(2025, 12, 1))
    assert not at.warning
    # the link under the map carries the same view; as plain text until the map has drawn
    # (AppTest draws none), so that its code block's highlighter waits for the map (#24)
    assert not at.code
    link = next(t.value for t in at.text if "start=" in t.value)
    assert "start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB" in link


def test_changing_a_filter_changes_figures_and_url() -> None:
    at = run()
    at.sidebar.multiselect[0].select("AF-BDS").run()
    assert figures(at)["Incidents"] == count(region_code="AF-BDS") == "5"
    assert qp(at, "region") == "AF-BDS"
    at.sidebar.multiselect[1].select("armed_clash").run()
    assert figures(at)["Incidents"] == count(region_code="AF-BDS", event_type="armed_clash")
    assert qp(at, "type") == "armed_clash"


def _naming(*words: str) -> str:
    """Test-data incidents whose perpetrator or victims text has any of ``words`` (the
    frozen file leaves ``actors`` empty, so the app derives the groups from these words)."""
    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    text = (rows["perpetrator"] + " " + rows["victims"]).str.lower()
    return str(int(sum(text.str.contains(w, regex=False) for w in words).gt(0).sum()))


def test_actor_filter_from_the_link_the_sidebar_and_on_the_data_page() -> None:
    at = run(actor="chinese")
    assert not at.exception and not at.warning
    assert at.sidebar.multiselect[2].value == ["chinese"]
    assert figures(at)["Incidents"] == _naming("chinese") != "0"
    at.sidebar.multiselect[2].select("smugglers").run()
    assert qp(at, "actor") == "smugglers,chinese"
    assert figures(at)["Incidents"] == _naming("chinese", "smuggl", "traffick")
    data = run("pages/2_Data.py", actor="chinese")
    table = data.dataframe[0].value
    assert len(table) == int(_naming("chinese"))
    assert table["Actors"].str.contains("Chinese nationals and firms").all()
    at.sidebar.multiselect[2].set_value([]).run()
    assert figures(at)["Incidents"] == count() and "actor" not in at.query_params


def test_the_map_lists_the_incidents_in_view_with_links_to_their_records() -> None:
    at = run(start="2025-11-26", end="2025-12-01")
    assert any(e.label == "Incidents in view, as a list" for e in at.expander)
    body = next(b for b in _html(at) if "pbw-in-view" in b)
    assert body.count("<li") == int(figures(at)["Incidents"]) == 2
    assert "incident=PBW-0024" in body and body.index("PBW-0025") < body.index("PBW-0024")


def test_date_range_and_presets() -> None:
    at = run(start="2025-11-26", end="2025-11-26")
    assert figures(at)["Incidents"] == "1"
    at.sidebar.date_input[0].set_value((date(2021, 7, 1), date(2021, 7, 31))).run()
    assert figures(at)["Incidents"] == "7"
    at.sidebar.button[0].click().run()  # "All"
    assert figures(at)["Incidents"] == "30"
    at.sidebar.button[2].click().run()  # "30 days": none in the bundled data
    assert figures(at)["Incidents"] == "0"
    assert any("No incidents match" in i.value for i in at.info)


def test_half_picked_date_range_does_not_crash() -> None:
    at = run(start="2025-11-26", end="2025-11-30")
    at.sidebar.date_input[0].set_value((date(2021, 1, 1),)).run()
    assert not at.exception
    assert figures(at)["Incidents"] == "2"  # the previous range stays in force
    assert any("Pick the end date" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize(
    ("params", "param"),
    [({"start": "yesterday"}, "start"), ({"region": "Badakhshan"}, "region"),
     ({"type": "<img src=x onerror=alert(1)>"}, "type"), ({"basemap": "x"}, "basemap"),
     ({"actor": "Taliban fighters"}, "actor"),
     ({"zoom": "99", "lat": "37", "lon": "70"}, "zoom"),
     ({"start": "2025-12-01", "end": "2025-01-01"}, "start")],
)
def test_bad_link_parameters_give_a_notice_and_defaults(params, param) -> None:
    at = run(**params)
    assert not at.exception
    assert any(f"`{param}`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert figures(at)["Incidents"] == "30"


@pytest.mark.parametrize("page", PAGES[1:])
def test_pages_keep_the_filter(page) -> None:
    at = run(page, start="2025-11-26", end="2025-12-01", region="TJ-KT,TJ-GB")
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["TJ-KT", "TJ-GB"]
    if page in WITH_FIGURES:
        assert figures(at)["Incidents"] == "2"


def test_data_page_lists_the_filtered_incidents_with_downloads() -> None:
    at = run("pages/2_Data.py", start="2025-11-26", end="2025-12-01")
    table = at.dataframe[0].value
    assert list(table["ID"]) == ["PBW-0025", "PBW-0024"]  # newest first
    assert table["Source 1"].str.startswith("https://").all()
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Download CSV", "Download GeoJSON", "Download GeoPackage",
                      "Download map (HTML)", "Download figure (PNG)", "Download figure (SVG)"]


@pytest.mark.parametrize("day", ["2025-11-26", "2020-06-13"])
def test_timeline_for_a_single_day_without_context_events(day) -> None:
    at = run("pages/1_Timeline.py", start=day, end=day)
    assert not at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_timeline_page_has_chart_and_context_events() -> None:
    at = run("pages/1_Timeline.py", start="2025-11-01", end="2025-12-31")
    assert not at.exception
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    figures_table, by_region, events = (d.value for d in at.dataframe)
    # the chart's figures as a table, for readers who cannot see the chart
    assert figures_table["Incidents"].sum() == int(figures(at)["Incidents"])
    assert any(e.label == "The chart's figures as a table" for e in at.expander)
    assert "Flag" in by_region.columns
    assert len(events) > 0 and events["date"].min() >= pd.Timestamp("2025-11-01")


def test_about_page_compares_with_official_figures() -> None:
    at = run("pages/4_About.py")
    table = at.dataframe[0].value
    assert table["Measure"].str.contains("Border length").any()
    assert "1,170" in set(table["This dashboard"])


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "incidents.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_env_variable_points_the_app_at_another_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(INCIDENTS_ENV, str(_write(tmp_path, [good_row(), good_row(id="T-2")])))
    at = run()
    assert not at.exception and figures(at)["Incidents"] == "2"


def test_bad_incidents_file_shows_its_problems_not_a_traceback(monkeypatch, tmp_path) -> None:
    bad = _write(tmp_path, [good_row(), good_row(id="T-2", date="2025-13-01", lat="999")])
    monkeypatch.setenv(INCIDENTS_ENV, str(bad))
    at = run()
    assert not at.exception
    assert "has problems" in at.error[0].value
    report = at.dataframe[0].value
    assert set(report["field"]) == {"date", "lat"} and set(report["row"]) == {3}


def test_missing_incidents_file_is_explained(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(INCIDENTS_ENV, str(tmp_path / "nope.csv"))
    at = run()
    assert not at.exception and "does not exist" in at.error[0].value


# --- your data (imports), and garbage in every link parameter ---------------------------

def _seeded(page: str = "app.py", mode: str | None = None, **params: str) -> AppTest:
    """A session that has imported the ACLED sample (AppTest cannot drive an upload)."""
    from geo import importers, layers

    from . import samples

    result = importers.import_file(
        "acled.csv", samples.acled_table().to_csv(index=False).encode(),
        provinces=layers.load_provinces())
    at = app_test(page, **params)
    at.session_state[ui.Key.UPLOAD] = result
    if mode:
        at.session_state[ui.Key.DATA_MODE] = mode
    return at.run()


def test_import_page_runs_and_explains_privacy() -> None:
    at = run("pages/3_Import.py")
    assert not at.exception
    assert any("never written to" in m.value for m in at.markdown)


def test_uploaded_data_joins_the_map_figures() -> None:
    at = _seeded()
    assert not at.exception
    assert figures(at)["Incidents"] == "57"  # 30 bundled + 27 imported with a point
    assert any("not part of this link" in c.value for c in at.caption)
    assert at.sidebar.radio[0].value == "both"
    at.sidebar.radio[0].set_value("yours").run()
    assert figures(at)["Incidents"] == "27"
    at.sidebar.radio[0].set_value("bundled").run()
    assert figures(at)["Incidents"] == "30"


def test_uploaded_data_is_marked_in_the_table() -> None:
    at = _seeded("pages/2_Data.py", mode="both", start="2025-11-26", end="2025-11-26")
    table = at.dataframe[0].value
    assert sorted(table["Dataset"]) == ["Bundled", "Your data"]


def test_import_page_shows_the_report() -> None:
    at = _seeded("pages/3_Import.py")
    assert {m.label: m.value for m in at.metric}["Accepted"] == "27"
    assert any("Every row was accepted" in x.value for x in at.success)


def test_failed_import_is_explained() -> None:
    at = app_test("pages/3_Import.py")
    at.session_state[ui.Key.UPLOAD_ERROR] = ("x.csv", "'x.csv' is empty: there is nothing")
    at.run()
    assert not at.exception and "could not be imported" in at.error[0].value


#: Garbage for every link parameter any page reads; the parsers' own tests fuzz each one.
GARBAGE = ["", " ", "%00", "\x00", "../../etc/passwd", "<script>alert(1)</script>",
           "' OR 1=1 --", "9" * 500, "-1", "1e309", "NaN", "😀", "2025-02-29", "0000-00-00",
           "TJ-KT,,,,", "null", "[]", "{}", "javascript:alert(1)"]
#: Every parameter a link can carry, derived from the code that reads them (a new one is
#: fuzzed here without anyone adding it), and one no page knows.
LINK_PARAMS = (*viewstate.PARAMS, *viewstate.PLAYBACK_DEFAULTS,
               *(f"{p}_{end}" for p in viewstate.PERIOD_PREFIXES for end in ("start", "end")),
               "other")


@pytest.mark.parametrize("page", PAGES)
def test_garbage_in_every_link_parameter_never_breaks_a_page(page) -> None:
    params = {k: GARBAGE[(5 + j) % len(GARBAGE)] for j, k in enumerate(LINK_PARAMS)}
    at = run(page, **params)
    assert not at.exception, at.exception
    assert at.warning, "garbage in the link gave no notice"
    if page in WITH_FIGURES:
        assert set(figures(at)) == {"Incidents", "Killed", "Injured", "Cross-border",
                                    "Date span"}
        assert figures(at)["Incidents"] == count()


def test_distance_filter_round_trips_through_the_link() -> None:
    at = run(within="2")
    assert not at.exception and not at.warning
    assert at.sidebar.selectbox[1].value == 2  # [0] is the language
    n = int(figures(at)["Incidents"])
    assert 0 < n < 30 and qp(at, "within") == "2"
    at.sidebar.selectbox[1].set_value(0).run()
    assert figures(at)["Incidents"] == "30" and "within" not in at.query_params


def test_incident_link_opens_its_full_record() -> None:
    at = run(incident="PBW-0024")
    assert not at.exception and not at.warning
    assert at.subheader[0].value == "26 Nov 2025 — Cross-border attack"
    fields = record_fields(at)
    assert fields["Killed"] == "3" and fields["Injured"] == "1"
    assert fields["Cross-border"].startswith("yes: attackers reported to come from")
    assert fields["To the border"].startswith("11.5 km")
    assert "drone" in fields["Summary"] and "24 November" in fields["Notes"]
    sources = at.dataframe[0].value
    assert len(sources) == 3 and sources["Link"].str.startswith("https://").all()
    assert any("?incident=PBW-0024" in t.value for t in at.text)
    assert qp(at, "incident") == "PBW-0024"
    assert at.session_state[ui.Key.ANCHOR] == (37.84137, 70.04865, 9)


def test_unknown_and_malformed_incident_links() -> None:
    at = run(incident="PBW-9999")
    assert not at.exception
    assert "No incident has the id 'PBW-9999'" in unescaped(at.warning[0].value)
    at = run(incident="<script>")
    assert not at.exception and any("`incident`" in w.value for w in at.warning)


def test_closing_the_record_removes_it_from_the_link() -> None:
    at = run(incident="PBW-0025")
    at.button(key="close_incident").click().run()
    assert "incident" not in at.query_params
    assert not at.subheader


def test_compare_two_periods_from_a_link() -> None:
    at = run("pages/5_Compare.py", a_start="2025-07-01", a_end="2026-04-30",
             b_start="2024-08-31", b_end="2025-06-30", region="TJ-KT")
    assert not at.exception and not at.warning
    assert {m.label: m.value for m in at.metric}["Incidents: A (B)"] == "7 (1)"
    row = at.dataframe[0].value.iloc[0]
    assert row["Region"].endswith("TJ-KT") and row["Flag"] == "▲ large rise"
    assert (qp(at, "a_start"), qp(at, "b_end"), qp(at, "region")) == (
        "2025-07-01", "2025-06-30", "TJ-KT")
    assert any("a_start=2025-07-01" in c.value for c in at.code)


def test_compare_defaults_and_bad_period() -> None:
    at = run("pages/5_Compare.py", a_start="soon", b_start="2025-12-01", b_end="2025-01-01")
    assert not at.exception
    params = {w.value.split("`")[1] for w in at.warning}
    assert params == {"a_start", "b_start"}
    assert at.date_input(key=ui.Key.COMPARE_A).value == (date(2025, 4, 18), date(2026, 4, 17))


def test_no_page_changes_the_shared_incidents() -> None:
    """Every session shares one cached frame: a page that wrote to it would change the
    data for every viewer."""
    from geo.incidents import incidents_path
    from ui import data as ui_data

    run()
    path = incidents_path()
    stat = path.stat()
    frame, _ = ui_data._incidents(str(path), stat.st_mtime, stat.st_size)

    def digest() -> int:
        return int(pd.util.hash_pandas_object(frame.drop(columns="geometry")).sum())

    before, columns = digest(), list(frame.columns)
    for page in PAGES:
        at = run(page, start="2025-11-26", end="2025-12-01", region="TJ-KT", within="50")
        assert not at.exception, (page, at.exception)
    assert list(frame.columns) == columns and digest() == before


def test_sidebar_gives_the_review_date_never_a_file_time(monkeypatch, tmp_path) -> None:
    path = _write(tmp_path, [good_row(), good_row(id="T-2", date="2025-12-01")])
    monkeypatch.setenv(INCIDENTS_ENV, str(path))
    at = run()
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "no review record" in captions and "latest incident 1 Dec 2025" in captions
    (tmp_path / "incidents.review.json").write_text(
        '{"reviewed": "2026-02-03", "scope": "[x](http://e.org)", "gaps": ["<b>g</b>"]}',
        encoding="utf-8")
    at = run()
    assert "Data reviewed 3 Feb 2026 · latest incident 1 Dec 2025" in " ".join(
        c.value for c in at.sidebar.caption)
    about = run("pages/4_About.py")
    text = " ".join(m.value for m in about.markdown)
    assert "Data reviewed on 3 February 2026" in text
    assert r"\[x\]\(http\:\/\/e\.org\)" in text.replace(JOINER, "") and r"\<b\>g\<\/b\>" in text


def test_a_large_table_is_paged(monkeypatch, tmp_path) -> None:
    rows = [good_row(id=f"T-{i}", date=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}")
            for i in range(1_250)]
    monkeypatch.setenv(INCIDENTS_ENV, str(_write(tmp_path, rows)))
    at = run("pages/2_Data.py")
    assert not at.exception and figures(at)["Incidents"] == "1,250"
    assert len(at.dataframe[0].value) == 1_000
    assert at.dataframe[0].value["Date"].is_monotonic_decreasing  # newest first
    pager = at.number_input(key=ui.Key.DATA_PAGE)
    assert (pager.value, pager.max) == (1, 2)
    pager.set_value(2).run()  # the reader picks page 2
    assert len(at.dataframe[0].value) == 250
    assert at.number_input(key=ui.Key.DATA_PAGE).value == 2
    assert any("Rows 1,001–1,250 of 1,250" in c.value for c in at.caption)


def test_playback_speed_comes_from_the_link_and_sets_the_frame_interval() -> None:
    at = run(start="2025-07-01", end="2026-04-30", step="month", speed="fast")
    assert not at.exception and not at.warning
    assert at.selectbox(key=ui.Key.PLAY_SPEED).value == "fast"
    assert qp(at, "speed") == "fast" and qp(at, "step") == "month"
    at.selectbox(key=ui.Key.PLAY_SPEED).set_value("slow").run()
    assert qp(at, "speed") == "slow"
    at.button(key="play_button").click().run()
    assert at.session_state[ui.Key.PLAY]["interval"] == 3.0
    at = run(speed="warp")
    assert any("`speed`" in w.value and "slow, normal, fast" in w.value for w in at.warning)
    assert at.selectbox(key=ui.Key.PLAY_SPEED).value == "normal" and "speed" not in \
        at.query_params


def test_a_sessions_first_map_holds_the_filters_back_but_not_the_view() -> None:
    """Before the map has drawn, the sidebar holds a note where the filters will be (#24):
    the view still comes from the link, whole, and the link is written back."""
    link = {"start": "2025-11-26", "end": "2025-12-01", "region": "TJ-KT,TJ-GB",
            "step": "month", "speed": "fast", "within": "10"}
    at = app_test(map_reported=False, **link).run()
    assert not at.exception, at.exception
    assert [c.value for c in at.sidebar.caption] == ["The filters appear once the map has "
                                                     "drawn."]
    assert not at.sidebar.selectbox and not at.sidebar.multiselect and not at.sidebar.button
    assert at.metric[0].label == "Incidents" and at.metric[0].value == "1"
    assert {k: qp(at, k) for k in link} == link  # playback's own parameters kept too
    # the map's first report (or the wait running out) draws them, holding the same view
    at.session_state[ui.Key.FILTERS_DRAWN] = True
    at.run()
    assert at.multiselect(key=ui.Key.REGIONS).value == ["TJ-KT", "TJ-GB"]
    assert at.selectbox(key=ui.Key.PLAY_SPEED).value == "fast"
    assert at.selectbox(key=ui.Key.WITHIN).value == 10
    assert at.metric[0].value == "1" and {k: qp(at, k) for k in link} == link
    assert all("filters appear" not in c.value for c in at.sidebar.caption)


def test_the_record_shows_data_text_escaped_and_in_its_own_direction(monkeypatch,
                                                                      tmp_path) -> None:
    notes = "<b>bold?</b> گزارش از بدخشان — 3 کشته & more"
    path = tmp_path / "incidents.csv"
    pd.DataFrame([good_row(notes=notes)]).to_csv(path, index=False)
    monkeypatch.setenv(INCIDENTS_ENV, str(path))
    at = run(incident="T-1")
    assert not at.exception, at.exception
    body = next(b for b in _html(at) if "pbw-record" in b)
    assert "<b>bold?</b>" not in body and "&lt;b&gt;bold?&lt;/b&gt;" in body
    assert record_fields(at)["Notes"] == notes  # the whole value, never cut off
