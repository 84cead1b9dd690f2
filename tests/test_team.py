"""Team mode in the app (``PANJ_DATABASE_URL``), on a real PostgreSQL + PostGIS: the same
figures as the file, corrections in the record and on the Data page, hostile links that
change nothing, and a store that is down at start or goes away under the readers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import store, store_read

from . import browser as b
from . import pg
from .conftest import FIXTURE_CONTEXT, FIXTURE_INCIDENTS, app_test


def _reader(url: str) -> str:
    return url.replace("postgres@", f"{store_read.READER_ROLE}@")


def _loaded(url: str) -> str:
    with store_read.connect(url, autocommit=True) as conn:
        store.load(conn, FIXTURE_INCIDENTS, editor="ci", note="first import")
        store.load_context(conn, FIXTURE_CONTEXT, editor="ci", note="first import")
    return _reader(url)


def _correct(url: str, tmp_path: Path) -> None:
    table = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    table.loc[table["id"] == "PBW-0021", "fatalities"] = "4"
    path = tmp_path / "corrected.csv"
    path.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    with store_read.connect(url, autocommit=True) as conn:
        store.load(conn, path, editor="ana", note="per Interfax, 2 Dec")


def _run(url: str, monkeypatch, page: str = "app.py", **params: str) -> AppTest:
    monkeypatch.setenv(store_read.DATABASE_ENV, url)
    return app_test(page, **params).run()


def _figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_the_map_shows_the_store_as_it_shows_the_file(store_url, monkeypatch) -> None:
    monkeypatch.delenv(store_read.DATABASE_ENV, raising=False)
    from_file = app_test().run()
    at = _run(_loaded(store_url), monkeypatch)
    assert not at.exception, at.exception
    assert _figures(at) == _figures(from_file) and _figures(at)["Incidents"] == "30"
    assert "team store (revision 2)" in _page_text(at)
    timeline = _run(_reader(store_url), monkeypatch, "pages/1_Timeline.py")
    assert not timeline.exception, timeline.exception


def test_the_actor_filter_agrees_with_the_file(store_url, monkeypatch) -> None:
    """Dates and regions run in SQL, actor groups on the loaded frame: the figures and the
    link are those of the same link on the file."""
    link = {"actor": "taliban,chinese", "region": "TJ-KT,TJ-GB,AF-BDS"}
    monkeypatch.delenv(store_read.DATABASE_ENV, raising=False)
    from_file = app_test(**link).run()
    team = _run(_loaded(store_url), monkeypatch, **link)
    assert not team.exception, team.exception
    assert _figures(team) == _figures(from_file)
    assert 0 < int(_figures(team)["Incidents"]) < 30
    assert team.query_params["actor"] in (["taliban,chinese"], "taliban,chinese")


def test_a_loaded_correction_shows_in_the_record_and_on_the_data_page(
        store_url, monkeypatch, tmp_path) -> None:
    reader = _loaded(store_url)
    before = _figures(_run(reader, monkeypatch, start="2020-01-01", end="2026-12-31"))
    _correct(store_url, tmp_path)
    # the next run reads the new revision: no restart, no cache to clear
    at = _run(reader, monkeypatch, start="2020-01-01", end="2026-12-31",
              incident="PBW-0021")
    assert not at.exception, at.exception
    after = _figures(at)
    # the refresh read only the corrected row, and it replaced the old one
    assert after["Incidents"] == before["Incidents"]
    assert int(after["Killed"]) == int(before["Killed"]) + 4 - int(
        pd.read_csv(FIXTURE_INCIDENTS, dtype=str).set_index("id").loc["PBW-0021",
                                                                       "fatalities"])
    fixed = [t.value for t in at.text if "Killed" in t.value]
    assert len(fixed) == 1 and fixed[0].endswith("→ 4, per Interfax, 2 Dec (by ana)"), fixed
    data = _run(reader, monkeypatch, "pages/2_Data.py", start="2020-01-01", end="2026-12-31")
    assert not data.exception, data.exception
    data.toggle(key="w_only_corrected").set_value(True).run()
    assert _figures(data)["Incidents"] == "1"
    assert list(data.dataframe[0].value["ID"]) == ["PBW-0021"]


HOSTILE = ["' OR 1=1 --", "x'; DROP TABLE pbw_incidents; --", 'TJ-KT"); DELETE FROM pbw_history;',
           "ТҶ-КТ‮", "%27%20OR%20%271%27%3D%271", "A" * 5000]


@pytest.mark.parametrize("param", ["region", "type", "actor", "start", "end", "within",
                                   "incident", "lat", "zoom", "step"])
def test_hostile_link_values_change_nothing_in_the_store(store_url, monkeypatch,
                                                         param) -> None:
    reader = _loaded(store_url)
    with store_read.connect(store_url, autocommit=True) as conn:
        before = (store_read.revision(conn), store_read.export(conn),
                  store_read.export(conn, context=True),
                  conn.execute("SELECT count(*) FROM pbw_history").fetchone())
    for value in HOSTILE:
        at = _run(reader, monkeypatch, **{param: value})
        assert not at.exception, (param, value[:40], at.exception)
        assert _figures(at)["Incidents"]  # the page still draws its figures
    with store_read.connect(store_url, autocommit=True) as conn:
        after = (store_read.revision(conn), store_read.export(conn),
                 store_read.export(conn, context=True),
                 conn.execute("SELECT count(*) FROM pbw_history").fetchone())
    assert after == before


def test_a_store_that_is_down_at_start_is_explained_without_the_address(monkeypatch,
                                                                         tmp_path) -> None:
    secret = f"postgresql://panj_reader:s3cret@/panj?host={tmp_path}&port=1"
    at = _run(secret, monkeypatch)
    assert not at.exception, at.exception
    assert any("cannot be reached" in e.value and "tries again" in e.value for e in at.error)
    assert "s3cret" not in _page_text(at) and str(tmp_path) not in _page_text(at)
    assert not at.metric


def test_readers_keep_the_last_data_while_the_store_is_away_and_it_recovers(
        monkeypatch) -> None:
    pg.require()
    with pg.cluster(b.free_port()) as own:  # its own server: this test stops it
        own.admin_sql("CREATE DATABASE away")
        url = own.url("away")
        with store_read.connect(url, autocommit=True) as conn:
            store.init(conn)
        reader = _loaded(url)
        assert _figures(_run(reader, monkeypatch))["Incidents"] == "30"
        pg.stop(own)
        at = _run(reader, monkeypatch)
        assert not at.exception, at.exception
        assert _figures(at)["Incidents"] == "30"
        assert any("cannot be reached" in w.value and "Showing revision 2" in w.value
                   for w in at.warning)
        pg.start(own)
        at = _run(reader, monkeypatch)
        assert not at.exception, at.exception
        assert not any("cannot be reached" in w.value for w in at.warning)
        assert _figures(at)["Incidents"] == "30"


def _spoil(url: str, incident: str, day: str) -> None:
    """Store a row the app rejects, as another version of the loader (or another time zone)
    could have: straight in SQL, in a revision of its own."""
    with store_read.connect(url, autocommit=True) as conn:
        rev = conn.execute("INSERT INTO pbw_revisions (editor, note, file, kind) VALUES "
                           "('other', 'another loader', 'x.csv', 'incidents') "
                           "RETURNING revision").fetchone()[0]
        conn.execute("UPDATE pbw_incidents SET date = %s, revision = %s WHERE id = %s",
                     (day, rev, incident))


def test_a_row_the_app_rejects_hides_itself_only_and_the_page_recovers(
        store_url, monkeypatch) -> None:
    reader = _loaded(store_url)
    assert _figures(_run(reader, monkeypatch))["Incidents"] == "30"
    _spoil(store_url, "PBW-0021", "2999-01-01")
    at = _run(reader, monkeypatch)
    assert not at.exception, at.exception
    assert _figures(at)["Incidents"] == "29"  # every other row
    (notice,) = [w.value for w in at.warning if "could not be shown" in w.value]
    assert "PBW\\-0021" in notice and "1 incident in the store" in notice
    with store_read.connect(store_url, autocommit=True) as conn:  # an editor fixes it
        store.load(conn, FIXTURE_INCIDENTS, editor="ana", note="date fixed")
    at = _run(reader, monkeypatch)
    assert _figures(at)["Incidents"] == "30"
    assert not [w for w in at.warning if "could not be shown" in w.value]


def test_a_row_dated_today_anywhere_is_shown_by_every_replica(store_url, monkeypatch) -> None:
    """The loader in Dushanbe after midnight and a replica in UTC agree on "today"."""
    from geo import schema as s

    reader = _loaded(store_url)
    _spoil(store_url, "PBW-0021", s.service_today().isoformat())  # tomorrow in UTC, often
    at = _run(reader, monkeypatch)
    assert _figures(at)["Incidents"] == "30"
    assert not [w for w in at.warning if "could not be shown" in w.value]


@pytest.mark.browser
def test_a_replica_with_nothing_to_show_tells_the_balancer(monkeypatch) -> None:
    """Started while the store is down, a replica's agent says down (HAProxy sends readers
    elsewhere); once the store answers, up."""
    import socket

    from geo import agent

    pg.require()
    with pg.cluster(b.free_port()) as own:
        own.admin_sql("CREATE DATABASE agent")
        url = own.url("agent")
        with store_read.connect(url, autocommit=True) as conn:
            store.init(conn)
        reader = _loaded(url)
        pg.stop(own)
        port = b.free_port()

        def ask() -> str:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                return conn.makefile().readline()

        env = {store_read.DATABASE_ENV: reader, agent.PORT_ENV: str(port)}
        with b.streamlit_server(env, warm=False) as app:
            b.warm_up.warm(app)  # the first run starts the agent; the store is down
            assert ask().startswith("down #nothing to show yet")
            pg.start(own)
            assert ask() == "up ready\n"


def test_an_app_given_a_role_that_can_write_serves_nothing(store_url, monkeypatch) -> None:
    """The owner's URL (here a superuser with no password) by mistake: refused, and the
    page never shows the address."""
    _loaded(store_url)
    at = _run(store_url, monkeypatch)
    assert not at.exception, at.exception
    assert any("can change the incident store" in e.value and "panj_reader" in e.value
               for e in at.error)
    assert not at.metric and "postgresql://" not in _page_text(at)


@pytest.mark.browser
def test_a_community_cloud_secret_gives_the_app_its_store(store_url, chromium,
                                                          tmp_path) -> None:
    """README, Deploy: PANJ_DATABASE_URL as a top-level secret in .streamlit/secrets.toml
    (what Community Cloud writes from its Secrets box) reaches the app as the variable."""
    import shutil
    import subprocess
    import sys

    from .test_deploy import image_files

    reader = _loaded(store_url)
    copy = tmp_path / "app"
    for name in image_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(__file__).parents[1] / name, copy / name)
    (copy / ".streamlit" / "secrets.toml").write_text(f'PANJ_DATABASE_URL = "{reader}"\n',
                                                     encoding="utf-8")
    subprocess.run([sys.executable, "-m", "geo.assets"], cwd=copy, check=True,
                   capture_output=True)
    with b.streamlit_server({store_read.DATABASE_ENV: None, "PANJ_INCIDENTS": None}, cwd=copy,
                            warm=True) as url, \
            b.fresh_page(chromium, url + "/?start=2020-01-01&end=2026-12-31") as page:
        b.map_frame(page)
        assert b.metric(page, "Incidents") == "30"
        # the sidebar's line on the data comes with the filters, once the map has drawn
        page.get_by_text("the team store (revision").first.wait_for(timeout=30_000)
