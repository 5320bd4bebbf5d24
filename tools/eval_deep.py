#!/usr/bin/env python3
"""Calibrates and measures `--deep`: the document decision and the choice.

Usage: python3 tools/eval_deep.py SOURCES_DIR --model FILE.gguf [--despin BIN]
           [--per-group 6] [--jobs 2] [--work DIR] [--choose-bars 1,2,3,4]

Needs a despin built with `--features deep`, the model (tools/fetch-model.sh)
and Debian `wordnet-base` (the spinning thesaurus, which despin does not use
for candidates).

Documents (seeded, so runs repeat):
- never-spun: every corpus of SOURCES_DIR/clean, each file (each Brown genre,
  each abstract collection, each web text; the speeches as one group) cut
  into short documents of 150 to 600 words as tools/clean_rates.py cuts
  them. The first half of a group's documents is dev, the second held out;
  --per-group documents are drawn from each half.
- spun: each of those documents spun with WordNet as tools/eval_spun.py
  spins (rate 0.15), so every genre has its spun twin;
- real spun news: the pairs of SOURCES_DIR/news-pairs, whole and cut into
  pieces of 150 words or more; 01, 02, 05 dev, 10 and 11 held out.

1. The decision: despin judges every document (`--deep-document-bar 1000`,
   so nothing is chosen) and the summaries give each one's evidence. Printed:
   the ROC per split (spun documents passed against never-spun documents
   passed, at each bar), and the operating point: the lowest bar at which
   at most 1% of dev never-spun documents pass.
2. The choice: at that bar, despin repairs the spun and real documents with
   every candidate proposed (`--deep-choose-bar -100`); each proposal's gain
   gives precision and recall at each --choose-bars value, per split.
3. Never-spun text with `--deep` at the operating point: applied edits per
   100k words, per split; and the same tables for default settings alone.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clean_rates import corpora, short_documents  # noqa: E402
from eval_news import places as word_places, tokens  # noqa: E402
from eval_spun import wordnet_synonyms  # noqa: E402

WORD = re.compile(r"[A-Za-z]+")
DEV_PAIRS = {"01", "02", "05"}


def groups(root):
    """(group, [documents]) for every corpus file; the speeches are one."""
    found = {}
    for corpus, path in corpora(root):
        group = corpus if corpus == "state_union" else corpus + "-" + os.path.basename(path)[:-4]
        text = open(path, encoding="utf-8", errors="replace").read()
        docs = [d for d in short_documents(text) if 150 <= len(d.split()) <= 600]
        found.setdefault(group, []).extend(docs)
    return sorted(found.items())


class Spinner:
    """WordNet swaps of content words, as tools/eval_spun.py makes them."""

    def __init__(self, root, wordnet, rate, seed):
        self.synonyms = wordnet_synonyms(wordnet)
        counts = {}
        for line in open(os.path.join(root, "lexicon", "wordsegment_unigrams.txt")):
            w, c = line.split("\t")
            counts[w] = int(c)
        ranked = sorted(counts, key=counts.get, reverse=True)
        self.function = set(ranked[:200])
        self.common = set(ranked[:60000])
        self.rate = rate
        self.rng = random.Random(seed)

    def spin(self, doc):
        """The spun text and its places: byte offset -> (spun, original)."""
        out, last, spun = [], 0, {}
        for m in WORD.finditer(doc):
            w = m.group(0)
            lw = w.lower()
            if len(lw) < 3 or lw in self.function or not w.islower():
                continue
            options = sorted(s for s in self.synonyms.get(lw, ()) if s in self.common)
            if not options or self.rng.random() >= self.rate:
                continue
            new = self.rng.choice(options)
            out.append(doc[last:m.start()])
            spun[len("".join(out).encode())] = (new, lw)
            out.append(new)
            last = m.end()
        out.append(doc[last:])
        return "".join(out), spun


def build(args):
    """Writes the documents under --work; returns their descriptions."""
    rng = random.Random(11)
    spinner = Spinner(args.sources, args.wordnet, 0.15, 7)
    docs = []
    for group, found in groups(args.sources):
        half = len(found) // 2
        for split, part in (("dev", found[:half]), ("held-out", found[half:])):
            for i, doc in enumerate(rng.sample(part, min(args.per_group, len(part)))):
                spun, spun_places = spinner.spin(doc)
                name = f"{group}-{i}"
                docs.append({"kind": "clean", "split": split, "group": group, "name": name, "text": doc})
                docs.append({"kind": "spun", "split": split, "group": group, "name": name, "text": spun,
                             "places": spun_places})
    pairs = os.path.join(args.sources, "news-pairs")
    for pair in sorted(f[:-9] for f in os.listdir(pairs) if f.endswith(".spun.txt")):
        split = "dev" if pair in DEV_PAIRS else "held-out"
        spun = open(os.path.join(pairs, pair + ".spun.txt"), encoding="utf-8").read()
        orig = open(os.path.join(pairs, pair + ".orig.txt"), encoding="utf-8").read()
        docs.append({"kind": "news", "split": split, "group": "news", "name": pair, "text": spun, "orig": orig})
        for i, piece in enumerate(pieces(spun)):
            docs.append({"kind": "news-piece", "split": split, "group": "news", "name": f"{pair}-{i}",
                         "text": piece})
    for d in docs:
        folder = os.path.join(args.work, d["split"])
        os.makedirs(folder, exist_ok=True)
        d["path"] = os.path.join(folder, f"{d['kind']}-{d['name']}.txt")
        with open(d["path"], "w", encoding="utf-8") as f:
            f.write(d["text"])
    return docs


def pieces(text):
    """Runs of paragraphs of 150 words or more."""
    out, current, words = [], [], 0
    for para in re.split(r"\n\s*\n", text):
        if not para.strip():
            continue
        current.append(para.strip())
        words += len(para.split())
        if words >= 150:
            out.append("\n\n".join(current) + "\n")
            current, words = [], 0
    return out


def despin(args, extra, paths):
    """Runs `despin --check --format json` on paths; (findings, summaries by path)."""
    findings, summaries = [], {}
    for start in range(0, len(paths), 500):
        out = subprocess.run([args.despin, "--check", "--format", "json", "--stats", "-j", str(args.jobs),
                              *extra, *paths[start:start + 500]], capture_output=True)
        if out.returncode == 2:
            sys.exit(out.stderr.decode())
        for line in out.stdout.decode().splitlines():
            record = json.loads(line)
            if record.get("type") == "finding":
                findings.append(record)
            elif record.get("type") == "summary":
                summaries[record["path"]] = record
    return findings, summaries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--model", required=True)
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("--per-group", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", default="benches/work/deep")
    ap.add_argument("--choose-bars", default="0,1,2,3,4,5,6")
    ap.add_argument("--build-only", action="store_true")
    args = ap.parse_args()
    docs = build(args)
    if args.build_only:
        return
    deep = ["--deep", "--model", args.model]
    splits = ("dev", "held-out")

    # 1. The decision.
    started = time.time()
    _, summaries = despin(args, deep + ["--deep-document-bar", "1000"], [d["path"] for d in docs])
    judged = time.time() - started
    for d in docs:
        summary = summaries.get(d["path"], {}).get("deep")
        d["evidence"] = summary["evidence"] if summary else None
        d["content"] = summary["words"] if summary else 0
    words = sum(len(d["text"].split()) for d in docs)
    print(f"judged {len(docs)} documents, {words} words, in {judged:.0f} s "
          f"({1000 * judged / max(words, 1):.1f} s per 1,000 words at -j{args.jobs})")
    bars = sorted({round(x / 20, 2) for x in range(-40, 81)})
    evidence = {(s, k): sorted(d["evidence"] for d in docs if d["split"] == s and d["kind"] == k
                               and d["evidence"] is not None)
                for s in splits for k in ("clean", "spun", "news", "news-piece")}

    def passed(values, bar):
        return sum(v >= bar for v in values) / max(len(values), 1)

    dev_clean = evidence[("dev", "clean")]
    operating = next((b for b in bars if passed(dev_clean, b) <= 0.01), bars[-1])
    print("\nROC: share of documents passed at each bar (mean nats per content word)")
    print("| bar | " + " | ".join(f"{s} {k} ({len(evidence[(s, k)])})" for s in splits
                                   for k in ("clean", "spun", "news-piece")) + " |")
    print("|---" * 7 + "|")
    for b in bars[::4] + ([operating] if operating not in bars[::4] else []):
        if not any(0.0 < passed(evidence[(s, k)], b) < 1.0 for s in splits for k in ("clean", "spun")):
            continue
        row = [f"{passed(evidence[(s, k)], b):.3f}" for s in splits for k in ("clean", "spun", "news-piece")]
        mark = "**" if b == operating else ""
        print(f"| {mark}{b:.2f}{mark} | " + " | ".join(row) + " |")
    print(f"\noperating point: bar {operating:.2f}")
    for s in splits:
        print(f"  {s}: never-spun passed {passed(evidence[(s, 'clean')], operating):.1%}, "
              f"spun passed {passed(evidence[(s, 'spun')], operating):.1%}, "
              f"real news pieces {passed(evidence[(s, 'news-piece')], operating):.1%}, "
              f"whole articles {passed(evidence[(s, 'news')], operating):.0%}")
    for group in sorted({d["group"] for d in docs}):
        clean = [d["evidence"] for d in docs if d["group"] == group and d["kind"] == "clean"
                 and d["evidence"] is not None]
        spun = [d["evidence"] for d in docs if d["group"] == group and d["kind"] == "spun"
                and d["evidence"] is not None]
        if clean:
            print(f"  {group}: never-spun max {max(clean):.2f}, spun min {min(spun) if spun else 0:.2f}")

    # 2. The choice, in the documents that pass.
    repaired = [d for d in docs if d["kind"] in ("spun", "news")]
    found, _ = despin(args, deep + ["--deep-document-bar", str(operating), "--deep-choose-bar", "-100"],
                      [d["path"] for d in repaired])
    by_path = {}
    for f in found:
        by_path.setdefault(f["path"], []).append(f)
    choose_bars = [float(x) for x in args.choose_bars.split(",")]
    print("\nchoice: deep proposals by gain bar (nats), in the documents that pass")
    print("| split | set | places | " + " | ".join(f"≥{b:g} right/proposed" for b in choose_bars) + " |")
    print("|---" * (3 + len(choose_bars)) + "|")
    for s in splits:
        for kind in ("spun", "news"):
            total = 0
            tally = [[0, 0] for _ in choose_bars]
            for d in repaired:
                if d["split"] != s or d["kind"] != kind:
                    continue
                total += len(d["places"]) if kind == "spun" else len(word_places(tokens(d["text"]),
                                                                                 tokens(d["orig"]))[0])
                for f in by_path.get(d["path"], []):
                    gain = f.get("deep_gain")
                    if gain is None:
                        continue
                    right = is_right(d, f)
                    for i, b in enumerate(choose_bars):
                        if gain >= b:
                            tally[i][0] += right
                            tally[i][1] += 1
            cells = [f"{r}/{n} ({100 * r / max(n, 1):.0f}%, recall {100 * r / max(total, 1):.1f}%)"
                     for r, n in tally]
            print(f"| {s} | {kind} | {total} | " + " | ".join(cells) + " |")


def is_right(d, f):
    """Whether a proposal restores the original word at its place."""
    if d["kind"] == "spun":
        place = d["places"].get(f["byte_start"])
        return bool(place) and f["replacement"].lower() == place[1]
    spun_tokens, orig_tokens = tokens(d["text"]), tokens(d["orig"])
    start = len(d["text"].encode()[:f["byte_start"]].decode(errors="ignore"))
    index = next((i for i, t in enumerate(spun_tokens) if t[0] == start), None)
    if index is None:
        return False
    ops, _ = word_places(spun_tokens, orig_tokens)
    for _, i1, i2, j1, j2 in ops:
        if i1 <= index < i2:
            return f["replacement"].lower() in [t[2] for t in orig_tokens[j1:j2]]
    return False


if __name__ == "__main__":
    main()
