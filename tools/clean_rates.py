#!/usr/bin/env python3
"""Applied edits per 100k words on never-spun text, per corpus.

Usage: python3 tools/clean_rates.py SOURCES_DIR [--despin PATH] [--hits FILE] [-- DESPIN_ARGS...]

Every file under SOURCES_DIR/clean (speeches, abstracts, Brown's genres, web
text) is measured two ways, with default settings unless DESPIN_ARGS say
otherwise:

- whole: the file piped through `despin --check` as one stream, as a crawl
  or an archive is;
- short: the file cut into short documents, each repaired on its own
  (`--jsonl`, one record per document): blank-line paragraphs, and within a
  paragraph of more than 300 words, windows of lines of 150 words or more.

Each file's documents are split in two: the first half is the dev part,
the one rules may be tuned on, and the second half is held out and only
reported on (`split` column). A whole file is run whole, and its edits
counted in the half of the file where they fall. Every applied edit is written to --hits with its reason.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict


def corpora(root):
    """(corpus, path) for every text file under root/clean."""
    clean = os.path.join(root, "clean")
    for corpus in sorted(os.listdir(clean)):
        folder = os.path.join(clean, corpus)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt") and not name.startswith("README"):
                yield corpus, os.path.join(folder, name)


def short_documents(text):
    """Paragraphs, and windows of at least 150 words of longer ones."""
    docs = []
    for para in text.split("\n\n"):
        if not para.strip():
            continue
        words = len(para.split())
        if words <= 300:
            docs.append(para)
            continue
        window, count = [], 0
        for line in para.split("\n"):
            window.append(line)
            count += len(line.split())
            if count >= 150:
                docs.append("\n".join(window))
                window, count = [], 0
        if window:
            if count < 50 and docs:
                docs[-1] += "\n" + "\n".join(window)
            else:
                docs.append("\n".join(window))
    return docs


def halves(text):
    """The text cut at the line break nearest its middle."""
    middle = len(text) // 2
    cut = text.find("\n", middle)
    if cut < 0:
        return text, ""
    return text[: cut + 1], text[cut + 1 :]


def run_whole(despin, args, text):
    """(words, applied findings) of one stream."""
    out = subprocess.run(
        [despin, "--check", "--stats", "--format", "json", *args, "-"],
        input=text.encode("utf-8", "surrogateescape"),
        capture_output=True,
    ).stdout.decode("utf-8", "replace")
    words, hits = 0, []
    for line in out.splitlines():
        rec = json.loads(line)
        if rec["type"] == "summary":
            words += rec["words"]
        elif rec.get("applied"):
            hits.append(rec)
    return words, hits


def run_short(despin, args, docs):
    """(words, applied findings) over many short documents."""
    records = "".join(json.dumps({"text": d}) + "\n" for d in docs)
    out = subprocess.run(
        [despin, "--jsonl", "--annotate", *args],
        input=records.encode(),
        capture_output=True,
    ).stdout.decode()
    words, hits = 0, []
    for line in out.splitlines():
        rec = json.loads(line)
        info = rec.get("despin", {})
        words += info.get("words", 0)
        # Offsets point into the record as written: the repaired text.
        text = rec.get("text", "").encode(errors="surrogatepass")
        for f in info.get("findings", []):
            if f.get("applied"):
                f = dict(f)
                around = text[max(0, f["byte_start"] - 60) : f["byte_end"] + 60]
                f["context"] = around.decode(errors="replace").replace("\n", " ")
                hits.append(f)
    return words, hits


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources")
    parser.add_argument("--despin", default="target/release/despin")
    parser.add_argument("--hits", default=None)
    opts = parser.parse_args(argv)
    table = defaultdict(lambda: [0, 0])
    hit_lines = []
    for corpus, path in corpora(opts.sources):
        raw = open(path, "rb").read()
        text = raw.decode("utf-8", "surrogateescape")
        name = os.path.relpath(path, os.path.join(opts.sources, "clean"))
        first, second = halves(text)
        cut_line = first.count("\n")
        words, hits = run_whole(opts.despin, extra, text)
        share = len(first.split()) / max(len(text.split()), 1)
        for split, part_words in (("dev", round(words * share)), ("held-out", words - round(words * share))):
            table[(corpus, "whole", split)][0] += part_words
        for h in hits:
            split = "dev" if h["line"] <= cut_line else "held-out"
            table[(corpus, "whole", split)][1] += 1
            hit_lines.append(f"{name} whole {split}: {h['found']!r} -> {h['replacement']!r} [{h['dictionary']}, {h['level']}] line {h['line']}")
        docs = short_documents(text)
        half = len(docs) // 2
        for split, part in (("dev", docs[:half]), ("held-out", docs[half:])):
            words, hits = run_short(opts.despin, extra, part)
            table[(corpus, "short", split)][0] += words
            table[(corpus, "short", split)][1] += len(hits)
            for h in hits:
                hit_lines.append(f"{name} short {split}: {h['found']!r} -> {h['replacement']!r} [{h['dictionary']}, {h['level']}] ...{h['context']}...")
    print(f"{'corpus':<12} {'cut':<6} {'split':<9} {'words':>9} {'edits':>6} {'per 100k':>9}")
    totals = defaultdict(lambda: [0, 0])
    for (corpus, cut, split), (words, edits) in sorted(table.items()):
        print(f"{corpus:<12} {cut:<6} {split:<9} {words:>9} {edits:>6} {edits * 1e5 / max(words, 1):>9.2f}")
        totals[(cut, split)][0] += words
        totals[(cut, split)][1] += edits
    for (cut, split), (words, edits) in sorted(totals.items()):
        print(f"{'all':<12} {cut:<6} {split:<9} {words:>9} {edits:>6} {edits * 1e5 / max(words, 1):>9.2f}")
    if opts.hits:
        with open(opts.hits, "w") as f:
            f.write("\n".join(hit_lines) + "\n")
    else:
        print("\n".join(hit_lines))


if __name__ == "__main__":
    main()
