#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the kill -9 crash tests (SQS, then EventBridge) against build/runnel
# with a data dir; the last line sums both: "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
python3 tests/fault/crash.py | tee build/crash-sqs.log
python3 tests/fault/events_crash.py | tee build/crash-events.log
tail -n1 build/crash-sqs.log build/crash-events.log -q | awk '{p += $1; f += $3} END {print p " passed, " f " failed"; exit f > 0}'
