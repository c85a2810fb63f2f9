# The two commands of the README: `make demo` and `make test`.
PYTHON := $(shell scripts/find-python)
VENV := .venv

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || (echo "No Python >= 3.12 found" && exit 1)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: setup
	$(VENV)/bin/kefu demo

test: setup
	scripts/ensure-chromium
	scripts/test

# The metric-rollup benchmark takes an hour or more (a 10M-message data set, both databases);
# BENCH_ROLLUPS="--quick --no-write" checks it in a few minutes.
BENCH_ROLLUPS ?= --messages 10000000 --db both

bench: setup
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test,bench]'
	$(VENV)/bin/python bench/import_throughput.py
	$(VENV)/bin/python bench/metrics_rollups.py $(BENCH_ROLLUPS)
	$(VENV)/bin/python bench/qa_throughput.py --agents 100 --scale 3.8

clean:
	rm -rf $(VENV) var
