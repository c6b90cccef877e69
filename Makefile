# Shortcuts; the README's two commands are scripts/demo and scripts/test.
.PHONY: demo test bench lint format docs

demo:
	scripts/demo

test:
	scripts/test

bench:
	scripts/bench

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy

format:
	.venv/bin/ruff format src tests
	.venv/bin/ruff check --fix src tests

docs:
	.venv/bin/ninefold docs config-reference > docs/configuration-reference.md
