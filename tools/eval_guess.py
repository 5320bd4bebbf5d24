#!/usr/bin/env python3
"""Measure the guesser on tortured phrases it has never seen, and on clean text.

Usage: python3 tools/eval_guess.py SOURCES_DIR [--work DIR] [--thresholds 0.3,0.5,...]

1. tools/gen_guess.py --holdout splits the screener list by expected phrase
   (30% held out) and learns a model from the rest only: swaps, terms and a
   dictionary of the training rows. Held-out rows whose tortured phrase the
   training dictionary already lists are dropped, so every test phrase is
   "missing from every list".
2. Each held-out phrase is put in three kinds of document:
   - alone: one sentence;
   - spun: the sentence plus three sentences with known (training) phrases,
     which give the document prior;
   - evidence: the spun document plus a sentence that uses the expected term.
3. despin runs once per setting and threshold T (--guess-threshold T) with
   the training model and dictionary, and --level guess, so every guess is
   reported with its score. A guess counts as applied when its score
   reaches the document's threshold (the rule of src/guess/score.rs:
   guess_threshold).
   Recall counts phrases fully restored, by the guesses with the training
   dictionary's applied edits in the sentence (it may list a part of the
   phrase); the phrases the dictionary alone restores are printed too.
   Precision counts applied guesses (the dictionary's edits are measured by
   tools/eval_pps.py): an edit is right when each word it changes becomes the expected word at
   that position (a correct partial repair, "counterfeit neural network",
   is a right edit but not a restored phrase); any edit outside the phrase
   is wrong.
4. Clean text: the held-out never-spun files (scienceie, State of the Union
   from 1990), one document per paragraph, with the shipped model and
   default dictionaries: applied guesses per 100k words at each threshold;
   then the same paragraphs made spun documents (sentences with known sure
   phrases added, three and one per 300 words, not counted), where the
   guesser works at the base threshold over text the spinner left alone.

Prints one table per setting: threshold, recall, precision; for the lone
sentences also the guesses reported at the base threshold, which the
document prior keeps from being applied.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gen_dicts import words, key  # noqa: E402

CARRIERS = [
    "In this paper we study {} for the given task.",
    "The results show that {} improves the outcome.",
    "We review prior work on {} in detail.",
    "Our approach relies on {} throughout.",
]
KNOWN_CARRIER = "Earlier studies applied {} to similar data."
EVIDENCE_CARRIER = "Keywords: {}."


def guess_threshold(base, sure, spun):
    """The document prior of src/guess/score.rs."""
    if spun:
        return base
    if sure > 0:
        return base + (1 - base) * 0.6
    return base + (1 - base) * 0.96


def run_despin(despin, directory, extra):
    cmd = [despin, "--check", "--format", "json", "--stats", "--level", "guess", "-j", "2"] + extra + [directory]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode == 2:
        sys.exit(out.stderr)
    findings, summaries = {}, {}
    for line in out.stdout.splitlines():
        record = json.loads(line)
        if record["type"] == "summary":
            summaries[record["path"]] = record
        else:
            findings.setdefault(record["path"], []).append(record)
    return findings, summaries


def doc_state(findings, words_count):
    """The sure dictionary findings that count as known spin (name repairs
    do not, nor findings too sparse for the density rule), and whether the
    document is spun: the rules of src/repair.rs."""
    sure = sum(1 for f in findings if f["level"] == "sure" and f["dictionary"] not in ("names", "organisations"))
    dense = sure * 1000 >= words_count
    spun = sure >= 3 and dense
    return (sure if dense else 0), spun


def evaluate(despin, work, model, dictionary, rows, setting, thresholds, rng):
    d = os.path.join(work, setting)
    os.makedirs(d, exist_ok=True)
    known = [line.split("\t")[0] for line in open(dictionary, encoding="utf-8") if not line.startswith("#")]
    docs = {}
    for i, (tortured, expected) in enumerate(rows):
        sentence = rng.choice(CARRIERS).format(tortured)
        parts = []
        if setting in ("spun", "evidence"):
            parts += [KNOWN_CARRIER.format(k) for k in rng.sample(known, 3)]
        parts.append(sentence)
        if setting == "evidence":
            parts.append(EVIDENCE_CARRIER.format(expected))
            rng.shuffle(parts)
        text = "\n".join(parts) + "\n"
        path = os.path.join(d, f"{i:05d}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        docs[path] = (text, sentence, expected)
    table = []
    for base in thresholds:
        # One run per threshold: which of two overlapping guesses is kept
        # depends on whether each reaches it.
        findings, summaries = run_despin(despin, d, ["--no-default-dict", "--dict", dictionary, "--guess-model", model,
                                                     "--guess-threshold", str(base)])
        hits = right = wrong = listed_hits = 0
        # The same guesses judged at the base threshold, before the
        # document prior raises it: what is reported, not applied.
        reported = [0, 0, 0]
        for path, (text, sentence, expected) in docs.items():
            found = findings.get(path, [])
            sure, spun = doc_state(found, summaries[path]["words"])
            limit = guess_threshold(base, sure, spun)
            start = text.index(sentence)
            end = start + len(sentence.encode("utf-8"))
            scored = [f for f in found if f["level"] == "guess" and f["score"] >= base - 1e-9]
            r, w, whole = judge(sentence, start, [f for f in scored if start <= f["byte_start"] < end], expected)
            outside = sum(1 for f in scored if not start <= f["byte_start"] < end)
            reported[0] += whole
            reported[1] += r
            reported[2] += w + outside
            applied = [f for f in found if f["level"] == "guess" and f["score"] >= limit - 1e-9]
            inside = [f for f in applied if start <= f["byte_start"] < end]
            wrong += len(applied) - len(inside)
            # The training dictionary may list a part of the phrase
            # ("regulated learning" of "regulated learning calculation"):
            # its applied edits in the sentence count with the guesses.
            listed = [f for f in found if f["level"] != "guess" and f.get("applied")
                      and start <= f["byte_start"] < end]
            r, w, _ = judge(sentence, start, inside, expected)
            right += r
            wrong += w
            hits += judge(sentence, start, inside + listed, expected)[2]
            listed_hits += judge(sentence, start, listed, expected)[2]
        precision = right / (right + wrong) if right + wrong else 1.0
        table.append((base, hits / len(docs), precision, hits, right, wrong, listed_hits, reported))
    return table


def judge(sentence, start, edits, expected):
    """Scores the guesses applied inside the test sentence.

    Guesses swap whole words one for one, so word positions survive: an
    edit is right when every word it changes becomes the expected word at
    that position of the phrase. The phrase is restored when all of it is.
    Returns (right edits, wrong edits, restored)."""
    raw = sentence.encode("utf-8")
    repaired, last = b"", 0
    for f in sorted(edits, key=lambda f: f["byte_start"]):
        repaired += raw[last:f["byte_start"] - start] + f["replacement"].encode("utf-8")
        last = f["byte_end"] - start
    repaired += raw[last:]
    before, after = words(sentence), words(repaired.decode("utf-8"))
    whole = f" {key(expected)} " in f" {' '.join(after)} "
    if len(before) != len(after):
        return (len(edits), 0, whole) if whole else (0, len(edits), whole)
    # Where the tortured phrase sits: the first run that differs, widened to
    # the expected phrase's length.
    expected_words = expected.split()
    right = wrong = 0
    for f in edits:
        a = len(words(raw[: f["byte_start"] - start].decode("utf-8", "replace")))
        b = a + len(words(f["replacement"]))
        ok = False
        for offset in range(max(0, a - len(expected_words) + 1), a + 1):
            window = after[offset:offset + len(expected_words)]
            if len(window) == len(expected_words) and all(
                window[j - offset] == expected_words[j - offset] for j in range(a, min(b, offset + len(expected_words)))
            ) and b <= offset + len(expected_words):
                ok = True
                break
        right += ok
        wrong += not ok
    return right, wrong, whole


def clean_rate(despin, work, sources, thresholds, spun_with=None):
    """Applied guesses per 100k words of held-out never-spun text. With
    `spun_with` (known tortured phrases), each paragraph also gets sentences
    with those phrases, three and then one per 300 words, so that it counts
    as a spun document: the guesser then works at the base threshold over
    text the spinner left alone, as in a real spun paper. Guesses inside
    the added sentences are not counted."""
    d = os.path.join(work, "clean-spun" if spun_with else "clean")
    os.makedirs(d, exist_ok=True)
    rng = random.Random(11)
    texts = []
    with open(os.path.join(sources, "clean", "science", "scienceie_elsevier_oa_fulltext.txt"), encoding="utf-8", errors="replace") as f:
        texts.append(f.read())
    su = os.path.join(sources, "clean", "state_union")
    for name in sorted(os.listdir(su)):
        if name[:4].isdigit() and int(name[:4]) >= 1990:
            with open(os.path.join(su, name), encoding="utf-8", errors="replace") as f:
                texts.append(f.read())
    n = 0
    total_words = 0
    added = {}
    for text in texts:
        for para in re.split(r"\n\s*\n", text):
            if para.strip():
                path = os.path.join(d, f"{n:06d}.txt")
                body = para.strip() + "\n"
                if spun_with:
                    count = 3 + len(para.split()) // 300
                    extra = "".join(KNOWN_CARRIER.format(k) + "\n" for k in rng.sample(spun_with, count))
                    added[path] = (len(body.encode("utf-8")), len(words(extra)))
                    body += extra
                with open(path, "w", encoding="utf-8") as f:
                    f.write(body)
                n += 1
    rows = []
    for base in thresholds:
        findings, summaries = run_despin(despin, d, ["--guess-threshold", str(base)])
        total_words = sum(s["words"] - added.get(p, (0, 0))[1] for p, s in summaries.items())
        edits = 0
        for path, found in findings.items():
            sure, spun = doc_state(found, summaries[path]["words"])
            limit = guess_threshold(base, sure, spun)
            end = added.get(path, (float("inf"), 0))[0]
            edits += sum(1 for f in found
                         if f["level"] == "guess" and f["score"] >= limit - 1e-9 and f["byte_start"] < end)
        rows.append((base, edits, edits * 100000 / total_words))
    return rows, total_words, n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources")
    parser.add_argument("--work", default=None)
    parser.add_argument("--thresholds", default="0.2,0.3,0.4,0.5,0.55,0.6,0.7,0.8,0.9")
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    work = args.work or tempfile.mkdtemp(prefix="despin-eval-guess-")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    despin = os.path.join(ROOT, "target", "release", "despin")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_guess.py"), args.sources, "--holdout", work], check=True)
    model = os.path.join(work, "guess-train.tsv")
    dictionary = os.path.join(work, "dict-train.tsv")
    train_keys = {line.split("\t")[0] for line in open(dictionary, encoding="utf-8") if not line.startswith("#")}
    rows = []
    seen = set()
    for line in open(os.path.join(work, "test.tsv"), encoding="utf-8"):
        tortured, expected, _ = line.rstrip("\n").split("\t")
        if tortured in train_keys or tortured in seen:
            continue
        seen.add(tortured)
        rows.append((tortured, expected))
    short = sum(1 for t, _ in rows if 2 <= len(t.split()) <= 3)
    print(f"held-out phrases missing from the training list: {len(rows)} ({short} of two or three words)")
    rng = random.Random(7)
    for setting in ("alone", "spun", "evidence"):
        table = evaluate(despin, work, model, dictionary, rows, setting, thresholds, rng)
        print(f"\n{setting}: threshold  recall  precision  (phrases restored; edits right, wrong)")
        for base, recall, precision, hits, right, wrong, _, _ in table:
            print(f"  {base:.2f}  {recall:6.1%}  {precision:6.1%}  ({hits}; {right}, {wrong})")
        listed_hits = table[0][6]
        print(f"  restored by the training dictionary alone: {listed_hits} ({listed_hits / len(rows):.1%})")
        if setting == "alone":
            # A lone sentence shows no known spin, so the document prior
            # keeps its guesses from being applied; they are still reported.
            print("\nalone, reported (judged at the base threshold, before the document prior raises it):")
            for base, *_, (hits, right, wrong) in table:
                precision = right / (right + wrong) if right + wrong else 1.0
                print(f"  {base:.2f}  {hits / len(rows):6.1%}  {precision:6.1%}  ({hits}; {right}, {wrong})")
    rates, total_words, docs = clean_rate(despin, work, args.sources, thresholds)
    print(f"\nclean text (held out: scienceie, State of the Union 1990-2006; {docs} paragraphs, {total_words} words), shipped model:")
    for base, edits, rate in rates:
        print(f"  {base:.2f}  {edits} applied guesses  {rate:.2f} per 100k words")
    known = [line.split("\t")[0] for line in open(os.path.join(ROOT, "dictionaries", "science.tsv"), encoding="utf-8")
             if not line.startswith("#") and line.rstrip("\n").split("\t")[2:3] == ["sure"]]
    rates, total_words, docs = clean_rate(despin, work, args.sources, thresholds, spun_with=known)
    print(f"\nthe same text made a spun document (known phrases added, not counted), shipped model:")
    for base, edits, rate in rates:
        print(f"  {base:.2f}  {edits} applied guesses  {rate:.2f} per 100k words")


if __name__ == "__main__":
    main()
