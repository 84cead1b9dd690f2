"""Loading incident and context-event files: typing, strict and lenient modes, bad files."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import incidents as inc
from geo import schema as s
from geo.errors import IncidentDataError

from .conftest import FIXTURE_CONTEXT, fixture_frame, good_row


def test_frame_is_typed_with_explicit_crs() -> None:
    f = fixture_frame()
    assert f.crs.to_epsg() == 4326
    assert str(f[s.FATALITIES].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(f[s.DATE])
    # unknown stays unknown: NA, never 0
    assert f[s.FATALITIES].isna().sum() > 0
    unlocated = f[f.geometry.isna()]
    assert len(unlocated) > 0 and unlocated[s.LAT].isna().all()


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


def test_env_variables_override_the_bundled_files(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(inc.INCIDENTS_ENV, raising=False)
    monkeypatch.delenv(inc.CONTEXT_ENV, raising=False)
    assert inc.incidents_path() == inc.INCIDENTS_FILE
    assert inc.context_path() == inc.CONTEXT_FILE
    monkeypatch.setenv(inc.INCIDENTS_ENV, str(tmp_path / "x.csv"))
    monkeypatch.setenv(inc.CONTEXT_ENV, str(tmp_path / "c.csv"))
    assert inc.incidents_path() == tmp_path / "x.csv"
    assert inc.context_path() == tmp_path / "c.csv"


def test_context_events_load(tmp_path) -> None:
    events = inc.load_context_events(FIXTURE_CONTEXT)
    assert len(events) == len(pd.read_csv(FIXTURE_CONTEXT)) > 0
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    bad = tmp_path / "c.csv"
    bad.write_text("date,date_precision,title,actors,summary,sources,notes\n"
                   "2025-01-01,day,t,a,s,nope,\n", encoding="utf-8")
    with pytest.raises(IncidentDataError, match=r"row 2, sources"):
        inc.load_context_events(bad)


def test_review_record_is_read_from_beside_the_file(tmp_path) -> None:
    path = tmp_path / "mine.csv"
    assert inc.load_review(path) is None
    inc.review_path(path).write_text(
        '{"reviewed": "2026-01-02", "checked": "all", "searched": "x", "scope": "y", '
        '"gaps": ["z"]}', encoding="utf-8")
    review = inc.load_review(path)
    assert review is not None and review.reviewed.isoformat() == "2026-01-02"
    assert review.gaps == ("z",)


@pytest.mark.parametrize(("text", "pattern"), [
    ("{", r"is not JSON text"), ("[]", r"must be a JSON object; got list"),
    ('{"reviewed": "soon"}', r"reviewed = 'soon' must be a date like 2026-11-28"),
    ('{"reviewed": "2026-01-02", "gaps": "none"}', r"gaps a list of text"),
])
def test_bad_review_record_is_explained(tmp_path, text, pattern) -> None:
    path = tmp_path / "mine.csv"
    inc.review_path(path).write_text(text, encoding="utf-8")
    with pytest.raises(IncidentDataError, match=pattern):
        inc.load_review(path)
