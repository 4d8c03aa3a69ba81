# Everything sets itself up: a fresh clone needs only Python 3.10+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_COLOR := 1

.PHONY: demo test lint types unit bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# The main job on built-in examples: make a key, sign a session with it, decode it, size it.
demo: $(STAMP)
	@set -e; export DEMO_KEY="$$($(BIN)/cookietool genkey)"; \
	echo '$$ cookietool genkey --encoding env'; $(BIN)/cookietool genkey --encoding env; echo; \
	echo '$$ cookietool sign '"'"'{"user_id": 42, "cart": {" t": [3, 7]}, "_flashes": [["message", "Welcome back!"]]}'"'"' --key-env DEMO_KEY'; \
	cookie="$$($(BIN)/cookietool sign '{"user_id": 42, "cart": {" t": [3, 7]}, "_flashes": [["message", "Welcome back!"]]}' --key-env DEMO_KEY)"; \
	echo "$$cookie"; echo; \
	echo '$$ cookietool decode "$$cookie" --key-env DEMO_KEY --max-age 2678400'; \
	$(BIN)/cookietool decode "$$cookie" --key-env DEMO_KEY --max-age 2678400; echo; \
	echo '$$ cookietool decode "$$cookie" --key not-the-key   # exit code 1'; \
	$(BIN)/cookietool decode "$$cookie" --key not-the-key || echo "(exit code $$?)"; echo; \
	echo '$$ cookietool decode "Set-Cookie: session=$$cookie; HttpOnly; Path=/" --json   # no key: unchecked'; \
	$(BIN)/cookietool decode "Set-Cookie: session=$$cookie; HttpOnly; Path=/" --json; echo; \
	echo '$$ cookietool size-check "$$cookie" --server nginx,gunicorn'; \
	$(BIN)/cookietool size-check "$$cookie" --server nginx,gunicorn

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint types unit

# Every benchmark, each against its peer (benchmarks/README.md); all run, and make fails
# at the end if one missed its requirement (--check).
bench: $(STAMP)
	@status=0; \
	for bench in bench_decode bench_bulk bench_audit bench_hashcat; do \
		echo "== benchmarks/$$bench.py"; \
		$(BIN)/python benchmarks/$$bench.py --check || status=1; \
	done; exit $$status

# Coverage-guided fuzzing of every reader (fuzz/README.md); bounded by FUZZ_SECONDS.
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'atheris>=2.3'
	mkdir -p fuzz/work
	$(BIN)/python fuzz/run.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix=fuzz/crashes/ fuzz/work fuzz/corpus

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
