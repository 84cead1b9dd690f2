"""The project's promises about itself: two README commands, CI runs them, docs match the code."""

from __future__ import annotations

import re

from geo import schema as s
from geo.incidents import DATA_UPDATED

from .conftest import ROOT


def test_readme_gives_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("##", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
                if line.strip()]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M)
    assert "chromium" in ci
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: \$\(STAMP\)$", makefile, flags=re.M)


def test_data_docs_match_the_schema() -> None:
    doc = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert ",".join(s.COLUMNS) in doc
    for code in [*s.EVENT_TYPES, *s.REGIONS, *s.CONFIDENCES]:
        assert f"`{code}`" in doc, code
    sources = (ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert DATA_UPDATED.isoformat() in sources


def test_geo_never_imports_streamlit() -> None:
    for path in (ROOT / "geo").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from) streamlit", text, flags=re.M), path.name
