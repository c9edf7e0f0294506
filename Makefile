# Samenspraak — `make run` starts the app on a local SQLite file; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: run test install install-dev frontend migrate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.copied: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	touch $@

install: $(VENV)/.installed frontend
install-dev: $(VENV)/.installed-dev frontend
frontend: static/vendor/.copied

migrate: install
	$(BIN)/flask --app run db-upgrade

run: migrate
	@echo ""
	@echo "  Samenspraak runs at http://$(HOST):$(PORT)/"
	@echo "  First time? Open that address and create the first facilitator account."
	@echo "  For phones in the room: HOST=0.0.0.0 PUBLIC_URL=http://<this-computer's-ip>:$(PORT) make run"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python run.py

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor
