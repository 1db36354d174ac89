# The two commands a fresh machine needs (Debian, Python 3.11, nothing installed by hand):
#   make demo   installs graphvec into .venv and runs the main job on the bundled corpus
#   make test   installs the test dependencies (Python and the Node Cypher linter) and runs the suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GRAPHVEC := $(VENV)/bin/graphvec
DEMO_STORE := demo/robotics.lbug

.PHONY: install demo test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	mkdir -p demo
	$(GRAPHVEC) --store $(DEMO_STORE) ingest docs datasets/robotics/robotics.csv --labels-field tags --label-sep " "
	$(GRAPHVEC) --store $(DEMO_STORE) embed --projection bipartite --top-k 10 --seed 42
	$(GRAPHVEC) --store $(DEMO_STORE) stats
	$(GRAPHVEC) --store $(DEMO_STORE) neighbourhood quadcopter -k 8
	$(GRAPHVEC) --store $(DEMO_STORE) recommend 1 -k 5

test: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest -q

$(VENV)/.bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules demo .pytest_cache
