#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target for N seconds (default 60) on its saved corpus,
# adding new interesting inputs to it.
set -e
cd "$(dirname "$0")/.."
secs=${1:-60}
for t in build/libfuzzer/fuzz_*; do
    name=${t##*/}
    mkdir -p fuzz/corpus/$name
    echo "== $name for ${secs}s"
    "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 fuzz/corpus/$name 2>&1 | tail -3
done
