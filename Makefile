# Everyday helpers. The two commands a new user needs are `make run` (= bin/run) and
# `make test` (= bin/test); the rest assume `make run` or `make test` created .venv.
PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py

.PHONY: run test install migrate makemigrations seed worker beat shell lint format translations

run:
	./bin/run

test:
	./bin/test

install:
	bash -c 'source bin/lib/venv.sh && mm_venv requirements/dev.txt'

migrate:
	$(MANAGE) migrate

makemigrations:
	$(MANAGE) makemigrations

seed:
	$(MANAGE) seed_demo

worker:
	.venv/bin/celery -A marketmate worker --loglevel INFO

beat:
	.venv/bin/celery -A marketmate beat --loglevel INFO --schedule /tmp/celerybeat-schedule

shell:
	$(MANAGE) shell

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

# Our own code only: no tests, benchmarks, vendored scripts or collected static files.
MESSAGES_IGNORE := --ignore tests --ignore conftest.py --ignore bench --ignore test-artifacts \
	--ignore staticfiles --ignore media --ignore htmlcov --ignore node_modules --ignore static/vendor

translations:
	$(MANAGE) makemessages -l es -l de --no-obsolete $(MESSAGES_IGNORE)
	$(MANAGE) makemessages -d djangojs -l es -l de --no-obsolete $(MESSAGES_IGNORE)
	$(MANAGE) compiletranslations
