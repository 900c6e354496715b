#!/usr/bin/env bash
# Builds the benchmarks in release (the `bench` profile) and runs them all, then prints a
# compact table. Each benchmark also prints its own detailed lines above the table.
#
#   scripts/bench.sh            # full run (≈ 2 min on a 2-core machine, after the build)
#   scripts/bench.sh --quick    # shorter workloads, for a smoke test
#   scripts/bench.sh --day      # full run plus a simulated day of the global scenario (+≈ 2 min)
#   scripts/bench.sh --profile  # hotspots of one end-to-end replication (perf, else callgrind)
#
# The exact commands it runs (also echoed as it goes):
#   cargo bench --no-run --bench engine --bench e2e --bench memory --bench peers --bench day
#   cargo bench --bench engine [-- OPS]
#   cargo bench --bench e2e [-- MEASURED_SECONDS REPEATS]
#   cargo bench --bench e2e -- 900 3 global
#   cargo bench --bench memory -- 1000000 [global]
#   cargo bench --bench memory -- 10000000 [global]
#   cargo bench --bench peers                    # bare M/M/8 loop and meridian in-process
#   cargo bench --bench day                      # with --day only
# The comparison with SimPy and Ciw is a separate script (it installs them): bench/peers/run.sh
#
# Timings are wall-clock on whatever else the machine is doing: run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
day=0
case "${1:-}" in
--quick) quick=1 ;;
--day) day=1 ;;
--profile)
    # One replication of the large scenario (flat load, ~2 M requests) under perf; with no
    # usable perf, 200 k requests under callgrind (instruction counts, ~10 s).
    bin=$(cargo bench --no-run --bench memory 2>&1 | sed -n 's/.*Executable benches\/memory.rs (\(.*\))/\1/p')
    [[ -x "$bin" ]] || { echo "could not find the memory bench binary" >&2; exit 1; }
    if perf record -q -o /dev/null -- true 2>/dev/null; then
        echo "\$ perf record -F 4999 -o target/bench-perf.data -- $bin --bench 2000000"
        perf record -q -F 4999 -o target/bench-perf.data -- "$bin" --bench 2000000 | grep -v '^ROW|'
        echo "\$ perf report -i target/bench-perf.data --no-children --sort symbol --stdio"
        perf report -i target/bench-perf.data --no-children --sort symbol --stdio 2>/dev/null |
            grep -v -e '^#' -e '^$' | sed 's/ *- *- *$//' | head -25
    else
        echo "\$ valgrind --tool=callgrind --callgrind-out-file=target/bench-callgrind.out $bin --bench 200000"
        valgrind --tool=callgrind --callgrind-out-file=target/bench-callgrind.out "$bin" --bench 200000 2>&1 |
            grep -e '^memory' -e 'refs'
        callgrind_annotate --auto=no target/bench-callgrind.out | head -40
    fi
    exit 0
    ;;
esac

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

run() {
    echo "\$ $*"
    # Detailed lines go to the terminal; ROW lines are kept for the table.
    "$@" 2> >(grep -v -e '^ *Finished' -e '^ *Running' >&2) | tee >(grep '^ROW|' >>"$rows") | grep -v '^ROW|'
}

echo "\$ cargo bench --no-run --bench engine --bench e2e --bench memory --bench peers --bench day"
cargo bench --no-run --bench engine --bench e2e --bench memory --bench peers --bench day 2>&1 |
    grep -v -e '^ *Executable' >&2

if [[ $quick == 1 ]]; then
    run cargo bench --bench engine -- 2000000
    run cargo bench --bench e2e -- 600 1
    run cargo bench --bench e2e -- 120 1 global
    run cargo bench --bench memory -- 100000
    run cargo bench --bench memory -- 1000000
    run cargo bench --bench peers -- 1000000 1
else
    run cargo bench --bench engine
    run cargo bench --bench e2e
    run cargo bench --bench e2e -- 900 3 global
    run cargo bench --bench memory -- 1000000
    run cargo bench --bench memory -- 10000000
    run cargo bench --bench memory -- 1000000 global
    run cargo bench --bench memory -- 10000000 global
    run cargo bench --bench peers
    if [[ $day == 1 ]]; then
        run cargo bench --bench day
    fi
fi
sleep 0.2 # let the tee'd process substitution flush

echo
echo "summary ($(nproc) CPU(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
{
    echo "benchmark|workload|wall|requests/s|events/s|memory"
    sed 's/^ROW|//' "$rows"
} | column -t -s '|'
