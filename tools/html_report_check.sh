#!/usr/bin/env bash
# Renders the HTML report in headless Chromium: fails on any console error
# or uncaught exception, checks sorting, tooltips, and the editor's work
# (toggle two findings, save, compare the saved text with the expected
# one; export CSV), and saves a screenshot to docs/html-report.png.
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
printf 'We fit an irregular woodland and counterfeit consciousness this 7 days.\r\nWe used big information.\n' > "$work/docs/editor.txt"
(cd "$work/docs" && "$OLDPWD/target/release/despin" --format html --level suggest . > ../report.html) || true
# A script that also checks the page's behaviour: sorting and focus.
cat >> "$work/report.html" <<'JS'
<script>
window.addEventListener("load", function () {
  var th = document.querySelectorAll("#summary th")[0];
  th.click();
  if (th.getAttribute("aria-sort") !== "ascending") { throw new Error("sorting failed"); }
  document.querySelectorAll("#summary th")[1].click();
  var mark = document.querySelector("pre.text mark");
  mark.focus();
  if (getComputedStyle(mark.querySelector(".tip")).display !== "block") { throw new Error("tooltip hidden on focus"); }
  // The editor: reject the first finding, accept the suggested one,
  // save, and read back what the save button wrote.
  var section = Array.prototype.find.call(document.querySelectorAll("section"),
    function (s) { return s.dataset.name === "./editor.txt"; });
  if (!section) { throw new Error("no editor.txt section"); }
  var boxes = section.querySelectorAll("input.accept");
  var stated = Array.prototype.find.call(boxes, function (box) {
    return document.getElementById(box.dataset.mark).dataset.found === "big information"; });
  if (!boxes[0].checked || stated.checked) { throw new Error("toggles do not start at what despin applies"); }
  boxes[0].click();
  stated.click();
  // Keep what the buttons would download, and stay on the page.
  var saved = [];
  URL.createObjectURL = function (blob) { saved.push(blob); return "#"; };
  var click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {};
  section.querySelector("button.save").click();
  section.querySelector("button.csv").click();
  HTMLAnchorElement.prototype.click = click;
  section.scrollIntoView();
  var expected = "We fit an irregular woodland and artificial intelligence this week.\r\nWe used big data.\n";
  saved[0].text().then(function (text) {
    if (text !== expected) { throw new Error("saved text differs: " + JSON.stringify(text)); }
    return saved[1].text();
  }).then(function (csv) {
    var lines = csv.trim().split("\r\n");
    if (lines.length !== 5 || lines[0].indexOf("document,line,found") !== 0) { throw new Error("bad CSV: " + csv); }
    if (lines[1].indexOf("an irregular woodland,a random forest,science,sure,true,false") < 0) { throw new Error("bad CSV row: " + lines[1]); }
    console.log("despin-editor-ok");
    console.log("despin-report-ok");
  }).catch(function (error) { console.error("Error: " + error.message); });
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
grep -q 'despin-editor-ok' "$work/console.txt" || { echo "html report: the editor's check failed" >&2; exit 1; }
echo "html report: no console errors; sorting and tooltips work; two findings toggled, the saved text is as expected, CSV exported; screenshot in $shot"
