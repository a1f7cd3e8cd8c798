#!/bin/bash
# Workload throughput untraced vs under kernscope record and two peers, in one run.
# Usage (root, from the repo root, after `mvn -B -q -pl tracer -am install -DskipTests`):
#   tracer/bench/overhead.sh [LOOPS] [RUNS]
# Prints a Markdown table for tracer/BENCHMARKS-tracer.md.
set -euo pipefail
LOOPS=${1:-400000}
RUNS=${2:-3}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mvn -B -q -pl tracer dependency:build-classpath -Dmdep.outputFile="$TMP/cp" >/dev/null
CP="tracer/target/kernscope-tracer-0.1.0-SNAPSHOT.jar:$(cat "$TMP/cp")"

bench() { taskset -c 1 perf bench sched pipe -l "$LOOPS" | awk '/ops\/sec/ {print $1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# kernscope: start the recorder, wait until its programs are attached, run the load, stop with SIGTERM
# (background jobs of a script ignore SIGINT)
kernscope() {
  java -cp "$CP" dev.kernscope.tracer.RecordMain record -o "$TMP/bench.ktrace" -f --verbose >"$TMP/ks.out" 2>"$TMP/ks.err" &
  local pid=$!
  for _ in $(seq 100); do grep -q "open+load+attach" "$TMP/ks.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  local t0 t1 ops
  t0=$(date +%s.%N); ops=$(bench); t1=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid"
  echo "$ops"
  echo "$ops $t0 $t1" >>"$TMP/ks.runs"
  cat "$TMP/ks.err" "$TMP/ks.out" >>"$TMP/ks.log"
}

perfsched() {
  perf sched record -a -o "$TMP/perf.data" -- taskset -c 1 perf bench sched pipe -l "$LOOPS" 2>/dev/null \
    | awk '/ops\/sec/ {print $1}'
}

bpftracer() {
  bpftrace -e 'tracepoint:sched:sched_switch { @s[cpu] = count(); } tracepoint:sched:sched_wakeup { @w[cpu] = count(); }' \
    >/dev/null 2>&1 &
  local pid=$!
  sleep 3
  bench
  kill -TERM "$pid"; wait "$pid" || true
}

declare -A R
for name in untraced kernscope perfsched bpftracer; do
  for _ in $(seq "$RUNS"); do
    case $name in
      untraced) bench ;; kernscope) kernscope ;; perfsched) perfsched ;; bpftracer) bpftracer ;;
    esac
  done | median >"$TMP/$name"
  R[$name]=$(cat "$TMP/$name")
done

base=${R[untraced]}
echo "| tracer | ops/s (median of $RUNS) | ratio to untraced |"
echo "|---|---|---|"
for name in untraced kernscope perfsched bpftracer; do
  awk -v n="$name" -v v="${R[$name]}" -v b="$base" 'BEGIN {printf "| %s | %d | %.2f |\n", n, v, v / b}'
done
echo
echo "kernscope helper (last run):"
grep -E "open\+load\+attach|decode|recorded" "$TMP/ks.log" | tail -3
