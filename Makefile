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

bench: setup
	$(VENV)/bin/python bench/import_throughput.py

clean:
	rm -rf $(VENV) var
