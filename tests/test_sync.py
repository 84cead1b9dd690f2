"""``python -m geo.sync`` against a local ACLED and UCDP (``tests/apis.py``): pages, tokens,
429, 401, a 5xx and a cut connection half-way, deletions, malformed and outside records,
and each incident shown once with every dataset's figures."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from geo import merge, sync
from geo import provenance as pv
from geo import schema as s
from geo.errors import StoreError
from geo.i18n import ENGLISH

from . import apis
from .conftest import FIXTURE_INCIDENTS, good_row


@pytest.fixture
def api(monkeypatch):
    with apis.serve() as server:
        monkeypatch.setenv("ACLED_USERNAME", apis.USER)
        monkeypatch.setenv("ACLED_PASSWORD", apis.PASSWORD)
        monkeypatch.setenv("UCDP_API_TOKEN", apis.UCDP_TOKEN)
        monkeypatch.setenv(sync.ACLED_URL_ENV, server.url)
        monkeypatch.setenv(sync.UCDP_URL_ENV, server.url)
        yield server


def _out(tmp_path):
    return tmp_path / "merged.csv"


def _sync(source, out, *more):
    """``python -m geo.sync`` in file mode, on the tests' curated rows."""
    return sync.main([source, "--out", str(out), "--curated", str(FIXTURE_INCIDENTS), *more])


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _acled(event_id, day, lat, lon, event_type="Battles", fatalities="1", **kw):
    """An ACLED record in the API's shape (every value a string)."""
    return {"event_id_cnty": event_id, "event_date": day, "year": day[:4],
            "time_precision": "1", "event_type": event_type, "sub_event_type": "Armed clash",
            "actor1": "Military Forces of Tajikistan (1994-)", "actor2": "Unidentified Armed Group",
            "iso": "762", "country": "Tajikistan", "admin1": "Khatlon", "admin2": "",
            "location": "test point", "latitude": lat, "longitude": lon,
            "geo_precision": "2", "source": "Asia-Plus", "fatalities": fatalities,
            "notes": f"Test record {event_id} for the sync tests; not a real event.",
            "timestamp": str(apis.STAMP), **kw}


def test_an_acled_sync_writes_each_incident_once_with_every_record(api, tmp_path,
                                                                   capsys) -> None:
    api.acled += [
        _acled("TJK90001", "2026-11-30", "34.5553", "69.2075"),  # Kabul: outside
        _acled("TJK90002", "2026-11-30", "north", "69.5"),  # malformed latitude
        _acled("TJK90003", "2026-12-01", "37.52", "69.45"),  # new, matches nothing
    ]
    assert _sync("acled", _out(tmp_path)) == 0
    said = capsys.readouterr()
    assert ("acled: 30 fetched, 28 kept in the provinces (1 outside, 1 malformed), 28 new, "
            "0 updated, 0 unchanged, 0 withdrawn, 25 merged") in said.out
    # the malformed record is named by its place in the answer, its id, the field and why
    assert "record 29 (acled event TJK90002): lat 'north' must be a finite decimal" in said.err
    out = _read(_out(tmp_path))
    curated = _read(FIXTURE_INCIDENTS)
    # the 30 curated rows, and the ACLED events that match none of them: 1 new, and the
    # samples of rows the curated file has since changed
    assert len(out) == 30 + 3
    assert set(out["id"]) >= set(curated["id"]) | {"TJK90003"}
    assert "TJK90001" not in set(out["id"])  # Kabul is not on this border
    row = out.set_index("id").loc["PBW-0024"]
    assert row["also_reported"] == "acled:ACL0024=3"
    new = out.set_index("id").loc["TJK90003"]
    assert (new["provider"], new["reviewed"], new["region_code"]) == ("acled", "no", "TJ-KT")
    # the credentials went to the token endpoint only, as a form; the token to the reads
    token_calls = [q for m, p, q, _h in api.seen if p == "/oauth/token"]
    assert token_calls == [{"username": [apis.USER], "password": [apis.PASSWORD],
                            "grant_type": ["password"], "client_id": ["acled"],
                            "scope": ["authenticated"]}]
    reads = [(q, h) for m, p, q, h in api.seen if p == "/api/acled/read"]
    assert all(h["Authorization"] == f"Bearer {apis.TOKEN}" and apis.PASSWORD not in str(q)
               for q, h in reads)
    assert reads[0][0]["country"] == ["Tajikistan:OR:Afghanistan"]
    assert "timestamp" not in reads[0][0]  # a first sync asks for everything
    assert apis.PASSWORD not in said.out + said.err


def test_a_second_sync_asks_only_for_changes_and_changes_nothing(api, tmp_path) -> None:
    out = _out(tmp_path)
    assert _sync("acled", out) == 0
    first = out.read_bytes()
    assert _sync("acled", out) == 0
    assert out.read_bytes() == first
    second = api.requests_to("/api/acled/read")[-1]
    assert second["timestamp"] == [str(apis.STAMP)] and second["timestamp_where"] == [">="]
    state = json.loads((sync.sync_dir(out) / "state.json").read_text())["acled"]
    assert state["counts"]["unchanged"] == 27 and state["counts"]["new"] == 0
    assert state["newest_timestamp"] == apis.STAMP and state["last_error"] == ""


def test_an_event_acled_deleted_leaves_the_map_and_keeps_its_history(api, tmp_path) -> None:
    out = _out(tmp_path)
    api.acled.append(_acled("TJK90003", "2026-12-01", "37.52", "69.45"))
    assert _sync("acled", out) == 0
    assert "TJK90003" in set(_read(out)["id"])
    api.deleted.append({"event_id_cnty": "TJK90003",
                        "deleted_timestamp": str(apis.stamp("2026-12-03"))})
    api.acled = api.acled[:-1]
    assert _sync("acled", out) == 0
    assert "TJK90003" not in set(_read(out)["id"])
    kept = _read(sync.sync_dir(out) / "acled.csv").set_index("id").loc["TJK90003"]
    assert kept["withdrawn"] == "deleted by ACLED on 2026-12-03"


def test_a_changed_acled_event_is_updated_and_marked_for_review_again(api, tmp_path) -> None:
    out = _out(tmp_path)
    api.acled.append(_acled("TJK90003", "2026-12-01", "37.52", "69.45"))
    assert _sync("acled", out) == 0
    api.acled[-1] = {**api.acled[-1], "fatalities": "2",
                     "timestamp": str(apis.stamp("2026-12-05"))}
    assert _sync("acled", out) == 0
    row = _read(out).set_index("id").loc["TJK90003"]
    assert (row["fatalities"], row["reviewed"]) == ("2", "no")
    state = json.loads((sync.sync_dir(out) / "state.json").read_text())["acled"]
    assert state["counts"]["updated"] == 1
    assert state["newest_timestamp"] == apis.stamp("2026-12-05")


def test_ucdp_pages_and_all_three_datasets_make_one_incident(api, tmp_path, monkeypatch,
                                                             capsys) -> None:
    monkeypatch.setattr(sync, "UCDP_PAGE", 10)  # 27 events: three pages
    out = _out(tmp_path)
    assert _sync("acled", out) == 0
    assert _sync("ucdp", out) == 0
    pages = api.requests_to("/api/gedevents/")
    assert [q["page"] for q in pages] == [["0"], ["1"], ["2"]]
    assert all(q["Country"] == ["700,702"] for q in pages)
    # NextPageUrl names UCDP's own host: it is never followed with our token
    assert all(h["Host"].startswith("127.0.0.1") for _m, _p, _q, h in api.seen)
    table = _read(out).set_index("id")
    row = table.loc["PBW-0016"]
    assert row["also_reported"] == "ucdp:16=3/3-5;acled:ACL0016=3"
    assert not {"UCDP-16", "ACL0016"} & set(table.index)  # shown once
    typed = row.to_dict() | {s.FATALITIES: 3}
    assert pv.figures_side_by_side(typed, ENGLISH) == (
        "Panj Border Watch (curated): 3 killed · UCDP GED: best 3 (low 3, high 5) · "
        "ACLED: 3 killed. The map counts our curated figure, read against the official "
        "statements and reports the row cites.")
    assert "ucdp: 27 fetched" in capsys.readouterr().out


def test_429_waits_as_asked_then_goes_on(api, tmp_path) -> None:
    api.faults.append(("read", 1, "429:1"))
    began = time.monotonic()
    assert _sync("acled", _out(tmp_path)) == 0
    assert time.monotonic() - began >= 1.0
    assert len(api.requests_to("/api/acled/read")) == 2


def test_a_429_asking_for_too_long_fails_and_says_so(api, tmp_path, capsys) -> None:
    api.faults.append(("read", 1, "429:3600"))
    assert _sync("acled", _out(tmp_path)) == 1
    assert "asks us to wait 3600 s" in capsys.readouterr().err
    assert not _out(tmp_path).exists()


def test_wrong_credentials_fail_with_the_variables_to_check(api, tmp_path, capsys,
                                                            monkeypatch) -> None:
    monkeypatch.setenv("ACLED_PASSWORD", "not-the-password-Zq9")
    assert _sync("acled", _out(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "ACLED refused the credentials" in err and "ACLED_USERNAME and ACLED_PASSWORD" in err
    assert "not-the-password-Zq9" not in err
    assert not _out(tmp_path).exists()
    state = json.loads((sync.sync_dir(_out(tmp_path)) / "state.json").read_text())
    assert state["acled"]["last_error"].startswith("ACLED refused the credentials")
    assert "last_success" not in state["acled"]


def test_a_bad_ucdp_token_is_refused(api, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("UCDP_API_TOKEN", "expired")
    assert _sync("ucdp", _out(tmp_path)) == 1
    assert "UCDP GED refused the credentials (401" in capsys.readouterr().err


def test_missing_credentials_are_named(api, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("UCDP_API_TOKEN")
    assert _sync("ucdp", _out(tmp_path)) == 1
    assert "UCDP_API_TOKEN is not set" in capsys.readouterr().err


@pytest.mark.parametrize("fault", ["503", "drop", "garbage"])
def test_a_failure_half_way_changes_nothing(api, tmp_path, monkeypatch, fault) -> None:
    monkeypatch.setattr(sync, "UCDP_PAGE", 10)
    out = _out(tmp_path)
    assert _sync("acled", out) == 0
    before = {p.name: p.read_bytes() for p in [out, *sync.sync_dir(out).glob("*.csv")]}
    api.faults += [("ged", 1, fault)] * sync.TRIES  # page 2 of 3 fails every time
    with pytest.raises(sync.SyncError):
        sync.run("ucdp", out=out, curated=FIXTURE_INCIDENTS, conn=None, backoff=0.01)
    after = {p.name: p.read_bytes() for p in [out, *sync.sync_dir(out).glob("*.csv")]}
    assert after == before  # nothing written: no ucdp.csv, the merged file as it was
    state = json.loads((sync.sync_dir(out) / "state.json").read_text())
    assert state["ucdp"]["last_error"] and "last_success" not in state["ucdp"]


def test_a_failure_that_clears_is_retried(api, tmp_path) -> None:
    api.faults += [("ged", 0, "503"), ("ged", 0, "drop")]
    outcome = sync.run("ucdp", out=_out(tmp_path), curated=FIXTURE_INCIDENTS, conn=None,
                       backoff=0.01)
    assert outcome.fetched == 27
    assert len(api.requests_to("/api/gedevents/")) == 3


def test_a_record_that_is_not_an_object_is_reported_and_the_rest_kept(api, tmp_path,
                                                                       capsys) -> None:
    api.acled.insert(0, "not an event")
    assert _sync("acled", _out(tmp_path)) == 0
    captured = capsys.readouterr()
    assert "skipped record 1: not an event object (str)" in captured.err
    assert "27 kept" in captured.out


def test_sync_status_says_a_failure_only_once_it_lasts_a_day() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    fresh = (now - timedelta(hours=3)).isoformat()
    stale = (now - timedelta(days=2)).isoformat()
    state = {"acled": {"last_success": fresh, "last_error": "503"},
             "ucdp": {"last_success": stale, "last_error": "UCDP GED refused"}}
    assert sync.status_lines(state, now) == [("acled", fresh, None),
                                             ("ucdp", stale, "UCDP GED refused")]
    never = {"ucdp": {"last_error": "UCDP_API_TOKEN is not set"}}
    assert sync.status_lines(never, now) == [("ucdp", None, "UCDP_API_TOKEN is not set")]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert sync.retry_after("7") == 7.0
    assert sync.retry_after(None) == 1.0
    later = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 <= sync.retry_after(later) <= 31


# --- the match rule on near misses ------------------------------------------------------

def _rec(id_, provider, day, lat, lon, event_type="armed_clash", fatalities="2"):
    return good_row(id=id_, date=day, lat=str(lat), lon=str(lon), event_type=event_type,
                    fatalities=fatalities, provider=provider,
                    provider_id="" if provider == "curated" else id_)


#: A point 1 km east of the curated row at 37.5 N 69.5 E is 0.0113 degrees of longitude.
_KM_EAST = 1 / (111.32 * 0.7934)


@pytest.mark.parametrize(("day", "km", "kind", "merged"), [
    ("2025-11-26", 0.0, "armed_clash", True),
    ("2025-11-28", 0.0, "armed_clash", True),  # two days apart
    ("2025-11-29", 0.0, "armed_clash", False),  # three
    ("2025-11-26", 14.8, "armed_clash", True),
    ("2025-11-26", 15.3, "armed_clash", False),
    ("2025-11-26", 0.0, "incursion", True),  # the same family
    ("2025-11-26", 0.0, "violence_against_civilians", False),  # not a clash
])
def test_the_match_rule_on_near_misses(day, km, kind, merged) -> None:
    table = pd.DataFrame([
        _rec("PBW-1", "curated", "2025-11-26", 37.5, 69.5),
        _rec("TJK1", "acled", day, 37.5, round(69.5 + km * _KM_EAST, 5), kind)])
    out = merge.merge(table).set_index(s.ID)
    assert (out.at["TJK1", s.MERGED_INTO] == "PBW-1") is merged
    assert (out.at["PBW-1", s.ALSO_REPORTED] == "acled:TJK1=2") is merged


def test_two_curated_rows_are_never_merged_and_nor_are_two_of_one_dataset() -> None:
    table = pd.DataFrame([_rec("PBW-1", "curated", "2025-11-26", 37.5, 69.5),
                          _rec("PBW-2", "curated", "2025-11-26", 37.5, 69.5),
                          _rec("TJK1", "acled", "2025-11-26", 37.5, 69.5),
                          _rec("TJK2", "acled", "2025-11-26", 37.5, 69.5)])
    out = merge.merge(table).set_index(s.ID)
    assert list(out[s.MERGED_INTO]) == ["", "", "PBW-1", "PBW-2"]
    assert merge.merge(merge.merge(table)).equals(merge.merge(table))  # the same twice


def test_a_record_joins_an_incident_only_if_it_matches_every_record_in_it() -> None:
    # the UCDP point is 12 km from the curated one and 24 km from the ACLED one
    table = pd.DataFrame([
        _rec("PBW-1", "curated", "2025-11-26", 37.5, 69.5),
        _rec("TJK1", "acled", "2025-11-26", 37.5, round(69.5 - 12 * _KM_EAST, 5)),
        _rec("UCDP-1", "ucdp", "2025-11-26", 37.5, round(69.5 + 12 * _KM_EAST, 5))])
    out = merge.merge(table).set_index(s.ID)
    assert out[s.MERGED_INTO].to_dict() == {"PBW-1": "", "TJK1": "PBW-1", "UCDP-1": ""}


def test_a_merged_export_leaves_out_what_acleds_terms_forbid(monkeypatch) -> None:
    table = pd.DataFrame([_rec("PBW-1", "curated", "2025-11-26", 37.5, 69.5),
                          _rec("TJK1", "acled", "2025-11-26", 37.5, 69.5),
                          _rec("TJK9", "acled", "2025-10-01", 37.5, 69.5),
                          _rec("UCDP-1", "ucdp", "2025-11-26", 37.5, 69.5)])
    shown = merge.merge(table)
    shown = shown[merge.shown(shown)]
    monkeypatch.delenv(pv.EXPORT_ALL_ENV, raising=False)
    kept, withheld = pv.redistributable(shown)
    assert list(kept[s.ID]) == ["PBW-1"] and kept[s.ALSO_REPORTED].iat[0] == "ucdp:UCDP-1=2"
    assert withheld.rows == {"acled": 1} and withheld.mentions == {"acled": 1}
    assert withheld.text(ENGLISH).startswith(
        "Left out of this download under the datasets' terms: 1 incident from ACLED; "
        "ACLED's figures for 1 incident that")
    monkeypatch.setenv(pv.EXPORT_ALL_ENV, "1")
    everything, none = pv.redistributable(shown)
    assert len(everything) == 2 and not none


# --- team mode: into the store, through the editors' load path ------------------------

def test_a_sync_into_the_store_keeps_history_and_a_second_run_leaves_no_revision(
        api, store_url, tmp_path) -> None:
    from datetime import date

    from geo import store, store_read
    from geo.filters import IncidentFilter

    api.acled.append(_acled("TJK90003", "2026-12-01", "37.52", "69.45"))
    with store_read.connect(store_url, autocommit=True) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="curated rows")
        before = store_read.revision(conn)
        outcome = sync.run("acled", out=None, curated=FIXTURE_INCIDENTS, conn=conn)
        assert (outcome.new, outcome.merged) == (28, 25)
        rev = store_read.revision(conn)
        assert rev == before + 1
        editor, note = conn.execute("SELECT editor, note FROM pbw_revisions WHERE revision = %s",
                                    (rev,)).fetchone()
        assert editor == "sync:acled" and note.startswith("acled: 28 fetched")
        # the curated row now names ACLED's record of it, and history says who added it
        changes = store_read.history(conn, "PBW-0024")
        assert changes[-1].editor == "sync:acled"
        assert (changes[-1].field, changes[-1].new) == ("also_reported", "acled:ACL0024=3")
        # readers see each incident once; ?source=acled finds the curated row ACLED reports
        flt = IncidentFilter(date(2020, 1, 1), date(2026, 12, 7), sources=("acled",))
        ids = store_read.filtered_ids(conn, flt)
        assert "PBW-0024" in ids and "ACL0024" not in ids and "TJK90003" in ids
        every = store_read.filtered_ids(conn, IncidentFilter(date(2020, 1, 1),
                                                             date(2026, 12, 7)))
        stored = store_read.read_incidents(conn).set_index("id")
        hidden = set(stored.index[stored["merged_into"] != ""])
        assert len(hidden) == 25 and not hidden & every and len(every) == 30 + 3
        # nothing new: no revision, the state says when
        again = sync.run("acled", out=None, curated=FIXTURE_INCIDENTS, conn=conn)
        assert again.unchanged == 28 and store_read.revision(conn) == rev
        state = sync.read_state_store(conn)["acled"]
        assert state["last_error"] == "" and state["counts"]["unchanged"] == 28
        # a curator marks the new event reviewed; the next sync keeps the mark
        assert store.review(conn, ["TJK90003"], editor="ana", note="read the report").changed \
            == 1
        sync.run("acled", out=None, curated=FIXTURE_INCIDENTS, conn=conn)
        row = store_read.read_incidents(conn).set_index("id").loc["TJK90003"]
        assert row["reviewed"] == "yes"
        with pytest.raises(StoreError, match=r"ids \['NOPE'\] are not in the store"):
            store.review(conn, ["NOPE"], editor="ana", note="x")


# --- what readers see -------------------------------------------------------------------

def test_readers_see_each_dataset_its_terms_and_when_it_was_synced(api, tmp_path,
                                                                    monkeypatch) -> None:
    from .conftest import app_test

    out = _out(tmp_path)
    api.acled.append(_acled("TJK90003", "2026-12-01", "37.52", "69.45"))
    assert _sync("acled", out) == 0
    monkeypatch.setenv("PANJ_INCIDENTS", str(out))
    monkeypatch.delenv(pv.EXPORT_ALL_ENV, raising=False)
    table = _read(out)
    by_acled = int(((table["provider"] == "acled")
                    | table["also_reported"].str.contains("acled:")).sum())
    at = app_test(source="acled", start="2020-01-01", end="2026-12-07").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Incidents"] == str(by_acled)
    chosen = next(w for w in at.sidebar.multiselect if w.label == "Datasets")
    assert chosen.value == ["acled"]
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Last synced: ACLED" in captions
    # ACLED's terms ask for a credit wherever its data is shown
    assert any(c.value.startswith("Incident data also from: ACLED") for c in at.caption)
    # a record several datasets report gives each one's figure and says which is counted
    at = app_test(incident="PBW-0024", start="2020-01-01", end="2026-12-07").run()
    record = next(e.proto.body for e in at.get("html") if "pbw-record" in e.proto.body)
    assert "Panj Border Watch (curated): 3 killed · ACLED: 3 killed. The map counts our " \
           "curated figure" in record
    unreviewed = app_test(incident="TJK90003", start="2020-01-01", end="2026-12-07").run()
    assert "not yet reviewed by a curator" in next(
        e.proto.body for e in unreviewed.get("html") if "pbw-record" in e.proto.body)
    about = app_test("pages/4_About.py").run()
    datasets = next(d.value for d in about.dataframe if "Incidents shown" in d.value.columns)
    counts = dict(zip(datasets["Dataset"], datasets["Incidents shown"], strict=True))
    assert counts["ACLED"] == 3 and counts["Panj Border Watch (curated)"] == 30
    assert "acleddata.com/terms-of-use" in " ".join(datasets["Terms"])
    data = app_test("pages/2_Data.py", start="2020-01-01", end="2026-12-07").run()
    assert any("Left out of this download under the datasets' terms: 3 incidents from ACLED"
               in i.value for i in data.info)


def test_a_sync_failing_for_a_day_says_so_in_the_sidebar(tmp_path, monkeypatch) -> None:
    from .conftest import app_test

    out = tmp_path / "current.csv"
    out.write_bytes(FIXTURE_INCIDENTS.read_bytes())
    now = datetime.now(UTC)
    state = {"acled": {"last_success": (now - timedelta(hours=2)).isoformat(),
                       "last_error": ""},
             "ucdp": {"last_success": (now - timedelta(days=3)).isoformat(),
                      "last_error": "UCDP GED refused the credentials (401 Unauthorized): "
                                    "check UCDP_API_TOKEN"}}
    sync.sync_dir(out).mkdir()
    (sync.sync_dir(out) / "state.json").write_text(json.dumps(state))
    monkeypatch.setenv("PANJ_INCIDENTS", str(out))
    at = app_test().run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1 and warnings[0].startswith("The UCDP GED sync is failing")
    assert "UCDP\\_API\\_TOKEN" in warnings[0] or "UCDP_API_TOKEN" in warnings[0]
    assert "Last synced: ACLED " in " ".join(c.value for c in at.sidebar.caption)
