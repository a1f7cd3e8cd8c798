#!/bin/bash
# Sustained recording throughput: kernscope record --no-stacks while a load runs on CPU 1 for SECONDS, then
# the recorder's own summary (events, lost, decode cost, peak RSS, finish time) and the events per second.
# RATE is round trips per second paced by pingpong.c (two threads trading a byte over pipes: two switches and
# up to two wakeups each), or "max": perf bench sched pipe flat out (about 200 k round trips a second traced
# here). The events per second come from the recorder's count.
# Usage (root, from the repo root, after `mvn -B -q -pl storage,tracer install -DskipTests`):
#   tracer/bench/sustained.sh [RATE|max] [SECONDS] [extra record options, e.g. --buffer 64]
set -euo pipefail
RATE=${1:-max}
SECONDS_=${2:-30}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gcc -O2 -Wall -pthread -o "$TMP/pingpong" tracer/bench/pingpong.c
mvn -B -q -pl tracer dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$TMP/cp" >/dev/null
CP="tracer/target/classes:storage/target/classes:$(tr ':' '\n' <"$TMP/cp" | grep -v kernscope-storage | paste -sd:)"
java -Xmx96m -XX:+UseSerialGC -cp "$CP" dev.kernscope.tracer.RecordMain record -o "$TMP/s.ktrace" -f --verbose --no-stacks "${@:3}" \
  >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do grep -q "open+load+attach" "$TMP/err" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
echo "uptime before: $(uptime)"
start=$(date +%s.%N)
if [ "$RATE" = max ]; then
  taskset -c 1 perf bench sched pipe -l $((SECONDS_ * 200000)) | grep ops/sec
else
  "$TMP/pingpong" 1 "$RATE" "$SECONDS_"
fi
end=$(date +%s.%N)
kill -TERM "$pid"
stopped=$(date +%s.%N)
wait "$pid"
done_at=$(date +%s.%N)
grep -E "open\+load\+attach|decode|finish" "$TMP/err" | sed 's/(tp_btf.*//'
cat "$TMP/out"
events=$(sed -n 's/^recorded \([0-9]*\) events.*/\1/p' "$TMP/out")
awk -v e="$events" -v s="$start" -v t="$end" -v k="$stopped" -v d="$done_at" 'BEGIN {
  printf "load %.1f s, %.0f events/s during the load; stop to file finished %.1f s\n", t - s, e / (t - s), d - k }'
ls -l "$TMP/s.ktrace" | awk '{printf "file %.0f MB\n", $5 / 1e6}'
