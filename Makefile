# Chores for Panj Border Watch. `make run` and `make test` set everything up by themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup run test check lint bench data lock messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m geo.assets
	@touch $(STAMP)

setup: $(STAMP)

# MALLOC_ARENA_MAX=2: each viewer's script runs in its own thread, and glibc's per-thread
# arenas otherwise keep ~50 MB per viewer at 100k incidents (docs/PERFORMANCE.md).
# deploy/warm.py runs the app once as soon as the server answers, so the first reader
# does not wait for the imports and the data to load.
run: $(STAMP)
	$(BIN)/python -m geo.assets >/dev/null
	$(BIN)/python deploy/warm.py http://127.0.0.1:$(PORT) &
	MALLOC_ARENA_MAX=2 $(BIN)/streamlit run serve.py --server.port $(PORT)

# The whole suite: every tier but the browser one on every core, then the browser tier
# alone (its servers and Chromium share two cores badly).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest -n auto -m "not browser"
	$(BIN)/python -m pytest -m browser

# The fast lane for day-to-day work (about a minute): lint, types, and every test but the
# browser, PostgreSQL, benchmark, network and slow tiers (markers in pyproject.toml).
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto \
	  -m "not browser and not pg and not bench and not network and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

# requirements.txt: every dependency pinned with hashes, for Docker and Community Cloud.
# Regenerate after changing the dependencies in pyproject.toml (a test fails until you do).
# The pins already in the lock are kept where pyproject.toml still allows them (uv reads its
# output file as preferences), so adding one dependency does not move every other one.
lock: $(STAMP)
	cp requirements.txt $(VENV)/lock.txt
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	  --generate-hashes --no-header -q -o $(VENV)/lock.txt
	{ echo "# The lock: generated from pyproject.toml by 'make lock'; do not edit by hand."; \
	  echo "# Docker and Streamlit Community Cloud install exactly these versions."; \
	  cat $(VENV)/lock.txt; } > requirements.txt

# Extract the interface text into geo/locale/messages.pot and bring the ru/tg/fa catalogs up
# to it; then translate the new entries (tests/test_i18n.py fails until every one is).
messages: $(STAMP)
	$(BIN)/python -m geo.catalogs

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# Rebuild the boundary layers in data/ from Natural Earth (needs npm; see data/SOURCES.md)
data: $(STAMP)
	$(BIN)/python -m geo.build_layers

clean:
	rm -rf $(VENV) static/vendor tests/artifacts .pytest_cache .ruff_cache .mypy_cache
