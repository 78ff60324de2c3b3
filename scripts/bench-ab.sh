#!/bin/bash
# SPDX-License-Identifier: MIT
# Before/after in one run: scripts/bench-ab.sh OLD_RUNNEL NEW_RUNNEL measures the
# headline loads (SendMessage, the full cycle, PutEvents -> SQS with 1 and 10
# entries; durable and in-memory) on both binaries, alternating old and new
# ROUNDS times so that a noisy neighbour hits both alike, and prints the median
# of each. Loopback only; each server is started on a free port and stopped by
# PID. Needs build/bench/loadgen (make bench builds it). Knobs: DURATION=5 ROUNDS=3,
# STORES="durable in-memory", LOADS="send cycle events1 events10".
set -u
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
LG=build/bench/loadgen
TMP=build/bench-ab
rm -rf "$TMP"
mkdir -p "$TMP"
[ -x "$LG" ] || { echo "bench-ab: build $LG first (make bench)"; exit 1; }
SPID=""
trap '[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null' EXIT

get() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# one BIN STORE LOAD ROUND: starts a fresh server, runs one load, prints its figure
one() {
    local bin=$1 store=$2 load=$3 round=$4 port out
    port=$("$LG" freeport)
    if [ "$store" = durable ]; then
        "$bin" serve --port "$port" --data-dir "$TMP/data-$RANDOM$RANDOM" --log-level warn 2>>"$TMP/server.log" &
    else
        "$bin" serve --port "$port" --in-memory --log-level warn 2>>"$TMP/server.log" &
    fi
    SPID=$!
    "$LG" wait --port "$port" --n 10 || { echo "nan"; kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=""; return; }
    case $load in
    send) out=$("$LG" send --port "$port" --queue "ab$round" --conns 16 --duration "$DURATION"); get "$out" rps ;;
    cycle) out=$("$LG" cycle --port "$port" --queue "ab$round" --conns 16 --duration "$DURATION")
        get "$out" msgs_per_s ;;
    events1 | events10) out=$("$LG" events --port "$port" --queue "ab$round" --conns 16 --entries "${load#events}" \
        --duration "$DURATION"); get "$out" events_per_s ;;
    esac
    kill "$SPID"
    wait "$SPID" 2>/dev/null
    SPID=""
}

echo "bench-ab: old $OLD, new $NEW; $(nproc) CPUs, DURATION=${DURATION}s, ROUNDS=$ROUNDS (alternating)"
printf '%-30s | %-10s | %-10s | %s\n' "load" "old" "new" "new/old"
for store in ${STORES:-durable in-memory}; do
    for load in ${LOADS:-send cycle events1 events10}; do
        o=(); n=()
        for r in $(seq "$ROUNDS"); do
            o+=("$(one "$OLD" $store $load "o$r")")
            n+=("$(one "$NEW" $store $load "n$r")")
        done
        mo=$(median "${o[@]}"); mn=$(median "${n[@]}")
        printf '%-30s | %-10s | %-10s | x%s\n' "$load ($store)" "$mo" "$mn" \
            "$(awk -v a="$mn" -v b="$mo" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')"
    done
done
