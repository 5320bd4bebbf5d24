#!/usr/bin/env python3
"""Regenerate despin's default dictionaries from the raw sources.

Usage: python3 tools/gen_dicts.py SOURCES_DIR [--out dictionaries]

SOURCES_DIR is the raw data folder described in tools/README.md (in this
project's workspace it is ../shared/data). The script writes
dictionaries/science.tsv and dictionaries/news.tsv and prints how many
entries each level received and why entries were demoted.

Every decision is a rule over the sources, never a per-phrase exception:
- science: rows of the Problematic Paper Screener list, their expected text
  cleaned (notes, acronyms, alternatives, bracketed context), then demoted
  when the tortured side is itself established English (WordNet lemma, a
  frequent web n-gram, or a phrase that occurs in never-spun text).
- news: the habit table tools/news_habits.tsv, read off the news pairs, with
  the same never-spun-text demotion.
"""

import argparse
import collections
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"[^\W_]+(?:['\u2019\u02bc][^\W_]+)*", re.UNICODE)
LEVELS = ["sure", "likely", "suggest"]

# Never-spun text used as evidence that a phrase is ordinary English. The
# remaining clean files are held out so the clean-text measurement stays
# honest (see tools/README.md).
EVIDENCE_FILES = [
    "science/acl_anthology_abstracts_1974_2015.txt",
    "science/ncbi_disease_corpus_pubmed_abstracts.txt",
    "science/arsenic_groundwater_wos_abstracts_to_2014.txt",
]
EVIDENCE_STATE_UNION_BEFORE = 1990


def words(text):
    """Normalised words, as despin's tokenizer sees them."""
    return [w.lower().replace("\u2019", "'").replace("\u02bc", "'") for w in WORD.findall(text)]


def key(phrase):
    return " ".join(words(phrase))


def demote(level, steps=1):
    return LEVELS[min(LEVELS.index(level) + steps, 2)]


class Evidence:
    """What counts as established English: lexicons and never-spun text."""

    def __init__(self, data):
        lex = os.path.join(data, "lexicon")
        self.unigrams = {}
        with open(os.path.join(lex, "wordsegment_unigrams.txt"), encoding="utf-8") as f:
            for line in f:
                w, _, c = line.rstrip("\n").partition("\t")
                self.unigrams[w] = int(c)
        self.bigrams = {}
        with open(os.path.join(lex, "wordsegment_bigrams.txt"), encoding="utf-8") as f:
            for line in f:
                w, _, c = line.rstrip("\n").partition("\t")
                self.bigrams[w] = int(c)
        self.lemmas = set()
        with open(os.path.join(lex, "wordnet30_multiword_lemmas.txt"), encoding="utf-8") as f:
            for line in f:
                self.lemmas.add(key(line.replace("_", " ")))
        ranked = sorted(self.unigrams.items(), key=lambda kv: -kv[1])
        self.common = {w for w, _ in ranked[:20000]}
        self.clean_texts = []
        for rel in EVIDENCE_FILES:
            path = os.path.join(data, "clean", rel)
            with open(path, encoding="utf-8", errors="replace") as f:
                self.clean_texts.append(f.read())
        su = os.path.join(data, "clean", "state_union")
        for name in sorted(os.listdir(su)):
            if name[:4].isdigit() and int(name[:4]) < EVIDENCE_STATE_UNION_BEFORE:
                with open(os.path.join(su, name), encoding="utf-8", errors="replace") as f:
                    self.clean_texts.append(f.read())
        self._clean_counts = None

    def clean_counts(self, keys):
        """How often each key occurs in the never-spun evidence text."""
        keys = set(keys)
        longest = max((k.count(" ") + 1 for k in keys), default=1)
        counts = collections.Counter()
        for text in self.clean_texts:
            for para in re.split(r"\n\s*\n", text):
                ws = words(para)
                for i in range(len(ws)):
                    for n in range(1, min(longest, len(ws) - i) + 1):
                        k = " ".join(ws[i:i + n])
                        if k in keys:
                            counts[k] += 1
        return counts

    def established(self, k):
        """Why a spun side is ordinary English, or None."""
        parts = k.split(" ")
        if len(parts) == 1 and self.unigrams.get(k, 0) >= 200_000:
            return "frequent web unigram"
        if len(parts) == 2 and self.bigrams.get(k, 0) >= 100_000:
            return "frequent web bigram"
        if k in self.lemmas:
            return "WordNet lemma"
        return None


def clean_expected(raw, evidence):
    """Cleans the screener's Expected Text column.

    Returns (text, level, note) or None to drop the row. The level is the
    most confident level the cleaned text allows.
    """
    text = raw.replace('\\"', '"').strip().strip('"').strip()
    text = re.sub(r",?\s*see https?://\S+", "", text).strip()
    if not text or set(text) <= set("?. ") or "->" in text or text.lower().startswith("search and replace"):
        return None
    level, notes = "sure", []
    if re.search(r"\(\s*\?\s*\)|\?\s*$", text):
        level, notes = "suggest", notes + ["uncertain (?)"]
        text = re.sub(r"\(\s*\?\s*\)|\?+\s*$", "", text).strip()
    # Bracketed context, e.g. "[neural network] layer outputs".
    if "[" in text:
        text = re.sub(r"\[[^\]]*\]", "", text).strip()
        level, notes = max(level, "likely", key=LEVELS.index), notes + ["bracketed context dropped"]
    # Parentheticals: a trailing acronym is dropped silently; notes and
    # mid-phrase words are dropped with a demotion.
    def drop_paren(m):
        nonlocal level
        inner = m.group(1).strip()
        if re.match(r"(or|and/or)\b", inner, re.I):
            level = "suggest"
            notes.append(f"alternative ({inner})")
        elif not re.fullmatch(r"[A-Za-z0-9-]{1,10}", inner) or sum(c.isupper() for c in inner) < 2:
            # A context note ("in HMM", "validation"): the phrase without it
            # is still the restoration.
            notes.append(f"note ({inner}) dropped")
        return ""

    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"\s*\(([^()]*)\)\s*$", drop_paren, text).strip()
        text = re.sub(r"\s*\(([^()]*)\)", lambda m: (drop_paren(m), " ")[1], text).strip()
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    if not text or not words(text):
        return None
    # Alternatives: "fog/mist/cloud computing", "morbidity, mortality".
    if re.search(r"\w\s*/\s*\w", text) or "," in text or ";" in text or " or " in text.lower():
        level = "suggest"
        notes.append("alternatives")
    # Title Case common words are written in lower case; acronyms and proper
    # names stay as they are.
    fixed = []
    for w in re.split(r"([ -])", text):
        if len(w) > 1 and w[0].isupper() and w[1:].islower() and w.lower() in evidence.common:
            w = w.lower()
        fixed.append(w)
    return "".join(fixed), level, "; ".join(notes)


def clean_tortured(raw):
    text = raw.replace('\\"', '"').strip().strip('"').strip()
    text = re.sub(r"\s*\([^()]*\)", "", text).strip()
    if not text or "*" in text or not words(text):
        return None
    return text.lower()


def science_rows(data, evidence):
    path = os.path.join(data, "pps", "pps_2025-07_normalized.tsv")
    rows, dropped = [], collections.Counter()
    with open(path, encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if rec["kind"] != "simple":
                dropped["not a plain phrase (kind=%s)" % rec["kind"]] += 1
                continue
            spun = clean_tortured(rec["tortured"])
            exp = clean_expected(rec["expected"], evidence)
            if spun is None or exp is None:
                dropped["no usable expected text"] += 1
                continue
            original, level, note = exp
            if key(original) == key(spun):
                dropped["maps to itself"] += 1
                continue
            rows.append({
                "spun": spun,
                "original": original,
                "level": level,
                "condition": "",
                "why": "pps %s papers%s" % (rec["num_papers"], "; " + note if note else ""),
            })
    return rows, dropped


def news_rows():
    rows = []
    with open(os.path.join(HERE, "news_habits.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                sys.exit(f"news_habits.tsv:{n}: expected 4 fields")
            spun, original, level, evidence = fields
            rows.append({"spun": spun, "original": original, "level": level, "condition": "", "why": evidence})
    return rows


def apply_evidence(rows, evidence, demoted):
    """Demotes rows whose spun side is ordinary English."""
    counts = evidence.clean_counts(key(r["spun"]) for r in rows)
    for r in rows:
        k = key(r["spun"])
        reason = evidence.established(k)
        if counts.get(k):
            reason = "occurs %d times in never-spun text" % counts[k]
        if reason and r["level"] != "suggest":
            # Established phrases are at most suggestions; a phrase merely
            # seen in clean text drops one level.
            steps = 2 if not counts.get(k) else 1
            r["level"] = demote(r["level"], steps)
            r["why"] += "; demoted: " + reason
            demoted[reason.split(" ")[0] if counts.get(k) else reason] += 1


def dedupe(rows):
    """One row per (key, condition): the most confident, then most papers."""
    best = {}
    for r in rows:
        k = (key(r["spun"]), r["condition"], r["spun"] != r["spun"].lower())
        if k not in best or LEVELS.index(r["level"]) < LEVELS.index(best[k]["level"]):
            best[k] = r
    return sorted(best.values(), key=lambda r: (key(r["spun"]), r["condition"], r["spun"]))


def write(path, title, rows, header_lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {title}\n")
        for line in header_lines:
            f.write(f"# {line}\n")
        f.write("# Generated by tools/gen_dicts.py; see dictionaries/SOURCES.md. Do not edit by hand.\n")
        f.write("# spun<TAB>original<TAB>level[<TAB>condition]  # provenance\n")
        for r in rows:
            fields = [r["spun"], r["original"], r["level"]]
            if r["condition"]:
                fields.append(r["condition"])
            f.write("# " + r["why"] + "\n")
            f.write("\t".join(fields) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", help="raw data folder (../shared/data in the workspace)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "dictionaries"))
    args = parser.parse_args()
    evidence = Evidence(args.sources)

    demoted = collections.Counter()
    science, dropped = science_rows(args.sources, evidence)
    apply_evidence(science, evidence, demoted)
    science = dedupe(science)
    news = news_rows()
    apply_evidence(news, evidence, demoted)
    news = dedupe(news)

    write(os.path.join(args.out, "science.tsv"), "science: tortured phrases from the Problematic Paper Screener list",
          science, ["Source: Cabanac, Labbé & Magazinov (2021), PPS export 2025-07; redistribution terms unverified."])
    write(os.path.join(args.out, "news.tsv"), "news: substitutions of article-spinner families",
          news, ["Source: tools/news_habits.tsv, read off real spun/original news pairs."])

    for name, rows in (("science", science), ("news", news)):
        by = collections.Counter(r["level"] for r in rows)
        print(f"{name}: {len(rows)} entries: " + ", ".join(f"{l} {by[l]}" for l in LEVELS))
    for reason, n in sorted(dropped.items()):
        print(f"dropped: {reason}: {n}")
    for reason, n in sorted(demoted.items()):
        print(f"demoted: {reason}: {n}")


if __name__ == "__main__":
    main()
