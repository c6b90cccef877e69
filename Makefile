# Shortcuts; the README's two commands are scripts/demo and scripts/test.
.PHONY: demo test lint format docs

demo:
	scripts/demo

test:
	scripts/test

lint:
	.venv/bin/ruff check src tests
	.venv/bin/ruff format --check src tests
	.venv/bin/mypy

format:
	.venv/bin/ruff format src tests
	.venv/bin/ruff check --fix src tests

docs:
	.venv/bin/ninefold docs config-reference > docs/configuration-reference.md
