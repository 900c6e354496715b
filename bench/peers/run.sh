#!/usr/bin/env bash
# Peer benchmark (issue #7): the same M/M/c model — c = 8, utilisation 0.8, 10^6 customers,
# exponential service with mean 100 ms — in meridian (through its normal scenario path:
# `meridian run bench/peers/mmc.toml`), in SimPy and in Ciw, plus a bare Rust BinaryHeap loop
# (benches/peers.rs) as the ceiling. Each implementation's mean wait in queue, pooled over the
# RUNS runs (different seeds), is checked against Erlang C (within 3 %); customers/s is the
# median of the RUNS runs; ratios are against SimPy.
#
# Why pooled: waits of successive customers are strongly correlated, so one run of 10^6
# customers estimates the M/M/8 mean wait with a relative standard error of about 2 %
# (relative asymptotic variance ≈ 500 per customer, between the M/M/4 and M/M/16 values
# measured for tests/integration/validation.rs); a per-run 3 % check would fail a correct
# simulator about one run in six. Pooled over 3 runs the standard error is ≈ 1.3 %. Each
# run's deviation is printed too.
#
#   bench/peers/run.sh            # RUNS=3
#   RUNS=5 bench/peers/run.sh
#
# SimPy and Ciw are installed from PyPI into bench/peers/.venv (created on first use, kept;
# gitignored). Wall times: meridian's is the whole `meridian run` process (start-up, catalog,
# scenario parsing, simulation, JSON output); the Python ones time the simulation only
# (interpreter start-up and imports excluded), which favours the peers. Timings are wall
# clock: run on an otherwise idle machine. Nothing here fails on a timing; it fails only if
# a model is wrong (mean wait off Erlang C by more than 3 %) or a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
SERVERS=8
RHO=0.8
CUSTOMERS=1000000
TOLERANCE=0.03
here=bench/peers
venv=$here/.venv

if [[ ! -x $venv/bin/python ]]; then
    echo "\$ python3 -m venv $venv && $venv/bin/pip install simpy ciw"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet simpy ciw
fi
py=$venv/bin/python
echo "peers: $("$py" -c 'import simpy, ciw; print(f"SimPy {simpy.__version__}, Ciw {ciw.__version__}")'), $("$py" --version)"

echo "\$ cargo build --release && cargo bench --no-run --bench peers"
cargo build --release --quiet
bench_bin=$(cargo bench --no-run --bench peers 2>&1 | sed -n 's/.*Executable benches\/peers.rs (\(.*\))/\1/p')
[[ -x $bench_bin ]] || { echo "could not find the peers bench binary" >&2; exit 1; }
meridian=${CARGO_TARGET_DIR:-target}/release/meridian

want_ms=$("$py" $here/erlang.py $SERVERS $RHO 100)
echo "model: M/M/$SERVERS, rho $RHO, $CUSTOMERS customers, service mean 100 ms; Erlang C mean wait $want_ms ms"

results=$(mktemp)
tmpjson=$(mktemp)
trap 'rm -f "$results" "$tmpjson"' EXIT

# record NAME CUSTOMERS WALL_S WAIT_MS
record() {
    local dev
    dev=$(awk -v got="$4" -v want="$want_ms" 'BEGIN { printf "%+.2f %%", 100 * (got - want) / want }')
    printf '  %-9s %9d customers in %8.3f s, mean wait %8.3f ms (Erlang C %s)\n' "$1" "$2" "$3" "$4" "$dev"
    echo "$1 $2 $3 $4" >>"$results"
}

for run in $(seq 1 "$RUNS"); do
    echo "run $run/$RUNS"
    # meridian through its scenario path: the CLI, a TOML file, the JSON document.
    start=$(date +%s.%N)
    "$meridian" run $here/mmc.toml --seed $((7 + run)) --json "$tmpjson" >/dev/null
    end=$(date +%s.%N)
    read -r n wq < <("$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["engine"]["requests_simulated"], d["latency"]["queue_wait"]["mean_ms"])' "$tmpjson")
    record meridian "$n" "$(echo "$end - $start" | bc -l)" "$wq"

    read -r n wall wq < <("$py" $here/simpy_mmc.py $SERVERS $RHO $CUSTOMERS $run)
    record simpy "$n" "$wall" "$(echo "$wq * 1000" | bc -l)"

    read -r n wall wq < <("$py" $here/ciw_mmc.py $SERVERS $RHO $CUSTOMERS $run)
    record ciw "$n" "$wall" "$(echo "$wq * 1000" | bc -l)"

    # The bare loop and meridian's library path, one repetition each per run.
    while IFS='|' read -r _ name n wall wq; do
        record "$name" "$n" "$wall" "$wq"
    done < <("$bench_bin" --bench $CUSTOMERS 1 $((7 + run)) | grep '^PEER|')
done

echo
echo "median of $RUNS runs (customers/s = customers ÷ wall; ratio = ÷ SimPy's customers/s)"
"$py" - "$results" "$want_ms" "$TOLERANCE" <<'PY'
import statistics, sys
rates, waits = {}, {}
for line in open(sys.argv[1]):
    name, n, wall, wq = line.split()
    rates.setdefault(name, []).append(int(n) / float(wall))
    waits.setdefault(name, []).append((int(n), float(wq)))
want, tol = float(sys.argv[2]), float(sys.argv[3])
med = {k: statistics.median(v) for k, v in rates.items()}
label = {
    "meridian": "meridian run (CLI, scenario file)",
    "library": "meridian simulate() (in-process)",
    "bare": "bare Rust BinaryHeap loop",
    "simpy": "SimPy",
    "ciw": "Ciw",
}
print(f"{'implementation':<36} {'customers/s':>12} {'× SimPy':>9} {'× Ciw':>8}")
for k in ["meridian", "library", "bare", "simpy", "ciw"]:
    if k in med:
        print(f"{label[k]:<36} {med[k]:>12,.0f} {med[k] / med['simpy']:>9.1f} {med[k] / med['ciw']:>8.1f}")
if "bare" in med:
    print(f"meridian CLI at {100 * med['meridian'] / med['bare']:.0f} % of the bare loop; "
          f"in-process at {100 * med['library'] / med['bare']:.0f} %")
print()
print(f"mean wait in queue pooled over the runs vs Erlang C {want:.3f} ms (tolerance {100 * tol:.0f} %)")
failed = False
for k in ["meridian", "library", "bare", "simpy", "ciw"]:
    if k in waits:
        n = sum(c for c, _ in waits[k])
        pooled = sum(c * w for c, w in waits[k]) / n
        err = (pooled - want) / want
        ok = abs(err) <= tol
        failed |= not ok
        print(f"  {label[k]:<36} {pooled:8.3f} ms {100 * err:+6.2f} % {'ok' if ok else 'FAIL'}")
sys.exit(1 if failed else 0)
PY
