# SPDX-License-Identifier: MIT
# Runnel build. `make` builds build/runnel; `make run`, `make test`, `make bench`,
# `make fuzz`; `make SANITIZER=address,undefined test` builds into build/san-*.
CC ?= cc
comma := ,
PKGS := libuv jansson sqlite3 libcrypto
CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wformat=2 -Wno-missing-field-initializers \
  -Isrc -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lpthread -lm

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

.PHONY: all run test unit bench fuzz fuzz-replay clean deps format
all: $(BUILD)/runnel

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

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

build/libfuzzer/%: fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -Isrc -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	  $(shell pkg-config --cflags $(PKGS)) -o $@ $< $(LIB_SRC) $(LIBS)

FUZZ_SECONDS ?= 60
fuzz: deps $(FUZZ_SRC:fuzz/%.c=build/libfuzzer/%)
	scripts/fuzz.sh $(FUZZ_SECONDS)

deps:
	@scripts/deps.sh

run: deps all
	./$(BUILD)/runnel serve $(RUN_ARGS)

test: deps
	scripts/test.sh

bench: deps all
	scripts/bench.sh

format:
	clang-format -i $$(find src tests/unit fuzz bench -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
