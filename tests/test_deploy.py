"""The app as the Docker image runs it: installed from the lock (requirements.txt, with
hashes), started from only the files .dockerignore lets into the image, and watched by the
image's own healthcheck command. There is no Docker engine here; .ci/run builds the locked
environment the way the Dockerfile does and names its Python in PANJ_LOCKED_PYTHON."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import browser as b
from .conftest import IN_CI, ROOT

LOCKED_ENV = "PANJ_LOCKED_PYTHON"


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (relative, with /) out of the build context."""
    parts = path.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(p, pattern[3:]) for p in parts):
                return True
        elif any(fnmatch.fnmatch("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1)):
            return True
    return False


def image_files() -> list[str]:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    return [f for f in tracked if not dockerignored(f, patterns)]


def healthcheck_command() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    m = re.search(r"HEALTHCHECK [^\n]*\\\n\s*CMD (\[.*\])", text)
    assert m, "the Dockerfile has no exec-form HEALTHCHECK CMD"
    return json.loads(m[1])


def test_the_image_leaves_out_what_the_app_does_not_need() -> None:
    files = image_files()
    assert {"app.py", "serve.py", "requirements.txt", "data/incidents.csv"} <= set(files)
    assert any(f.startswith("geo/static/map/") for f in files)
    assert not [f for f in files if f.startswith(("tests/", ".ci/", "benchmarks/", ".git"))]


@pytest.fixture(scope="module")
def image_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("image")
    for name in image_files():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def locked_python() -> str:
    python = os.environ.get(LOCKED_ENV, "")
    if not python:
        if IN_CI:
            pytest.fail(f"{LOCKED_ENV} is not set under CI: .ci/run installs the lock")
        pytest.skip(f"{LOCKED_ENV} not set: run .ci/run, which installs requirements.txt "
                    "into its own environment as the Dockerfile does")
    return python


@pytest.fixture(scope="module")
def deployed(locked_python, image_copy) -> Iterator[str]:
    subprocess.run([locked_python, "-m", "geo.assets"], cwd=image_copy, check=True,
                   capture_output=True)
    with b.streamlit_server({"PANJ_INCIDENTS": None, "PANJ_CONTEXT_EVENTS": None},
                            args=("--server.baseUrlPath", "panj"), health_path="/panj",
                            python=locked_python, cwd=image_copy) as url:
        yield url


@pytest.mark.browser
def test_the_locked_app_draws_the_map_offline(page, deployed) -> None:
    page.goto(deployed + "/panj/?start=2025-11-26&end=2025-12-01&region=TJ-KT,TJ-GB")
    assert b.wait_for_markers(b.map_frame(page), 2) == 2
    assert b.metric(page, "Incidents") == "2"
    assert page.traffic.non_tile() == []


@pytest.mark.browser
def test_the_healthcheck_follows_the_base_path(locked_python, deployed) -> None:
    command = [locked_python if c == "python" else c for c in healthcheck_command()]
    port = deployed.rsplit(":", 1)[1]
    command = [c.replace("8501", port) for c in command]
    ok = subprocess.run(command, env={**os.environ, "STREAMLIT_SERVER_BASE_URL_PATH": "panj"},
                        capture_output=True, check=False)
    assert ok.returncode == 0, ok.stderr
    wrong = subprocess.run(command, env={**os.environ, "STREAMLIT_SERVER_BASE_URL_PATH": ""},
                           capture_output=True, check=False)
    assert wrong.returncode != 0  # /_stcore/health is not served outside /panj


def docker_command() -> str:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    m = re.search(r"^CMD (\[.*\])$", text, flags=re.M)
    assert m, "the Dockerfile has no exec-form CMD"
    return " ".join(json.loads(m[1]))


def test_the_image_warms_the_app_at_start() -> None:
    """The image starts the server and, beside it, the warm-up that loads the data before
    the first reader (deploy/warm.py, which the image holds)."""
    command = docker_command()
    assert "deploy/warm.py &" in command and "exec streamlit run serve.py" in command
    assert "deploy/warm.py" in image_files()
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^scriptHealthCheckEnabled = true$", config, flags=re.M)


@pytest.mark.browser
def test_the_warm_up_runs_the_locked_app_under_its_base_path(locked_python, deployed,
                                                             image_copy) -> None:
    done = subprocess.run([locked_python, "deploy/warm.py", f"{deployed}/panj"],
                          cwd=image_copy, capture_output=True, text=True, check=False,
                          timeout=200)
    assert done.returncode == 0, done.stderr
    assert re.match(rf"warm-up of {re.escape(deployed)}/panj: warmed in \d+\.\d s", done.stdout)


def test_the_warm_up_says_when_the_server_never_answers() -> None:
    ok, detail = b.warm_up.warm(f"http://127.0.0.1:{b.free_port()}", wait_s=1)
    assert not ok and "did not answer /_stcore/health within 1 s" in detail


def test_the_daily_sync_units_are_valid_and_run_the_module(tmp_path) -> None:
    """systemd accepts the units as installed (an instance per dataset), they run
    ``python -m geo.sync <dataset>`` with credentials from a file, daily; the README's cron
    line runs the same commands."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if IN_CI:
            pytest.fail("systemd-analyze is missing; .ci/run installs Debian's systemd")
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    service = (ROOT / "deploy" / "panj-sync@.service").read_text()
    timer = (ROOT / "deploy" / "panj-sync@.timer").read_text()
    assert "ExecStart=/opt/panj-border-watch/.venv/bin/python -m geo.sync %i" in service
    assert "EnvironmentFile=/etc/panj/sync.env" in service and "PASSWORD=" not in service
    assert re.search(r"^OnCalendar=\*-\*-\* \d\d:\d\d:00 UTC$", timer, re.M)
    for source in ("acled", "ucdp"):
        # as installed, with the interpreter and checkout of this machine
        (tmp_path / f"panj-sync@{source}.service").write_text(
            service.replace("/opt/panj-border-watch/.venv/bin/python", sys.executable)
            .replace("/opt/panj-border-watch", str(ROOT)))
        (tmp_path / f"panj-sync@{source}.timer").write_text(timer)
    done = subprocess.run([analyze, "verify", "--man=no",
                           *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    cron = re.search(r"```cron\n(.+?)\n\s*```", (ROOT / "README.md").read_text(), re.S)
    assert cron and "python -m geo.sync acled" in cron[1] and "geo.sync ucdp" in cron[1]
    helped = subprocess.run([sys.executable, "-m", "geo.sync", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "acled" in helped.stdout
