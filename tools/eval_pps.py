#!/usr/bin/env python3
"""Recall of despin on the Problematic Paper Screener list.

Usage: python3 tools/eval_pps.py SOURCES_DIR [--despin target/release/despin]

Each fingerprint is put in an ordinary sentence, alone in its own document,
and despin (default settings) runs over all of them. A row counts as
restored when the output contains its cleaned expected phrase where the
tortured phrase was. The script reports:
- plain rows: base form, and the plural of the last word where the
  dictionary generator makes one;
- conditional rows (AND / NOT / proximity): with the condition met (the
  AND phrase in a second sentence; no NOT phrase), and left alone when it
  is not met (AND phrase absent, or NOT phrase present);
- rows whose expected text lists alternatives, which have no single answer.
"""

import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_dicts as g  # noqa: E402

TEMPLATE = "In this study we report the {} observed in our experiments."


def run(despin, docs):
    """Runs despin --check over one file per document; returns findings by doc index."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(docs):
            with open(os.path.join(tmp, "%06d.txt" % i), "w", encoding="utf-8") as f:
                f.write(text)
        out = subprocess.run([despin, "--check", "--format", "json", tmp], capture_output=True, text=True).stdout
    found = collections.defaultdict(list)
    for line in out.splitlines():
        rec = json.loads(line)
        if rec["type"] == "finding" and rec["applied"]:
            found[int(os.path.basename(rec["path"])[:6])].append(rec)
    return found


def restored(findings, tortured, expected):
    want = g.key(expected)
    return any(g.key(f["replacement"]) == want and g.key(f["found"]) == g.key(tortured) for f in findings)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sources")
    ap.add_argument("--despin", default="target/release/despin")
    ap.add_argument("--misses", action="store_true", help="print the rows that are not restored")
    args = ap.parse_args()
    evidence = g.Evidence(args.sources)

    docs, cases = [], []  # cases: (group, tortured, expected, doc index, should_change)
    with open(os.path.join(args.sources, "pps", "pps_2025-07_normalized.tsv"), encoding="utf-8") as f:
        for rec in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            parsed = g.parse_query(rec["raw_query"])
            tortured = g.clean_tortured(rec["tortured"])
            exp = g.clean_expected(rec["expected"], evidence, tortured or "")
            if parsed is None or tortured is None or exp is None:
                continue
            expected, level, note = exp
            _, proximity, clauses = parsed
            if "alternatives" in note or "uncertain" in note:
                group = "alternatives/uncertain"
            elif rec["kind"] == "simple" or rec["kind"] == "or":
                group = "plain"
            else:
                group = "conditional (%s)" % rec["kind"]
            requires = [grp[0] for kind, grp in clauses if kind == "if"]
            unless = [grp[0] for kind, grp in clauses if kind == "unless"]
            context = " ".join("We also discuss %s." % r.rstrip("*") for r in requires)
            docs.append((TEMPLATE.format(tortured) + " " + context).strip())
            cases.append((group, tortured, expected, len(docs) - 1, True))
            if group == "plain":
                pl_s = g.best(g.noun_plural_forms(tortured.split(" ")[-1]), evidence, 100)
                pl_o = g.best(g.noun_plural_forms(expected.split(" ")[-1]), evidence, 1000)
                if pl_s and pl_o and tortured[-1:].isalpha() and expected[-1:].isalpha() and expected.split(" ")[-1].islower():
                    t = " ".join(tortured.split(" ")[:-1] + [pl_s])
                    e = " ".join(expected.split(" ")[:-1] + [pl_o])
                    docs.append(TEMPLATE.format(t))
                    cases.append(("plain, plural", t, e, len(docs) - 1, True))
            if requires:
                docs.append(TEMPLATE.format(tortured))
                cases.append((group + ", condition not met", tortured, expected, len(docs) - 1, False))
            if unless:
                docs.append(TEMPLATE.format(tortured) + " We also discuss %s." % unless[0].rstrip("*"))
                cases.append((group + ", NOT phrase present", tortured, expected, len(docs) - 1, False))

    found = run(args.despin, docs)
    totals = collections.defaultdict(lambda: [0, 0])
    for group, tortured, expected, i, should in cases:
        ok = restored(found[i], tortured, expected) if should else not found[i]
        totals[group][0] += ok
        totals[group][1] += 1
        if args.misses and not ok:
            print("MISS %s: %r -> %r; got %s" % (group, tortured, expected,
                  [(f["found"], f["replacement"]) for f in found[i]]))
    print("%-44s %8s %8s %8s" % ("group", "correct", "rows", "rate"))
    for group in sorted(totals):
        ok, n = totals[group]
        print("%-44s %8d %8d %7.1f%%" % (group, ok, n, 100.0 * ok / n))


if __name__ == "__main__":
    main()
