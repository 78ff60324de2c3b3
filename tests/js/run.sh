#!/usr/bin/env bash
# Runs the AWS SDK for JavaScript v3 / sqs-consumer tests against a throwaway
# in-memory Runnel server. Prints "N passed, N failed" as the final line and
# exits non-zero if any test failed or the run could not start.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
runnel="${RUNNEL_BIN:-$here/../../build/runnel}"

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

if command -v python3 >/dev/null; then
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
else
    port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
fi
[ -n "$port" ] || fail_setup "could not pick a free port"

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$runnel" serve --in-memory --port "$port" >"$tmp/server.log" 2>&1 &
server_pid=$!

endpoint="http://127.0.0.1:$port"
ready=0
for _ in $(seq 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))' \
        "$endpoint/_runnel/health" 2>/dev/null; then
        ready=1; break
    fi
    sleep 0.1
done
if [ "$ready" != 1 ]; then
    cat "$tmp/server.log" >&2
    fail_setup "server did not become healthy on $endpoint"
fi

AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    RUNNEL_ENDPOINT="$endpoint" node --test --test-reporter=spec sqs.test.mjs events.test.mjs 2>&1 | tee "$tmp/out.txt"
rc=${PIPESTATUS[0]}

pass="$(sed -n 's/^ℹ pass \([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n1)"
failed="$(sed -n 's/^ℹ fail \([0-9][0-9]*\)$/\1/p' "$tmp/out.txt" | tail -n1)"
pass="${pass:-0}"
failed="${failed:-0}"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The runner failed without reporting a failing test (crash, load error).
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    echo "--- server log (tail) ---" >&2
    tail -n 40 "$tmp/server.log" >&2
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
