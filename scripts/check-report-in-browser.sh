#!/usr/bin/env bash
# Renders an HTML report in a real browser: installs Debian's chromium if absent, writes the
# report of a shipped scenario, screenshots it headless, and checks the screenshot has the
# window's size and is not blank (scripts/check-screenshot.py).
#
# Usage: scripts/check-report-in-browser.sh [SCREENSHOT.png]   (kept when a path is given)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium > /dev/null; then
    echo "installing chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi

cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shot=${1:-$tmp/report.png}
width=1280
height=2000

meridian="${CARGO_TARGET_DIR:-target}/release/meridian"
"$meridian" run scenarios/region-outage-drill.toml --replications 1 \
    --report "$tmp/report.html" > /dev/null
"$meridian" plan scenarios/plan-three-region.toml --replications 2 \
    --report "$tmp/plan.html" > /dev/null

# Screenshots $1 (an HTML file) into $2 and checks it rendered.
render() {
    local page=$1 png=$2
    # No network, no first-run or background services; a throw-away profile.
    if ! timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --window-size=$width,$height \
        --screenshot="$png" "file://$page" > "$tmp/chromium.log" 2>&1; then
        echo "FAIL chromium could not render $page:"
        cat "$tmp/chromium.log"
        exit 1
    fi
    if [[ ! -s "$png" ]]; then
        echo "FAIL chromium wrote no screenshot of $page:"
        cat "$tmp/chromium.log"
        exit 1
    fi
    python3 scripts/check-screenshot.py "$png" $width $height
}
render "$tmp/report.html" "$shot"
render "$tmp/plan.html" "$tmp/plan.png"
