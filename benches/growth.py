#!/usr/bin/env python3
"""How each pass grows with one document's size: doubling the document
should at most double its time (the goal allows 2.3x for noise).

Usage: python3 benches/growth.py [--despin target/release/despin] [--runs 3]

Each input family is one document of 125, 250, 500 and 1000 KB (the
largest one-document input): repeated spun phrases with guesses reported,
an --ignore-regex that matches every word, Markdown with code spans on
every line, capitalised name-like text for the name pass, and a JSON Lines
record whose one field holds the whole text. Prints the median time of
--runs runs per size, and each doubling's ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

SIZES_KB = [125, 250, 500, 1000]
SPUN = "Counterfeit consciousness and woodland fire spread in the tremendous information center. "
NAMES = "Ann Save, a tester, said the Release Notes were late. Analyst Release said so. "
MARKDOWN = "Use `this 7 days` and [a link](http://example.com/x) in man or woman text.\n"

FAMILIES = [
    ("guesses reported", SPUN, ".txt", ["--check", "--level", "guess"]),
    ("ignore every word", SPUN, ".txt", ["--ignore-regex", r"\b\w+\b"]),
    ("markdown spans", MARKDOWN, ".md", []),
    ("name-like capitals", NAMES, ".txt", ["--check"]),
    ("one JSON Lines field", SPUN, ".jsonl", ["--jsonl"]),
]


def make(path, unit, kb, suffix):
    body = unit * (kb * 1024 // len(unit))
    if suffix == ".jsonl":
        body = json.dumps({"text": body}) + "\n"
    with open(path, "w") as f:
        f.write(body)


def timed(cmd, path, stdin):
    start = time.perf_counter()
    with open(path, "rb") as f:
        if stdin:
            subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            subprocess.run(cmd + [path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--despin", default="target/release/despin")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    worst = 0.0
    with tempfile.TemporaryDirectory() as work:
        print(f"{'family':<22}" + "".join(f"{kb:>8} KB" for kb in SIZES_KB) + "   doublings")
        for name, unit, suffix, flags in FAMILIES:
            times = []
            for kb in SIZES_KB:
                path = os.path.join(work, f"in-{kb}{suffix}")
                make(path, unit, kb, suffix)
                cmd = [args.despin, *flags]
                runs = [timed(cmd, path, suffix == ".jsonl") for _ in range(args.runs)]
                times.append(statistics.median(runs))
            ratios = [b / a for a, b in zip(times, times[1:])]
            worst = max(worst, *ratios)
            print(f"{name:<22}" + "".join(f"{t:>9.3f}s" for t in times)
                  + "   " + " ".join(f"{r:.2f}" for r in ratios))
    print(f"worst doubling: {worst:.2f}x (goal <= 2.3x)")


if __name__ == "__main__":
    main()
