# SPDX-License-Identifier: MIT
# Sourced by the shell test drivers (tests/cli/run.sh, tests/js/run.sh); the
# shell twin of tests/integration/harness.py. Starts `runnel serve --port 0`
# and reads the port from its "ready endpoint=..." log line, so no other
# process can take the port between choosing it and binding it; stops the
# server by PID and fails on a bad exit or a sanitizer report in its log.

SANITIZER_MARKERS='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'

# runnel_start BIN LOG [serve options...]: starts BIN serve --port 0 with its
# output in LOG; sets RUNNEL_PID and RUNNEL_ENDPOINT. Returns 1, with the log
# on stderr, when the server exits or prints no ready line within 30 s.
runnel_start() {
    local bin=$1 log=$2
    shift 2
    "$bin" serve --port 0 "$@" >"$log" 2>&1 &
    RUNNEL_PID=$!
    RUNNEL_ENDPOINT=""
    local deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do
        # up to the blank after it, so never a half-written port
        RUNNEL_ENDPOINT=$(sed -n 's/.* ready endpoint=\(http:[^ ]*\) .*/\1/p' "$log" | head -n1)
        [ -n "$RUNNEL_ENDPOINT" ] && return 0
        kill -0 "$RUNNEL_PID" 2>/dev/null || break
        sleep 0.02
    done
    echo "runnel did not print its ready line; log:" >&2
    cat "$log" >&2
    runnel_kill
    return 1
}

# runnel_stop LOG: SIGTERM to RUNNEL_PID and waits (SIGKILL after 30 s).
# Returns 1, saying why on stdout, when the server had already exited, did
# not exit 0, or LOG holds a sanitizer report (leaks are reported at exit).
runnel_stop() {
    local log=$1 rc problem=""
    if ! kill -0 "$RUNNEL_PID" 2>/dev/null; then
        problem="runnel had already exited"
    else
        kill -TERM "$RUNNEL_PID"
        local deadline=$((SECONDS + 30))
        while kill -0 "$RUNNEL_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
        kill -0 "$RUNNEL_PID" 2>/dev/null && { problem="runnel still running 30 s after SIGTERM"; kill -KILL "$RUNNEL_PID"; }
    fi
    wait "$RUNNEL_PID"
    rc=$?
    RUNNEL_PID=""
    [ -z "$problem" ] && [ "$rc" -ne 0 ] && problem="runnel exited $rc on SIGTERM"
    grep -qE "$SANITIZER_MARKERS" "$log" && problem="sanitizer report: $(grep -m1 -E "$SANITIZER_MARKERS" "$log")"
    [ -z "$problem" ] && return 0
    echo "$problem"
    echo "--- server log (tail) ---"
    tail -n 60 "$log"
    return 1
}

# runnel_kill: SIGKILL to RUNNEL_PID if it still runs (for an EXIT trap).
runnel_kill() {
    if [ -n "${RUNNEL_PID:-}" ] && kill -0 "$RUNNEL_PID" 2>/dev/null; then
        kill -KILL "$RUNNEL_PID"
        wait "$RUNNEL_PID" 2>/dev/null
    fi
    RUNNEL_PID=""
}
