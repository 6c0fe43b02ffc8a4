# Two commands: `make report` (the PDF) and `make test` (the suite). Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYS_TOOLS := xelatex pandoc pdftoppm pdfimages chromium chromedriver
APT_PACKAGES := texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc poppler-utils \
	chromium chromium-driver dataset-fashion-mnist
# what dataset-fashion-mnist installs: its folder counts as missing like a tool
SYS_DATA := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
LAB_STAMP := $(VENV)/.lab-installed
# JupyterLab on localhost, offline: no news feed, no update check
LAB_ARGS := --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

.PHONY: report test smoke bench lab lab-screenshot sysdeps clean accept-prose

report: $(STAMP) sysdeps
	$(VENV)/bin/glo-report build

smoke: $(STAMP) sysdeps
	$(VENV)/bin/glo-report build --smoke

test: $(STAMP) sysdeps
	$(PY) -m pytest

# the report's words changed on purpose: rewrite the golden prose files (tests/golden), then review and commit them
accept-prose: $(STAMP)
	GLO_ACCEPT=1 $(PY) -m pytest tests/test_prose_golden.py -q

# trainer vs a plain loop, FLOPs against the CPU's peak, evaluation, smoke builds cold and warm:
# benchmarks/results/bench.{json,md}; BENCH_ARGS=--full adds the full report built twice
bench: $(STAMP) sysdeps
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# JupyterLab with the notebooks folder open; it prints the URL to open (with its token)
lab: $(LAB_STAMP)
	@echo "starting JupyterLab on localhost: open the http://127.0.0.1:... URL printed below; Ctrl-C stops it"
	$(VENV)/bin/jupyter lab $(LAB_ARGS) $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

$(LAB_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[lab]'
	touch $(LAB_STAMP)

# the README's screenshot, docs/jupyterlab_explorer.png, made by the browser test from notebook 04
# run with its own parameters (not smoke mode): a few minutes. Beside it, docs/jupyterlab_explorer.json
# records the notebook names it shows; tests/test_screenshots.py (run right after) checks them
lab-screenshot: $(STAMP) sysdeps
	GLO_LAB_SCREENSHOT=$(CURDIR)/docs/jupyterlab_explorer.png $(PY) -m pytest tests/test_lab.py tests/test_screenshots.py -s

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# xelatex + pandoc for the PDF, poppler and chromium (the browser test of JupyterLab) and Fashion-MNIST
# (Debian's dataset-fashion-mnist) for the tests: installed with apt-get when missing
sysdeps:
	@missing=""; for t in $(SYS_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	for f in $(SYS_DATA); do test -f $$f || missing="$$missing $$f"; done; \
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
