# Samenspraak — `make run` starts the app on a local SQLite file; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: run test install install-dev frontend catalogues messages migrate clean bench

$(BIN)/python:
	@echo "==> Creating the Python environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Upgrading pip"
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "==> Installing the Python packages of requirements.txt (the first time takes a few minutes: spaCy and the sentence encoders are large)"
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	@echo "==> Installing the test tools of requirements-dev.txt"
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@echo "==> Installing the front-end packages (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.copied: node_modules/.package-lock.json
	@echo "==> Copying the Socket.IO client to static/vendor/"
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	touch $@

# Translations: the .po files are committed, their compiled .mo files are built here.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%.mo: translations/%.po $(VENV)/.installed
	@echo "==> Compiling the translations ($<)"
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed frontend catalogues
install-dev: $(VENV)/.installed-dev frontend catalogues
frontend: static/vendor/.copied
catalogues: $(CATALOGUES)

# After changing or adding texts: extract the message ids and merge them into every .po file.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _ --ignore-dirs='.* ._ node_modules __pycache__' --sort-by-file -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100
	@echo "Now translate the new or fuzzy entries (msgstr \"\") in translations/*/LC_MESSAGES/messages.po."

migrate: install
	@echo "==> Bringing the database up to date"
	$(BIN)/flask --app run db-upgrade

run: migrate
	@echo ""
	@echo "  Samenspraak runs at http://$(HOST):$(PORT)/"
	@echo "  First time? Open that address and create the first facilitator account."
	@echo "  For phones in the room: HOST=0.0.0.0 PUBLIC_URL=http://<this-computer's-ip>:$(PORT) make run"
	@echo "==> Starting the server (the meaning models load in the background for about half a minute)"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python run.py

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor $(CATALOGUES)
