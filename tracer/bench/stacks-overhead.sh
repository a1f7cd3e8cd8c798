#!/bin/bash
# Cost of stack recording on the recorded workload, in one run:
#  1. scheduler-heavy: `perf bench sched pipe` ops/s untraced, under `kernscope record --no-stacks` and under
#     `kernscope record` (stacks on: every switch and wakeup looks the thread up, every syscall exit compares a
#     word, long blocks take their stacks);
#  2. CPU-bound: a fixed amount of work (a C loop) timed untraced, under `kernscope record --no-stacks`,
#     `kernscope record` (99 Hz on-CPU stacks), `perf record -F 99 -g -a` and `perf record -F 99 --call-graph dwarf -a`.
# Workloads run on CPU 1; the recorders' user-space side (kernscope's JVM, perf's writer) is pinned to CPU 0,
# so the ratios show what the probes cost the workload. The in-kernel cost per program run is read from the
# kernel's BPF run-time stats (on while kernscope records) with bpftool.
# Usage (root, from the repo root, after `mvn -B -q -pl storage,tracer install -DskipTests`):
#   tracer/bench/stacks-overhead.sh [PIPE_LOOPS] [RUNS]
# Prints Markdown tables for tracer/BENCHMARKS-stacks-recording.md.
set -euo pipefail
LOOPS=${1:-200000}
RUNS=${2:-3}
WORK_N=${WORK_N:-4000000000}
WARM=${WARM:-6} # seconds between attach and the workload: the helper's JVM start-up, JIT and /proc scan
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# KS_CP: a ready class path (offline machines), as in overhead.sh
if [ -n "${KS_CP:-}" ]; then
  CP=$KS_CP
else
  mvn -B -q -pl tracer dependency:build-classpath -Dmdep.outputFile="$TMP/cp" >/dev/null
  CP="tracer/target/kernscope-tracer-0.1.0-SNAPSHOT.jar:$(cat "$TMP/cp")"
fi

cat >"$TMP/work.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
__attribute__((noinline)) unsigned long step(unsigned long x) { return x * 6364136223846793005UL + 1442695040888963407UL; }
int main(int argc, char **argv) {
	long n = atol(argv[1]);
	unsigned long x = 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) x = step(x);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.4f %lu\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, x & 1);
	return 0;
}
C
gcc -O1 -fno-omit-frame-pointer -o "$TMP/work" "$TMP/work.c"

cat >"$TMP/progs.py" <<'PY'
import json, sys
for p in json.load(sys.stdin):
    n = p.get("name", "")
    if n.startswith(("on_cpu_sample", "stacks_", "sched_switch", "sched_wakeup")) and p.get("run_cnt"):
        print(sys.argv[1], n, p["run_cnt"], p["run_time_ns"])
PY

pipe() { taskset -c 1 perf bench sched pipe -l "$LOOPS" | awk '/ops\/sec/ {print $1}'; }
work() { taskset -c 1 "$TMP/work" "$WORK_N" | awk '{print $1}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# under_kernscope NAME OPTS BENCH: runs BENCH under kernscope record OPTS, stopped with SIGTERM
under_kernscope() {
  local name=$1 opts=$2; shift 2
  taskset -c 0 java -cp "$CP" dev.kernscope.tracer.RecordMain record -o "$TMP/bench.ktrace" -f --verbose $opts \
    >"$TMP/ks.out" 2>"$TMP/ks.err" &
  local pid=$!
  for _ in $(seq 100); do grep -q "open+load+attach" "$TMP/ks.err" 2>/dev/null && break; sleep 0.1; done
  sleep "$WARM"
  local c0 t0 c1 t1
  c0=$(awk '{print $14 + $15}' /proc/$pid/stat); t0=$(date +%s.%N)
  "$@"
  c1=$(awk '{print $14 + $15}' /proc/$pid/stat); t1=$(date +%s.%N)
  # the helper's CPU use while the workload ran, in % of one CPU
  awk -v n="$name" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v t="$(echo "$t1 - $t0" | bc)" \
    'BEGIN {printf "%s %.1f\n", n, c / hz / t * 100}' >>"$TMP/helper"
  bpftool prog show -j | python3 "$TMP/progs.py" "$name" >>"$TMP/progs"
  kill -TERM "$pid"; wait "$pid" || true
  cat "$TMP/ks.out" >>"$TMP/ks.log"
}

# under_perf CALLGRAPH BENCH: perf record -F 99 -a --call-graph CALLGRAPH (fp: what -g does; dwarf: 8 KiB of
# user stack copied per sample, unwound afterwards)
under_perf() {
  local cg=$1; shift
  taskset -c 0 perf record -F 99 --call-graph "$cg" -a -o "$TMP/perf.data" -- sleep 600 >/dev/null 2>&1 &
  local pid=$!
  sleep "$WARM"
  "$@"
  kill -INT "$pid"; wait "$pid" || true
}

declare -A R
# variants interleaved run by run, so that the machine's other load spreads over all of them
for _ in $(seq "$RUNS"); do
  pipe >>"$TMP/pipe.untraced"
  under_kernscope pipe-nostacks "--no-stacks" pipe >>"$TMP/pipe.nostacks"
  under_kernscope pipe-stacks "" pipe >>"$TMP/pipe.stacks"
  work >>"$TMP/work.untraced"
  under_kernscope work-stacks "" work >>"$TMP/work.stacks"
  under_kernscope work-nostacks "--no-stacks" work >>"$TMP/work.nostacks"
  under_perf fp work >>"$TMP/work.perf"
  under_perf dwarf work >>"$TMP/work.perfdwarf"
done
for f in "$TMP"/pipe.* "$TMP"/work.*; do R[$(basename "$f")]=$(median <"$f"); done

echo "### perf bench sched pipe -l $LOOPS on CPU 1 (median of $RUNS)"
echo
echo "| variant | ops/s | ratio to untraced |"
echo "|---|---|---|"
for v in untraced nostacks stacks; do
  awk -v n="$v" -v x="${R[pipe.$v]}" -v b="${R[pipe.untraced]}" 'BEGIN {printf "| %s | %d | %.2f |\n", n, x, x / b}'
done
echo
echo "### CPU-bound loop ($WORK_N steps) on CPU 1 (median of $RUNS)"
echo
echo "| variant | seconds | slowdown vs untraced |"
echo "|---|---|---|"
for v in untraced nostacks stacks perf perfdwarf; do
  awk -v n="$v" -v x="${R[work.$v]}" -v b="${R[work.untraced]}" 'BEGIN {printf "| %s | %.3f | %+.1f %% |\n", n, x, (x / b - 1) * 100}'
done
echo
echo "### In-kernel cost per program run (kernel BPF run-time stats, summed over the runs of each variant)"
echo
echo "| variant | program | runs | ns/run |"
echo "|---|---|---|---|"
awk '{k = $1 " | " $2; c[k] += $3; t[k] += $4} END {for (k in c) printf "| %s | %d | %.0f |\n", k, c[k], t[k] / c[k]}' "$TMP/progs" | sort
echo
echo "### kernscope helper CPU while the workload ran (% of one CPU, median of $RUNS)"
echo
echo "| variant | helper CPU |"
echo "|---|---|"
for v in pipe-nostacks pipe-stacks work-nostacks work-stacks; do
  awk -v v="$v" '$1 == v {print $2}' "$TMP/helper" | median | awk -v v="$v" '{printf "| %s | %.1f %% |\n", v, $1}'
done
echo
echo "kernscope summaries (last runs):"
tail -4 "$TMP/ks.log"
