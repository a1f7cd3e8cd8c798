#!/bin/bash
# Where the recording overhead goes: perf bench sched pipe under BPF programs that do less and less, next to
# sched.bpf.o with a consumer that drops the records, and the real recorder; interleaved, one table.
# Usage (root, from the repo root, after `mvn -B -q -pl storage,tracer install -DskipTests`):
#   tracer/bench/floor/floor.sh [LOOPS] [ROUNDS]
# Needs clang, gcc and libbpf-dev. Every consumer runs on CPU 0, the load on CPU 1.
set -euo pipefail
LOOPS=${1:-400000}
ROUNDS=${2:-5}
cd "$(dirname "$0")/../../.."
HERE=tracer/bench/floor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gcc -O2 -Wall -o "$TMP/loader" "$HERE/loader.c" -lbpf
build() { clang -target bpf -D__TARGET_ARCH_x86 -O2 -g -Ibpf "${@:2}" -c "$HERE/floor.bpf.c" -o "$TMP/$1.o"; }
build empty -DEMPTY
build ts-only -DTS_ONLY
build batched-no-ts -DNO_TS
build batched
build per-event -DPER_EVENT
cp tracer/target/classes/dev/kernscope/tracer/bpf/sched.bpf.o "$TMP/sched.o"
mvn -B -q -pl tracer dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$TMP/cp" >/dev/null
CP="tracer/target/classes:storage/target/classes:$(tr ':' '\n' <"$TMP/cp" | grep -v kernscope-storage | paste -sd:)"

source tracer/bench/lib.sh
waitfor() { for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done; }

object() {
  taskset -c 0 "$TMP/loader" "$TMP/$1.o" >"$TMP/loader.out" &
  local pid=$!
  waitfor "$TMP/loader.out" ready
  bench
  kill -TERM "$pid"; wait "$pid"
}

recorder() {
  taskset -c 0 java -Xmx96m -XX:+UseSerialGC -cp "$CP" dev.kernscope.tracer.RecordMain record -o "$TMP/r.ktrace" -f --verbose --no-stacks \
    >"$TMP/r.out" 2>"$TMP/r.err" &
  local pid=$!
  waitfor "$TMP/r.err" "open+load+attach"
  sleep 0.5
  bench
  kill -TERM "$pid"; wait "$pid"
}

NAMES=(untraced empty ts-only batched-no-ts batched per-event sched.bpf.o recorder)
echo "uptime before: $(uptime)" >&2
for r in $(seq "$ROUNDS"); do
  for name in "${NAMES[@]}"; do
    case $name in
      untraced) bench ;; recorder) recorder ;; sched.bpf.o) object sched ;; *) object "$name" ;;
    esac >>"$TMP/$name"
  done
  echo "round $r done: $(uptime)" >&2
done

ratio_table "programs on sched_switch + sched_wakeup" "$ROUNDS" "${NAMES[@]}"
