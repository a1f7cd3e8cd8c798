#!/usr/bin/env bash
# Records the bundled sample trace (packaging/samples/sample.ktrace) on this machine with `kernscope record`:
# a small C workload (named CPU-bound functions, a pipe ping-pong, a sleeper), a JIT-compiled Java method
# with a perf map, and a compression job, for about 4 seconds, with stacks and NUMA counters. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/sample.ktrace}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O0 -g -fno-omit-frame-pointer -pthread "$here/workload.c" -o "$work/workload"
cat > "$work/Hot.java" <<'JAVA'
public class Hot {
    static long fibonacciChecksum(int n) { long a = 0, b = 1; for (int i = 0; i < n; i++) { long t = a + b; a = b; b = t ^ (t >>> 7); } return a; }
    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + (long) (Double.parseDouble(args[0]) * 1e9), s = 0;
        while (System.nanoTime() < end) { s += fibonacciChecksum(100_000); Thread.sleep(1); }
        System.out.println(s);
    }
}
JAVA
javac -d "$work" "$work/Hot.java"
head -c 64M /dev/urandom > "$work/blob"

"$root/kernscope" record -o "$out" -d 5 --force &
rec=$!
sleep 1.2   # the recorder is attached well before this
"$work/workload" 3.5 > /dev/null &
java -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer -cp "$work" Hot 3 > /dev/null &
(gzip -1 -c "$work/blob" > /dev/null) &
wait $rec
wait
# Repack the finished file: the sample ships in the repository and in the package.
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("VACUUM"); c.close()' "$out"
[ -n "${SUDO_UID:-}" ] && chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$out"
"$root/kernscope" info "$out"
