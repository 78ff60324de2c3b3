#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the kill -9 crash tests (SQS, log compaction, EventBridge, Lambda, SNS, then CloudFormation) against build/runnel
# (or $RUNNEL_BIN) with a data dir; the last line sums both: "N passed, N
# failed" (all three). A script that exits non-zero or prints no summary counts as a failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build
p=0 f=0
for t in crash:sqs compact_crash:compaction events_crash:events lambda_crash:lambda sns_crash:sns cfn_crash:cloudformation; do
    log=build/crash-${t#*:}.log
    python3 -u tests/fault/${t%%:*}.py 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
    if [ -z "$line" ]; then
        echo "crash.sh: ${t%%:*}.py printed no summary (exit $rc): counted as 1 failure"
        f=$((f + 1))
        continue
    fi
    tp=${line%% passed*}
    tf=${line#*passed, }; tf=${tf%% failed}
    if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
        echo "crash.sh: ${t%%:*}.py exited $rc with no failed round: counted as 1 failure"
        tf=1
    fi
    p=$((p + tp)); f=$((f + tf))
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
