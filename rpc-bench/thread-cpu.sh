#!/usr/bin/env bash
# Per-thread CPU of the benchmark JVM over a window of a running point (Linux only: /proc/<pid>/task/*/schedstat,
# the scheduler's own nanosecond count, which the clock-tick figures of /proc/<pid>/task/*/stat are too coarse for
# threads that wake briefly). Needs jcmd and jstack from the JDK.
#
#   rpc-bench/thread-cpu.sh DELAY WINDOW [pipeline-bench flags...]
#
# Starts ./pipeline-bench with the flags, waits DELAY seconds (settling, warm-up), reads every thread's CPU time,
# waits WINDOW seconds, reads again, and prints each thread's CPU over the window (ms) with its name, busiest last.
# Measure one point with a --duration that outlasts the window, e.g. (docs/benchmarks.md, fifteenth session):
#   rpc-bench/thread-cpu.sh 85 20 --transports kafka --payloads 10KB --in-flight 256 --duration 40s --warmup 5s \
#       --settle 60s --only pipeline
# and divide by the point's calls per second (results.md) for the CPU per call of each thread.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=$1
window=$2
shift 2
out=$(mktemp -d)
./pipeline-bench "$@" --no-chart --output "$out/results" > "$out/bench.log" 2>&1 &
bench=$!
sleep "$delay"
pid=$(jcmd -l | awk '/BrokerComparison/ {print $1; exit}')
if [ -z "$pid" ]; then
  echo "the benchmark JVM is not running (see $out/bench.log)" >&2
  exit 1
fi
snapshot() {
  for t in /proc/"$pid"/task/*; do
    ns=$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null) || continue
    echo "${t##*/} $ns"
  done
}
snapshot > "$out/before"
sleep "$window"
snapshot > "$out/after"
jstack "$pid" > "$out/jstack" 2>/dev/null || true
# thread names by native id (jstack prints nid=0x...)
sed -n 's/^"\([^"]*\)".* nid=0x\([0-9a-f]*\) .*/\2 \1/p' "$out/jstack" | while read -r hex name; do
  echo "$((16#$hex)) $name"
done > "$out/names"
echo "CPU of the benchmark JVM's threads over ${window} s (ms):"
awk 'FILENAME == ARGV[1] { before[$1] = $2; next }
     FILENAME == ARGV[2] { id = $1; $1 = ""; names[id] = substr($0, 2); next }
     { ms = ($2 - before[$1]) / 1e6; total += ms; if (ms >= 1) printf "%9.0f  %s\n", ms, ($1 in names ? names[$1] : "tid " $1) }
     END { printf "%9.0f  total\n", total }' "$out/before" "$out/names" "$out/after" | sort -n
wait "$bench" || true
echo "point results: $out/results/results.md"
