# The two set-up commands of the README: `make run` and `make test`.
# Both install what is missing (scripts/install-deps), then build.

PRESET ?= release
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all deps configure build run test unit fuzz bench format clean

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
test: build
	ctest --preset $(PRESET) -j 2
	@scripts/run-fuzzers $(FUZZ_SECONDS)

bench: build
	@scripts/run-benchmarks

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
