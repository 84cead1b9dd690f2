"""The project's promises about itself: two README commands, CI runs them, docs match the code."""

from __future__ import annotations

import ast
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from geo import importers
from geo import schema as s

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
    for code in [*s.EVENT_TYPES, *s.REGIONS, *s.CONFIDENCES, *s.ACTOR_GROUPS]:
        assert f"`{code}`" in doc, code


def test_geo_never_imports_streamlit() -> None:
    for path in (ROOT / "geo").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from) streamlit", text, flags=re.M), path.name


#: geo's modules from the bottom of the house up: each may import only modules before it.
#: A new module goes where its imports put it; a cycle cannot be written down here.
GEO_LAYERS = ("i18n", "catalogs", "text", "schema", "provenance", "validate", "errors",
              "basemaps", "playback", "assets", "layers", "proximity", "merge", "fields",
              "density", "cache", "filters", "stats", "tables", "charts", "exports", "figure",
              "incidents", "importers", "uploads", "viewstate", "feeds", "maptext", "mapview",
              "about", "store_read", "store", "sync", "gazetteer", "agent", "build_layers")


def _geo_imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo"):
            found |= ({a.name for a in node.names} if node.module == "geo"
                      else {node.module.split(".")[1]})
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("geo.")}
    return found


def _type_checking_only(path) -> set[str]:
    """geo modules imported only under ``if TYPE_CHECKING:`` (no import at run time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for sub in node.body:
                if isinstance(sub, ast.ImportFrom) and sub.module and \
                        sub.module.startswith("geo."):
                    names.add(sub.module.split(".")[1])
    return names


def test_geo_modules_import_only_downward() -> None:
    modules = {p.stem for p in (ROOT / "geo").glob("*.py")} - {"__init__"}
    assert modules == set(GEO_LAYERS), "add the new module to GEO_LAYERS, above its imports"
    for path in (ROOT / "geo").glob("*.py"):
        if path.stem == "__init__":
            continue
        level = GEO_LAYERS.index(path.stem)
        upward = {m for m in _geo_imports(path) - _type_checking_only(path)
                  if GEO_LAYERS.index(m) >= level}
        assert not upward, f"geo/{path.name} imports {sorted(upward)}, which sit above it"


def test_no_function_level_imports_in_geo() -> None:
    """Imports sit at the top of each module, where a reader looks for them."""
    for path in (ROOT / "geo").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, f"geo/{path.name}: {fn.name} imports inside the function"


def test_modules_stay_small_or_say_why() -> None:
    for path in [*(ROOT / "geo").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 400:
            doc = ast.get_docstring(ast.parse(text)) or ""
            assert "lines" in doc, f"{path.name} is over 400 lines; split it or say why"


def test_upload_limit_is_stated_once() -> None:
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(rf"^maxUploadSize = {importers.MAX_UPLOAD_MB}$", config, flags=re.M)
    assert importers.MAX_BYTES == importers.MAX_UPLOAD_MB * 1_000_000  # as the uploader counts


def _pins() -> dict[str, Version]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    pins: dict[str, Version] = {}
    for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, flags=re.M):
        pins.setdefault(canonicalize_name(m[1]), Version(m[2]))
    return pins


def test_the_lock_matches_pyproject() -> None:
    """requirements.txt (the lock Docker and Community Cloud install) pins every runtime
    dependency within the range pyproject.toml allows; `make lock` regenerates it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = _pins()
    for spec in project["project"]["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.txt: run make lock"
        assert pins[name] in req.specifier, (
            f"requirements.txt pins {req.name} {pins[name]}, outside {req.specifier}: "
            "run make lock")
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "--hash=sha256:" in text, "the lock must carry hashes"
    assert all(line.startswith(("#", " ", "    ")) or "==" in line
               for line in text.splitlines() if line.strip()), "an unpinned line"
