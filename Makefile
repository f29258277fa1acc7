# Two commands do everything on a fresh machine:
#   make run    set up .venv, build the seeds' graph, render diagrams, run example queries
#   make test   set up .venv, run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install build clean

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

test: install
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) outputs/store

# Every article of the shared corpus must build: extraction on all 1,000 (about 5 minutes).
corpus-check: install
	$(PY) -m kg build ../shared/corpus/articles --out /tmp/kg-corpus-check
