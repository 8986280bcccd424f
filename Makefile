# Entry points: `make demo` shows the rollback on the local OMS emulator, `make test` runs every check, `make docs`
# builds the HTML docs site (build/docsite/build/html/index.html). Each sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# The collection must sit at .../ansible_collections/hotwax/oms for Ansible to find it; a link does that.
COLLECTIONS := $(CURDIR)/build/collections
# The docs site is built in a virtualenv of its own, from the pinned docs/docsite/requirements.txt.
DOCS_VENV := $(CURDIR)/build/docs-venv
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: setup demo test docs browser gates ee clean

setup: $(VENV)/.installed $(COLLECTIONS)/ansible_collections/hotwax/oms

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(COLLECTIONS)/ansible_collections/hotwax/oms:
	mkdir -p $(COLLECTIONS)/ansible_collections/hotwax
	ln -sfn $(CURDIR) $@

demo: setup
	bash demo/run-demo.sh

# tests/test_docs_site.py opens the docs site in headless Chromium (`browser` installs it when missing, as root) and
# saves a screenshot of a module page, named here for CI's output.
SCREENSHOT := build/docsite-screenshots/hotwax_shop_access_module.png
test: setup browser
	rm -f $(SCREENSHOT)
	$(BIN)/pytest
	@if [ -f $(SCREENSHOT) ]; then echo "docs site: screenshot of a module page: $(CURDIR)/$(SCREENSHOT)"; fi
	$(MAKE) --no-print-directory gates

docs: $(DOCS_VENV)/.installed $(COLLECTIONS)/ansible_collections/hotwax/oms
	bash scripts/build-docsite.sh

$(DOCS_VENV)/.installed: docs/docsite/requirements.txt
	rm -rf $(DOCS_VENV)
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install --quiet --disable-pip-version-check -r docs/docsite/requirements.txt
	touch $@

browser:
	bash scripts/install-chromium.sh

# Every release gate: ansible-test sanity and the unit and module-comparison tests on each ansible-core the collection
# is tested on (2.19, 2.21, 2.22, each in build/venv-core-CORE from tests/core-CORE-requirements.txt, made by
# scripts/core-venv.sh; 2.22 needs Python 3.13), ansible-lint, galaxy-importer, docs, changelog, execution
# environment, action group. scripts/release-gates.sh prepares what it needs under build/.
gates: setup
	bash scripts/release-gates.sh

# The build context of the execution environment in execution-environment.yml: the collection tarball under the
# stable name that file installs, then `ansible-builder create` (no container engine needed). Build the image with
# `podman build -t hotwax-oms-ee:latest build/ee-context` (or docker).
ee: setup
	rm -rf build/dist build/ee-context
	$(BIN)/ansible-galaxy collection build --force --output-path build/dist .
	cp build/dist/hotwax-oms-*.tar.gz build/dist/hotwax-oms.tar.gz
	$(BIN)/ansible-builder create --file execution-environment.yml --context build/ee-context --output-filename Containerfile

clean:
	rm -rf $(VENV) build tests/output .pytest_cache
