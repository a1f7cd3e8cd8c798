# Runs inside the two-node guest (see run.sh) with the harness's files in /out: records with the real
# `kernscope record` (RecordMain, classpath in /out/cp) while two workloads run one after the other:
#   default: first touch on node 1's CPUs, then re-pinned to node 0 (NUMA balancing should migrate the pages)
#   bind:    CPUs of node 0, memory bound to node 1 (node 1's other_node rises, no hinting faults)
# Phase times (CLOCK_BOOTTIME seconds, = CLOCK_MONOTONIC in a guest that never suspends) go to /out/phases.
# Everything the guest writes while recording stays in its tmpfs and is copied to /out at the end; a
# heartbeat goes to the serial console (run.sh's console.log), so that a stalled guest still shows how far
# it got and whether its timers still fire.
set -u
JAVA=$(cat /out/java-home)/bin/java
MB=$(cat /out/mb 2>/dev/null || echo 64) # MiB per workload
T=/tmp/run
mkdir -p $T
cd $T
mark() { echo "$1 $(cut -d' ' -f1 /proc/uptime)" >> $T/phases; echo "phase $1 $(cut -d' ' -f1 /proc/uptime)" > /dev/console; }
waitfor() { n=0; while [ ! -s "$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done; [ -s "$1" ]; }
finish() {
    cp $T/phases $T/recorder.log /out/ 2>/dev/null
    [ -s $T/numa.ktrace ] && cp $T/numa.ktrace /out/numa.ktrace
    kill "$HB" 2>/dev/null
}
( while :; do
    echo "hb $(cut -d' ' -f1 /proc/uptime) load $(cut -d' ' -f1-4 /proc/loadavg)" \
        "$(grep -E '^(numa_hint_faults|numa_pages_migrated) ' /proc/vmstat | tr '\n' ' ')" > /dev/console
    sleep 5
  done ) &
HB=$!
uname -r
numactl -H
# NUMA balancing scans a task only after it has run scan_period_min_ms of CPU time (and scan_delay_ms after
# its mm appeared): with the defaults (1000 ms each) a short, mostly sleeping workload may never be scanned.
NB=/sys/kernel/debug/sched/numa_balancing
for f in scan_delay_ms scan_period_min_ms; do [ -w $NB/$f ] && echo 200 > $NB/$f; echo "$f $(cat $NB/$f 2>/dev/null)"; done
# The jars are read from the guest's tmpfs, not over 9p, while the recorder starts.
cp -r /out/cp $T/cp
cp /out/numa-touch $T/numa-touch
# The helper's JVM stays small (2 GiB guest) and cheap to start; its stdin stays open until the recording
# should end (closing it stops the recorder as Ctrl-C would).
mkfifo $T/rec-stdin
# Under TCG the guest froze twice (no console output at all) with stacks and periodic BPF run-time stats on;
# this test is about NUMA, so both stay off here (stacks are tested on the host).
"$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dkernscope.progStats=false -cp "$T/cp/*:$T/cp/classes" \
    $(cat /out/main-class) \
    record -o $T/numa.ktrace --buffer "${BUFFER_MB:-8}" --verbose --stop-on-stdin-eof --no-stacks $(cat /out/record-args 2>/dev/null) \
    < $T/rec-stdin > $T/recorder.log 2>&1 &
REC=$!
exec 3> $T/rec-stdin
n=0; while ! grep -q "open+load+attach" $T/recorder.log 2>/dev/null && kill -0 $REC 2>/dev/null && [ $n -lt 1200 ]; do
    sleep 0.1; n=$((n + 1)); done
grep -q "open+load+attach" $T/recorder.log || { echo "recorder did not start"; cat $T/recorder.log; finish; exit 1; }
sleep 1
mark default-start
taskset -c 2-3 $T/numa-touch "$MB" "${DEFAULT_SECONDS:-14}" $T/ready-a &
A=$!
waitfor $T/ready-a || { finish; exit 1; }
mark default-touched
# the per-process page sampler runs once a second: let it see the pages on node 1 before they start moving
sleep 1.5
taskset -a -p -c 0-1 "$A"
wait "$A"
mark default-end
sleep 1
mark bind-start
numactl --cpunodebind=0 --membind=1 $T/numa-touch "$MB" "${BIND_SECONDS:-5}" $T/ready-b
mark bind-end
sleep 1
exec 3>&-
wait "$REC"
rc=$?
mark recorder-exit
echo "recorder exit $rc"
cat $T/recorder.log
grep -E 'numa_hint|numa_pages_migrated|pgmigrate' /proc/vmstat
cat $T/phases
finish
[ $rc -eq 0 ]
