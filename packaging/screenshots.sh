#!/usr/bin/env bash
# Launches the real kernscope app under Xvfb on the sample trace and saves the main window with each panel
# (Flame graph, NUMA, Threads, Latency) to docs/img/kernscope-<panel>.png. Needs Debian xvfb, xauth, libgtk-3-0.
# Usage: packaging/screenshots.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
out=$(readlink -f "${1:-$root/docs/img}")
mkdir -p "$out"
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run not found: apt-get install xvfb xauth libgtk-3-0" >&2; exit 2; }
KERNSCOPE_JAVA_OPTS="${KERNSCOPE_JAVA_OPTS:-} -Dkernscope.screenshots=$out -Dprism.order=sw" \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$root/kernscope"
ls -1 "$out"/kernscope-*.png
