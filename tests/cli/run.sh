#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Drives build/runnel with the real AWS CLI. Starts an in-memory server on a
# port it picks itself (tests/lib/server.sh), runs `aws sqs ...` and `aws
# events ...` commands, checks their JSON output with python3, stops the
# server by PID (exit 0, no sanitizer report) and ends with "N passed, N failed".
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${RUNNEL_BIN:-$ROOT/build/runnel}"
PY="${PYTHON:-python3}"

export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
export AWS_PAGER=""
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

if ! command -v aws >/dev/null 2>&1; then
    echo "aws CLI not found"
    echo "0 passed, 1 failed"
    exit 1
fi

. "$ROOT/tests/lib/server.sh"
LOG="$(mktemp)"
cleanup() {
    runnel_kill
    rm -f "$LOG"
}
trap cleanup EXIT
if ! runnel_start "$BIN" "$LOG" --in-memory; then
    echo "0 passed, 1 failed"
    exit 1
fi
ENDPOINT="$RUNNEL_ENDPOINT"

PASSED=0
FAILED=0
SKIPPED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }

sqs() { aws --endpoint-url "$ENDPOINT" --output json sqs "$@"; }

# jget JSON EXPR: evaluates a python expression over the parsed JSON `d`
jget() {
    printf '%s' "$1" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if isinstance(v,str) else json.dumps(v))' "$2"
}

# check NAME ACTUAL EXPECTED
check() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "expected [$3], got [$2]"; fi
}

# create-queue
OUT="$(sqs create-queue --queue-name cli-orders --attributes VisibilityTimeout=1,DelaySeconds=0 2>&1)"
RC=$?
check "create-queue exits 0" "$RC" "0"
URL="$(jget "$OUT" 'd["QueueUrl"]' 2>/dev/null)"
check "create-queue returns the queue URL" "$URL" "$ENDPOINT/000000000000/cli-orders"
sqs create-queue --queue-name cli-other >/dev/null 2>&1

# get-queue-url
OUT="$(sqs get-queue-url --queue-name cli-orders 2>&1)"
check "get-queue-url matches" "$(jget "$OUT" 'd["QueueUrl"]' 2>/dev/null)" "$URL"

# list-queues with a prefix
OUT="$(sqs list-queues --queue-name-prefix cli-o 2>&1)"
check "list-queues --queue-name-prefix" "$(jget "$OUT" 'sorted(u.rsplit("/",1)[1] for u in d["QueueUrls"])' 2>/dev/null)" \
    '["cli-orders", "cli-other"]'
OUT="$(sqs list-queues --queue-name-prefix cli-orders 2>&1)"
check "list-queues narrower prefix" "$(jget "$OUT" 'len(d["QueueUrls"])' 2>/dev/null)" "1"

# send-message with an attribute; the digest is checked against python's MD5
BODY='hello from the cli'
OUT="$(sqs send-message --queue-url "$URL" --message-body "$BODY" \
    --message-attributes '{"kind":{"DataType":"String","StringValue":"greeting"}}' 2>&1)"
check "send-message exits 0" "$?" "0"
MID="$(jget "$OUT" 'd["MessageId"]' 2>/dev/null)"
EXPECT_MD5="$("$PY" -c 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())' "$BODY")"
check "send-message MD5OfMessageBody" "$(jget "$OUT" 'd["MD5OfMessageBody"]' 2>/dev/null)" "$EXPECT_MD5"
EXPECT_AMD5="$("$PY" -c '
import hashlib, struct
lp = lambda b: struct.pack("!I", len(b)) + b
print(hashlib.md5(lp(b"kind") + lp(b"String") + b"\x01" + lp(b"greeting")).hexdigest())')"
check "send-message MD5OfMessageAttributes" "$(jget "$OUT" 'd["MD5OfMessageAttributes"]' 2>/dev/null)" "$EXPECT_AMD5"

# get-queue-attributes
OUT="$(sqs get-queue-attributes --queue-url "$URL" --attribute-names All 2>&1)"
check "get-queue-attributes ApproximateNumberOfMessages" \
    "$(jget "$OUT" 'd["Attributes"]["ApproximateNumberOfMessages"]' 2>/dev/null)" "1"
check "get-queue-attributes VisibilityTimeout" "$(jget "$OUT" 'd["Attributes"]["VisibilityTimeout"]' 2>/dev/null)" "1"
check "get-queue-attributes QueueArn" "$(jget "$OUT" 'd["Attributes"]["QueueArn"]' 2>/dev/null)" \
    "arn:aws:sqs:us-east-1:000000000000:cli-orders"

# receive-message
OUT="$(sqs receive-message --queue-url "$URL" --attribute-names All --message-attribute-names All \
    --visibility-timeout 30 2>&1)"
check "receive-message body" "$(jget "$OUT" 'd["Messages"][0]["Body"]' 2>/dev/null)" "$BODY"
check "receive-message id" "$(jget "$OUT" 'd["Messages"][0]["MessageId"]' 2>/dev/null)" "$MID"
check "receive-message attribute" \
    "$(jget "$OUT" 'd["Messages"][0]["MessageAttributes"]["kind"]["StringValue"]' 2>/dev/null)" "greeting"
check "receive-message receive count" \
    "$(jget "$OUT" 'd["Messages"][0]["Attributes"]["ApproximateReceiveCount"]' 2>/dev/null)" "1"
HANDLE="$(jget "$OUT" 'd["Messages"][0]["ReceiptHandle"]' 2>/dev/null)"

# delete-message, then the queue is empty
sqs delete-message --queue-url "$URL" --receipt-handle "$HANDLE" >/dev/null 2>&1
check "delete-message exits 0" "$?" "0"
OUT="$(sqs get-queue-attributes --queue-url "$URL" \
    --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible 2>&1)"
check "queue empty after delete" \
    "$(jget "$OUT" '[d["Attributes"]["ApproximateNumberOfMessages"], d["Attributes"]["ApproximateNumberOfMessagesNotVisible"]]' 2>/dev/null)" \
    '["0", "0"]'
OUT="$(sqs receive-message --queue-url "$URL" 2>&1)"
check "receive-message on empty queue prints no messages" \
    "$(printf '%s' "$OUT" | "$PY" -c 'import json,sys; t=sys.stdin.read().strip(); print("Messages" in json.loads(t) if t else False)')" \
    "False"

# error cases: non-zero exit and the AWS error code on stderr, printed after a
# blank line. The exit status for a service error is 255 in CLI v1 and 254 in
# v2 (Debian 12's awscli package), as each version's "return codes" page says.
case "$(aws --version 2>&1)" in
aws-cli/1.*) SVC_ERR=255 ;;
*) SVC_ERR=254 ;;
esac
ERR="$(sqs get-queue-url --queue-name cli-does-not-exist 2>&1 >/dev/null)"
check "missing queue exits $SVC_ERR (a service error)" "$?" "$SVC_ERR"
check "missing queue reports NonExistentQueue" "${ERR#$'\n'}" \
    "An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist."
ERR="$(sqs delete-message --queue-url "$URL" --receipt-handle garbage 2>&1 >/dev/null)"
check "garbage receipt handle exits $SVC_ERR" "$?" "$SVC_ERR"
check "garbage receipt handle reports ReceiptHandleIsInvalid" "${ERR#$'\n'}" \
    'An error occurred (ReceiptHandleIsInvalid) when calling the DeleteMessage operation: The input receipt handle "garbage" is not a valid receipt handle.'


# delete-queue
sqs delete-queue --queue-url "$URL" >/dev/null 2>&1
check "delete-queue exits 0" "$?" "0"
OUT="$(sqs list-queues --queue-name-prefix cli-orders 2>&1)"
check "deleted queue no longer listed" \
    "$(printf '%s' "$OUT" | "$PY" -c 'import json,sys; t=sys.stdin.read().strip(); print(len(json.loads(t).get("QueueUrls", [])) if t else 0)')" "0"

# ---- EventBridge: the seed's bus, rule and queue, and a scheduled rule ----
events() { aws --endpoint-url "$ENDPOINT" --output json events "$@"; }
QURL="$(jget "$(sqs create-queue --queue-name cli-inventory 2>&1)" 'd["QueueUrl"]' 2>/dev/null)"
QARN="arn:aws:sqs:us-east-1:000000000000:cli-inventory"
OUT="$(events create-event-bus --name cli-ecommerce 2>&1)"
check "events create-event-bus ARN" "$(jget "$OUT" 'd["EventBusArn"]' 2>/dev/null)" \
    "arn:aws:events:us-east-1:000000000000:event-bus/cli-ecommerce"
OUT="$(events put-rule --name OrderCreatedRule --event-bus-name cli-ecommerce \
    --event-pattern '{"source":["ecommerce.orders"],"detail-type":["Order Created"]}' 2>&1)"
check "events put-rule ARN" "$(jget "$OUT" 'd["RuleArn"]' 2>/dev/null)" \
    "arn:aws:events:us-east-1:000000000000:rule/cli-ecommerce/OrderCreatedRule"
OUT="$(events put-targets --rule OrderCreatedRule --event-bus-name cli-ecommerce \
    --targets "Id=inventory,Arn=$QARN" 2>&1)"
check "events put-targets no failures" "$(jget "$OUT" 'd["FailedEntryCount"]' 2>/dev/null)" "0"
OUT="$(events put-events --entries '[{"Source":"ecommerce.orders","DetailType":"Order Created",
    "Detail":"{\"orderId\":\"o-9\",\"amount\":19.99}","EventBusName":"cli-ecommerce"}]' 2>&1)"
EID="$(jget "$OUT" 'd["Entries"][0]["EventId"]' 2>/dev/null)"
case "$EID" in
    ????????-????-????-????-????????????) pass "events put-events returns an event id" ;;
    *) fail "events put-events returns an event id" "$OUT" ;;
esac
OUT="$(sqs receive-message --queue-url "$QURL" --wait-time-seconds 20 2>&1)"
check "events delivered to the queue with its event id" \
    "$(jget "$OUT" 'json.loads(d["Messages"][0]["Body"])["id"]' 2>/dev/null || echo none)" "$EID"
check "events detail number kept as sent" \
    "$(jget "$OUT" '"\"amount\":19.99" in d["Messages"][0]["Body"]' 2>/dev/null)" "true"
OUT="$(events describe-rule --name missing 2>&1)"
case "$OUT" in
    *ResourceNotFoundException*"Rule missing does not exist on EventBus default."*) pass "events error code and message" ;;
    *) fail "events error code and message" "$OUT" ;;
esac
OUT="$(events put-rule --name every-minute --schedule-expression 'rate(1 minute)' 2>&1)"
check "events put-rule with a schedule" "$(jget "$OUT" 'd["RuleArn"]' 2>/dev/null)" \
    "arn:aws:events:us-east-1:000000000000:rule/every-minute"
OUT="$(events list-rules 2>&1)"
check "events list-rules" "$(jget "$OUT" '[r["Name"] for r in d["Rules"]]' 2>/dev/null)" '["every-minute"]'

# STS: who the caller is, temporary credentials, a validation error
stscli() { aws --endpoint-url "$ENDPOINT" --output json sts "$@"; }
OUT="$(AWS_ACCESS_KEY_ID=111122223333 stscli get-caller-identity 2>&1)"
check "sts get-caller-identity: a 12-digit key is the account" "$(jget "$OUT" 'd["Arn"]' 2>/dev/null)" \
    "arn:aws:iam::111122223333:root"
OUT="$(stscli assume-role --role-arn arn:aws:iam::444455556666:role/cli-role --role-session-name cli 2>&1)"
check "sts assume-role user ARN" "$(jget "$OUT" 'd["AssumedRoleUser"]["Arn"]' 2>/dev/null)" \
    "arn:aws:sts::444455556666:assumed-role/cli-role/cli"
AKID="$(jget "$OUT" 'd["Credentials"]["AccessKeyId"]' 2>/dev/null)"
SECRET="$(jget "$OUT" 'd["Credentials"]["SecretAccessKey"]' 2>/dev/null)"
TOKEN="$(jget "$OUT" 'd["Credentials"]["SessionToken"]' 2>/dev/null)"
OUT="$(AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_SESSION_TOKEN="$TOKEN" \
    stscli get-caller-identity 2>&1)"
check "sts: the issued credentials act in the role's account" "$(jget "$OUT" 'd["Account"]' 2>/dev/null)" \
    "444455556666"
OUT="$(stscli assume-role --role-arn nothing-valid-in-here --role-session-name cli 2>&1)"
case "$OUT" in
    *ValidationError*"nothing-valid-in-here is invalid"*) pass "sts assume-role error code and message" ;;
    *) fail "sts assume-role error code and message" "$OUT" ;;
esac

# Lambda: a python function from a zip, invoked with the log tail; an error's code and message
lam() { aws --endpoint-url "$ENDPOINT" --output json lambda "$@"; }
FN_DIR="$(mktemp -d)"
printf 'def handler(event, context):\n    print("cli says", event["n"])\n    return {"doubled": event["n"] * 2}\n' >"$FN_DIR/app.py"
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.write(sys.argv[2],'app.py'); z.close()" \
    "$FN_DIR/fn.zip" "$FN_DIR/app.py"
OUT="$(lam create-function --function-name cli-fn --runtime python3.12 --handler app.handler \
    --role arn:aws:iam::000000000000:role/cli --zip-file "fileb://$FN_DIR/fn.zip" 2>&1)"
check "lambda create-function state" "$(jget "$OUT" 'd["State"]' 2>/dev/null)" "Pending"
aws --endpoint-url "$ENDPOINT" lambda wait function-active-v2 --function-name cli-fn
check "lambda wait function-active-v2" "$?" "0"
RAW=() # CLI v2 takes blobs as base64 unless told otherwise; v1 has no such option
case "$(aws --version 2>&1)" in aws-cli/1.*) ;; *) RAW=(--cli-binary-format raw-in-base64-out) ;; esac
OUT="$(lam invoke --function-name cli-fn --payload '{"n": 21}' "${RAW[@]}" --log-type Tail "$FN_DIR/out.json" 2>&1)"
check "lambda invoke status" "$(jget "$OUT" 'd["StatusCode"]' 2>/dev/null)" "200"
check "lambda invoke payload" "$(cat "$FN_DIR/out.json")" '{"doubled": 42}'
check "lambda invoke log tail" "$(jget "$OUT" '"cli says 21" in __import__("base64").b64decode(d["LogResult"]).decode()' \
    2>/dev/null)" "true"
OUT="$(lam get-function --function-name nope 2>&1)"
case "$OUT" in
    *ResourceNotFoundException*"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"*)
        pass "lambda error code and message" ;;
    *) fail "lambda error code and message" "$OUT" ;;
esac
rm -rf "$FN_DIR"

# CloudWatch Logs: the function's output, and `aws logs tail` (a CLI v2 command)
OUT="$(aws --endpoint-url "$ENDPOINT" --output json logs filter-log-events --log-group-name /aws/lambda/cli-fn \
    --filter-pattern '"cli says"' 2>&1)"
check "logs filter-log-events finds the function's output" \
    "$(jget "$OUT" '[e["message"] for e in d["events"]]' 2>/dev/null)" '["cli says 21"]'
case "$(aws --version 2>&1)" in
    aws-cli/1.*) SKIPPED=$((SKIPPED + 1)); echo "SKIP logs tail: this AWS CLI is v1, which has no 'logs tail'" ;;
    *)
        OUT="$(aws --endpoint-url "$ENDPOINT" logs tail /aws/lambda/cli-fn --since 10m 2>&1)"
        case "$OUT" in
            *"cli says 21"*"REPORT RequestId"*) pass "logs tail prints the function's log" ;;
            *) fail "logs tail prints the function's log" "$OUT" ;;
        esac ;;
esac

# DynamoDB: a table, the waiter, items, a query, an update, a condition that fails, the error as the CLI prints it
ddb() { aws --endpoint-url "$ENDPOINT" --output json dynamodb "$@"; }
OUT="$(ddb create-table --table-name cli-orders --billing-mode PAY_PER_REQUEST \
    --attribute-definitions AttributeName=cust,AttributeType=S AttributeName=id,AttributeType=N \
    --key-schema AttributeName=cust,KeyType=HASH AttributeName=id,KeyType=RANGE 2>&1)"
check "dynamodb create-table status" "$(jget "$OUT" 'd["TableDescription"]["TableStatus"]' 2>/dev/null)" "CREATING"
aws --endpoint-url "$ENDPOINT" dynamodb wait table-exists --table-name cli-orders
check "dynamodb wait table-exists" "$?" "0"
for i in 1 2 3; do
    ddb put-item --table-name cli-orders --item "{\"cust\": {\"S\": \"c1\"}, \"id\": {\"N\": \"$i\"}, \"due\": {\"N\": \"1$i.50\"}}" >/dev/null
done
OUT="$(ddb query --table-name cli-orders --key-condition-expression 'cust = :c AND id >= :i' \
    --expression-attribute-values '{":c": {"S": "c1"}, ":i": {"N": "2"}}' --no-scan-index-forward 2>&1)"
check "dynamodb query, newest first" "$(jget "$OUT" '[(i["id"]["N"], i["due"]["N"]) for i in d["Items"]]' 2>/dev/null)" \
    '[["3", "13.5"], ["2", "12.5"]]'
OUT="$(ddb update-item --table-name cli-orders --key '{"cust": {"S": "c1"}, "id": {"N": "1"}}' \
    --update-expression 'SET due = due + :d' --expression-attribute-values '{":d": {"N": "0.25"}}' \
    --return-values UPDATED_NEW 2>&1)"
check "dynamodb update-item arithmetic" "$(jget "$OUT" 'd["Attributes"]["due"]["N"]' 2>/dev/null)" "11.75"
OUT="$(ddb put-item --table-name cli-orders --item '{"cust": {"S": "c1"}, "id": {"N": "1"}}' \
    --condition-expression 'attribute_not_exists(cust)' 2>&1)"
case "$OUT" in
    *ConditionalCheckFailedException*"The conditional request failed"*) pass "dynamodb conditional put fails as AWS says" ;;
    *) fail "dynamodb conditional put fails as AWS says" "$OUT" ;;
esac
OUT="$(ddb scan --table-name cli-orders --select COUNT 2>&1)"
check "dynamodb scan count" "$(jget "$OUT" 'd["Count"]' 2>/dev/null)" "3"
OUT="$(ddb describe-table --table-name nope 2>&1)"
case "$OUT" in
    *ResourceNotFoundException*"Requested resource not found: Table: nope not found"*) pass "dynamodb describe-table error" ;;
    *) fail "dynamodb describe-table error" "$OUT" ;;
esac

# SNS: a topic fanning out to a queue, publish with attributes, a filter policy, the error as the CLI prints it
sns() { aws --endpoint-url "$ENDPOINT" --output json sns "$@"; }
TOPIC="$(sns create-topic --name cli-topic --query TopicArn --output text 2>&1)"
check "sns create-topic" "$TOPIC" "arn:aws:sns:us-east-1:000000000000:cli-topic"
QURL="$(aws --endpoint-url "$ENDPOINT" sqs create-queue --queue-name cli-sns-q --query QueueUrl --output text)"
QARN="$(aws --endpoint-url "$ENDPOINT" sqs get-queue-attributes --queue-url "$QURL" --attribute-names QueueArn \
    --query Attributes.QueueArn --output text)"
SUB="$(sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$QARN" \
    --attributes '{"RawMessageDelivery": "true", "FilterPolicy": "{\"kind\": [\"order\"]}"}' \
    --query SubscriptionArn --output text 2>&1)"
case "$SUB" in "$TOPIC":*) pass "sns subscribe" ;; *) fail "sns subscribe" "$SUB" ;; esac
sns publish --topic-arn "$TOPIC" --message skipped --message-attributes '{"kind": {"DataType": "String", "StringValue": "other"}}' >/dev/null
sns publish --topic-arn "$TOPIC" --message "order 1" --message-attributes '{"kind": {"DataType": "String", "StringValue": "order"}}' >/dev/null
OUT="$(aws --endpoint-url "$ENDPOINT" --output json sqs receive-message --queue-url "$QURL" --max-number-of-messages 10 --wait-time-seconds 1 2>&1)"
check "sns publish reaches the queue through the filter" "$(jget "$OUT" '[m["Body"] for m in d["Messages"]]' 2>/dev/null)" '["order 1"]'
OUT="$(sns list-subscriptions-by-topic --topic-arn "$TOPIC" 2>&1)"
check "sns list-subscriptions-by-topic" "$(jget "$OUT" '[s["SubscriptionArn"] for s in d["Subscriptions"]]' 2>/dev/null)" "[\"$SUB\"]"
OUT="$(sns publish --topic-arn "$TOPIC" --message "" 2>&1)"
case "$OUT" in
    *InvalidParameter*"Invalid parameter: Empty message"*) pass "sns publish error" ;;
    *) fail "sns publish error" "$OUT" ;;
esac
# CloudWatch: put-metric-data (shorthand and a statistic set), get-metric-statistics, list-metrics, alarms
cwcli() { aws --endpoint-url "$ENDPOINT" --output json cloudwatch "$@"; }
NOW="$("$PY" -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
FROM="$("$PY" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
TO="$("$PY" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
cwcli put-metric-data --namespace CliApp --metric-name Latency --unit Milliseconds --value 40 \
    --dimensions Service=orders --timestamp "$NOW" >/dev/null 2>&1
check "cloudwatch put-metric-data --value exits 0" "$?" "0"
cwcli put-metric-data --namespace CliApp --metric-name Latency --unit Milliseconds --dimensions Service=orders \
    --timestamp "$NOW" --statistic-values SampleCount=3,Sum=60,Minimum=10,Maximum=30 >/dev/null 2>&1
check "cloudwatch put-metric-data --statistic-values exits 0" "$?" "0"
OUT="$(cwcli get-metric-statistics --namespace CliApp --metric-name Latency --dimensions Name=Service,Value=orders \
    --start-time "$FROM" --end-time "$TO" --period 3600 --statistics Sum SampleCount Maximum 2>&1)"
check "cloudwatch get-metric-statistics sums the period" \
    "$(jget "$OUT" '[(p["Sum"], p["SampleCount"], p["Maximum"], p["Unit"]) for p in d["Datapoints"]]' 2>/dev/null)" \
    '[[100.0, 4.0, 40.0, "Milliseconds"]]'
OUT="$(cwcli list-metrics --namespace CliApp 2>&1)"
check "cloudwatch list-metrics" "$(jget "$OUT" '[(m["MetricName"], m["Dimensions"]) for m in d["Metrics"]]' 2>/dev/null)" \
    '[["Latency", [{"Name": "Service", "Value": "orders"}]]]'
OUT="$(cwcli put-metric-data --namespace AWS/EC2 --metric-name x --value 1 2>&1)"
case "$OUT" in
    *InvalidParameterValue*"The value AWS/EC2 for parameter Namespace is invalid."*) pass "cloudwatch AWS/ namespace refused" ;;
    *) fail "cloudwatch AWS/ namespace refused" "$OUT" ;;
esac
cwcli put-metric-alarm --alarm-name cli-latency --namespace CliApp --metric-name Latency --statistic Average \
    --period 60 --evaluation-periods 1 --threshold 100 --comparison-operator GreaterThanThreshold \
    --dimensions Name=Service,Value=orders >/dev/null 2>&1
check "cloudwatch put-metric-alarm exits 0" "$?" "0"
OUT="$(cwcli describe-alarms --alarm-names cli-latency 2>&1)"
check "cloudwatch describe-alarms" \
    "$(jget "$OUT" '[(a["AlarmName"], a["StateValue"], a["Threshold"], a["Dimensions"]) for a in d["MetricAlarms"]]' 2>/dev/null)" \
    '[["cli-latency", "INSUFFICIENT_DATA", 100.0, [{"Name": "Service", "Value": "orders"}]]]'
# The alarm is evaluated at every minute boundary, which puts a set state back (as AWS does): when one falls
# between the two commands, set it again (two boundaries within a few seconds cannot happen).
for attempt in 1 2; do
    cwcli set-alarm-state --alarm-name cli-latency --state-value ALARM --state-reason "from the CLI" >/dev/null 2>&1
    OUT="$(cwcli describe-alarms --state-value ALARM 2>&1)"
    case "$OUT" in *cli-latency*) break ;; esac
done
check "cloudwatch set-alarm-state then describe-alarms --state-value" \
    "$(jget "$OUT" '[(a["AlarmName"], a["StateReason"]) for a in d["MetricAlarms"]]' 2>/dev/null)" '[["cli-latency", "from the CLI"]]'

# ---- SES: v1 (query) and v2 (REST-JSON), one state; the mail is captured ----
ses() { aws --endpoint-url "$ENDPOINT" --output json ses "$@"; }
sesv2() { aws --endpoint-url "$ENDPOINT" --output json sesv2 "$@"; }
# http_get URL: the body of a GET (the capture pages)
http_get() { "$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$1"; }
OUT="$(ses send-email --from shop@cli.test --destination ToAddresses=a@x.test --message 'Subject={Data=s},Body={Text={Data=t}}' 2>&1)"
case "$OUT" in
    *MessageRejected*"failed the check in region US-EAST-1: shop@cli.test"*) pass "ses send-email from an unverified address is rejected" ;;
    *) fail "ses send-email from an unverified address is rejected" "$OUT" ;;
esac
ses verify-domain-identity --domain cli.test >/dev/null 2>&1
OUT="$(ses send-email --from shop@cli.test --to a@x.test b@x.test --subject "CLI order" --text "Thanks" --html "<b>Thanks</b>" 2>&1)"
MID="$(jget "$OUT" 'd["MessageId"]' 2>/dev/null)"
check "ses send-email MessageId in AWS's form" "$(printf '%s' "$MID" | grep -cE '^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$')" "1"
OUT="$(http_get "$ENDPOINT/_runnel/ses")"
check "ses mail captured at /_runnel/ses" "$(jget "$OUT" '[(m["id"], m["subject"], m["destinations"], m["html"]) for m in d["messages"]]' 2>/dev/null)" \
    "[[\"$MID\", \"CLI order\", [\"a@x.test\", \"b@x.test\"], \"<b>Thanks</b>\"]]"
check "ses .eml holds the MIME" "$(http_get "$ENDPOINT/_runnel/ses/$MID.eml" | grep -c "^Subject: CLI order")" "1"
OUT="$(ses get-send-quota 2>&1)"
check "ses get-send-quota counts recipients" "$(jget "$OUT" '[d["Max24HourSend"], d["SentLast24Hours"]]' 2>/dev/null)" "[200.0, 2.0]"
OUT="$(sesv2 create-email-template --template-name cli-t --template-content '{"Subject": "Hi {{name}}", "Text": "Dear {{name}}"}' 2>&1)"
check "sesv2 create-email-template exits 0" "$?" "0"
OUT="$(sesv2 send-email --from-email-address shop@cli.test --destination ToAddresses=c@x.test \
    --content '{"Template": {"TemplateName": "cli-t", "TemplateData": "{\"name\": \"Ann\"}"}}' 2>&1)"
MID2="$(jget "$OUT" 'd["MessageId"]' 2>/dev/null)"
OUT="$(http_get "$ENDPOINT/_runnel/ses?limit=1")"
check "sesv2 send-email with a template renders it" "$(jget "$OUT" '[(m["id"], m["subject"], m["text"]) for m in d["messages"]]' 2>/dev/null)" \
    "[[\"$MID2\", \"Hi Ann\", \"Dear Ann\"]]"
OUT="$(sesv2 list-email-identities 2>&1)"
check "sesv2 list-email-identities sees v1's domain" "$(jget "$OUT" '[(i["IdentityName"], i["IdentityType"]) for i in d["EmailIdentities"]]' 2>/dev/null)" \
    '[["cli.test", "DOMAIN"]]'
OUT="$(sesv2 get-email-template --template-name nope 2>&1)"
case "$OUT" in
    *NotFoundException*"Template nope does not exist."*) pass "sesv2 get-email-template error" ;;
    *) fail "sesv2 get-email-template error" "$OUT" ;;
esac

# cloudformation: `aws cloudformation deploy` (change sets and waiters, as the CLI drives them)
cfn() { aws --endpoint-url "$ENDPOINT" --output json cloudformation "$@"; }
CFN_TPL="$(mktemp --suffix=.json)"
cat > "$CFN_TPL" <<'JSON'
{"AWSTemplateFormatVersion": "2010-09-09",
 "Parameters": {"Name": {"Type": "String", "Default": "cli-cfn-q"}},
 "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}}}},
 "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}}}}
JSON
OUT="$(aws --endpoint-url "$ENDPOINT" cloudformation deploy --template-file "$CFN_TPL" --stack-name cli-stack 2>&1)"
case "$OUT" in
    *"Successfully created/updated stack - cli-stack"*) pass "cloudformation deploy creates the stack" ;;
    *) fail "cloudformation deploy creates the stack" "$OUT" ;;
esac
OUT="$(cfn describe-stacks --stack-name cli-stack 2>&1)"
check "cloudformation deploy: status and outputs" "$(jget "$OUT" '[d["Stacks"][0]["StackStatus"], d["Stacks"][0]["Outputs"][0]["OutputValue"]]' 2>/dev/null)" \
    '["CREATE_COMPLETE", "arn:aws:sqs:us-east-1:000000000000:cli-cfn-q"]'
check "cloudformation deploy: the queue exists" "$(sqs get-queue-url --queue-name cli-cfn-q >/dev/null 2>&1; echo $?)" "0"
OUT="$(aws --endpoint-url "$ENDPOINT" cloudformation deploy --template-file "$CFN_TPL" --stack-name cli-stack --no-fail-on-empty-changeset 2>&1)"
RC=$?
case "$RC $OUT" in
    "0 "*"No changes to deploy. Stack cli-stack is up to date"*) pass "cloudformation deploy with no change" ;;
    *) fail "cloudformation deploy with no change" "$RC $OUT" ;;
esac
OUT="$(aws --endpoint-url "$ENDPOINT" cloudformation deploy --template-file "$CFN_TPL" --stack-name cli-stack \
    --parameter-overrides Name=cli-cfn-q2 2>&1)"
case "$OUT" in
    *"Successfully created/updated stack - cli-stack"*) pass "cloudformation deploy --parameter-overrides updates" ;;
    *) fail "cloudformation deploy --parameter-overrides updates" "$OUT" ;;
esac
check "cloudformation deploy: the renamed queue replaced the old one" \
    "$(sqs list-queues --queue-name-prefix cli-cfn 2>&1 | "$PY" -c 'import json,sys; print([u.rsplit("/",1)[1] for u in json.load(sys.stdin)["QueueUrls"]])')" \
    "['cli-cfn-q2']"
cfn delete-stack --stack-name cli-stack >/dev/null 2>&1
aws --endpoint-url "$ENDPOINT" cloudformation wait stack-delete-complete --stack-name cli-stack 2>/dev/null
check "cloudformation delete-stack and wait" "$?" "0"
rm -f "$CFN_TPL"

# stop the server by its PID: exit 0 and no sanitizer report
if runnel_stop "$LOG"; then pass "server exits cleanly on SIGTERM"; else fail "server exits cleanly on SIGTERM"; fi

echo "$PASSED passed, $FAILED failed, ${SKIPPED:-0} skipped"
[ "$FAILED" -eq 0 ]
