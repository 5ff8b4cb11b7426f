# Parley: `make run` starts the server, `make test` runs every test suite.
# Both bootstrap the machine first (Debian packages, npm packages; idempotent).
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data
CMAKE_FLAGS ?=

.PHONY: all bootstrap build web run test unit-test node-test sanitize format format-check bench clean
.PHONY: fuzz-build fuzz fuzz-smoke

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap web
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The web client (web/dist), rebuilt when its sources or lockfile change.
web: web/dist/index.html
web/dist/index.html: web/package-lock.json web/index.html web/vite.config.js $(shell find web/src -type f 2>/dev/null)
	npm --prefix web run build

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD)/parley-server --data-dir $(DATA_DIR) --banned-words config/banned_words.txt --web-root web/dist --ai-assistants config/assistants.json $(STORE_FLAGS)

# `make run STORAGE=redis`: a local Redis Cluster (scripts/redis-cluster, idempotent; stop it with
# `scripts/redis-cluster down --dir $(DATA_DIR)/redis-cluster`) and the server on it.
STORAGE ?= sqlite
REDIS_BASE_PORT ?= 7001
STORE_FLAGS = $(if $(filter redis,$(STORAGE)),--storage redis --redis-nodes $$(cat $(DATA_DIR)/redis-nodes))
.PHONY: redis-up
redis-up: bootstrap
	@mkdir -p $(DATA_DIR)
	@scripts/redis-cluster up --base-port $(REDIS_BASE_PORT) --dir $(DATA_DIR)/redis-cluster | tee /dev/stderr | sed -n 's/^REDIS_NODES=//p' | tail -1 > $(DATA_DIR)/redis-nodes
	@test -s $(DATA_DIR)/redis-nodes

# `make run-cluster [NODES=3]`: Redis Cluster + NODES parley-server nodes + haproxy on 127.0.0.1
# (scripts/cluster; stop with `scripts/cluster down --dir $(DATA_DIR)/cluster`). URL: port 5001.
NODES ?= 3
CLUSTER_BASE_PORT ?= 5001
.PHONY: run-cluster
run-cluster: build
	@scripts/cluster up --nodes $(NODES) --base-port $(CLUSTER_BASE_PORT) --redis-base-port $(REDIS_BASE_PORT) --dir $(DATA_DIR)/cluster -- --banned-words config/banned_words.txt --web-root web/dist --ai-assistants config/assistants.json

test: build
	@$(MAKE) --no-print-directory unit-test node-test fuzz-smoke

unit-test:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

node-test:
	PARLEY_SERVER=$(abspath $(BUILD))/parley-server tests/run-node-suites
	PARLEY_SERVER=$(abspath $(BUILD))/parley-server tests/run-node-suites-redis
	npm --prefix web test
	PARLEY_SERVER=$(abspath $(BUILD))/parley-server node --test --test-concurrency=1 tests/e2e/
	PARLEY_SERVER=$(abspath $(BUILD))/parley-server node --test --test-concurrency=1 --test-timeout=180000 tests/cluster/

# The same suites with AddressSanitizer + UndefinedBehaviorSanitizer: ctest, and the node
# integration + compat suites against the sanitized server. The web client's tests and the e2e
# Chromium suite are not repeated here (they exercise the same server paths as the compat suite
# and would add minutes of browser time to CI).
sanitize: bootstrap
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPARLEY_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
	PARLEY_SANITIZED=1 PARLEY_SERVER=$(abspath $(ASAN_BUILD))/parley-server tests/run-node-suites

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

bench: build
	bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# libFuzzer targets (fuzz/): clang 14, ASan + UBSan, in their own build dir; the main build stays g++.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
fuzz-build: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DPARLEY_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) -t fuzzers

# Each target for FUZZ_SECONDS from its seed corpus (fuzz/corpus/<target>/).
fuzz: fuzz-build
	scripts/fuzz-run $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A few seconds per target: part of `make test`.
fuzz-smoke: fuzz-build
	scripts/fuzz-run $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)
