# Every target installs what it needs into .venv from the pinned requirements.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEMPLATES := templates
DIST := dist
# Scanners run by the tests, each installed apart from the project's own dependencies.
TOOLS := .tools
CHECKOV := $(TOOLS)/checkov/bin/checkov
CFN_GUARD_VERSION := 0.0.62
CFN_GUARD := $(TOOLS)/cfn-guard/node_modules/@cdklabs/cdk-validator-cfnguard
SEEDFARMER := $(TOOLS)/seedfarmer/bin/seedfarmer

# This machine sets PYTHONDONTWRITEBYTECODE=1, so every process would compile every module it imports, every time:
# a fifth of the tests' CPU, and 0.2 s of each cold render. Our targets let Python cache the bytecode it compiles.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help build install scanners render package lint test scan e2e bench acceptance acceptance-clean lock clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

build: render package lint ## Install, render the templates, package the resolver zip, lint the templates

install: $(INSTALLED) ## Create .venv with the pinned dependencies and the generator's console script

# uv installs the same pinned requirements as pip, in 3 s instead of 50 s on a fresh clone; it compiles no
# bytecode, so only the modules imported are compiled, when first imported.
UV_VERSION := 0.13.10
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python
$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile uv==$(UV_VERSION)
	$(UV) -r requirements.txt
	$(UV) --no-deps -e .
	touch $@

scanners: $(CHECKOV) $(CFN_GUARD)/package.json $(SEEDFARMER) ## Install checkov and seed-farmer (pinned, own venvs), cfn-guard with the Control Tower rules (npm)

$(CHECKOV): requirements-checkov.txt
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/checkov/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

$(SEEDFARMER): requirements-seedfarmer.txt
	$(PYTHON) -m venv $(TOOLS)/seedfarmer
	$(TOOLS)/seedfarmer/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/seedfarmer/bin/python -m pip install --quiet -r requirements-seedfarmer.txt
	touch $@

$(CFN_GUARD)/package.json:
	mkdir -p $(TOOLS)/cfn-guard
	npm install --silent --no-audit --no-fund --legacy-peer-deps --prefix $(TOOLS)/cfn-guard \
		@cdklabs/cdk-validator-cfnguard@$(CFN_GUARD_VERSION)

render: $(INSTALLED) ## Write templates/ (endpoint, deployer role and policy, Service Catalog kit) and modulestack.yaml
	$(BIN)/python -m generator render

package: $(INSTALLED) ## Write the resolver zip to dist/, named by its sha256
	$(BIN)/python -m generator package --output $(DIST)

lint: $(INSTALLED) ## cfn-lint the templates, informational rules included
	$(BIN)/cfn-lint --include-checks I -- $(TEMPLATES)/*.yaml modulestack.yaml

PYTEST := $(BIN)/pytest --numprocesses 2 --dist loadfile
# The fast tests of the Lambda code and the deploy client run first, under branch coverage (config in
# pyproject.toml); the floors below fail `make test`. The rest run apart, untraced: tracing costs Python 3.11
# about 1.6 times the run time, and they add nothing to these two packages' coverage.
COVERED_TESTS := tests/custom_resource tests/deploy tests/endpoint/test_deploy_on_approval.py tests/test_cli.py
LAMBDA_FLOOR := 95
DEPLOY_FLOOR := 96

test: $(INSTALLED) ## ruff, mypy, import-linter's contracts, every test but those needing .tools/ (see scan), coverage floors
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PYTEST) -m "not tools and not bench and not acceptance" --cov --cov-report= $(COVERED_TESTS)
	$(PYTEST) -m "not tools and not bench and not acceptance" $(addprefix --ignore=,$(COVERED_TESTS))
	$(BIN)/coverage report --include='custom_resource/*' --fail-under=$(LAMBDA_FLOOR)
	$(BIN)/coverage report --include='generator/deploy/*' --fail-under=$(DEPLOY_FLOOR)

scan: $(INSTALLED) scanners ## The tests needing .tools/: checkov, cfn-guard's Control Tower rules, seed-farmer's models and CodeBuild run
	$(PYTEST) -m tools

e2e: $(INSTALLED) $(SEEDFARMER) ## Only the end-to-end suite: the stack deployed on a local moto, seed-farmer's CodeBuild run included
	$(PYTEST) -m "e2e and not bench"

bench: $(INSTALLED) ## Render time, sizes, API calls per resolution, start-up, deploy vs aws cloudformation deploy, approval latency
	$(BIN)/python -m benchmarks.run
	mkdir -p $(DIST) && $(BIN)/pytest -q -s -m bench > $(DIST)/bench.log 2>&1 || { cat $(DIST)/bench.log; exit 1; }
	grep -E "^delivery to UpdateStack" $(DIST)/bench.log

# Never in CI nor in `make test`: it runs only when ACCEPTANCE_ACCOUNT_ID names the account it may use (see
# docs/development.md, "Acceptance in a real AWS account"); without it, it says what it needs and exits 0.
acceptance: $(INSTALLED) ## Real AWS (opt-in: ACCEPTANCE_ACCOUNT_ID=<account>): the scenarios within a printed cost and time bound
	$(BIN)/python -m tests.support.acceptance run

acceptance-clean: $(INSTALLED) ## Real AWS (same opt-in): remove everything the acceptance lane ever made there, even after a crash
	$(BIN)/python -m tests.support.acceptance clean

lock: ## Re-pin requirements.txt from requirements.in
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet -r requirements.in
	{ echo '# Generated from requirements.in by `make lock`: exact versions of everything installed.'; \
	  $(VENV)-lock/bin/python -m pip freeze; } > requirements.txt
	rm -rf $(VENV)-lock

clean: ## Remove .venv, .tools/, dist/, build/ and caches
	rm -rf $(VENV) $(DIST) $(TOOLS) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
