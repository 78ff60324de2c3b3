#!/bin/bash
# SPDX-License-Identifier: MIT
# AWS CLI against the real server: starts build/runnel --in-memory on a free
# loopback port, drives `aws sqs ...`, checks outputs and exit codes, stops the
# server by PID and prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp)
build/runnel serve --in-memory --port "$PORT" >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/_runnel/health" >/dev/null && break; sleep 0.05; done
EP="http://127.0.0.1:$PORT"
PASS=0; FAIL=0
aws_() { aws --endpoint-url "$EP" --output json "$@"; }
check() { # name, python expression over `out` (parsed JSON)
    if python3 -c "import json,sys; out=json.loads(sys.stdin.read() or '{}'); sys.exit(0 if ($2) else 1)" <<<"$OUT"; then
        echo "ok   $1"; PASS=$((PASS + 1))
    else
        echo "FAIL $1: $OUT"; FAIL=$((FAIL + 1))
    fi
}

OUT=$(aws_ sqs create-queue --queue-name cli-q --attributes VisibilityTimeout=45)
check create_queue_returns_url "out['QueueUrl'].endswith('/000000000000/cli-q')"
URL=$(python3 -c "import json,sys; print(json.load(sys.stdin)['QueueUrl'])" <<<"$OUT")

OUT=$(aws_ sqs get-queue-attributes --queue-url "$URL" --attribute-names All)
check attributes_include_visibility "out['Attributes']['VisibilityTimeout'] == '45'"

OUT=$(aws_ sqs send-message --queue-url "$URL" --message-body 'hello cli' \
      --message-attributes '{"k":{"DataType":"String","StringValue":"v"}}')
check send_message_md5 "out['MD5OfMessageBody'] == '$(printf 'hello cli' | md5sum | cut -d' ' -f1)'"

OUT=$(aws_ sqs receive-message --queue-url "$URL" --message-attribute-names All --wait-time-seconds 1)
check receive_message_body "out['Messages'][0]['Body'] == 'hello cli' and out['Messages'][0]['MessageAttributes']['k']['StringValue'] == 'v'"
RH=$(python3 -c "import json,sys; print(json.load(sys.stdin)['Messages'][0]['ReceiptHandle'])" <<<"$OUT")

OUT=$(aws_ sqs delete-message --queue-url "$URL" --receipt-handle "$RH" && echo '{"deleted":true}')
check delete_message "out.get('deleted') is True"

OUT=$(aws_ sqs get-queue-attributes --queue-url "$URL" --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible)
check queue_empty_after_delete "out['Attributes']['ApproximateNumberOfMessages'] == '0' and out['Attributes']['ApproximateNumberOfMessagesNotVisible'] == '0'"

OUT=$(aws_ sqs list-queues --queue-name-prefix cli)
check list_queues "out['QueueUrls'] == ['$URL']"

ERR=$(aws_ sqs get-queue-url --queue-name does-not-exist 2>&1); RC=$?
OUT="{\"rc\": $RC}"
check missing_queue_exit_code "out['rc'] != 0"
OUT=$(python3 -c 'import json,sys; print(json.dumps({"e": sys.stdin.read()}))' <<<"$ERR")
check missing_queue_error_code "'NonExistentQueue' in out['e'] or 'QueueDoesNotExist' in out['e']"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
