"""The Docker image, built and run for real with Debian's podman (no Docker engine here):
on a Debian bookworm base made with debootstrap (no image registry is reachable), through
the Dockerfile's ``ARG BASE``. The app runs as uid 10001, its health check passes, the map
draws offline in Chromium, and a mounted PANJ_INCIDENTS file is what it shows.

The base and the layer of locked dependencies are kept on the machine between runs (they
hold only Debian's and the lock's packages), so a second run rebuilds the code's layers
only; podman reuses the kept layer only while requirements.txt and the steps before it
are unchanged.

Where containers cannot start, the test says why and skips, except under CI=true, where it
fails. The image's size is printed (``pytest -s``) and recorded in docs/RELIABILITY.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from . import browser as b
from .conftest import FIXTURE_INCIDENTS, IN_CI, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BASE = "localhost/panj-base:bookworm"
IMAGE = "localhost/panj-border-watch:test"
#: What the base holds: Debian's Python (3.11 in bookworm), its venv module and the CAs.
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
#: The host's CA bundle and pip settings, mounted into the build where they exist, so that
#: pip in the build reaches PyPI exactly as this machine does (behind its proxy's CA).
HOST_TRUST = [p for p in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pip.conf")
              if Path(p).exists()]


def _unavailable(why: str) -> None:
    if IN_CI:
        pytest.fail(f"{why}; .ci/run installs podman, runc and debootstrap from Debian")
    pytest.skip(why)


def _podman(*args: str, env: dict[str, str], timeout: float = 900,
            check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["podman", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and done.returncode:
        msg = f"podman {' '.join(args[:3])} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        raise AssertionError(msg)
    return done


@pytest.fixture(scope="module")
def podman_env(tmp_path_factory) -> dict[str, str]:
    for tool in ("podman", "runc", "debootstrap"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            _unavailable(f"{tool} is not installed (apt-get install podman runc debootstrap)")
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n", encoding="utf-8")
    return {**os.environ, "CONTAINERS_CONF": str(conf),
            "PATH": os.environ.get("PATH", "") + ":/usr/sbin"}


@pytest.fixture(scope="module")
def image(podman_env, tmp_path_factory) -> Iterator[str]:
    """The image, built on a debootstrapped bookworm base; the base is made once per
    machine and kept (it only holds Debian packages)."""
    if _podman("image", "exists", BASE, env=podman_env, check=False).returncode:
        rootfs = tmp_path_factory.mktemp("bookworm")
        done = subprocess.run(["debootstrap", "--variant=minbase",
                               f"--include={BASE_PACKAGES}", "bookworm", str(rootfs),
                               "http://deb.debian.org/debian"], capture_output=True,
                              text=True, timeout=900, check=False, env=podman_env)
        if done.returncode:
            _unavailable(f"debootstrap failed: {done.stderr.strip()[-500:]}")
        archive = tmp_path_factory.mktemp("base") / "rootfs.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(rootfs, arcname=".")
        _podman("import", "--change", 'CMD ["/bin/bash"]', str(archive), BASE,
                env=podman_env)
        shutil.rmtree(rootfs, ignore_errors=True)
    probe = _podman("run", "--rm", "--runtime", "runc", "--network=host", BASE, "true",
                    env=podman_env, check=False, timeout=120)
    if probe.returncode:
        _unavailable(f"podman cannot start a container here: {probe.stderr.strip()[-300:]}")
    mounts = [arg for path in HOST_TRUST for arg in ("-v", f"{path}:{path}:ro")]
    built = _podman("build", "--format", "docker", "--runtime", "runc", "--network=host",
                    *mounts, "--build-arg", f"BASE={BASE}", "-t", IMAGE, str(ROOT),
                    env=podman_env, timeout=1800)
    _keep_the_locked_dependencies(built.stdout, podman_env)
    yield IMAGE
    _podman("rmi", "-f", IMAGE, env=podman_env, check=False)


#: The build step that installs requirements.txt, and the tag that keeps its layer.
LOCK_STEP = re.compile(r"^STEP \d+/\d+: RUN python3 -m venv .*$\n(?:.*\n)*?--> ([0-9a-f]{11,})$",
                       re.MULTILINE)
DEPENDENCIES = "localhost/panj-deps"


def _keep_the_locked_dependencies(build_output: str, env: dict[str, str]) -> None:
    """Tag the layer with the locked dependencies (a minute of pip), so removing the image
    keeps it and the next build on this machine reuses it, as the base is kept: podman
    reuses it only while the base, the Dockerfile's steps up to it and requirements.txt
    are unchanged, and a changed lock gets a tag of its own (the old one is dropped)."""
    found = LOCK_STEP.search(build_output)
    if found is None:
        print("\nthe dependency layer was not found in the build's output; not kept")
        return
    lock = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()[:16]
    tags = _podman("images", "--filter", f"reference={DEPENDENCIES}", "--format",
                   "{{.Repository}}:{{.Tag}}", env=env, check=False).stdout.split()
    for stale in set(tags) - {f"{DEPENDENCIES}:{lock}"}:
        _podman("rmi", stale, env=env, check=False)
    _podman("tag", found.group(1), f"{DEPENDENCIES}:{lock}", env=env)


def test_the_image_runs_the_app_as_documented(image, podman_env, chromium, tmp_path) -> None:
    rows = pd.read_csv(FIXTURE_INCIDENTS, dtype=str, keep_default_na=False)
    mine = rows[rows.region_code == "TJ-GB"].head(5)  # a file of its own, to be shown
    data = tmp_path / "data"
    data.mkdir()
    mine.to_csv(data / "incidents.csv", index=False)
    data.chmod(0o755)
    (data / "incidents.csv").chmod(0o644)
    port = b.free_port()
    name = f"pbw-test-{port}"
    _podman("run", "-d", "--name", name, "--runtime", "runc", "--network=host",
            "--health-interval=disable",  # no systemd timers here; checked by hand below
            "-e", f"STREAMLIT_SERVER_PORT={port}", "-e", "PANJ_INCIDENTS=/data/incidents.csv",
            "-v", f"{data}:/data:ro", image, env=podman_env)
    try:
        url = f"http://127.0.0.1:{port}"
        ok, detail = b.warm_up.warm(url, wait_s=120)
        assert ok, detail + _podman("logs", name, env=podman_env, check=False).stderr[-2000:]
        assert _podman("exec", name, "id", "-u", env=podman_env).stdout.strip() == "10001"
        users = _podman("top", name, "user", env=podman_env).stdout.split()[1:]
        assert users and set(users) == {"panj"}, users  # every process, not root
        assert _podman("healthcheck", "run", name, env=podman_env,
                       check=False).returncode == 0
        with b.fresh_page(chromium, url + "/?region=TJ-GB") as page:
            frame = b.map_frame(page)
            located = int((mine.lat != "").sum())
            assert b.wait_for_markers(frame, located) == located
            assert b.metric(page, "Incidents") == str(len(mine))
        size = int(_podman("image", "inspect", "--format", "{{.Size}}", image,
                           env=podman_env).stdout.strip())
        print(f"\nimage {image}: {size / 1e6:,.0f} MB on a debootstrapped bookworm base")
        assert size < 2e9
    finally:
        _podman("rm", "-f", name, env=podman_env, check=False)
