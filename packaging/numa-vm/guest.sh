# Runs inside the two-node guest (see run.sh) with the harness's files in /out: records NUMA activity with
# the classpath in /out/cp while two workloads run:
#   default: first touch on node 1's CPUs, then re-pinned to node 0 (NUMA balancing should migrate the pages)
#   bind:    CPUs of node 0, memory bound to node 1 (node 1's other_node rises, no hinting faults)
# Phase times (CLOCK_BOOTTIME seconds, = CLOCK_MONOTONIC in a guest that never suspends) go to /out/phases.
set -u
cd /out
JAVA=$(cat /out/java-home)/bin/java
MB=${MB:-200}
mark() { echo "$1 $(cut -d' ' -f1 /proc/uptime)" >> /out/phases; }
waitfor() { n=0; while [ ! -s "$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done; [ -s "$1" ]; }
rm -f phases ready-a ready-b stop
uname -r
numactl -H
"$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "/out/cp/*:/out/cp/classes" $(cat /out/main-class) \
    /tmp/numa.ktrace --stop-file /out/stop --processes 4 > /out/recorder.log 2>&1 &
REC=$!
waitfor /tmp/numa.ktrace || { echo "recorder did not start"; cat /out/recorder.log; exit 1; }
sleep 2
mark default-start
taskset -c 2-3 /out/numa-touch "$MB" "${DEFAULT_SECONDS:-25}" /out/ready-a &
A=$!
waitfor /out/ready-a || exit 1
mark default-touched
taskset -a -p -c 0-1 "$A"
grep -E '^N|anon' /proc/$A/numa_maps | head -n 3
wait "$A"
mark default-end
sleep 3
mark bind-start
numactl --cpunodebind=0 --membind=1 /out/numa-touch "$MB" "${BIND_SECONDS:-8}" /out/ready-b
mark bind-end
sleep 1
touch /out/stop
wait "$REC"
echo "recorder exit $?"
cp /tmp/numa.ktrace /out/numa.ktrace
grep -E 'numa_hint|numa_pages_migrated|pgmigrate' /proc/vmstat
cat /out/phases
