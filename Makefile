# The two commands a fresh machine needs: `make start` runs Steward, `make test` runs every test.
# Each does its own set-up: Node 24 when the system Node is older, npm ci, and the local stack.
# `eval "$(make -s env)"` puts the project's Node first on PATH in your shell.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
NODE_BIN := $(shell scripts/node-env.sh)
export PATH := $(NODE_BIN):$(PATH)
# kafkajs 2.2.4 computes a negative timer on every response; Node 24 warns about each one.
export NODE_OPTIONS := --disable-warning=TimeoutNegativeWarning $(NODE_OPTIONS)

.PHONY: start test env deps stack-up stack-down stack-status lint build

start: deps
	npm start

test: deps
	npm test

env:
	@echo 'export PATH="$(NODE_BIN):$$PATH"'

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

stack-up: deps
	npm run stack:up

stack-down: deps
	npm run stack:down

stack-status: deps
	npm run stack:status

lint: deps
	npm run lint

build: deps
	npm run build
