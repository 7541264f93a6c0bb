#!/usr/bin/env bash
# The dashboard in a real browser: render the bundled example with the CLI,
# open it in headless Chromium, take a screenshot and dump the DOM, then
# check both (tests/html/check_dashboard.py). Run by `make test-html`.
#
#   tests/html/browser_test.sh [OUT_DIR]        # default target/html-test
#   SCREENSHOT=docs/dashboard.png tests/html/browser_test.sh   # also keep the screenshot
#
# Installs Debian's `chromium` when it is missing (as root, with apt-get).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/html-test}
CARGO=${CARGO:-cargo}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is missing: installing Debian's chromium (apt-get, ~500 MB)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: chromium is not installed and this is not root; run: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  browser=$(command -v chromium)
fi
echo "browser: $("$browser" --version 2>/dev/null | head -1)"

$CARGO build --quiet -p slakit-cli
slakit=${CARGO_TARGET_DIR:-target}/debug/slakit
example=(--policy examples/policy.yaml --records examples/records.jsonl)
start=$(date +%s%N)
"$slakit" evaluate "${example[@]}" --format html --out "$OUT/dashboard.html"
end=$(date +%s%N)
"$slakit" evaluate "${example[@]}" --format json --out "$OUT/report.json"
echo "rendered $OUT/dashboard.html: $(wc -c <"$OUT/dashboard.html") bytes in $(( (end - start) / 1000000 )) ms (debug build, evaluation included)"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The flags that work headless as root on these machines (../shared/TOOLCHAIN.md).
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
       --disable-extensions --hide-scrollbars --force-device-scale-factor=1
       --user-data-dir="$profile")
url="file://$OUT/dashboard.html"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2400 --screenshot="$OUT/dashboard.png" "$url" \
  >"$OUT/chromium.log" 2>&1 || { cat "$OUT/chromium.log" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$OUT/dom.html" 2>>"$OUT/chromium.log" \
  || { cat "$OUT/chromium.log" >&2; exit 1; }
[ -s "$OUT/dashboard.png" ] || { echo "chromium wrote no screenshot" >&2; cat "$OUT/chromium.log" >&2; exit 1; }

python3 tests/html/check_dashboard.py --report "$OUT/report.json" --dom "$OUT/dom.html" --png "$OUT/dashboard.png"

if [ -n "${SCREENSHOT:-}" ]; then
  cp "$OUT/dashboard.png" "$SCREENSHOT"
  echo "kept the screenshot as $SCREENSHOT"
fi
echo "html: the example dashboard renders in headless Chromium"
