#!/usr/bin/env bash
# Lists every edit despin would apply to never-spun text, and the rate per
# 100,000 words, so entries can be demoted with evidence.
#
# Usage: tools/clean-hits.sh [DESPIN_ARGS...] -- PATH...
#   e.g. tools/clean-hits.sh -- ../shared/data/clean/science/*.txt
# Each blank-line-separated paragraph of a file is one document, as in the
# clean corpora (pass a directory of files to treat each file as one).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [DESPIN_ARGS...] -- PATH..." >&2; exit 2; }
cargo build --release --quiet
despin=target/release/despin
python3 - "$despin" "${args[@]+"${args[@]}"}" -- "$@" <<'PY'
import json, os, subprocess, sys
despin, rest = sys.argv[1], sys.argv[2:]
split = rest.index("--")
args, paths = rest[:split], rest[split + 1:]
files = []
for p in paths:
    if os.path.isdir(p):
        files += [(os.path.join(p, f), False) for f in sorted(os.listdir(p))]
    else:
        files.append((p, True))
total_words = total_edits = 0
for path, split_docs in files:
    text = open(path, encoding="utf-8", errors="replace").read()
    docs = text.split("\n\n") if split_docs else [text]
    words = edits = 0
    for i, doc in enumerate(docs):
        out = subprocess.run([despin, "--check", "--stats", "--format", "json", *args, "-"],
                             input=doc.encode(), capture_output=True).stdout.decode()
        for line in out.splitlines():
            rec = json.loads(line)
            if rec["type"] == "summary":
                words += rec["words"]
            elif rec["applied"]:
                edits += 1
                print(f"{path}:doc {i + 1}: {rec['found']!r} -> {rec['replacement']!r} [{rec['dictionary']}, {rec['level']}]")
    total_words += words
    total_edits += edits
    print(f"# {path}: {edits} edits in {words} words = {edits * 1e5 / max(words, 1):.2f} per 100k words")
print(f"# total: {total_edits} edits in {total_words} words = {total_edits * 1e5 / max(total_words, 1):.2f} per 100k words")
PY
