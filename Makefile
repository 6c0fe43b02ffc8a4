# Two commands: `make report` (the PDF) and `make test` (the suite). Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYS_TOOLS := xelatex pandoc pdftoppm pdfimages
APT_PACKAGES := texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc poppler-utils

.PHONY: report test smoke bench lab sysdeps clean

report: $(STAMP) sysdeps
	$(VENV)/bin/glo-report build

smoke: $(STAMP) sysdeps
	$(VENV)/bin/glo-report build --smoke

test: $(STAMP) sysdeps
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_train.py

lab: $(STAMP)
	$(PY) -m pip install -q -e '.[lab]' && $(VENV)/bin/jupyter lab notebooks/

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# xelatex + pandoc for the PDF, poppler for the tests: installed with apt-get when missing
sysdeps:
	@missing=""; for t in $(SYS_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "missing$$missing: install the Debian/Ubuntu packages $(APT_PACKAGES) (as root), then run make again"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf report/build
