#!/usr/bin/env python3
"""Spins never-spun text with WordNet synonyms (a thesaurus that despin does
not use for candidates) and scores the context stage's proposals on it.

Usage: python3 tools/eval_spun.py SOURCES_DIR [--despin BIN] [--rate 0.15] [--wordnet /usr/share/wordnet] [-- DESPIN_ARGS...]

Documents are runs of paragraphs of 150 to 400 words from the State of the
Union addresses and Brown's news and editorial genres (news-like prose).
The first half of each corpus's documents is the dev split, the second
held out. In each document, every content word (three letters or more, not
among the 200 most frequent web words) is replaced with probability --rate
by a random single-word WordNet synonym (seeded, so runs repeat). despin
checks the spun and the clean copies at `--level context`, each document
its own file. A context proposal is right when it restores the original
word at a spun place. Printed per split: places, proposals, right,
precision, recall, and the gate's proposal rate (per 1,000 eligible words)
on clean and spun documents.
"""

import argparse
import json
import os
import random
import re
import subprocess
import tempfile

WORD = re.compile(r"[A-Za-z]+")


def wordnet_synonyms(folder):
    synonyms = {}
    for pos in ("noun", "verb", "adj", "adv"):
        for line in open(os.path.join(folder, "data." + pos), encoding="latin-1"):
            if line.startswith("  "):
                continue
            f = line.split()
            count = int(f[3], 16)
            words = [f[4 + 2 * i].lower() for i in range(count)]
            words = [re.sub(r"\(.*\)$", "", w) for w in words]
            words = [w for w in words if w.isalpha()]
            for w in words:
                synonyms.setdefault(w, set()).update(x for x in words if x != w)
    return synonyms


def documents(text):
    docs, current, words = [], [], 0
    for para in re.split(r"\n\s*\n", text):
        n = len(para.split())
        if not n:
            continue
        current.append(para.strip())
        words += n
        if words >= 150:
            if words <= 400:
                docs.append("\n\n".join(current) + "\n")
            current, words = [], 0
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("--rate", type=float, default=0.15)
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_args()
    synonyms = wordnet_synonyms(args.wordnet)
    counts = {}
    for line in open(os.path.join(args.sources, "lexicon", "wordsegment_unigrams.txt")):
        w, c = line.split("\t")
        counts[w] = int(c)
    ranked = sorted(counts, key=counts.get, reverse=True)
    function = set(ranked[:200])
    common = set(ranked[:60000])
    rng = random.Random(7)
    clean = os.path.join(args.sources, "clean")
    files = [os.path.join(clean, "state_union", f) for f in sorted(os.listdir(os.path.join(clean, "state_union")))]
    files += [os.path.join(clean, "brown", g + ".txt") for g in ("news", "editorial")]
    splits = {"dev": [], "held-out": []}
    for path in files:
        docs = documents(open(path, encoding="utf-8", errors="replace").read())
        half = len(docs) // 2
        splits["dev"] += docs[:half]
        splits["held-out"] += docs[half:]
    for split, docs in splits.items():
        with tempfile.TemporaryDirectory() as tmp:
            places = {}
            for i, doc in enumerate(docs):
                out, last, spun_places = [], 0, {}
                for m in WORD.finditer(doc):
                    w = m.group(0)
                    lw = w.lower()
                    if len(lw) < 3 or lw in function or not (w.islower() or w[0].isupper() and w[1:].islower()):
                        continue
                    if w[0].isupper():
                        continue
                    options = sorted(s for s in synonyms.get(lw, ()) if s in common)
                    if not options or rng.random() >= args.rate:
                        continue
                    new = rng.choice(options)
                    out.append(doc[last:m.start()])
                    spun_places[len("".join(out).encode())] = (new, lw)
                    out.append(new)
                    last = m.end()
                out.append(doc[last:])
                for kind, text in (("spun", "".join(out)), ("clean", doc)):
                    with open(os.path.join(tmp, f"{kind}-{i:05}.txt"), "w") as f:
                        f.write(text)
                places[i] = spun_places
            out = subprocess.run([args.despin, "--check", "--format", "json", "--level", "context", *args.rest, tmp],
                                 capture_output=True).stdout.decode()
            right = wrong = clean_proposals = 0
            rates = {"spun": [], "clean": []}
            seen_rate = set()
            for f in map(json.loads, out.splitlines()):
                if f.get("type") != "finding" or f["level"] != "context":
                    continue
                name = os.path.basename(f["path"])
                kind, i = name[:-4].split("-")
                i = int(i)
                m = re.search(r"([0-9.]+) proposals per 1,000", f.get("reason", ""))
                if m and name not in seen_rate:
                    seen_rate.add(name)
                    rates[kind].append(float(m.group(1)))
                if kind == "clean":
                    clean_proposals += 1
                    continue
                place = places[i].get(f["byte_start"])
                if place and f["replacement"].lower() == place[1]:
                    right += 1
                else:
                    wrong += 1
            total = sum(len(p) for p in places.values())
            n = right + wrong
            def q(v, p):
                v = sorted(v + [0.0] * (len(docs) - len(v)))
                return v[min(int(p * len(v)), len(v) - 1)]
            print(f"{split}: {len(docs)} docs, {total} spun places; proposals {n}, right {right} "
                  f"(precision {100.0 * right / max(n, 1):.1f}%, recall {100.0 * right / max(total, 1):.1f}%); "
                  f"clean proposals {clean_proposals}; gate rate clean p50/p90/p99/max "
                  f"{q(rates['clean'], .5):.0f}/{q(rates['clean'], .9):.0f}/{q(rates['clean'], .99):.0f}/{q(rates['clean'], 1):.0f}, "
                  f"spun p10/p50/p90 {q(rates['spun'], .1):.0f}/{q(rates['spun'], .5):.0f}/{q(rates['spun'], .9):.0f}")


if __name__ == "__main__":
    main()
