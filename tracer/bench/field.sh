#!/bin/bash
# Recording in the field: `kernscope record` for SECONDS while LOAD runs, then events offered (recorded + lost)
# vs recorded vs lost per second, the helper's exit code and its peak RSS (VmHWM, sampled every 200 ms).
# LOAD: pipe (perf bench sched pipe, unpinned), pinned (the same on CPU 1), stress (stress-ng --cpu 2 --io 1
# --vm 1), none. Extra arguments go to `kernscope record` (e.g. --no-stacks).
# Usage (root, repo root, after `mvn -B -q package -DskipTests`; run under flock /tmp/kernscope-heavy.lock):
#   tracer/bench/field.sh LOAD SECONDS [record options]
set -uo pipefail
LOAD=${1:-pipe}
SECS=${2:-10}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
java -Xmx96m -XX:+UseSerialGC -cp "app/target/kernscope-app.jar:app/target/lib/*" dev.kernscope.app.Main record \
  -o "$TMP/f.ktrace" -f --verbose -d "$((SECS + 1))" "${@:3}" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do grep -q "open+load+attach" "$TMP/err" 2>/dev/null && break; sleep 0.1; done
echo "uptime before: $(uptime)"
case $LOAD in
  pipe) timeout "$SECS" perf bench sched pipe -l 1000000000 >/dev/null 2>&1 & ;;
  pinned) timeout "$SECS" taskset -c 1 perf bench sched pipe -l 1000000000 >/dev/null 2>&1 & ;;
  stress) timeout "$SECS" stress-ng --cpu 2 --io 1 --vm 1 -q >/dev/null 2>&1 & ;;
  none) sleep "$SECS" & ;;
esac
load=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
  r=$(awk '/VmHWM/{print $2}' /proc/$pid/status 2>/dev/null)
  [ -n "$r" ] && peak=$r
  sleep 0.2
done
wait "$pid"; rc=$?
wait "$load" 2>/dev/null
grep -v '^libbpf' "$TMP/err" | grep -E "decode|finish|kernscope record" | sed 's/(tp_btf.*//'
cat "$TMP/out"
read -r events lost secs < <(sed -n 's/^recorded \([0-9]*\) events, [0-9]* slices, \([0-9]*\) lost in \([0-9.]*\) s.*/\1 \2 \3/p' "$TMP/out")
awk -v e="${events:-0}" -v l="${lost:-0}" -v s="${secs:-1}" -v p="$peak" -v rc="$rc" 'BEGIN {
  printf "exit %d; offered %.0f/s, recorded %.0f/s, lost %.0f/s (%.2f %%); peak RSS %.0f MiB\n",
    rc, (e + l) / s, e / s, l / s, (e + l) ? 100 * l / (e + l) : 0, p / 1024 }'
