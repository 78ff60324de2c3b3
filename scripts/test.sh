#!/bin/bash
# SPDX-License-Identifier: MIT
# `make test`: builds, runs the C unit tests, replays the fuzz corpora, runs
# the integration tests with boto3 on both SQS protocols, the AWS CLI and the
# JS SDK, the crash test, then the sanitizer build of unit + integration tests.
# Ends with one line the CI reads: "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
PASS=0; FAIL=0; SKIP=0
LOG=build/test-logs
mkdir -p "$LOG"

tally() { # file: add the last "N passed, N failed[, N skipped]" line of a log
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
    if [ -z "$line" ]; then FAIL=$((FAIL + 1)); echo "  (no summary line in $1: counted as 1 failure)"; return; fi
    local p f s
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + s))
}

step() { # name, log, command...
    local name=$1 log=$2; shift 2
    echo "== $name"
    "$@" >"$log" 2>&1
    local rc=$?
    tail -3 "$log" | sed 's/^/   /'
    tally "$log"
    if [ $rc -ne 0 ] && ! grep -qE '^[0-9]+ passed, [1-9]' "$log"; then
        # a crash or a non-zero exit without counted failures is one failure
        grep -qE '^[0-9]+ passed, 0 failed' "$log" && { FAIL=$((FAIL + 1)); echo "   exit $rc"; }
    fi
}

unit_all() { # build dir
    local p=0 f=0 s=0 rc=0
    for t in "$1"/unit/test_*; do
        [ -x "$t" ] || continue
        "$t" > "$t.log" 2>&1 || rc=1
        grep -vE '^(ok|skip) ' "$t.log" | grep -vE '^[0-9]+ passed, 0 failed'
        local line; line=$(tail -1 "$t.log")
        p=$((p + $(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')))
        f=$((f + $(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')))
        local k; k=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p'); s=$((s + ${k:-0}))
    done
    echo "$p passed, $f failed, $s skipped"
    return $rc
}

fuzz_replay() { # build dir
    local p=0 f=0
    for t in "$1"/fuzz/replay_*; do
        [ -x "$t" ] || continue
        local name=${t##*/replay_}
        if "$t" fuzz/corpus/"$name" >/dev/null 2>"$t.log"; then p=$((p + 1)); echo "ok   $name";
        else f=$((f + 1)); echo "FAIL $name"; tail -5 "$t.log"; fi
    done
    echo "$p passed, $f failed"
}

echo "== build"
make -s all unit fuzz-replay >"$LOG/build.log" 2>&1 || { cat "$LOG/build.log"; echo "0 passed, 1 failed"; exit 1; }
step "unit tests" "$LOG/unit.log" unit_all build
step "fuzz corpus replay" "$LOG/fuzz.log" fuzz_replay build
step "integration: boto3 JSON protocol ($(python3 -c 'import boto3;print(boto3.__version__)' 2>/dev/null))" \
    "$LOG/int-json.log" python3 tests/integration/run.py
if /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
    step "integration: boto3 query protocol ($(/usr/bin/python3 -c 'import boto3;print(boto3.__version__)'))" \
        "$LOG/int-query.log" /usr/bin/python3 tests/integration/run.py
else
    echo "== integration: query protocol skipped: Debian's python3-boto3 is not installed"; SKIP=$((SKIP + 1))
fi
if [ -x tests/cli/run.sh ]; then step "AWS CLI" "$LOG/cli.log" tests/cli/run.sh; fi
if [ -f tests/js/package.json ]; then step "JS SDK v3" "$LOG/js.log" tests/js/run.sh; fi
if [ -x tests/fault/crash.sh ]; then step "crash test (kill -9)" "$LOG/crash.log" tests/fault/crash.sh; fi

if [ "${RUNNEL_SKIP_SAN:-0}" != 1 ]; then
    echo "== sanitizer build (address,undefined)"
    if make -s SANITIZER=address,undefined all unit >"$LOG/san-build.log" 2>&1; then
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
        step "unit tests (ASan+UBSan)" "$LOG/san-unit.log" unit_all build/san-address-undefined
        RUNNEL_BIN=build/san-address-undefined/runnel step "integration (ASan+UBSan, JSON)" "$LOG/san-int.log" \
            python3 tests/integration/run.py
        if grep -l "ERROR: AddressSanitizer\|runtime error:" "$LOG"/san-*.log >/dev/null 2>&1; then
            echo "   sanitizer reports found"; FAIL=$((FAIL + 1))
        fi
    else
        cat "$LOG/san-build.log"; FAIL=$((FAIL + 1))
    fi
fi
echo
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
