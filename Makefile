# Convenience wrapper around CMake. The two set-up commands of the README:
#   make run    install dependencies, build, run the main job on the built-in default example
#   make test   install dependencies, build (warnings as errors), run the test suite, then again under ASan+UBSan,
#               then each fuzz target for a few seconds (clang + libFuzzer; skipped with a message without them)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= 2

.PHONY: deps build run test test-asan test-fuzz fuzz-campaign bench install python-install clean

deps:
	./scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSSB_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/ssbnet run

test: build
	ctest --test-dir $(BUILD) -L quick --output-on-failure -j$(JOBS)
	$(MAKE) test-asan
	$(MAKE) test-fuzz

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSSB_WERROR=ON -DSSB_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) -L quick -LE nosan --output-on-failure -j$(JOBS)

test-fuzz: deps
	FUZZ_BUILD=$(CURDIR)/$(FUZZ_BUILD) JOBS=$(JOBS) bash tests/fuzz/run.sh

fuzz-campaign: deps
	FUZZ_BUILD=$(CURDIR)/$(FUZZ_BUILD) JOBS=$(JOBS) bash tests/fuzz/campaign.sh

python-install: build
	cmake --install $(BUILD) --component python

bench: build
	./bench/run-all

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
