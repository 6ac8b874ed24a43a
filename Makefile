# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
# The day `make run` shows: the demo seed's history is designed around it (README: One clock).
# `make run TRACKER_TODAY=` runs on the real clock; TRACKER_NOW=2026-06-30T10:00 stops the clock.
TRACKER_TODAY ?= 2026-06-30

.PHONY: run test install translations migrate seed clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(VENV)/bin/pybabel compile -d tracker/translations -f --statistics >/dev/null

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed demo

run: seed
	TRACKER_TODAY=$(TRACKER_TODAY) TRACKER_SCHEDULER=1 $(FLASK) run --debug --host 127.0.0.1 --port 5000

test: install
	$(VENV)/bin/lint-imports  # the layers of ARCHITECTURE.md (.importlinter)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
