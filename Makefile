# SPDX-License-Identifier: MIT
# Runnel build. `make` builds build/runnel; `make run`, `make test`, `make bench`,
# `make fuzz`; `make SANITIZER=address,undefined test` builds into build/san-*.
# Library flags come from build/config.mk, which scripts/configure.sh writes
# after scripts/deps.sh has installed what is missing: make remakes that file
# and restarts before it builds anything, so a fresh machine (no pkg-config, no
# -dev packages) builds on the first run, with -j too.
CC ?= cc
comma := ,
PKGS := libuv jansson sqlite3 libcrypto libcbor libzip zlib yaml-0.1
CONFIG := build/config.mk
.DEFAULT_GOAL := all

# Goals that need no library flags do not trigger configure (and its installs).
CONFIG_FREE_GOALS := clean format deps
ifneq ($(filter-out $(CONFIG_FREE_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(CONFIG)
# (only once the file exists: before that, make is about to remake it and restart)
ifeq ($(wildcard $(CONFIG))$(strip $(PKG_LIBS)),$(CONFIG))
$(error PKG_LIBS is empty: the library flags are missing (remove $(CONFIG) and run make again, or see scripts/configure.sh))
endif
endif

# Reconfigure when the configure scripts, the package list (PKGS, here) or the
# installed packages change.
$(CONFIG): scripts/configure.sh scripts/deps.sh Makefile $(wildcard /var/lib/dpkg/status)
	@scripts/configure.sh $@ $(PKGS)

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wformat=2 -Wno-missing-field-initializers \
  -Isrc -D_GNU_SOURCE $(PKG_CFLAGS)
LIBS := $(PKG_LIBS)

ifdef SANITIZER
BUILD := build/san-$(subst $(comma),-,$(SANITIZER))
SANFLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD := build
SANFLAGS :=
endif

CFLAGS := $(CFLAGS_BASE) $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(shell find src -name '*.c' ! -name main.c | sort)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)

.PHONY: all run test unit bench fuzz fuzz-replay clean deps format example
all: $(BUILD)/runnel

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Lambda finds its runtime bootstraps (runtimes/) in this tree unless
# RUNNEL_RUNTIMES_DIR says otherwise.
$(BUILD)/obj/src/lambda/lambda.o: CFLAGS += -DRN_RUNTIMES_DIR='"$(CURDIR)/runtimes"'

$(BUILD)/librunnel.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/runnel: $(BUILD)/obj/src/main.o $(BUILD)/librunnel.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/librunnel.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/librunnel.a $(LDFLAGS) $(LIBS)

unit: $(UNIT_BIN)

# Fuzz targets: libFuzzer binaries when clang is present; `make test` replays
# the saved corpora through a plain driver so it needs no fuzzing runtime.
$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay_main.c $(BUILD)/librunnel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< fuzz/replay_main.c $(BUILD)/librunnel.a $(LDFLAGS) $(LIBS)

fuzz-replay: $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/replay_%)

# The library is compiled once with coverage instrumentation and ASan+UBSan,
# then linked into each target with libFuzzer's main.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Isrc -D_GNU_SOURCE $(PKG_CFLAGS)
build/libfuzzer/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

build/libfuzzer/librunnel.a: $(LIB_SRC:%.c=build/libfuzzer/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

build/libfuzzer/%: fuzz/%.c build/libfuzzer/librunnel.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/libfuzzer/librunnel.a $(LIBS)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_SRC:fuzz/%.c=build/libfuzzer/%)
	scripts/fuzz.sh $(FUZZ_SECONDS)

deps:
	@scripts/deps.sh

run: all
	./$(BUILD)/runnel serve $(RUN_ARGS)

# the e-commerce example end to end (examples/ecommerce/README.md)
example: all
	examples/ecommerce/run.sh

test: $(CONFIG)
	scripts/test.sh

# Load generator and matcher benchmark, built with the same flags.
$(BUILD)/bench/loadgen: bench/loadgen.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LIBS)

$(BUILD)/bench/matcher: bench/matcher.c $(BUILD)/librunnel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/librunnel.a $(LDFLAGS) $(LIBS)

# A provided-runtime echo function for the Lambda benchmarks.
$(BUILD)/bench/lambda_echo: bench/lambda_echo.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

bench: all $(BUILD)/bench/loadgen $(BUILD)/bench/matcher $(BUILD)/bench/lambda_echo
	scripts/bench.sh

format:
	clang-format -i $$(find src tests/unit fuzz bench -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj build/libfuzzer/obj -name '*.d' 2>/dev/null)
