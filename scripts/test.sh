#!/bin/bash
# SPDX-License-Identifier: MIT
# `make test`: builds, runs the C unit tests, replays the fuzz corpora, checks a
# fresh build, runs the integration tests with boto3 on both SQS protocols, the
# AWS CLI, the JS SDK and the crash tests, then the sanitizer build of unit
# tests, corpus replay and integration tests. Every step runs under what is left
# of an overall time limit (RUNNEL_TEST_LIMIT seconds, default 2700) and prints
# its duration. Ends with one line the CI reads: "N passed, N failed, N skipped".
#
# A step counts as failed when it exits non-zero without counting a failure,
# prints no summary line, or runs out of time: nothing passes by accident.
set -u
cd "$(dirname "$0")/.."
PASS=0; FAIL=0; SKIP=0
LOG=build/test-logs
LIMIT=${RUNNEL_TEST_LIMIT:-2700}
START=$SECONDS
rm -rf "$LOG"
mkdir -p "$LOG"

SUMMARY_RE='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'

left() { echo $((LIMIT - (SECONDS - START))); }

tally() { # log, exit status: add the log's last summary line; a missing one or a
          # non-zero exit with no failure counted is one failure
    local log=$1 rc=$2 line p=0 f=0 s=0
    line=$(grep -E "$SUMMARY_RE" "$log" | tail -1)
    if [[ $line =~ $SUMMARY_RE ]]; then
        p=${BASH_REMATCH[1]}; f=${BASH_REMATCH[2]}; s=${BASH_REMATCH[4]:-0}
    else
        f=1; echo "   no summary line in $log: counted as 1 failure"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; echo "   exit status $rc with no failure counted: counted as 1 failure"
    fi
    PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + s))
}

failures() { # log: what failed, so a CI run that shows only this output says why
              # (each unittest failure's block and other FAIL lines, at most 200 lines)
    awk '/^(FAIL|ERROR): / { blk = 40 } /^(FAIL|not ok) / { print; next }
         blk > 0 { print; blk--; if ($0 ~ /^(AssertionError|[A-Za-z.]*Error)/) blk = 3 }' "$1" |
        head -200 | sed 's/^/   | /'
}

report() { # log, exit status, budget: the skip reasons, the tail, what failed; tallies it
    local log=$1 rc=$2 budget=$3
    { head -n -3 "$log" | grep -E "^SKIP |\.\.\. skipped ['\"]|^ *skip .*: " | head -20; tail -3 "$log"; } | sed 's/^/   /'
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "   timed out after $budget s (overall limit $LIMIT s)"
    [ "$rc" -ne 0 ] && failures "$log"
    tally "$log" "$rc"
}

step() { # name, log, command...: run under the time left, show the skip reasons, the tail and the duration
    local name=$1 log=$2; shift 2
    local t0=$SECONDS budget rc
    budget=$(left)
    echo "== $name"
    if [ "$budget" -le 0 ]; then
        echo "   not run: the overall limit of $LIMIT s is used up"
        FAIL=$((FAIL + 1)); return
    fi
    timeout --kill-after=15 "$budget" bash -c '"$@"' step "$@" >"$log" 2>&1
    rc=$?
    report "$log" $rc "$budget"
    echo "   ($((SECONDS - t0)) s)"
}

# A step that runs beside the ones after it (most steps wait on servers more
# than they compute): step_bg starts it, step_join waits for it and reports
# it as step does.
declare -A BG_PID BG_T0 BG_BUDGET
step_bg() { # name, log, command...
    local log=$2; shift 2
    BG_T0[$log]=$SECONDS
    BG_BUDGET[$log]=$(left)
    (timeout --kill-after=15 "${BG_BUDGET[$log]}" bash -c '"$@"' step "$@" >"$log" 2>&1; echo $? >"$log.rc") &
    BG_PID[$log]=$!
}
step_join() { # name, log
    local name=$1 log=$2 rc
    wait "${BG_PID[$log]}"
    rc=$(cat "$log.rc" 2>/dev/null || echo 1)
    echo "== $name (ran beside the steps above)"
    report "$log" "$rc" "${BG_BUDGET[$log]}"
    echo "   ($((SECONDS - ${BG_T0[$log]})) s)"
}

unit_all() { # build dir: every unit binary must exit 0 and end with its summary line
    local p=0 f=0 s=0 rc=0 n=0 line t
    for t in "$1"/unit/test_*; do
        [[ $t == *.log ]] && continue
        [ -x "$t" ] || continue
        n=$((n + 1))
        "$t" >"$t.log" 2>&1
        local trc=$?
        grep -vE '^(ok|skip) ' "$t.log" | grep -vE "$SUMMARY_RE"
        line=$(tail -1 "$t.log")
        if [[ $line =~ $SUMMARY_RE ]]; then
            p=$((p + BASH_REMATCH[1])); f=$((f + BASH_REMATCH[2])); s=$((s + ${BASH_REMATCH[4]:-0}))
            if [ $trc -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
                f=$((f + 1)); echo "FAIL ${t##*/}: exit status $trc after a clean summary"
            fi
        else
            f=$((f + 1)); echo "FAIL ${t##*/}: exit status $trc, last line is not a summary: '$line'"
        fi
        [ $trc -eq 0 ] || rc=1
    done
    [ $n -gt 0 ] || { f=$((f + 1)); echo "FAIL no unit test binaries in $1/unit"; rc=1; }
    echo "$p passed, $f failed, $s skipped"
    return $rc
}

fuzz_replay() { # build dir: every saved corpus replays cleanly, and none is empty
    local p=0 f=0 n=0 t
    for t in "$1"/fuzz/replay_*; do
        [[ $t == *.log ]] && continue
        [ -x "$t" ] || continue
        n=$((n + 1))
        local name=${t##*/replay_}
        if "$t" fuzz/corpus/"$name" >"$t.out" 2>"$t.log"; then p=$((p + 1)); echo "ok   $name: $(cat "$t.out")";
        else f=$((f + 1)); echo "FAIL $name: $(cat "$t.out")"; tail -5 "$t.log"; fi
    done
    [ $n -gt 0 ] || { f=$((f + 1)); echo "FAIL no replay binaries in $1/fuzz"; }
    echo "$p passed, $f failed"
}

export -f unit_all fuzz_replay
export SUMMARY_RE

san_reports() { # logs...: a sanitizer report anywhere in them is one failure
    local hits
    hits=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' "$@" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "   sanitizer reports in: $hits"; FAIL=$((FAIL + 1))
    fi
}

t0=$SECONDS
echo "== build"
make -s all unit fuzz-replay >"$LOG/build.log" 2>&1 || { cat "$LOG/build.log"; echo "0 passed, 1 failed"; exit 1; }
echo "   ($((SECONDS - t0)) s)"
# The sanitizer build runs beside the steps below (niced; they mostly wait on
# servers), so the ASan steps at the end need not wait for it.
SAN_PID=""
if [ "${RUNNEL_SKIP_SAN:-0}" != 1 ]; then
    nice -n 10 make -s SANITIZER=address,undefined all unit fuzz-replay >"$LOG/san-build.log" 2>&1 &
    SAN_PID=$!
fi
step "unit tests" "$LOG/unit.log" unit_all build
step "fuzz corpus replay" "$LOG/fuzz.log" fuzz_replay build
step "fresh build: first make with no library flags, make -j from nothing" "$LOG/fresh.log" tests/build/fresh.sh

boto() { # python: "boto3 VERSION, SQS over PROTOCOL"
    "$1" -c 'import boto3, botocore.session as s
print("boto3 %s, SQS over %s" % (boto3.__version__, s.get_session().get_service_model("sqs").protocol))' 2>&1 | tail -1
}
step "integration: python3 ($(boto python3))" "$LOG/int-python3.log" python3 tests/integration/run.py
CLI_STEP="AWS CLI ($(aws --version 2>&1 | cut -d' ' -f1))"
step_bg "$CLI_STEP" "$LOG/cli.log" tests/cli/run.sh
if [ "$(command -v python3)" = /usr/bin/python3 ]; then
    echo "== integration: /usr/bin/python3 is python3 here: one run covers it"
elif /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
    step "integration: /usr/bin/python3 ($(boto /usr/bin/python3))" "$LOG/int-debian.log" \
        /usr/bin/python3 tests/integration/run.py
else
    echo "== integration: /usr/bin/python3 skipped: Debian's python3-boto3 is not installed"; SKIP=$((SKIP + 1))
fi
step "JS SDK v3 (node $(node --version 2>/dev/null))" "$LOG/js.log" tests/js/run.sh
step "crash test (kill -9)" "$LOG/crash.log" tests/fault/crash.sh
step_join "$CLI_STEP" "$LOG/cli.log"

if [ "${RUNNEL_SKIP_SAN:-0}" != 1 ]; then
    t0=$SECONDS
    echo "== sanitizer build (address,undefined; started beside the steps above)"
    if wait "$SAN_PID"; then
        echo "   ($((SECONDS - t0)) s)"
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
        step "unit tests (ASan+UBSan)" "$LOG/san-unit.log" unit_all build/san-address-undefined
        step "fuzz corpus replay (ASan+UBSan)" "$LOG/san-fuzz.log" fuzz_replay build/san-address-undefined
        RUNNEL_BIN=build/san-address-undefined/runnel step "integration (ASan+UBSan, python3)" "$LOG/san-int.log" \
            python3 tests/integration/run.py
        san_reports "$LOG"/san-*.log build/san-address-undefined/unit/*.log build/san-address-undefined/fuzz/*.log
    else
        cat "$LOG/san-build.log"; FAIL=$((FAIL + 1))
    fi
else
    echo "== sanitizer build skipped: RUNNEL_SKIP_SAN=1"; SKIP=$((SKIP + 1))
fi
echo
echo "total $((SECONDS - START)) s (limit $LIMIT s)"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
