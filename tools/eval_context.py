#!/usr/bin/env python3
"""Dumps every finding despin reports, with its contextual figures and
whether it is right, to calibrate the context stage.

Usage: python3 tools/eval_context.py SOURCES_DIR [--despin BIN] [--out FILE] [-- DESPIN_ARGS...]

Findings are those of `despin --check --format json --level guess` (every
level, applied or not). On the news pairs (SOURCES_DIR/news-pairs) a
finding is right when its replacement's words are the original's words at
that place, in a word diff of spun against original; pairs 01, 02 and 05
are the dev split, 10 and 11 held out. Every finding on never-spun text
(SOURCES_DIR/clean, each file whole) is wrong; the first half of a file is
dev, the second held out. Output: one TSV row per finding.
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys

TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
DEV_PAIRS = {"01", "02", "05"}


def words(text):
    return [(m.start(), m.end(), m.group(0).lower().replace("\u2019", "'")) for m in TOKEN.finditer(text)]


def findings(despin, rest, data):
    out = subprocess.run([despin, "--check", "--format", "json", "--level", "guess", *rest, "-"],
                         input=data, capture_output=True).stdout.decode()
    return [f for f in map(json.loads, out.splitlines()) if f.get("type") == "finding"]


def char_range(data, f):
    return len(data[:f["byte_start"]].decode()), len(data[:f["byte_end"]].decode())


def label(spun_words, orig_words, opcodes, start, end, replacement):
    """Whether the replacement gives the original's words at [start, end)."""
    idx = [i for i, w in enumerate(spun_words) if w[0] >= start and w[1] <= end]
    if not idx:
        return False
    a, b = idx[0], idx[-1] + 1
    want = [w[2] for w in words(replacement)]
    for tag, i1, i2, j1, j2 in opcodes:
        if i2 <= a and not (tag == "insert" and i1 == a) or i1 >= b and i1 > a:
            continue
        if tag == "equal":
            return False
        # The original words of the changed run, with one word either side
        # for a finding that covers unchanged neighbours too.
        lo, hi = max(j1 - (i1 - a if a < i1 else 0), 0), j2 + max(b - i2, 0)
        orig = [w[2] for w in orig_words[lo:hi]]
        return any(orig[k:k + len(want)] == want for k in range(len(orig) - len(want) + 1))
    return False


def row(out, kind, split, name, f, right):
    out.write("\t".join(map(str, [kind, split, name, f["level"], f["dictionary"], int(f["applied"]),
                                   f.get("gain", ""), f.get("lift", ""), f.get("score", ""), int(right),
                                   f["found"], f["replacement"]])) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("--out", default="-")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    out.write("kind\tsplit\tfile\tlevel\tsource\tapplied\tgain\tlift\tscore\tright\tfound\treplacement\n")
    pairs = os.path.join(args.sources, "news-pairs")
    for name in sorted(f[:-9] for f in os.listdir(pairs) if f.endswith(".spun.txt")):
        spun = open(os.path.join(pairs, name + ".spun.txt"), encoding="utf-8").read()
        orig = open(os.path.join(pairs, name + ".orig.txt"), encoding="utf-8").read()
        sw, ow = words(spun), words(orig)
        opcodes = difflib.SequenceMatcher(None, [w[2] for w in sw], [w[2] for w in ow], autojunk=False).get_opcodes()
        data = spun.encode()
        for f in findings(args.despin, args.rest, data):
            s, e = char_range(data, f)
            right = label(sw, ow, opcodes, s, e, f["replacement"])
            row(out, "news", "dev" if name in DEV_PAIRS else "held-out", name, f, right)
    clean = os.path.join(args.sources, "clean")
    for corpus in sorted(os.listdir(clean)):
        folder = os.path.join(clean, corpus)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt") or name.startswith("README"):
                continue
            data = open(os.path.join(folder, name), "rb").read()
            for f in findings(args.despin, args.rest, data):
                split = "dev" if f["byte_start"] < len(data) // 2 else "held-out"
                row(out, "clean-" + corpus, split, name, f, False)


if __name__ == "__main__":
    main()
