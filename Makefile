# chartaudit: the two commands a fresh machine needs.
#   make app    create .venv if missing, install, serve the viewer on http://127.0.0.1:8501
#   make test   create .venv if missing, install with dev extras, check the import layers, run the tests

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT   ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: app test test-fast install models bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# An editable install leaves src/ uncompiled, and with PYTHONDONTWRITEBYTECODE set
	@# every process (each batch worker, each CLI call) would compile it again (~0.2 s).
	$(BIN)/python -m compileall -q src >/dev/null
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

app: $(STAMP)
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--browser.gatherUsageStats false --server.headless true

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

# The inner loop: everything but the browser, notebook and Dask tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not notebook and not dask"

# Regenerate the precomputed ICD-10-CM tables, the combination table and target terms (need simple-icd-10-cm),
# the Alphabetic Index terms, the word search's code phrases (from the two terms files) and the fuzzy index
# (scikit-learn). The combination table and the Index terms read ../shared/data/icd10cm_index_2025 and keep
# the committed files when it is absent.
models: $(STAMP)
	$(BIN)/python -m chartaudit.knowledge.build
	$(BIN)/python -m chartaudit.knowledge.combinations_build
	$(BIN)/python -m chartaudit.extract.targets.build
	$(BIN)/python -m chartaudit.extract.targets.index_build
	$(BIN)/python -m chartaudit.extract.words_build
	$(BIN)/python -m chartaudit.extract.fuzzy.build

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_audit.py
	$(BIN)/python benchmarks/bench_tokenizer.py
	$(BIN)/python benchmarks/bench_fuzzy.py
	$(BIN)/python benchmarks/bench_startup.py

# Run both tuning notebooks top to bottom; what they write goes to a temporary folder, not the repository.
.PHONY: notebooks
notebooks: $(STAMP)
	CHARTAUDIT_NOTEBOOK_OUT="$$(mktemp -d)" $(BIN)/jupyter-execute --timeout=600 \
		notebooks/01_tune_extractor.ipynb notebooks/02_audit_analysis.ipynb

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build src/*.egg-info
