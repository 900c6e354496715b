#!/usr/bin/env bash
# Reruns every shipped scenario and checks its result against the committed baseline:
# scenarios/<name>.toml → (fresh run) → meridian check … --baseline baselines/<name>.json,
# and for scenarios with a [plan] section, meridian plan → baselines/<name>.plan.json.
# Runs are deterministic, so a fresh result should match its baseline exactly; any
# difference beyond the default tolerances fails. Also fails when a scenario has no
# baseline or a baseline no scenario. CI runs this (.ci/run).
#
#   scripts/check-baselines.sh                 # build (release) and check all
#   MERIDIAN=path/to/meridian scripts/check-baselines.sh   # use this binary, no build
#
# If a change of results is intended, bless the new results: scripts/bless-baselines.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${MERIDIAN:-}" ]]; then
    cargo build --release --quiet
    MERIDIAN="${CARGO_TARGET_DIR:-target}/release/meridian"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for scenario in scenarios/*.toml; do
    name=$(basename "$scenario" .toml)
    baseline="baselines/$name.json"
    if [[ ! -f "$baseline" ]]; then
        echo "FAIL $scenario has no baseline $baseline; create it with scripts/bless-baselines.sh $name"
        failed=1
        continue
    fi
    "$MERIDIAN" run "$scenario" --json "$tmp/$name.json" > /dev/null
    if "$MERIDIAN" check "$tmp/$name.json" --baseline "$baseline" > "$tmp/$name.check" 2>&1; then
        echo "ok   $baseline: $(tail -n 1 "$tmp/$name.check")"
    else
        echo "FAIL $baseline"
        cat "$tmp/$name.check"
        failed=1
    fi
    # A scenario with a [plan] section also has its plan checked.
    if grep -q '^\[plan\]' "$scenario"; then
        plan_baseline="baselines/$name.plan.json"
        if [[ ! -f "$plan_baseline" ]]; then
            echo "FAIL $scenario has a [plan] but no $plan_baseline; create it with scripts/bless-baselines.sh $name"
            failed=1
            continue
        fi
        "$MERIDIAN" plan "$scenario" --json "$tmp/$name.plan.json" > /dev/null
        if "$MERIDIAN" check "$tmp/$name.plan.json" --baseline "$plan_baseline" > "$tmp/$name.plan.check" 2>&1; then
            echo "ok   $plan_baseline: $(tail -n 1 "$tmp/$name.plan.check")"
        else
            echo "FAIL $plan_baseline"
            cat "$tmp/$name.plan.check"
            failed=1
        fi
    fi
done
for baseline in baselines/*.json; do
    name=$(basename "$(basename "$baseline" .json)" .plan)
    if [[ ! -f "scenarios/$name.toml" ]]; then
        echo "FAIL $baseline has no scenario scenarios/$name.toml; delete it"
        failed=1
    fi
done
if [[ $failed -ne 0 ]]; then
    echo "baselines differ from fresh runs; if the change is intended: scripts/bless-baselines.sh"
fi
exit $failed
