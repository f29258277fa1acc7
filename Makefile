# Two commands do everything on a fresh machine:
#   make run    set up .venv, build the seeds' graph, render diagrams, run example queries
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install build clean browser corpus-check

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: install
	$(PY) -m kg build seeds --out outputs

run: build
	@echo "--- validate"
	$(PY) -m kg validate outputs/graph.trig
	@echo "--- diagrams"
	$(PY) -m kg render outputs --examples --out outputs
	@echo "--- example queries"
	$(PY) -m kg query outputs --name who-said-what --param entity=Trump
	$(PY) -m kg query outputs --name chain-of-command
	$(PY) -m kg query outputs --name who-designates-whom

# The web page is tested in a real headless browser: Debian's chromium and its driver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "note: chromium is not installed and cannot be; the browser test will be skipped"; fi; }

test: install browser
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) outputs/store

# Every article of the shared corpus must build: extraction on all 1,000 (about 5 minutes).
corpus-check: install
	$(PY) -m kg build ../shared/corpus/articles --out /tmp/kg-corpus-check
