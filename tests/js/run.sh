#!/usr/bin/env bash
# Runs the AWS SDK for JavaScript v3 / sqs-consumer tests against a throwaway
# in-memory Runnel server (tests/lib/server.sh). Prints "N passed, N failed" as the final line and
# exits non-zero if any test failed or the run could not start.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runnel="${RUNNEL_BIN:-$here/../../build/runnel}"
case "$runnel" in /*) ;; *) runnel="$PWD/$runnel" ;; esac # a relative RUNNEL_BIN is from where we were started
cd "$here"

fail_setup() {
    echo "run.sh: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

[ -x "$runnel" ] || fail_setup "$runnel not found; run make first"
command -v node >/dev/null || fail_setup "node not found"

# (re)install when missing or older than the lockfile (npm stamps each
# install with node_modules/.package-lock.json)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund >&2 || fail_setup "npm ci failed"
fi

. "$here/../lib/server.sh"
tmp="$(mktemp -d)"
cleanup() {
    runnel_kill
    rm -rf "$tmp"
}
trap cleanup EXIT

runnel_start "$runnel" "$tmp/server.log" --in-memory || fail_setup "the server did not start"
endpoint="$RUNNEL_ENDPOINT"

AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    RUNNEL_ENDPOINT="$endpoint" node --test --test-reporter=spec sqs.test.mjs events.test.mjs sts.test.mjs lambda.test.mjs logs.test.mjs dynamodb.test.mjs sns.test.mjs ses.test.mjs cloudwatch.test.mjs 2>&1 | tee "$tmp/out.txt"
rc=${PIPESTATUS[0]}

pass="$(sed -n 's/^ℹ pass \([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n1)"
failed="$(sed -n 's/^ℹ fail \([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n1)"
pass="${pass:-0}"
failed="${failed:-0}"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The runner failed without reporting a failing test (crash, load error).
    failed=1
fi
if ! runnel_stop "$tmp/server.log"; then
    failed=$((failed + 1))
elif [ "$failed" -ne 0 ]; then
    echo "--- server log (tail) ---" >&2
    tail -n 40 "$tmp/server.log" >&2
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
