#!/usr/bin/env bash
# Renders the HTML report in headless Chromium: fails on any console error
# or uncaught exception, and saves a screenshot to docs/html-report.png.
#
# Usage: tools/html_report_check.sh [OUT.png]
#
# Installs Debian's chromium when missing (apt-get). Never part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:-docs/html-report.png}
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/docs"
cp tests/fixtures/xi-putin-summit.spun.txt "$work/docs/xi-putin-summit.txt"
printf 'We fit irregular woodland models and counterfeit consciousness this 7 days.\nThe woodland fire data were analysed with profound learning.\n' > "$work/docs/paper.txt"
printf 'A clean paragraph with nothing to repair.\n' > "$work/docs/clean.txt"
(cd "$work/docs" && "$OLDPWD/target/release/despin" --format html --level suggest . > ../report.html) || true
# A script that also checks the page's behaviour: sorting and focus.
cat >> "$work/report.html" <<'JS'
<script>
window.addEventListener("load", function () {
  var th = document.querySelectorAll("#summary th")[0];
  th.click();
  if (th.getAttribute("aria-sort") !== "ascending") { throw new Error("sorting failed"); }
  document.querySelectorAll("#summary th")[1].click();
  var mark = document.querySelector("mark");
  mark.focus();
  if (getComputedStyle(mark.querySelector(".tip")).display !== "block") { throw new Error("tooltip hidden on focus"); }
  console.log("despin-report-ok");
});
</script>
JS
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 \
  --enable-logging=stderr --v=0 --virtual-time-budget=3000 \
  --screenshot="$PWD/$shot" "file://$work/report.html" 2> "$work/console.txt" || true
if grep -E 'CONSOLE.*(Uncaught|Error)' "$work/console.txt"; then
  echo "html report: console errors (above)" >&2
  exit 1
fi
grep -q 'despin-report-ok' "$work/console.txt" || { echo "html report: the check script did not run" >&2; cat "$work/console.txt" >&2; exit 1; }
echo "html report: no console errors; sorting and tooltips work; screenshot in $shot"
