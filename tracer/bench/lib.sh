# Shared by the overhead benchmarks; source it. Needs LOOPS, and TMP for ratio_table.

# one perf bench sched pipe run on CPU 1: prints ops/s
bench() { taskset -c 1 perf bench sched pipe -l "$LOOPS" | awk '/ops\/sec/ {print $1}'; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio_table FIRST-COLUMN-TITLE ROUNDS NAME...: a Markdown table of each variant's median ops/s (one number
# per line in $TMP/NAME), all runs, and its ratio to the median of $TMP/untraced
ratio_table() {
  local title=$1 rounds=$2 base v name
  shift 2
  base=$(median <"$TMP/untraced")
  echo "| $title | ops/s (median of $rounds) | all runs | ratio to untraced |"
  echo "|---|---|---|---|"
  for name in "$@"; do
    v=$(median <"$TMP/$name")
    awk -v n="$name" -v v="$v" -v b="$base" -v all="$(paste -sd' ' "$TMP/$name")" \
      'BEGIN {printf "| %s | %d | %s | %.3f |\n", n, v, all, v / b}'
  done
}
