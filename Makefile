# The two commands a fresh machine needs (Debian, Python 3.11, nothing installed by hand):
#   make demo   installs graphvec into .venv and runs the main job on the bundled corpus
#   make test   installs the test dependencies (Python, the Node Cypher linter, Java and Maven for
#               a real Neo4j server), starts Neo4j on loopback, runs the suite, stops Neo4j
#   make neo4j  starts the same Neo4j server in the foreground, to try the Neo4j path by hand
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GRAPHVEC := $(VENV)/bin/graphvec
DEMO_STORE := demo/robotics.lbug

NEO4J_TOOL := tools/neo4j
NEO4J_DATA ?= .neo4j
NEO4J_PORT ?= 7687

.PHONY: install demo test bench clean neo4j java

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

# Java 17 and Maven from Debian's packages when the machine lacks them.
java:
	@command -v java >/dev/null && command -v mvn >/dev/null || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven)

$(NEO4J_TOOL)/target/classpath.txt: $(NEO4J_TOOL)/pom.xml $(wildcard $(NEO4J_TOOL)/src/main/java/graphvec/neo4j/*.java) | java
	mvn -B -q -f $(NEO4J_TOOL)/pom.xml package
	touch $@

neo4j: $(NEO4J_TOOL)/target/classpath.txt
	@test -n "$$NEO4J_PASSWORD" || (echo "set NEO4J_PASSWORD first (8 characters or more): export NEO4J_PASSWORD=..." >&2; exit 2)
	$(NEO4J_TOOL)/serve --data $(NEO4J_DATA) --port $(NEO4J_PORT)

demo: $(VENV)/.installed
	mkdir -p demo
	$(GRAPHVEC) --store $(DEMO_STORE) ingest docs datasets/robotics/robotics.csv --labels-field tags --label-sep " "
	$(GRAPHVEC) --store $(DEMO_STORE) embed --projection bipartite --top-k 10 --seed 42
	$(GRAPHVEC) --store $(DEMO_STORE) stats
	$(GRAPHVEC) --store $(DEMO_STORE) neighbourhood quadcopter -k 8
	$(GRAPHVEC) --store $(DEMO_STORE) recommend 1 -k 5

test: $(VENV)/.installed node_modules/.installed $(NEO4J_TOOL)/target/classpath.txt
	$(NEO4J_TOOL)/with-server $(PY) -m pytest -q

$(VENV)/.bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules demo .pytest_cache $(NEO4J_TOOL)/target
