#!/usr/bin/env bash
# CLI test of the self-contained HTML report (ssb_html.h) in a real browser: `ssbnet run -o DIR` writes
# DIR/report.html; the page loads nothing from outside; headless Chromium renders it, its console stays empty (no JS
# error), and the page's own check (every <svg> has drawn elements with a nonzero bounding box) reports every plot
# drawn. A broken page (an empty <svg>, a script error) must be caught by the same checks. Without chromium the
# browser part is skipped with a message (scripts/install-deps installs it).
# usage: test_html.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

expect_rc "run writes the report" 0 "$BIN" run --size 32 --rates 0.5,2 -o "$T/r" --quiet
H="$T/r/report.html"
[ -s "$H" ] && ok "report.html written" || bad "no report.html"
grep -q "report.html" "$T/out" && ok "listed among the files written" || bad "report.html not listed: $(tail -1 "$T/out")"
# the page's numbers are the run's: the stack energy of each rate and the aged cathode|SE resistance of the JSON
expect_rc "the same run as JSON" 0 "$BIN" run --size 32 --rates 0.5,2 -o "$T/r2" --json --quiet
for e in $(grep -E '"energy_density_Wh_per_kg":' "$T/out" | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/'); do
  c=$(awk -v v="$e" 'BEGIN { printf "%.1f", v }')
  grep -q "<td class=\"num\">$c</td>" "$H" && ok "stack energy $c Wh/kg in the page" || bad "stack energy $c Wh/kg not in the page"
done
ra=$(grep -E '"resistance_aged_ohm_cm2":' "$T/out" | head -1 | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/')
ca=$(awk -v v="$ra" 'BEGIN { printf "%.4g", v }')
grep -q "<td>$ca</td>" "$H" && ok "aged cathode|SE resistance $ca ohm cm2 in the page" || bad "aged resistance $ca not in the page"
# self-contained: no external resource (the SVG namespace URI is a name, not a resource)
if grep -Eiq '(src=|href=|<link|@import|url\()' "$H" || grep -Eo 'https?://[^"]*' "$H" | grep -vq '^http://www.w3.org/2000/svg$'; then
  bad "external resource in the page: $(grep -Eio '(src=|href=|<link|@import|url\(|https?://)[^ >]{0,60}' "$H" | grep -v 'w3.org/2000/svg' | head -3)"
else
  ok "no external resource"
fi
nfig=$(grep -o 'class="ssb-figure"' "$H" | wc -l)
nsvg=$(grep -o '<svg ' "$H" | wc -l)
# voltage curves, rate capability, Ragone, overpotential breakdown, two slices
[ "$nfig" -eq 6 ] && [ "$nsvg" -eq 6 ] && ok "6 figures, 6 svg" || bad "figures $nfig, svg $nsvg (expected 6)"
for id in voltage-curves rate-capability ragone overpotential-breakdown slice-through-thickness slice-in-plane; do
  grep -q "id=\"$id\"" "$H" && ok "figure $id" || bad "figure $id missing"
done
[ "$(grep -o '<script' "$H" | wc -l)" -eq 1 ] && ok "one inline script" || bad "script count"

# a broken page for the negative checks: an empty plot and a script error
sed -e 's|<h1>|<figure id="empty"><svg class="ssb-plot" width="300" height="200"></svg></figure><h1>|' \
    -e 's|</body>|<script>notAFunction();</script></body>|' "$H" >"$T/broken.html"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ]; then
  if [ "$fail" -eq 0 ]; then
    echo "SKIP: chromium not found (scripts/install-deps installs it): the page was checked without a browser"
    exit 0
  fi
  finish
  exit
fi
# render: the DOM after the page's script ran, and the browser's log (console messages are INFO:CONSOLE lines)
render() {
  timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/profile" \
    --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2.dom" 2>"$2.log"
}
render "$H" "$T/good"
rc=$?
[ "$rc" -eq 0 ] && ok "chromium rendered the page" || bad "chromium exit $rc: $(tail -3 "$T/good.log")"
grep -q 'data-ssb-status="ok"' "$T/good.dom" && ok "page check: every plot drawn" ||
  bad "page check: $(grep -o 'data-ssb-status="[^"]*"' "$T/good.dom")"
grep -q 'data-ssb-plots="6/6"' "$T/good.dom" && ok "6/6 plots with nonzero bounding boxes" ||
  bad "plots drawn: $(grep -o 'data-ssb-plots="[^"]*"' "$T/good.dom")"
if grep -q 'CONSOLE' "$T/good.log"; then bad "console messages: $(grep CONSOLE "$T/good.log" | head -3)"; else ok "no console message or JS error"; fi
render "$T/broken.html" "$T/broken"
grep -q 'data-ssb-status="fail: empty"' "$T/broken.dom" && ok "broken page: the empty plot is named" ||
  bad "broken page not caught: $(grep -o 'data-ssb-[a-z]*="[^"]*"' "$T/broken.dom")"
grep -q 'Uncaught ReferenceError' "$T/broken.log" && ok "broken page: the JS error reaches the log" ||
  bad "JS error not seen in the log"
finish
