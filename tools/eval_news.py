#!/usr/bin/env python3
"""Scores despin on real spun news against the originals.

Usage: python3 tools/eval_news.py SOURCES_DIR [--despin target/release/despin] [-- DESPIN_ARGS...]

For each pair NN.spun.txt / NN.orig.txt in SOURCES_DIR/news-pairs (and no
other data), despin repairs the spun text as one document. A word-level
diff of spun against original gives the spun places. An applied edit is
right when its replacement words line up, word for word, with the
original's words in a diff of the repaired text against the original; it
is wrong otherwise. Places restored = right edits.
"""

import argparse
import difflib
import json
import os
import re
import subprocess

TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[^\w\s]")


def tokens(text):
    return [(m.start(), m.end(), m.group(0).lower().replace("\u2019", "'")) for m in TOKEN.finditer(text)]


def places(a, b):
    sm = difflib.SequenceMatcher(None, [t[2] for t in a], [t[2] for t in b], autojunk=False)
    return [op for op in sm.get_opcodes() if op[0] != "equal"], sm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_args()
    pairs_dir = os.path.join(args.sources, "news-pairs")
    totals = [0, 0, 0, 0]
    print("%-4s %7s %7s %7s %7s" % ("pair", "places", "edits", "right", "wrong"))
    for name in sorted(f[:-9] for f in os.listdir(pairs_dir) if f.endswith(".spun.txt")):
        spun = open(os.path.join(pairs_dir, name + ".spun.txt"), encoding="utf-8").read()
        orig = open(os.path.join(pairs_dir, name + ".orig.txt"), encoding="utf-8").read()
        out = subprocess.run([args.despin, "--check", "--format", "json", *args.rest, "-"],
                             input=spun.encode(), capture_output=True).stdout.decode()
        edits = [json.loads(l) for l in out.splitlines()]
        edits = [e for e in edits if e.get("type") == "finding" and e["applied"]]
        # Build the repaired text and remember where each replacement lands.
        spun_bytes = spun.encode()
        repaired, spans, last = b"", [], 0
        for e in edits:
            repaired += spun_bytes[last:e["byte_start"]]
            start = len(repaired)
            repaired += e["replacement"].encode()
            spans.append((start, len(repaired), e))
            last = e["byte_end"]
        repaired += spun_bytes[last:]
        repaired = repaired.decode()
        # Byte offsets to character offsets for the token spans.
        char_spans = [(len(repaired.encode()[:s].decode()), len(repaired.encode()[:t].decode()), e) for s, t, e in spans]
        spun_places, _ = places(tokens(spun), tokens(orig))
        rep_tokens = tokens(repaired)
        _, sm = places(rep_tokens, tokens(orig))
        equal = set()
        for tag, i1, i2, _, _ in sm.get_opcodes():
            if tag == "equal":
                equal.update(range(i1, i2))
        right = wrong = 0
        for s, t, e in char_spans:
            idx = [i for i, tok in enumerate(rep_tokens) if tok[0] >= s and tok[1] <= t]
            if idx and all(i in equal for i in idx):
                right += 1
            else:
                wrong += 1
                print("  wrong in %s: %r -> %r" % (name, e["found"], e["replacement"]))
        print("%-4s %7d %7d %7d %7d" % (name, len(spun_places), len(edits), right, wrong))
        for i, v in enumerate((len(spun_places), len(edits), right, wrong)):
            totals[i] += v
    p, n, r, w = totals
    print("%-4s %7d %7d %7d %7d" % ("all", p, n, r, w))
    print("places restored: %d of %d (%.1f%%); precision %.1f%%" % (r, p, 100.0 * r / p, 100.0 * r / max(n, 1)))


if __name__ == "__main__":
    main()
