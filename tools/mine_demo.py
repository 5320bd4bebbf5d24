#!/usr/bin/env python3
"""Spin never-spun abstracts with the learned swaps, then run `despin mine`.

Usage: python3 tools/mine_demo.py SOURCES_DIR [--docs 200] [--work DIR]

The documents: the first paragraphs of the held-out clean science file
(scienceie). In each, every strong term of the shipped model (listed,
WordNet, glossary) that the text uses has one of its words swapped for a
learned spun form, as a spinner would, with probability 1/2 per occurrence;
a few sure phrases of the default dictionary are added too, so the
documents look spun. `despin mine --no-default-dict` then ranks candidate
entries. A candidate is right when it maps an inserted spun phrase back to
the term it came from, exactly. The spinning uses the same learned swaps as
the miner, so this shows the workflow and the ranking, not generalisation;
tools/eval_guess.py measures that on held-out phrases.

Prints the counts and the precision of the top 10, 20 and 50 candidates,
and writes the mined TSV to WORK/mined.tsv.
"""

import argparse
import collections
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gen_dicts import words  # noqa: E402


def load_model(path):
    swaps = collections.defaultdict(list)  # original -> spun forms
    strong = set()
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if parts[0] == "swap":
            swaps[parts[2]].append((parts[1], int(parts[3])))
        elif parts[0] == "term" and {"listed", "wordnet", "glossary"} & set(parts[2].split(",")):
            if 2 <= len(parts[1].split()) <= 3:
                strong.add(parts[1])
    return swaps, strong


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="despin-mine-")
    docs_dir = os.path.join(work, "docs")
    os.makedirs(docs_dir, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    despin = os.path.join(ROOT, "target", "release", "despin")
    swaps, strong = load_model(os.path.join(ROOT, "dictionaries", "guess.tsv"))
    rng = random.Random(11)
    text = open(os.path.join(args.sources, "clean", "science", "scienceie_elsevier_oa_fulltext.txt"),
                encoding="utf-8", errors="replace").read()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.split()) > 80][: args.docs]
    inserted = collections.Counter()
    for n, para in enumerate(paragraphs):
        ws = para.split(" ")
        out = list(ws)
        for i in range(len(ws) - 1):
            for size in (2, 3):
                run = [w.lower().strip(".,;:()") for w in ws[i:i + size]]
                term = " ".join(run)
                if len(run) < size or term not in strong or rng.random() < 0.5:
                    continue
                positions = [j for j, w in enumerate(run) if swaps.get(w)]
                if not positions:
                    continue
                j = rng.choice(positions)
                spun_word = rng.choice(swaps[run[j]])[0]
                if out[i + j].lower().strip(".,;:()") != run[j]:
                    continue
                out[i + j] = out[i + j].lower().replace(run[j], spun_word)
                spun = run[:j] + [spun_word] + run[j + 1:]
                inserted[(" ".join(spun), term)] += 1
        with open(os.path.join(docs_dir, f"{n:04d}.txt"), "w", encoding="utf-8") as f:
            f.write(" ".join(out) + "\n")
    mined = subprocess.run([despin, "mine", "--no-default-dict", docs_dir], capture_output=True, text=True).stdout
    with open(os.path.join(work, "mined.tsv"), "w", encoding="utf-8") as f:
        f.write(mined)
    candidates = [tuple(line.split("\t")[:2]) for line in mined.splitlines() if line and not line.startswith("#")]
    print(f"documents: {len(paragraphs)}; spun places inserted: {sum(inserted.values())} "
          f"({len(inserted)} distinct spun phrases); candidates mined: {len(candidates)}")

    inserted_keys = set(inserted)
    for k in (10, 20, 50, len(candidates)):
        top = candidates[:k]
        if top:
            good = sum(1 for c in top if c in inserted_keys)
            print(f"  top {len(top)}: {good} exactly an inserted phrase and its term ({good / len(top):.0%})")
    found = sum(1 for key in inserted if key in set(candidates))
    print(f"inserted phrases mined exactly: {found} of {len(inserted)} ({found / max(1, len(inserted)):.0%})")
    print(f"mined TSV: {os.path.join(work, 'mined.tsv')}")


if __name__ == "__main__":
    main()
