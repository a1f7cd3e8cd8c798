#!/bin/bash
# Workload throughput untraced vs under kernscope record and two peers, interleaved in one run.
# Usage (root, from the repo root, after `mvn -B -q -pl storage,tracer install -DskipTests`):
#   tracer/bench/overhead.sh [LOOPS] [ROUNDS]
# Each round runs every variant once, in turn, so that load from elsewhere hits all of them alike; the
# table shows each variant's median. Prints a Markdown table for tracer/BENCHMARKS-tracer.md.
set -euo pipefail
LOOPS=${1:-400000}
ROUNDS=${2:-5}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# KS_CP: a ready class path (offline machines); else Maven's, with this checkout's storage classes rather
# than whatever another checkout last installed into ~/.m2
if [ -n "${KS_CP:-}" ]; then
  CP=$KS_CP
else
  mvn -B -q -pl tracer dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$TMP/cp" >/dev/null
  CP="tracer/target/classes:storage/target/classes:$(tr ':' '\n' <"$TMP/cp" | grep -v kernscope-storage | paste -sd:)"
fi

source tracer/bench/lib.sh

# kernscope: start the recorder (PIN: optional taskset CPU list), wait until its programs are attached,
# run the load, stop with SIGTERM (background jobs of a script ignore SIGINT)
kernscope() {
  local pin=$1 pre=() extra=("${@:2}") CP=${KS_USE_CP:-$CP}
  [ -n "$pin" ] && pre=(taskset -c "$pin")
  "${pre[@]}" java -Xmx96m -XX:+UseSerialGC -cp "$CP" dev.kernscope.tracer.RecordMain record -o "$TMP/bench.ktrace" -f --verbose "${extra[@]}" \
    >"$TMP/ks.out" 2>"$TMP/ks.err" &
  local pid=$!
  for _ in $(seq 100); do grep -q "open+load+attach" "$TMP/ks.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  local ops
  ops=$(bench)
  kill -TERM "$pid"
  wait "$pid" || { echo "kernscope record exited with $?:" >&2; tail -n 5 "$TMP/ks.err" >&2; }
  echo "$ops"
  cat "$TMP/ks.err" "$TMP/ks.out" >>"$TMP/ks${pin:+-pinned}.log"
}

perfsched() {
  perf sched record -a -o "$TMP/perf.data" -- taskset -c 1 perf bench sched pipe -l "$LOOPS" 2>/dev/null \
    | awk '/ops\/sec/ {print $1}'
}

# perf's stack samplers at kernscope's default rate, system-wide: frame pointers, then DWARF (8 KiB of stack
# per sample, what perf copies by default)
perfg() {
  perf record -F 99 -a -g -o "$TMP/perf.data" -- taskset -c 1 perf bench sched pipe -l "$LOOPS" 2>/dev/null \
    | awk '/ops\/sec/ {print $1}'
}

perfdwarf() {
  perf record -F 99 -a --call-graph dwarf -o "$TMP/perf.data" -- taskset -c 1 perf bench sched pipe -l "$LOOPS" 2>/dev/null \
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

# kernscope-sched: scheduler events only (--no-stacks), what perf sched and bpftrace record too;
# kernscope: the default recording, with on-CPU samples and off-CPU stacks.
NAMES=(untraced kernscope-sched kernscope-sched-pinned kernscope perfsched perfg perfdwarf)
command -v bpftrace >/dev/null && NAMES+=(bpftracer)
# KS_CP_BASE: also the default recording of another build (a before/after comparison in one run)
[ -n "${KS_CP_BASE:-}" ] && NAMES+=(kernscope-base)
echo "uptime before: $(uptime)" >&2
for r in $(seq "$ROUNDS"); do
  for name in "${NAMES[@]}"; do
    case $name in
      untraced) bench ;; kernscope-sched) kernscope "" --no-stacks ;; kernscope-sched-pinned) kernscope 0 --no-stacks ;;
      kernscope) kernscope "" ;; kernscope-base) KS_USE_CP=$KS_CP_BASE kernscope "" ;;
      perfsched) perfsched ;; perfg) perfg ;; perfdwarf) perfdwarf ;; bpftracer) bpftracer ;;
    esac >>"$TMP/$name"
  done
  echo "round $r done: $(uptime)" >&2
done

ratio_table "tracer" "$ROUNDS" "${NAMES[@]}"
echo
echo "kernscope helper, every run (unpinned, then pinned to CPU 0):"
grep -hE "open\+load\+attach|decode|recorded" "$TMP/ks.log" "$TMP/ks-pinned.log" | sed 's/(tp_btf.*//'
