# Arkhiv: `make run` serves the demo archive, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ARKHIV_HOME ?= $(CURDIR)/arkhiv-data

.PHONY: run test fuzz fuzz-api lint bench bench-scale docs-images install browser-deps postgres-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@if [ ! -f "$(ARKHIV_HOME)/archive.sqlite3" ]; then \
		echo "importing the demo archive (fixtures/) into $(ARKHIV_HOME)"; \
		$(BIN)/arkhiv import --no-progress fixtures/seed.json fixtures/articles.jsonl fixtures/copies.jsonl; \
	fi
	$(BIN)/arkhiv serve --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser tests drive Debian's chromium (Playwright cannot download browsers here) and inject
# axe-core from npm.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }
	@[ -f node_modules/axe-core/axe.min.js ] || npm install --no-audit --no-fund --silent

# The store and several-nodes tests start a throwaway PostgreSQL of their own in a temporary folder
# (tests/pg_server.py) from Debian's postgresql package: its binaries, no service of its own.
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql for the store tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }

test: $(STAMP) browser-deps postgres-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q

# The import's fuzzer at length: many generated inputs per property (a few minutes; `make test`
# runs a few of each). A failure is printed as the smallest input that shows it, and replayed
# first by the next run (.hypothesis/).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q --timeout 0 --hypothesis-show-statistics \
		tests/test_fuzz_import.py

# The API's description against `arkhiv serve` at length: Schemathesis with 200 examples per
# operation and every check (`make test` runs 8 of each). ARKHIV_API_FUZZ_SEED picks another round.
fuzz-api: $(STAMP)
	ARKHIV_API_FUZZ_EXAMPLES=200 $(BIN)/pytest -q -s --timeout 0 tests/test_api_description.py \
		-k schemathesis

bench: $(STAMP)
	$(BIN)/python -m bench.run

# The curve of each cost at 100k, 1M and 3M articles, each imported from empty and served (hours,
# and about 40 GB in BENCH_DATA, where the articles and the archives are kept to measure again).
BENCH_DATA ?= $(CURDIR)/bench-data
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale --data $(BENCH_DATA) --homes $(BENCH_DATA)/scale

# The README's screenshots: the demo archive served by `arkhiv serve` in a temporary home,
# photographed in Debian's chromium (docs/screenshots.py) into docs/images/.
docs-images: $(STAMP) browser-deps
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) arkhiv-data build *.egg-info
