#!/usr/bin/env bash
# Regenerates the committed baselines: runs scenarios/<name>.toml (and plans it when it has
# a [plan] section: baselines/<name>.plan.json), shows how the fresh
# result differs from baselines/<name>.json (meridian check), then blesses it
# (meridian check … --bless: validates the result, replaces the baseline atomically).
# Review `git diff baselines/` and commit it with the change that moved the results.
#
#   scripts/bless-baselines.sh                       # every shipped scenario
#   scripts/bless-baselines.sh three-region-latency  # only these (names or paths)
#   MERIDIAN=path/to/meridian scripts/bless-baselines.sh   # use this binary, no build
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${MERIDIAN:-}" ]]; then
    cargo build --release --quiet
    MERIDIAN="${CARGO_TARGET_DIR:-target}/release/meridian"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p baselines

if [[ $# -eq 0 ]]; then
    set -- scenarios/*.toml
fi
for arg in "$@"; do
    name=$(basename "$arg" .toml)
    scenario="scenarios/$name.toml"
    baseline="baselines/$name.json"
    if [[ ! -f "$scenario" ]]; then
        echo "error: no scenario $scenario" >&2
        exit 2
    fi
    echo "== $name"
    "$MERIDIAN" run "$scenario" --json "$tmp/$name.json" > /dev/null
    if [[ -f "$baseline" ]]; then
        # Show what changes; a regression (1) or an incomparable baseline (2) is expected here.
        "$MERIDIAN" check "$tmp/$name.json" --baseline "$baseline" || true
    fi
    "$MERIDIAN" check "$tmp/$name.json" --baseline "$baseline" --bless
    if grep -q '^\[plan\]' "$scenario"; then
        plan_baseline="baselines/$name.plan.json"
        "$MERIDIAN" plan "$scenario" --json "$tmp/$name.plan.json" > /dev/null
        if [[ -f "$plan_baseline" ]]; then
            "$MERIDIAN" check "$tmp/$name.plan.json" --baseline "$plan_baseline" || true
        fi
        "$MERIDIAN" check "$tmp/$name.plan.json" --baseline "$plan_baseline" --bless
    fi
done
