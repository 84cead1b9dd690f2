"""The bundled incident data: it validates, it holds the anchor incidents, loading never writes."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import incidents as inc
from geo import schema as s
from geo.errors import IncidentDataError

from .conftest import data_checksums, good_row


@pytest.fixture(scope="module")
def bundled(provinces) -> inc.LoadedIncidents:
    return inc.load_incidents(regions=provinces)


def test_bundled_dataset_validates_cleanly(bundled) -> None:
    assert bundled.report.ok, bundled.report.summary()
    assert not bundled.report.warnings, bundled.report.summary()
    assert len(bundled.frame) == 30
    assert bundled.frame[s.ID].is_unique


def test_every_incident_has_http_sources(bundled) -> None:
    for text in bundled.frame[s.SOURCES]:
        sources = s.parse_sources(text)
        assert sources and all(src.url.startswith(("http://", "https://")) for src in sources)


def test_anchor_incidents_are_present_with_their_figures(bundled) -> None:
    f = bundled.frame.set_index(s.DATE)
    camp = f.loc["2025-11-26"]
    assert (camp[s.REGION_CODE], camp[s.FATALITIES], camp[s.INJURED]) == ("TJ-KT", 3, 1)
    assert camp[s.DISTRICT] == "Shamsiddin Shohin"
    road = f.loc["2025-11-30"]
    assert (road[s.REGION_CODE], road[s.FATALITIES], road[s.INJURED]) == ("TJ-GB", 2, 2)
    assert road[s.DISTRICT] == "Darvoz"


def test_frame_is_typed_with_explicit_crs(bundled) -> None:
    f = bundled.frame
    assert f.crs.to_epsg() == 4326
    assert str(f[s.FATALITIES].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(f[s.DATE])
    # unknown stays unknown: NA, never 0
    assert f[s.FATALITIES].isna().sum() > 0
    unlocated = f[f.geometry.isna()]
    assert set(unlocated[s.ID]) == {"PBW-0003", "PBW-0004", "PBW-0018"}


def test_loading_never_writes_to_data() -> None:
    before = data_checksums()
    inc.load_incidents()
    inc.load_context_events()
    assert data_checksums() == before


def test_strict_load_raises_with_the_report(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    pd.DataFrame([good_row(), good_row(id="T-2", fatalities="-1")]).to_csv(path, index=False)
    with pytest.raises(IncidentDataError, match=r"row 3, fatalities = '-1'") as err:
        inc.load_incidents(path)
    assert err.value.report is not None and err.value.report.bad_rows == {3}


def test_lenient_load_keeps_good_rows(tmp_path) -> None:
    path = tmp_path / "mixed.csv"
    pd.DataFrame([good_row(), good_row(id="T-2", date="soon")]).to_csv(path, index=False)
    loaded = inc.load_incidents(path, strict=False)
    assert list(loaded.frame[s.ID]) == ["T-1"]
    assert loaded.report.bad_rows == {3}


@pytest.mark.parametrize(
    ("content", "pattern"),
    [(b"\xff\xfe\x00bad", r"not UTF-8"), (b"", r"not a readable CSV"),
     (b"id,date\n", r"column 'date_precision' is missing")],
)
def test_unusable_files_give_a_clear_error(tmp_path, content, pattern) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(IncidentDataError, match=pattern):
        inc.load_incidents(path)


def test_bom_is_tolerated(tmp_path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + pd.DataFrame([good_row()]).to_csv(index=False).encode())
    assert len(inc.load_incidents(path).frame) == 1


def test_env_variable_overrides_the_incidents_file(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(inc.INCIDENTS_ENV, raising=False)
    assert inc.incidents_path() == inc.INCIDENTS_FILE
    monkeypatch.setenv(inc.INCIDENTS_ENV, str(tmp_path / "x.csv"))
    assert inc.incidents_path() == tmp_path / "x.csv"


def test_context_events_load(tmp_path) -> None:
    events = inc.load_context_events()
    assert len(events) == 30
    assert events["date"].is_monotonic_increasing
    bad = tmp_path / "c.csv"
    bad.write_text("date,date_precision,title,actors,summary,sources,notes\n"
                   "2025-01-01,day,t,a,s,nope,\n", encoding="utf-8")
    with pytest.raises(IncidentDataError, match=r"row 2, sources"):
        inc.load_context_events(bad)
