#!/bin/bash
# SPDX-License-Identifier: MIT
# `make example`: the e-commerce example end to end on Runnel.
#   1. uses the Runnel answering at $AWS_ENDPOINT_URL (default http://127.0.0.1:4566), or starts
#      build/runnel there with its data in build/example-data (stopped again at the end, by its PID);
#   2. deploys template.yaml as the stack "ecommerce" (runnel deploy; deploy.py where this build has no
#      `runnel deploy`);
#   3. sends ORDERS orders (default 50) and one poison order, waits for them;
#   4. shows what happened: orders in DynamoDB, mail captured, metrics, the dead-letter queue;
#   5. with REPLAY=1, the README's replay runbook: the fix (AcceptCredits=true), the archive replayed,
#      the poison order stored.
# Knobs: ORDERS=50 REPLAY=0 AWS_ENDPOINT_URL=http://127.0.0.1:4566 PYTHON=python3
set -eu
cd "$(dirname "$0")/../.."
EX=examples/ecommerce
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
ORDERS=${ORDERS:-50}
PY=${PYTHON:-python3}
STARTED=""

healthy() { curl -sf -o /dev/null --max-time 2 "$AWS_ENDPOINT_URL/_runnel/health"; }

stop_ours() {
    if [ -n "$STARTED" ]; then
        kill -TERM "$STARTED" 2>/dev/null && wait "$STARTED" 2>/dev/null
        echo "stopped the Runnel this script started (pid $STARTED); its data stays in build/example-data"
    fi
}
trap stop_ours EXIT

step() { printf '\n\033[1m%s\033[0m\n' "$*"; }

step "1. Runnel at $AWS_ENDPOINT_URL"
if healthy; then
    echo "a server answers there: using it"
else
    hostport=${AWS_ENDPOINT_URL#http://}; hostport=${hostport%%/*}
    host=${hostport%:*}; port=${hostport##*:}
    [ -x build/runnel ] || { echo "build/runnel is missing: run make first"; exit 1; }
    mkdir -p build/example-data
    build/runnel serve --host "$host" --port "$port" --data-dir build/example-data >build/example-runnel.log 2>&1 &
    STARTED=$!
    for _ in $(seq 100); do healthy && break; kill -0 "$STARTED" 2>/dev/null || break; sleep 0.1; done
    healthy || { echo "runnel did not start:"; cat build/example-runnel.log; exit 1; }
    echo "started build/runnel (pid $STARTED, data in build/example-data, log in build/example-runnel.log)"
fi

step "2. Deploy $EX/template.yaml as stack ecommerce"
# deploy [K=V]: AcceptCredits is given every time, so a fix from an earlier run does not stay
deploy() {
    if build/runnel deploy --help >/dev/null 2>&1; then
        build/runnel deploy "$EX/template.yaml" --stack-name ecommerce --endpoint-url "$AWS_ENDPOINT_URL" --param "$1"
    else
        echo "(this build has no 'runnel deploy': deploying with $EX/deploy.py, CloudFormation through boto3)"
        "$PY" "$EX/deploy.py" --stack-name ecommerce --endpoint-url "$AWS_ENDPOINT_URL" --param "$1"
    fi
}
deploy AcceptCredits=false
"$PY" "$EX/demo.py" verify

RUN=$(date +%H%M%S)
SINCE=$(date +%s)
step "3. Send $ORDERS orders and a poison order (run $RUN)"
"$PY" "$EX/producer.py" -n "$ORDERS" --poison --run-id "$RUN"
"$PY" "$EX/demo.py" wait "$RUN" "$ORDERS" --poison

step "4. What happened"
"$PY" "$EX/demo.py" show "$RUN"

if [ "${REPLAY:-0}" = 1 ]; then
    step "5. The fix (AcceptCredits=true) and the replay"
    deploy AcceptCredits=true
    "$PY" "$EX/demo.py" replay "$RUN" "$SINCE"
else
    echo
    echo "Next: REPLAY=1 make example runs the fix and the replay that takes the poison order through"
    echo "(examples/ecommerce/README.md, \"Replay\", does it by hand)."
fi
