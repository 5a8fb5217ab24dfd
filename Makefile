# Gongzhi: every target has a "## description"; `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PORT ?= 8808
HOST ?= 127.0.0.1

.DEFAULT_GOAL := help
.PHONY: help setup java chromium mimalloc npm rml codegen generate fmt validate reason build import link run serve test expected clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)/  \1\t\2/' | expand -t 14

# --- setup -------------------------------------------------------------------------------------------

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

java: ## install a Java runtime for HermiT if the machine has none
	@scripts/ensure-java.sh

chromium: ## install Debian's Chromium and chromedriver for the browser test if the machine has none
	@scripts/ensure-chromium.sh

mimalloc: ## install Debian's mimalloc, which the parallel bulk loader preloads, if the machine has none
	@scripts/ensure-mimalloc.sh

# Reinstalled when package-lock.json is newer than the last install. No install scripts: YASGUI needs none.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NPM_STAMP)

npm: $(NPM_STAMP) ## install the query page's browser assets (YASGUI) as package-lock.json pins them

rml: $(STAMP) ## install the RML engine (morph-kgc) for `kg import` in its own environment, var/rml-venv
	$(PY) -c "from kg.importer import ensure_engine; ensure_engine()"

setup: $(STAMP) java chromium mimalloc npm rml ## create the virtual environment (pinned packages), Java, Chromium, mimalloc, npm, RML

# --- ontology and cases ------------------------------------------------------------------------------

codegen: $(STAMP) ## regenerate kg/namespace.py and kg/context.jsonld from the ontology
	$(PY) -m kg codegen

fmt: $(STAMP) ## rewrite ontology/*.ttl as canonical Turtle
	$(PY) -m kg fmt

validate: $(STAMP) ## validate ontology and cases (SHACL and violation queries); report file, entry, rule
	$(PY) -m kg validate

reason: setup ## check the ontology with the cases for consistency with HermiT
	$(PY) -m kg reason

build: $(STAMP) ## build build/gongzhi.nq (ontology, cases, links), validate it and swap it into the store (var/store)
	$(PY) -m kg build

import: rml ## import every external dataset into its own graph (divisions, SEMIC examples): kg import --all
	$(PY) -m kg import --all

link: $(STAMP) ## propose links from the case places to the divisions, for review (kg/links/proposals.sssom.tsv)
	$(PY) -m kg link propose
	$(PY) -m kg link evaluate

# --- quality and documentation ----------------------------------------------------------------------
.PHONY: qc docs

qc: $(STAMP) ## ontology quality report (queries/qc/); exit 1 on errors: missing labels, duplicates, deprecated terms in use
	$(PY) -m kg qc

docs: $(STAMP) ## ontology documentation with pyLODE, English and Chinese, in docs/ontology/ (served at /ontology)
	$(PY) -m kg docs

.PHONY: terms protege
terms: $(STAMP) ## export the ontology's terms to build/terms.csv for a spreadsheet (apply one: bin/kg terms import FILE)
	$(PY) -m kg terms export build/terms.csv

protege: $(STAMP) ## write build/gongzhi.owl, ontology + concepts + alignment for Protégé (back: bin/kg protege import FILE)
	$(PY) -m kg protege export

# --- large generated graph and benchmarks ----------------------------------------------------------
.PHONY: bench
TRIPLES ?= 1M
SEED ?= 0
BENCH_SIZES ?= 100k,1M,10M
BENCH_VENV := var/bench-venv
BENCH_STAMP := $(BENCH_VENV)/.installed

generate: $(STAMP) ## write build/synthetic-TRIPLES-SEED.nq, a generated governance graph (TRIPLES=100k, 1M or 10M; SEED)
	$(PY) -m kg generate --triples $(TRIPLES) --seed $(SEED) --out build/synthetic-$(TRIPLES)-$(SEED).nq

# The systems compared with Gongzhi, and matplotlib, in their own environment (requirements-bench.txt).
$(BENCH_STAMP): requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP) ## benchmark against Virtuoso, rdflib-endpoint, Oxigraph's server (BENCH_SIZES): docs/benchmarks.md
	$(PY) -m bench --sizes $(BENCH_SIZES)

# --- service -----------------------------------------------------------------------------------------

run: setup build import serve ## set up, build, validate, import the external datasets and serve the SPARQL endpoint

serve: $(STAMP) $(NPM_STAMP) ## serve the current store at /sparql (HOST, PORT: default 127.0.0.1:8808)
	$(PY) -m server --host $(HOST) --port $(PORT)

# --- tests -------------------------------------------------------------------------------------------

test: setup ## set up and run every test
	$(PY) -m pytest

expected: build import ## rewrite queries/expected/ from the live answers (review the diff before committing)
	$(PY) -m kg expected

clean: ## remove the build output and the store (keeps the virtual environment)
	rm -rf build var
