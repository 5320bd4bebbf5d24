#!/usr/bin/env python3
"""Counts documents that a second despin run still changes.

Usage: python3 tools/idempotence.py [--despin target/release/despin] [--docs 5000] [--seed 1]

Documents are built as the property test `shipped_dictionaries_repair_once_and_for_all`
builds them: phrases sampled from the shipped dictionaries (spun keys,
originals, condition phrases), name material, three cases and punctuation.
Each document is one JSON Lines record; despin --jsonl repairs them all,
and then repairs its own output again. A record that changes on the second
pass is counted.
"""
import argparse
import json
import random
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Yun Sun", "Sun", "Sunshine", "Solar", "analyst Sun", "Sun said", "Sunshine said",
         "Maria Stone", "Stone", "Rock", "professor Rock", "Stone stated", "Stimson Center",
         "Stimson Middle", "Center", "Middle", "the", "and", "of", "was", "said"]
AFTER = [" ", " ", " ", ", ", ". ", "\n", "\n\n", "; ", " (", ") ", '"', "-", ": ", "\u2019s "]


def phrases():
    out = []
    for name in ("science.tsv", "news.tsv"):
        for line in (ROOT / "dictionaries" / name).read_text().splitlines():
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            out += fields[:2]
            if len(fields) > 3:
                for clause in fields[3].split(";"):
                    body = clause.split(":", 1)[-1].rsplit("~", 1)[0]
                    out += [p.strip().rstrip("*") for p in body.split("|")]
    return [p for p in out if p]


def document(rng, pool):
    pieces = []
    for _ in range(rng.randrange(1, 80)):
        phrase = rng.choice(pool) if rng.random() < 0.75 else rng.choice(NAMES)
        case = rng.randrange(6)
        if case == 0:
            phrase = phrase.upper()
        elif case == 1:
            phrase = phrase[:1].upper() + phrase[1:]
        pieces.append(phrase + rng.choice(AFTER))
    return "".join(pieces)


def run(despin, records):
    data = "".join(json.dumps({"text": t}) + "\n" for t in records)
    out = subprocess.run([despin, "--jsonl"], input=data.encode(), capture_output=True, check=False)
    return [json.loads(line)["text"] for line in out.stdout.decode().splitlines()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--despin", default=str(ROOT / "target/release/despin"))
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = phrases()
    docs = [document(rng, pool) for _ in range(args.docs)]
    once = run(args.despin, docs)
    twice = run(args.despin, once)
    changed = sum(a != b for a, b in zip(once, twice))
    first = sum(a != b for a, b in zip(docs, once))
    print(f"{args.docs} documents, {first} changed by the first run, "
          f"{changed} ({100 * changed / args.docs:.2f}%) changed again by the second")


if __name__ == "__main__":
    main()
