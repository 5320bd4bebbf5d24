#!/usr/bin/env python3
"""Plants dictionary spins in never-spun sentences, to measure how the
context stage judges true repairs.

Usage: python3 tools/plant.py SOURCES_DIR [--despin BIN] [--per-entry N] [--out FILE]

For every `sure` and `likely` entry of dictionaries/news.tsv and
dictionaries/science.tsv, sentences of SOURCES_DIR/clean that use the
entry's original phrase get it replaced by the entry's spun phrase (at
most N sentences per entry, one plant per sentence). Sentences from the
first half of a file are the dev split, the second half held out. Each
planted sentence is its own paragraph of one file, and despin checks it
with `--check --format json --level guess`; the finding at the planted
span, if any, is written out with its figures (one TSV row per plant:
split, dictionary, level, found, applied, gain, lift, right).
"""

import argparse
import json
import os
import re
import subprocess
import sys

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


def entries(path):
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3 and f[2] in ("sure", "likely") and (len(f) < 4 or not f[3].strip() or f[3].startswith("#")):
            yield f[0], f[1], f[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("--per-entry", type=int, default=3)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    by_original = {}
    for name in ("news", "science"):
        for spun, original, level in entries(os.path.join("dictionaries", name + ".tsv")):
            key = tuple(w.lower() for w in WORD.findall(original))
            if key and key != tuple(w.lower() for w in WORD.findall(spun)):
                by_original.setdefault(key, (spun, original, level, name))
    longest = max(len(k) for k in by_original)
    used = {}
    plants = []
    clean = os.path.join(args.sources, "clean")
    for corpus in sorted(os.listdir(clean)):
        folder = os.path.join(clean, corpus)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt") or name.startswith("README"):
                continue
            text = open(os.path.join(folder, name), encoding="utf-8", errors="replace").read()
            half = len(text) // 2
            for m in SENTENCE.finditer(text):
                sentence = m.group(0).strip()
                words = list(WORD.finditer(sentence))
                lower = [w.group(0).lower() for w in words]
                for i in range(len(words)):
                    hit = None
                    for n in range(min(longest, len(words) - i), 0, -1):
                        key = tuple(lower[i:i + n])
                        if key in by_original and used.get(key, 0) < args.per_entry:
                            hit = key
                            break
                    if hit:
                        spun, original, level, dictionary = by_original[hit]
                        start, end = words[i].start(), words[i + len(hit) - 1].end()
                        written = sentence[start:end]
                        if written[0].isupper():
                            spun = spun[0].upper() + spun[1:]
                        planted = sentence[:start] + spun + sentence[end:]
                        split = "dev" if m.start() < half else "held-out"
                        plants.append((split, dictionary, level, planted, start, start + len(spun), written))
                        used[hit] = used.get(hit, 0) + 1
                        break
    # One paragraph per plant; remember each one's byte offset.
    data, offsets = b"", []
    for p in plants:
        offsets.append(len(data))
        data += p[3].encode() + b"\n\n"
    out = subprocess.run([args.despin, "--check", "--format", "json", "--level", "guess", "-"],
                         input=data, capture_output=True).stdout.decode()
    found = {}
    for f in map(json.loads, out.splitlines()):
        if f.get("type") == "finding":
            found.setdefault(f["byte_start"], []).append(f)
    sink = sys.stdout if args.out == "-" else open(args.out, "w")
    sink.write("split\tdictionary\tlevel\tplanted\tfound\tapplied\tgain\tlift\tright\n")
    for p, offset in zip(plants, offsets):
        split, dictionary, level, planted, start, end, written = p
        b0 = offset + len(planted[:start].encode())
        b1 = offset + len(planted[:end].encode())
        hit = [f for f in found.get(b0, []) if f["byte_end"] == b1]
        if hit:
            f = hit[0]
            right = f["replacement"].lower() == written.lower()
            sink.write(f"{split}\t{dictionary}\t{f['level']}\t{planted[start:end]}\t1\t{int(f['applied'])}\t{f.get('gain', '')}\t{f.get('lift', '')}\t{int(right)}\n")
        else:
            sink.write(f"{split}\t{dictionary}\t{level}\t{planted[start:end]}\t0\t0\t\t\t0\n")


if __name__ == "__main__":
    main()
