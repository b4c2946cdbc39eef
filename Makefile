# The two set-up commands of the README: `make run` and `make test`.
# Both install what is missing (scripts/install-deps), then build.

PRESET ?= release
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)
# 28 targets, two at a time: 20 s each keeps a cold `make test` under 40 minutes on two cores
# (docs/BENCHMARKS.md, "CI"); `make test FUZZ_SECONDS=600` fuzzes for longer.
FUZZ_SECONDS ?= 15

.PHONY: all deps configure build run test lint bench format clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

# Starts the gateway on the embedded default configuration (loopback only).
run: build
	$(BUILD)/switchboard serve

# Every test: unit, vectors, interop against real peers, then each fuzz target for FUZZ_SECONDS.
# Each step is named and timed; a failure ends with the failed step and its evidence.
test:
	@PRESET=$(PRESET) JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-tests

# clang-tidy on the C++ files changed since LINT_BASE (LINT_ALL=1: every file); scripts/lint.
lint: configure
	@scripts/lint

bench: build
	@scripts/run-benchmarks

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
