#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the kill -9 crash test against build/runnel with a data dir.
cd "$(dirname "$0")/../.." && exec python3 tests/fault/crash.py
