#!/bin/bash
# SPDX-License-Identifier: MIT
# `make bench`: runs Runnel's benchmarks (the Makefile builds build/bench/loadgen and
# build/bench/matcher first) on loopback against
# servers it starts on free ports (durable store and --in-memory) and stops by PID.
# Each figure is the median of RUNS runs of DURATION seconds; the last lines are a
# "metric | measured | goal | met?" table. Knobs: DURATION=5 RUNS=3 BACKLOG=1000000
# BACKLOG_BODY=1024 IDLE_CONNS=10000 WAKE_ITERS=200 READY_RUNS=10 FANOUT_PROVIDED=1000
# FANOUT_PYTHON=200 DDB_ITEMS=10000000 FSYNC_N=2000; BIG=1 adds a backlog of
# BIG_BACKLOG=10000000 messages (10 GB on disk, about 5 more minutes; off by default).
# The durable figures are set beside the limit the disk's own fdatasync cost (measured
# first, in the same run) implies for 16 clients under group commit.
set -u
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
BACKLOG=${BACKLOG:-1000000}
BACKLOG_BODY=${BACKLOG_BODY:-1024}
BIG=${BIG:-0}
BIG_BACKLOG=${BIG_BACKLOG:-10000000}
FSYNC_N=${FSYNC_N:-2000}
IDLE_CONNS=${IDLE_CONNS:-10000}
WAKE_ITERS=${WAKE_ITERS:-200}
READY_RUNS=${READY_RUNS:-10}
RUNNEL=${RUNNEL:-build/runnel}  # RUNNEL=path/to/other/runnel to measure another build
LG=build/bench/loadgen
TMP=build/bench-tmp
rm -rf "$TMP"
mkdir -p "$TMP"

[ -x "$LG" ] && [ -x build/bench/matcher ] || { echo "bench: run it as make bench (it builds $LG)"; exit 1; }

# 10,000 long polls need as many descriptors in the server and in the load generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNS + 100)) ]; then
    echo "bench: ulimit -n is $(ulimit -n); using IDLE_CONNS=$(($(ulimit -n) - 100))"
    IDLE_CONNS=$(($(ulimit -n) - 100))
fi
CLK_TCK=$(getconf CLK_TCK)

SPID=""
PORT=""
NSERVER=0
ROWS=()

cleanup() { [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null; }
trap cleanup EXIT

problem() { echo "$*" >>"$TMP/problems"; echo "  !! $*" >&2; }  # also from $(...) subshells

# start_server disk|mem [DATA_DIR [READY_SECS]]: sets SPID and PORT; a disk server
# gets a fresh data dir unless one is named.
start_server() {
    NSERVER=$((NSERVER + 1))
    PORT=$("$LG" freeport)
    SLOG="$TMP/server-$NSERVER-$1.log"
    if [ "$1" = disk ]; then
        DATA=${2:-$TMP/data-$NSERVER}
        "$RUNNEL" serve --port "$PORT" --data-dir "$DATA" --log-level warn 2>"$SLOG" &
    else
        "$RUNNEL" serve --port "$PORT" --in-memory --log-level warn 2>"$SLOG" &
    fi
    SPID=$!
    "$LG" wait --port "$PORT" --n "${3:-10}" || { problem "server ($1) not ready in ${3:-10} s; log: $(tail -3 "$SLOG")"; return 1; }
}
rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$SPID/status"; }

# check_server: reports a server that died under load.
check_server() {
    if [ -n "$SPID" ] && ! kill -0 "$SPID" 2>/dev/null; then
        wait "$SPID"
        problem "server pid $SPID died during $1 (exit $?); log tail: $(tail -5 "$SLOG" | tr '\n' ' ')"
        SPID=""
        return 1
    fi
}

stop_server() {
    [ -n "$SPID" ] || return 0
    kill -TERM "$SPID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SPID" 2>/dev/null; then
        problem "server pid $SPID still running 10 s after SIGTERM; SIGKILL"
        kill -KILL "$SPID"
    fi
    wait "$SPID"
    local rc=$?
    [ $rc -ne 0 ] && problem "server pid $SPID exited $rc after SIGTERM; log tail: $(tail -3 "$SLOG" | tr '\n' ' ')"
    SPID=""
}

get() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; } # line, key
median() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "nan"}'; }
# row metric measured goal met(1/0)
row() { ROWS+=("$1|$2|$3|$(case "$4" in 1) echo yes;; -) echo -;; *) echo NO;; esac)"); }
ge() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a+0 >= b+0 && a != "nan")}' && echo 1 || echo 0; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a+0 < b+0 && a != "nan")}' && echo 1 || echo 0; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 > 0 && a != "nan" && a != "") printf "%.0f", 100 * a / b; else print "nan"}'; }
# of_limit measured limit: "M of L (P %)", for a durable figure beside what fdatasync allows
of_limit() { echo "$1 of $2 ($(pct "$1" "$2") %)"; }
# gc_limit [items per durable request]: the group-commit ceiling, 16 clients / fdatasync median
gc_limit() { awk -v t="$FSYNC_US" -v f="${1:-1}" 'BEGIN {if (t + 0 > 0) printf "%.0f", 16 * 1e6 / t * f; else print "nan"}'; }

# runlg label args...: runs the load generator, echoes its result line, logs errors.
runlg() {
    local label=$1; shift
    local out
    out=$("$LG" "$@" 2>"$TMP/lg.err")
    local rc=$?
    echo "    $out" >&2
    [ -s "$TMP/lg.err" ] && problem "$label: $(head -3 "$TMP/lg.err" | tr '\n' ' ')"
    [ $rc -ne 0 ] && problem "$label: loadgen exit $rc"
    local errs; errs=$(get "$out" errors)
    [ -n "$errs" ] && [ "$errs" != 0 ] && problem "$label: $errs request errors"
    echo "$out"
}

echo "Runnel bench: $(nproc) CPUs, DURATION=${DURATION}s RUNS=$RUNS, $(git rev-parse --short HEAD 2>/dev/null)"
[ "$BIG" = 1 ] || echo "  (the $BIG_BACKLOG-message backlog is off; BIG=1 make bench runs it)"

echo "== 0. the disk: append 512 bytes + fdatasync, $FSYNC_N times, beside the data dirs"
mkdir -p "$TMP/fsync"
out=$(runlg "fsync" fsync --dir "$TMP/fsync" --n "$FSYNC_N" --body-size 512)
FSYNC_US=$(get "$out" median_us)
echo "  median $FSYNC_US us, p99 $(get "$out" p99_us) us: one synchronous writer $(get "$out" sync_writes_per_s) writes/s;"
echo "  16 clients, each waiting for its write, acknowledged once per fdatasync: $(gc_limit) writes/s at most"
row "fdatasync after a 512 B append, median / p99 (this disk, this run)" "$FSYNC_US / $(get "$out" p99_us) us" "(measured)" "-"
row "writes/s it allows one synchronous writer (1 / median)" "$(get "$out" sync_writes_per_s)" "(measured)" "-"
row "group-commit limit, 16 clients (16 / median): durable requests/s" "$(gc_limit)" "(ceiling for the rows below)" "-"
D_SEND=nan; D_CYCLE=nan; D_EV1=nan; D_EV10=nan

for store in disk mem; do
    label=$([ $store = disk ] && echo durable || echo in-memory)

    echo "== 1. SendMessage, 16 connections, closed loop ($label)"
    start_server $store || continue
    rps=(); p50=(); p99=()
    for r in $(seq "$RUNS"); do
        out=$(runlg "send $label" send --port "$PORT" --queue "s1r$r" --conns 16 --duration "$DURATION")
        rps+=("$(get "$out" rps)"); p50+=("$(get "$out" p50_us)"); p99+=("$(get "$out" p99_us)")
        check_server "send $label" || break
    done
    m_rps=$(median "${rps[@]}"); m_p50=$(median "${p50[@]}"); m_p99=$(median "${p99[@]}")
    echo "  median: $m_rps req/s, p50 $m_p50 us, p99 $m_p99 us"
    row "SendMessage req/s ($label)" "$m_rps" ">= 50000" "$(ge "$m_rps" 50000)"
    row "SendMessage p50 / p99 ($label)" "${m_p50} / ${m_p99} us" "p99 < 2000 us" "$(lt "$m_p99" 2000)"
    if [ $store = disk ]; then
        D_SEND=$m_rps
        row "SendMessage durable vs group-commit limit (16 / fdatasync)" "$(of_limit "$m_rps" "$(gc_limit)")" "(how close)" "-"
    else
        r=$(pct "$D_SEND" "$m_rps")
        row "SendMessage durable / in-memory req/s (same run)" "$r % ($D_SEND / $m_rps)" ">= 80 %" "$(ge "$r" 80)"
    fi

    echo "== 2. SendMessageBatch(10) -> ReceiveMessage(10) -> DeleteMessageBatch, 16 connections ($label)"
    mps=()
    for r in $(seq "$RUNS"); do
        out=$(runlg "cycle $label" cycle --port "$PORT" --queue "s2r$r" --conns 16 --duration "$DURATION")
        mps+=("$(get "$out" msgs_per_s)")
        check_server "cycle $label" || break
    done
    m=$(median "${mps[@]}")
    echo "  median: $m messages/s (sent, received and deleted)"
    row "full cycle messages/s ($label)" "$m" ">= 150000" "$(ge "$m" 150000)"
    if [ $store = disk ]; then # the log after sections 1-2: how much compaction rewrote, what is left on disk
        lg=$(curl -s -m 10 "http://127.0.0.1:$PORT/_runnel/health" | python3 -c '
import json, sys
l = json.load(sys.stdin)["store"].get("log")
if l:
    print("%.3f %d %d %d %d" % (l["writtenBytes"] / max(l["clientBytes"], 1), l["clientBytes"] >> 20,
                                l["compactedBytes"] >> 20, l["segments"], l["liveBytes"] >> 20))' 2>/dev/null)
        if [ -n "$lg" ]; then
            read -r wa cmb cpb segs lvb <<<"$lg"
            echo "  log: $cmb MiB appended by clients, $cpb MiB copied forward by compaction, $segs segments left, $lvb MiB live"
            row "log write amplification after sections 1-2 (written / appended)" "x$wa ($cpb MiB copied, $segs segments left)" "(reported)" "-"
        fi
    fi
    if [ $store = disk ]; then # 3 durable requests (send, receive, delete) per 10 messages
        D_CYCLE=$m
        row "full cycle durable vs group-commit limit (16 / fdatasync x 10/3)" "$(of_limit "$m" "$(gc_limit 3.3333)")" "(how close)" "-"
    else
        row "full cycle durable / in-memory messages/s (same run)" "$(pct "$D_CYCLE" "$m") %" "(for comparison)" "-"
    fi

    echo "== 3. long-poll wake-up, $WAKE_ITERS iterations ($label)"
    wk=()
    for r in $(seq "$RUNS"); do
        out=$(runlg "wake $label" wake --port "$PORT" --queue "s3r$r" --n "$WAKE_ITERS")
        wk+=("$(get "$out" median_us)")
        check_server "wake $label" || break
    done
    m=$(median "${wk[@]}")
    echo "  median: $m us from SendMessage issued to ReceiveMessage answered"
    row "long-poll wake-up ($label)" "$m us" "< 1000 us" "$(lt "$m" 1000)"
    stop_server

    echo "== 4. $IDLE_CONNS idle long polls, RSS and CPU over 5 s ($label)"
    rss=(); cpu=()
    for r in $(seq "$RUNS"); do
        start_server $store || break
        "$LG" idle --port "$PORT" --queue idle --n "$IDLE_CONNS" --hold 7 >"$TMP/idle.out" 2>"$TMP/idle.err" &
        LGPID=$!
        for _ in $(seq 300); do grep -q READY "$TMP/idle.out" && break; kill -0 $LGPID 2>/dev/null || break; sleep 0.1; done
        if ! grep -q READY "$TMP/idle.out"; then
            problem "idle $label: load generator not ready: $(cat "$TMP/idle.err")"
            kill $LGPID 2>/dev/null; wait $LGPID; stop_server; break
        fi
        t1=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
        sleep 5
        t2=$(awk '{print $14 + $15}' "/proc/$SPID/stat")
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SPID/status")
        wait $LGPID || problem "idle $label: $(cat "$TMP/idle.err" | head -3 | tr '\n' ' ')"
        echo "    $(grep mode= "$TMP/idle.out") rss_mb=$(awk -v k="$kb" 'BEGIN {printf "%.1f", k/1024}') cpu_ticks=$((t2 - t1))"
        rss+=("$(awk -v k="$kb" 'BEGIN {printf "%.1f", k/1024}')")
        cpu+=("$(awk -v d=$((t2 - t1)) -v h="$CLK_TCK" 'BEGIN {printf "%.2f", d / h / 5 * 100}')")
        check_server "idle $label"
        stop_server
    done
    m_rss=$(median "${rss[@]}"); m_cpu=$(median "${cpu[@]}")
    echo "  median: RSS $m_rss MB, CPU $m_cpu %"
    row "$IDLE_CONNS idle long polls RSS ($label)" "$m_rss MB" "< 100 MB" "$(lt "$m_rss" 100)"
    row "$IDLE_CONNS idle long polls CPU ($label)" "$m_cpu %" "~ 0 (< 1 %)" "$(lt "$m_cpu" 1)"

    echo "== 5. start-to-ready and idle RSS, median of $READY_RUNS ($label)"
    PORT=$("$LG" freeport)
    if [ $store = disk ]; then
        args=(--data-dir "$TMP/data-ready")
    else
        args=(--in-memory)
    fi
    out=$(runlg "ready $label" ready --runs "$READY_RUNS" -- "$RUNNEL" serve --port "$PORT" "${args[@]}" --log-level warn)
    m=$(get "$out" median_ms); r=$(get "$out" idle_rss_mb)
    row "start-to-ready ($label)" "$m ms" "< 20 ms" "$(lt "$m" 20)"
    row "idle RSS ($label)" "$r MB" "< 10 MB" "$(lt "$r" 10)"
done

# backlog N RSS_GOAL_MB RESTART_GOAL_MS(0: measured only) FILL_MAX_SECS: a queue of N
# messages of BACKLOG_BODY bytes; RSS and data dir with it, restart-to-ready with it (and
# every message back), and SendMessage / full cycle on it vs on an empty queue in the same
# server, with the same body size.
backlog() {
    local n=$1 rss_goal=$2 restart_goal=$3 max_secs=$4
    local need=$((n * BACKLOG_BODY * 2 / 1048576)) free
    free=$(df -Pm "$TMP" | awk 'NR == 2 {print $4}')
    if [ "$free" -lt "$need" ]; then
        problem "backlog of $n: $free MB free beside $TMP, $need MB wanted; skipped"
        return
    fi
    echo "== 6. backlog of $n messages of $BACKLOG_BODY bytes (durable)"
    local s0=() c0=() s1=() c1=() out r
    # the empty queue first, with the same body size, on a server of its own (its
    # messages must not add to the backlog's RSS and data dir)
    start_server disk || return
    for r in $(seq "$RUNS"); do
        out=$(runlg "send empty" send --port "$PORT" --queue "e6r$r" --conns 16 --body-size "$BACKLOG_BODY" --duration "$DURATION"); s0+=("$(get "$out" rps)")
        out=$(runlg "cycle empty" cycle --port "$PORT" --queue "e6c$r" --conns 16 --body-size "$BACKLOG_BODY" --duration "$DURATION"); c0+=("$(get "$out" msgs_per_s)")
        check_server "empty runs" || break
    done
    stop_server
    rm -rf "$DATA"
    start_server disk || return
    local data=$DATA rss0; rss0=$(rss_mb)
    out=$(runlg "fill" fill --port "$PORT" --queue backlog --conns 16 --n "$n" --body-size "$BACKLOG_BODY" --max-secs "$max_secs")
    local filled; filled=$(get "$out" sent)
    filled=${filled:-0}
    echo "  filled: $filled messages in $(get "$out" secs) s ($(get "$out" msgs_per_s) msg/s)"
    check_server "fill" || return
    [ "$filled" -lt "$n" ] && problem "backlog fill: $filled of $n messages in $max_secs s"
    local rss1; rss1=$(rss_mb)
    local per; per=$(awk -v a="$rss1" -v b="$rss0" -v n="$filled" 'BEGIN {if (n > 0) printf "%.0f", (a - b) * 1048576 / n; else print "nan"}')
    stop_server
    local dmb bmb; dmb=$(du -sm "$data" | cut -f1); bmb=$((filled * BACKLOG_BODY / 1048576))
    echo "  RSS $rss0 MB empty, $rss1 MB with the backlog ($per B per message); data dir $dmb MB for $bmb MB of bodies"
    row "server RSS with $filled x $BACKLOG_BODY B messages (RSS growth per message)" "$rss1 MB ($per B)" "< $rss_goal MB" "$(lt "$rss1" "$rss_goal")"
    row "data dir with $filled x $BACKLOG_BODY B messages (their bodies: $bmb MB)" "$dmb MB (x$(awk -v a="$dmb" -v b="$bmb" 'BEGIN {if (b > 0) printf "%.2f", a / b}'))" "(live data + slack)" "-"
    # restart-to-ready: median of 3 starts on that data dir
    PORT=$("$LG" freeport)
    out=$(runlg "restart" ready --runs 3 --max-secs 120 -- "$RUNNEL" serve --port "$PORT" --data-dir "$data" --log-level warn)
    local m; m=$(get "$out" median_ms)
    echo "  restart-to-ready with $filled messages: $m ms (median of 3)"
    if [ "$restart_goal" -gt 0 ]; then
        row "restart-to-ready with $filled messages (median of 3)" "$m ms" "< $restart_goal ms" "$(lt "$m" "$restart_goal")"
    else
        row "restart-to-ready with $filled messages (median of 3)" "$m ms" "(measured)" "-"
    fi
    # every message came back; then the same server runs the backlog figures
    start_server disk "$data" 120 || return
    local attrs got
    attrs=$(curl -s -m 30 -X POST "http://127.0.0.1:$PORT/" -H 'X-Amz-Target: AmazonSQS.GetQueueAttributes' \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -d "{\"QueueUrl\":\"http://127.0.0.1:$PORT/000000000000/backlog\",\"AttributeNames\":[\"All\"]}")
    got=$(echo "$attrs" | tr -d ' \n' | sed -n 's/.*"ApproximateNumberOfMessages":"\([0-9]*\)".*/\1/p')
    row "messages in the backlog queue after the restarts" "${got:-?} of $filled" "all" "$([ "${got:-x}" = "$filled" ] && echo 1 || echo 0)"
    local rss2; rss2=$(rss_mb)
    row "server RSS after restart with $filled messages" "$rss2 MB" "< $rss_goal MB" "$(lt "$rss2" "$rss_goal")"
    for r in $(seq "$RUNS"); do
        out=$(runlg "send backlog" send --port "$PORT" --queue backlog --conns 16 --body-size "$BACKLOG_BODY" --duration "$DURATION"); s1+=("$(get "$out" rps)")
        out=$(runlg "cycle backlog" cycle --port "$PORT" --queue backlog --conns 16 --body-size "$BACKLOG_BODY" --duration "$DURATION"); c1+=("$(get "$out" msgs_per_s)")
        check_server "backlog runs" || break
    done
    stop_server
    local ms0 mc0 ms1 mc1 rs rc
    ms0=$(median "${s0[@]}"); mc0=$(median "${c0[@]}"); ms1=$(median "${s1[@]}"); mc1=$(median "${c1[@]}")
    rs=$(awk -v a="$ms1" -v b="$ms0" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "nan"}')
    rc=$(awk -v a="$mc1" -v b="$mc0" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "nan"}')
    echo "  SendMessage req/s: empty $ms0, backlog $ms1 (x$rs); cycle msg/s: empty $mc0, backlog $mc1 (x$rc)"
    row "SendMessage req/s, $BACKLOG_BODY B, on the $filled backlog vs an empty queue" "$ms1 vs $ms0 (x$rs)" ">= x0.8" "$(ge "$rs" 0.8)"
    row "full cycle msg/s, $BACKLOG_BODY B, on the $filled backlog vs an empty queue" "$mc1 vs $mc0 (x$rc)" ">= x0.8" "$(ge "$rc" 0.8)"
    rm -rf "$data"
}
backlog "$BACKLOG" 300 1000 300
if [ "$BIG" = 1 ]; then
    backlog "$BIG_BACKLOG" 1500 0 1800
else
    row "backlog of $BIG_BACKLOG messages (RSS < 1.5 GB, throughput within 20 %)" "not run" "BIG=1 make bench" "-"
fi

# ---- EventBridge ----
for store in disk mem; do
    label=$([ $store = disk ] && echo durable || echo in-memory)
    echo "== 7. PutEvents -> rule -> SQS target, 16 connections ($label)"
    start_server $store || continue
    for entries in 1 10; do # one event per request, then full batches as producers send them
        eps=(); p99=()
        for r in $(seq "$RUNS"); do
            out=$(runlg "events $label" events --port "$PORT" --queue "ev7e${entries}r$r" --conns 16 \
                --entries "$entries" --duration "$DURATION")
            eps+=("$(get "$out" events_per_s)"); p99+=("$(get "$out" p99_us)")
            check_server "events $label" || break
        done
        m=$(median "${eps[@]}"); m99=$(median "${p99[@]}")
        echo "  $entries entries per PutEvents: median $m events/s, p99 $m99 us per request"
        row "PutEvents -> SQS events/s ($label, $entries/request)" "$m" ">= 50000" "$(ge "$m" 50000)"
        if [ $store = disk ]; then # one durable request (the event in the queue) per $entries events
            if [ "$entries" = 1 ]; then D_EV1=$m; else D_EV10=$m; fi
            row "PutEvents durable ($entries/request) vs group-commit limit (16 / fdatasync x $entries)" \
                "$(of_limit "$m" "$(gc_limit "$entries")")" "(how close)" "-"
        else
            d=$([ "$entries" = 1 ] && echo "$D_EV1" || echo "$D_EV10")
            row "PutEvents durable / in-memory events/s ($entries/request, same run)" "$(pct "$d" "$m") %" "(for comparison)" "-"
        fi
    done
    echo "== 8. PutEvents reply -> message receivable, $WAKE_ITERS iterations ($label)"
    wk=()
    for r in $(seq "$RUNS"); do
        out=$(runlg "evwake $label" evwake --port "$PORT" --queue "ev8r$r" --n "$WAKE_ITERS")
        wk+=("$(get "$out" after_reply_median_us)")
        check_server "evwake $label" || break
    done
    m=$(median "${wk[@]}")
    echo "  median: $m us from the PutEvents reply to the waiting ReceiveMessage's reply"
    row "PutEvents reply -> receivable ($label)" "$m us" "< 1000 us" "$(lt "$m" 1000)"
    stop_server
done
echo "== 9. pattern matcher alone, one core (median of $RUNS runs)"
m1=(); m10=(); m10k=(); m1v=()
for r in $(seq "$RUNS"); do
    build/bench/matcher 2 >"$TMP/matcher.out" && cat "$TMP/matcher.out"
    m10+=("$(awk '/^10 rules \(exact/ {print $4}' "$TMP/matcher.out")")
    m1+=("$(awk '/^1,000 rules \(exact/ {print $4}' "$TMP/matcher.out")")
    m10k+=("$(awk '/^10,000 rules \(exact/ {print $4}' "$TMP/matcher.out")")
    m1v+=("$(awk '/^1,000 rules, event validated/ {print $7}' "$TMP/matcher.out")")
done
a=$(median "${m10[@]}"); b=$(median "${m1[@]}"); c=$(median "${m10k[@]}"); v=$(median "${m1v[@]}")
ratio=$(awk -v a="$a" -v c="$c" 'BEGIN {printf "%.2f", a / c}')
row "matcher, 1,000 rules, events/s" "$b" ">= 2000000" "$(ge "$b" 2000000)"
row "matcher, 1,000 rules, validating entry point" "$v" "(for comparison)" "-"
row "matcher, 10 -> 10,000 rules slowdown" "x$ratio" "< x2" "$(lt "$ratio" 2)"

echo "== 10. Lambda: warm invokes, overhead, cold start, SQS -> handler, fan-out (in-memory, median of $RUNS runs)"
if start_server mem; then
    if python3 bench/lambda_setup.py setup "$PORT" build/bench/lambda_echo >"$TMP/lsetup.out" 2>&1; then
        # cold starts first, on a server no other function has loaded yet
        for fn in provided python; do
            out=$(python3 bench/lambda_setup.py cold "$PORT" "cold-$fn" 10 2>&1); echo "  cold $fn: $out"
            m=$(get "$out" cold_ms)
            goal=$([ $fn = provided ] && echo 10 || echo 60)
            row "Lambda cold start to first response ($fn, median of 10)" "$m ms" "< $goal ms" "$(lt "$m" "$goal")"
        done
        for fn in provided python; do
            rps=(); p50=()
            for r in $(seq "$RUNS"); do
                out=$(runlg "invoke echo-$fn" invoke --port "$PORT" --function "echo-$fn" --conns 16 --duration "$DURATION")
                rps+=("$(get "$out" rps)")
            done
            m=$(median "${rps[@]}")
            goal=$([ $fn = provided ] && echo 5000 || echo 2000)
            row "Lambda warm invokes/s, 16 clients ($fn)" "$m" ">= $goal" "$(ge "$m" "$goal")"
        done
        ov=()
        for r in $(seq "$RUNS"); do
            out=$(runlg "invoke overhead" invoke --port "$PORT" --function echo-provided --conns 1 --duration 2)
            ov+=("$(get "$out" p50_us)")
        done
        m=$(median "${ov[@]}")
        row "Lambda invoke round trip p50, 1 client (provided echo: overhead)" "$m us" "< 300 us" "$(lt "$m" 300)"
        out=$(python3 bench/lambda_setup.py sqs "$PORT" 30 2>&1); echo "  $out"
        m=$(get "$out" sqs_to_handler_ms)
        row "Lambda SQS send -> handler start p50 (median of 30)" "$m ms" "< 5 ms" "$(lt "$m" 5)"
    else
        problem "lambda setup failed: $(tail -3 "$TMP/lsetup.out")"
    fi
    stop_server
fi
# the fan-outs each get a fresh server: the account's 1,000 concurrent instances are shared by every function
for fan in "provided ${FANOUT_PROVIDED:-1000}" "python ${FANOUT_PYTHON:-200}"; do
    set -- $fan
    if start_server mem && python3 bench/lambda_setup.py setup "$PORT" build/bench/lambda_echo >"$TMP/lsetup.out" 2>&1; then
        fname=$([ "$1" = provided ] && echo echo-provided || echo hold-python)
        out=$(python3 bench/lambda_setup.py fanout "$PORT" "$fname" "$2" "$SPID" 2>&1); echo "  fan-out $1: $out"
        e=$(get "$out" errors)
        row "Lambda $2 concurrent instances ($1): errors, server RSS" "${e:-?} errors, $(get "$out" server_rss_mb) MB" "0 errors" "$([ "${e:-1}" = 0 ] && echo 1 || echo 0)"
    else
        problem "lambda fan-out ($1) setup failed: $(tail -3 "$TMP/lsetup.out")"
    fi
    stop_server
done
row "Lambda anchors (published): LocalStack warm / cold" "~10 ms / ~600 ms" "(for comparison)" "-"
row "Lambda anchors (published): AWS init provided / python" "15-63 ms / ~85 ms" "(for comparison)" "-"

# ---- DynamoDB ----
echo "== 11. DynamoDB: GetItem, PutItem, Query(100), TransactWriteItems(4), 16 connections; Scan, CreateTable (durable, median of $RUNS runs)"
if start_server disk; then
    if python3 bench/ddb_setup.py "$PORT" >"$TMP/dsetup.out" 2>&1; then
        for spec in "get GetItem 40000 300" "put PutItem 30000 300" "query Query-of-100-items 0 500" "txn TransactWriteItems(4) 8000 0"; do
            set -- $spec
            rps=(); p50=()
            for r in $(seq "$RUNS"); do
                out=$(runlg "ddb $1" ddb --port "$PORT" --op "$1" --conns 16 --duration "$DURATION")
                rps+=("$(get "$out" rps)"); p50+=("$(get "$out" p50_us)")
            done
            m=$(median "${rps[@]}"); p=$(median "${p50[@]}")
            [ "$3" != 0 ] && row "DynamoDB $2/s, 16 clients (durable)" "$m" ">= $3" "$(ge "$m" "$3")"
            one=$(runlg "ddb $1 1 client" ddb --port "$PORT" --op "$1" --conns 1 --duration 2)
            p1=$(get "$one" p50_us)
            if [ "$4" != 0 ]; then # the goal is for 16 clients; one client's figure for comparison
                row "DynamoDB $2 p50, 16 clients (1 client)" "$p us ($p1 us)" "< $4 us" "$(lt "$p" "$4")"
            else
                row "DynamoDB $2 p50, 16 clients (1 client)" "$p us ($p1 us)" "(for comparison)" "-"
            fi
        done
        out=$(runlg "ddb scan" ddbscan --port "$PORT" --runs 10)
        m=$(get "$out" median_ms)
        row "DynamoDB full Scan of 10,000 x 1 KB items (median of 10)" "$m ms" "< 50 ms" "$(lt "$m" 50)"
        out=$(runlg "ddb create" ddb --port "$PORT" --op create --conns 1 --duration 2)
        m=$(awk -v u="$(get "$out" p50_us)" 'BEGIN {printf "%.2f", u / 1000}')
        row "DynamoDB CreateTable p50, 1 client" "$m ms" "< 1 ms" "$(lt "$m" 1)"
    else
        problem "ddb setup failed: $(tail -3 "$TMP/dsetup.out")"
    fi
    stop_server
fi
# a big table: filled through BatchWriteItem, then start-to-ready and RSS with it
DDB_ITEMS=${DDB_ITEMS:-10000000}
if start_server disk; then
    bigdata=$DATA
    python3 -c "import boto3; boto3.client('dynamodb', endpoint_url='http://127.0.0.1:$PORT', region_name='us-east-1',
        aws_access_key_id='b', aws_secret_access_key='b').create_table(TableName='bfill', BillingMode='PAY_PER_REQUEST',
        KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}], AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}])" \
        >"$TMP/dfill.out" 2>&1 || problem "ddb fill table: $(tail -2 "$TMP/dfill.out")"
    out=$(runlg "ddb fill" ddbfill --port "$PORT" --n "$DDB_ITEMS" --conns 16 --max-secs 600)
    filled=$(get "$out" items)
    row "DynamoDB BatchWriteItem fill, items/s (durable)" "$(get "$out" items_per_s)" "(for comparison)" "-"
    rss_full=$(ps -o rss= -p "$SPID" | awk '{printf "%.0f", $1 / 1024}')
    stop_server
    port=$("$LG" freeport)
    out=$(runlg "ddb ready" ready --runs 5 -- "$RUNNEL" serve --port "$port" --data-dir "$bigdata" --log-level warn)
    m=$(get "$out" median_ms)
    row "DynamoDB start to ready with $filled items (median of 5)" "$m ms, idle RSS $(get "$out" idle_rss_mb) MB" "< 100 ms" "$(lt "$m" 100)"
    row "DynamoDB server RSS after writing $filled items" "$rss_full MB" "(bounded: items live on disk)" "-"
    echo "  data dir with $filled items: $(du -sh "$bigdata" | cut -f1)"
    rm -rf "$bigdata"
fi
row "DynamoDB anchors (published): DynamoDB Local p50 GetItem / PutItem / TransactWrite" "0.81 / 0.93 / 5.5 ms, ~3 s start, 174 MB idle" "(for comparison)" "-"
row "DynamoDB anchors (published): Rust+SQLite newcomer p50 GetItem / Query" "0.33 / 0.35 ms" "(for comparison)" "-"

# ---- SNS ----
echo "== 12. SNS: Publish -> SQS subscriptions (raw delivery), 16 connections (durable, median of $RUNS runs)"
if start_server disk; then
    ok=1
    for spec in "sns1 1" "sns10 10" "snss 1 signed" "snsf 1000 filtered"; do
        python3 bench/sns_setup.py "$PORT" $spec >"$TMP/ssetup.out" 2>&1 || { ok=0; problem "sns setup ($spec) failed: $(tail -3 "$TMP/ssetup.out")"; }
    done
    if [ $ok = 1 ]; then
        for spec in "sns1 1" "sns10 10" "snss 1"; do
            set -- $spec
            rps=(); p99=()
            for r in $(seq "$RUNS"); do
                out=$(runlg "sns $1" sns --port "$PORT" --topic "$1" --conns 16 --duration "$DURATION")
                rps+=("$(get "$out" rps)"); p99+=("$(get "$out" p99_us)")
                check_server "sns $1" || break
            done
            m=$(median "${rps[@]}")
            if [ "$1" = snss ]; then
                row "SNS Publish/s -> 1 SQS subscription, signed envelope (durable)" "$m" "(measured)" "-"
            elif [ "$2" = 1 ]; then
                row "SNS Publish/s -> 1 SQS subscription (durable)" "$m (p99 $(median "${p99[@]}") us)" ">= 30000" "$(ge "$m" 30000)"
            else # every publish is in all 10 queues, durably, before it is answered
                d=$(awk -v m="$m" 'BEGIN {printf "%.0f", m * 10}')
                row "SNS Publish/s -> 10 SQS subscriptions: deliveries/s (durable)" "$m publishes, $d messages" "(measured)" "-"
            fi
        done
        rps=()
        for r in $(seq "$RUNS"); do
            out=$(runlg "sns filtered" sns --port "$PORT" --topic snsf --attr c7 --conns 16 --duration "$DURATION")
            rps+=("$(get "$out" rps)")
        done
        m=$(median "${rps[@]}")
        us=$(awk -v m="$m" 'BEGIN {printf "%.2f", 1000000 / m / 1000}')
        row "SNS filter matching, 1,000 policies per publish: publishes/s, us per policy" "$m, $us us" "(measured)" "-"
    fi
    stop_server
fi

# ---- CloudWatch ----
echo "== 13. CloudWatch: PutMetricData datapoints/s (16 connections), GetMetricStatistics over a day of 1-second data (durable, median of $RUNS runs)"
if start_server disk; then
    for e in 1 10; do # 20 items of one value each, as per-event put_metric_data calls batch them; then 10 values each
        pts=()
        for r in $(seq "$RUNS"); do
            out=$(runlg "cwput $e" cwput --port "$PORT" --conns 16 --entries "$e" --duration "$DURATION")
            pts+=("$(get "$out" points_per_s)")
            check_server "cwput" || break
        done
        m=$(median "${pts[@]}")
        row "CloudWatch PutMetricData datapoints/s ($((20 * e)) per request, durable)" "$m" ">= 20000" "$(ge "$m" 20000)"
    done
    if out=$(python3 bench/cw_setup.py "$PORT" 2>"$TMP/cwsetup.err"); then
        echo "  $out"
        p50=()
        for r in $(seq "$RUNS"); do
            o=$(runlg "cwget" cwget --port "$PORT" --n "$(get "$out" end_s)" --duration "$DURATION")
            p50+=("$(get "$o" p50_us)")
        done
        m=$(awk -v u="$(median "${p50[@]}")" 'BEGIN {printf "%.2f", u / 1000}')
        row "CloudWatch GetMetricStatistics, 1 day of 1-second data, period 60, p50" "$m ms" "< 10 ms" "$(lt "$m" 10)"
    else
        problem "cloudwatch setup failed: $(tail -3 "$TMP/cwsetup.err")"
    fi
    stop_server
fi

# ---- CloudFormation and the example ----
echo "== 14. CloudFormation: the e-commerce example's deploy time and orders/s through its whole pipeline (durable); deploy beside moto_server"
if start_server disk; then
    if out=$(python3 bench/example_bench.py deploy "$PORT" 5 2>"$TMP/ex.err"); then
        echo "  $out"
        m=$(get "$out" deploy_ms_median)
        row "Example stack (SAM, 19 resources) deploy to CREATE_COMPLETE, median of 5" "$m ms" "< 2000 ms" "$(lt "$m" 2000)"
    else
        problem "example deploy bench failed: $(tail -3 "$TMP/ex.err")"
    fi
    if out=$(python3 bench/example_bench.py orders "$PORT" 1000 90 2>"$TMP/ex.err"); then
        echo "  $out"
        row "Orders/s: PutEvents -> rule -> FIFO queue -> Lambda -> DynamoDB + SES + metrics (durable)" \
            "$(get "$out" orders_per_s)" "(measured)" "-"
    else
        problem "example orders bench failed: $(tail -3 "$TMP/ex.err")"
    fi
    if out=$(python3 bench/cfn_peer.py "$PORT" 5 2>"$TMP/peer.err" | tr '\n' ' '); then
        echo "  $out"
        row "Deploy the example's infrastructure, no functions (median ms): Runnel vs moto_server" \
            "$(get "$out" runnel_ms); without the rule $(get "$out" runnel_norule_ms) vs moto $(get "$out" moto_norule_ms) (moto 5.2 fails the rule)" \
            "(peer)" "-"
    else
        problem "cfn peer bench failed: $(tail -3 "$TMP/peer.err")"
    fi
    stop_server
fi

echo
echo "== summary ($(nproc) CPUs; medians of $RUNS runs)"
{
    echo "metric|measured|goal|met?"
    printf '%s\n' "${ROWS[@]}"
} | awk -F'|' '{ n = NR; nf = NF; for (i = 1; i <= NF; i++) { v[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
    END { for (r = 1; r <= n; r++) { line = ""
            for (i = 1; i <= nf; i++) line = line (i > 1 ? " | " : "") sprintf(i < nf ? "%-" w[i] "s" : "%s", v[r, i])
            print line } }'  # (column(1) is not in a minimal Debian)
if [ -s "$TMP/problems" ]; then
    echo
    echo "problems seen:"
    sed 's/^/  /' "$TMP/problems"
fi
rm -rf "$TMP"/data-*
exit 0
