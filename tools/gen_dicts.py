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
import gzip
import collections
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"[^\W_]+(?:['\u2019\u02bc][^\W_]+)*", re.UNICODE)
LEVELS = ["sure", "likely", "suggest"]

# Never-spun text used as evidence that a phrase is ordinary English: these
# files whole, and of the other files of EVIDENCE_HALVES the first half,
# which is the dev part of tools/clean_rates.py. The rest is held out so the
# clean-text measurement stays honest (see tools/README.md). Brown and the
# web text are for measurement only (their terms), so they are no evidence.
EVIDENCE_FILES = [
    "science/acl_anthology_abstracts_1974_2015.txt",
    "science/ncbi_disease_corpus_pubmed_abstracts.txt",
    "science/arsenic_groundwater_wos_abstracts_to_2014.txt",
]
EVIDENCE_STATE_UNION_BEFORE = 1990
EVIDENCE_HALVES = ["science", "state_union"]


def words(text):
    """Normalised words, as despin's tokenizer sees them."""
    return [w.lower().replace("\u2019", "'").replace("\u02bc", "'") for w in WORD.findall(text)]


def key(phrase):
    return " ".join(words(phrase))


def first_half(text):
    """The text up to the line break nearest its middle: the dev part of a
    clean file, as tools/clean_rates.py cuts it."""
    cut = text.find("\n", len(text) // 2)
    return text if cut < 0 else text[: cut + 1]


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
        self.lm_ngrams = lm_ngrams(os.path.join(data, "lm", "cmusphinx-en-us-3gram.arpa.gz"))
        ranked = sorted(self.unigrams.items(), key=lambda kv: -kv[1])
        self.common = {w for w, _ in ranked[:20000]}
        self.clean_texts = []
        for rel in EVIDENCE_FILES:
            path = os.path.join(data, "clean", rel)
            with open(path, encoding="utf-8", errors="replace") as f:
                self.clean_texts.append(f.read())
        su = os.path.join(data, "clean", "state_union")
        whole = set(EVIDENCE_FILES)
        for name in sorted(os.listdir(su)):
            if name[:4].isdigit() and int(name[:4]) < EVIDENCE_STATE_UNION_BEFORE:
                whole.add("state_union/" + name)
                with open(os.path.join(su, name), encoding="utf-8", errors="replace") as f:
                    self.clean_texts.append(f.read())
        clean = os.path.join(data, "clean")
        for corpus in EVIDENCE_HALVES:
            for name in sorted(os.listdir(os.path.join(clean, corpus))):
                rel = corpus + "/" + name
                if rel in whole or not name.endswith(".txt") or name.startswith("README"):
                    continue
                with open(os.path.join(clean, rel), encoding="utf-8", errors="replace") as f:
                    self.clean_texts.append(first_half(f.read()))
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


def lm_ngrams(path):
    """The bigrams and trigrams of an ARPA language model: phrases that
    transcribed US English uses, so a spun side among them is clean English
    somewhere."""
    ngrams, section = set(), None
    with gzip.open(path, "rt", encoding="latin-1") as f:
        for line in f:
            if line.startswith("\\"):
                section = line.strip()
                continue
            fields = line.split()
            if section == "\\2-grams:" and len(fields) >= 3:
                ngrams.add(" ".join(fields[1:3]))
            elif section == "\\3-grams:" and len(fields) >= 4:
                ngrams.add(" ".join(fields[1:4]))
    return ngrams


def clean_expected(raw, evidence, spun=""):
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
        notes = notes + ["bracketed context dropped"]
    # Parentheticals: a trailing acronym or a context note is dropped; an
    # alternative ("or possibly ...") makes the row ambiguous.
    def drop_paren(m):
        nonlocal level
        inner = m.group(1).strip()
        if re.match(r"(or|and/or)\b", inner, re.I):
            level = "suggest"
            alternative = re.sub(r"^(or|and/or)\s+(possibly\s+)?", "", inner, flags=re.I).strip(' "')
            notes.append(f"alternatives: {alternative}")
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
    commas = ("," in text or ";" in text) and "," not in spun
    if re.search(r"\w\s*/\s*\w", text) or commas or " or " in text.lower():
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


QUERY_TOKEN = re.compile(r'"([^"]*)"(?:~(\d+))?|\(|\)|~(\d+)|([^\s()"]+)')


def parse_query(raw):
    """Parses a screener fingerprint into (phrase, proximity, clauses).

    `"x" AND "y"` -> if:y; `AND ("a" OR "b")` -> if:a|b; `NOT "y"` ->
    unless:y; `"a b"~N` -> proximity N. Unquoted words are phrases too, and
    a trailing * is a prefix. Returns None when the query has no phrase.
    """
    q = raw.strip()
    if q.startswith('"') and q.endswith('"'):
        q = q[1:-1]
    q = q.replace('""', '"')
    tokens = []
    for m in QUERY_TOKEN.finditer(q):
        quoted, near, bare_near, word = m.groups()
        if quoted is not None:
            tokens.append(("phrase", quoted, int(near) if near else None))
        elif bare_near:
            if tokens and tokens[-1][0] == "phrase":
                tokens[-1] = ("phrase", tokens[-1][1], int(bare_near))
        elif m.group(0) in "()":
            tokens.append((m.group(0), None, None))
        elif word.upper() in ("AND", "ADN"):
            tokens.append(("and", None, None))
        elif word.upper() == "OR":
            tokens.append(("or", None, None))
        elif word.upper() == "NOT":
            tokens.append(("not", None, None))
        else:
            tokens.append(("phrase", word, None))
    if not tokens or tokens[0][0] != "phrase":
        return None
    phrase, proximity = tokens[0][1], tokens[0][2]
    clauses, i = [], 1
    while i < len(tokens):
        op = tokens[i][0]
        if op == "or" and not clauses:
            # "x" OR "y": another spelling of the same fingerprint.
            i += 2
            continue
        if op not in ("and", "not"):
            i += 1
            continue
        i += 1
        group = []
        if i < len(tokens) and tokens[i][0] == "(":
            i += 1
            while i < len(tokens) and tokens[i][0] != ")":
                if tokens[i][0] == "phrase":
                    group.append(tokens[i][1])
                i += 1
            i += 1
        elif i < len(tokens) and tokens[i][0] == "phrase":
            group.append(tokens[i][1])
            i += 1
        # A trailing "OR y" without brackets joins the group.
        while i + 1 < len(tokens) and tokens[i][0] == "or" and tokens[i + 1][0] == "phrase":
            group.append(tokens[i + 1][1])
            i += 2
        group = [g for g in group if words(g)]
        if group:
            clauses.append(("if" if op == "and" else "unless", group))
    return phrase, proximity, clauses


def condition_text(clauses):
    out = []
    for kind, group in clauses:
        alts = []
        for g in group:
            prefix = g.rstrip().endswith("*")
            k = key(g)
            alts.append(k + ("*" if prefix else ""))
        out.append(f"{kind}:{'|'.join(alts)}")
    return ";".join(out)


def alternatives(text):
    """Expands one slash group: "fog/mist/cloud computing" -> 3 phrases."""
    parts = text.split(" ")
    slashed = [i for i, w in enumerate(parts) if "/" in w.strip("/")]
    if len(slashed) != 1:
        return None
    i = slashed[0]
    options = [o for o in parts[i].split("/") if o]
    if len(options) < 2:
        return None
    return [" ".join(parts[:i] + [o] + parts[i + 1:]) for o in options]


def science_rows(data, evidence):
    path = os.path.join(data, "pps", "pps_2025-07_normalized.tsv")
    rows, dropped = [], collections.Counter()
    with open(path, encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            parsed = parse_query(rec["raw_query"])
            spun = clean_tortured(rec["tortured"])
            exp = clean_expected(rec["expected"], evidence, spun or "")
            if parsed is None or spun is None or exp is None:
                dropped["no usable expected text"] += 1
                continue
            _, proximity, clauses = parsed
            original, level, note = exp
            why = "pps %s %s papers%s" % (rec["kind"], rec["num_papers"], "; " + note if note else "")
            spun_words = words(spun)
            if proximity and len(spun_words) != len(words(original)):
                # "a b"~N: the fingerprint is a word near its context word.
                # The context words that the expected text shares are the
                # condition; the rest is the spun phrase. The replacement is
                # only a hint, so it is reported, never applied.
                context = [w for w in spun_words if w in words(original)]
                core = [w for w in spun_words if w not in context]
                if not core or not context:
                    dropped["proximity without a separable context word"] += 1
                    continue
                clauses = clauses + [("near", [" ".join(context)])]
                spun, level = " ".join(core), "suggest"
                why += "; proximity ~%d" % proximity
            condition = condition_text([(k, g) for k, g in clauses if k != "near"])
            near = [g for k, g in clauses if k == "near"]
            if near:
                near_text = "near:%s~%d" % ("|".join(key(g) for g in near[0]), proximity)
                condition = ";".join(c for c in (condition, near_text) if c)
            if key(original) == key(spun):
                dropped["maps to itself"] += 1
                continue
            alts = None
            if level == "suggest" and "alternatives" in note:
                alts = alternatives(original)
                extra = re.search(r"alternatives: ([^;]+)", note)
                if extra and words(extra.group(1)):
                    alts = (alts or [original]) + [extra.group(1)]
            if alts:
                # Pick the alternative the document supports.
                for alt in alts:
                    cond = ";".join(c for c in (condition, "if:" + key(alt)) if c)
                    rows.append({"spun": spun, "original": alt, "level": "sure", "condition": cond,
                                 "why": why + "; alternative chosen by document context"})
            rows.append({"spun": spun, "original": original, "level": level, "condition": condition, "why": why})
            if condition and level != "suggest":
                # Without its condition the phrase may be ordinary English:
                # report it, never apply it.
                rows.append({"spun": spun, "original": original, "level": "suggest", "condition": "",
                             "why": why + "; condition not met"})
    return rows, dropped


VOWELS = set("aeiou")


def noun_plural_forms(w):
    if re.search(r"(s|x|z|ch|sh)$", w):
        return [w + "es"]
    if len(w) > 1 and w.endswith("y") and w[-2] not in VOWELS:
        return [w[:-1] + "ies"]
    return [w + "s"]


def best(forms, evidence, minimum):
    """The attested spelling among `forms`, or None."""
    scored = [(evidence.unigrams.get(f, 0), f) for f in forms]
    count, form = max(scored)
    return form if count >= minimum else None


def inflections(rows, evidence):
    """The regular plural of each entry's head noun (its last word). A form
    is generated only when both the spun word and the original word have it
    attested in the web unigram counts, so irregular words ("analysis") are
    left alone.

    Only the last word is inflected. Tortured phrases are noun phrases, so
    a first word is nearly always a modifier, not a verb: inflecting it as
    one wrote entries that are not English ("bosoms carcinoma" -> "breasts
    cancer", "supports vector machine"). Of 2,867 such entries, 84 had an
    original whose first two words are a web bigram, and most of those
    were wrong too ("states of the art").
    """
    out = []
    for r in rows:
        sp, orig = r["spun"].split(" "), r["original"].split(" ")
        if not (sp[-1].isalpha() and sp[-1].islower() and orig[-1].isalpha() and orig[-1].islower()):
            continue
        s_pl = best(noun_plural_forms(sp[-1]), evidence, 100)
        o_pl = best(noun_plural_forms(orig[-1]), evidence, 1000)
        singular = lambda w: not w.endswith("s") or w.endswith("ss")  # noqa: E731
        if s_pl and o_pl and singular(sp[-1]) and singular(orig[-1]):
            v = dict(r)
            v["spun"], v["original"] = " ".join(sp[:-1] + [s_pl]), " ".join(orig[:-1] + [o_pl])
            v["why"] = r["why"] + "; inflected (plural)"
            v["generated"] = True
            out.append(v)
    return out


def settle_chains(rows):
    """Rewrites an entry whose original another applied, unconditional entry
    repairs again ("trap of things" -> "web of things", which is itself a
    tortured "internet of things") to the end of the chain, so that one run
    of despin writes what a second would. A chain that comes back to its
    start is left for `despin dict check` to report as a cycle."""
    applied = {}
    for r in rows:
        if not r["condition"] and r["level"] != "suggest":
            applied.setdefault(key(r["spun"]), r["original"])
    settled = 0
    for r in rows:
        seen, original = {key(r["spun"])}, r["original"]
        while key(original) in applied and key(original) not in seen:
            seen.add(key(original))
            original = applied[key(original)]
        if original != r["original"] and key(original) not in seen:
            r["why"] += "; chain settled: %s -> %s" % (r["original"], original)
            r["original"] = original
            settled += 1
    return settled


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
            rows.append({"spun": spun, "original": original, "level": level, "condition": "", "why": evidence,
                         "curated": True})
    return rows


def apply_evidence(rows, evidence, demoted):
    """Demotes rows whose spun side is ordinary English."""
    counts = evidence.clean_counts(key(r["spun"]) for r in rows)
    for r in rows:
        k = key(r["spun"])
        established = evidence.established(k)
        reason = established
        if counts.get(k) and not established:
            reason = "occurs %d times in never-spun text" % counts[k]
        if r.get("curated") and r["level"] == "likely":
            # A curated `likely` row already says "sometimes clean English";
            # it is only ever applied in a document that shows spin.
            continue
        if (not reason and not r.get("curated") and not r["condition"] and r["level"] == "sure"
                and len(k.split(" ")) in (2, 3) and k in evidence.lm_ngrams):
            # Transcribed US English uses the phrase ("supply routes",
            # "elderly folks"): spun only where the document shows spin.
            # A screener condition, or a curated habit seen in real pairs,
            # already ties the entry to spun text.
            r["level"] = "likely"
            r["why"] += "; demoted: n-gram of the news language model"
            demoted["n-gram of the news language model"] += 1
            continue
        if reason and r["level"] != "suggest":
            # Established phrases are at most suggestions; a phrase merely
            # seen in clean text drops one level.
            steps = 2 if established else 1
            r["level"] = demote(r["level"], steps)
            r["why"] += "; demoted: " + reason
            demoted[reason if established else reason.split(" ")[0]] += 1


def dedupe(rows):
    """One row per (key, condition): rows from the sources before generated
    inflections, then the most confident."""
    chosen = {}
    for r in rows:
        k = (key(r["spun"]), r["condition"], r["spun"] != r["spun"].lower())
        rank = (r.get("generated", False), LEVELS.index(r["level"]))
        if k not in chosen or rank < chosen[k][0]:
            chosen[k] = (rank, r)
    return sorted((r for _, r in chosen.values()), key=lambda r: (key(r["spun"]), r["condition"], r["spun"]))


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


THESAURUS_VOCABULARY = 40000


def wordnet_pertainyms(wordnet):
    """(noun, adjective) pairs where WordNet says the adjective pertains to
    the noun ("solar" -> "sun"): a spinner swaps one for the other."""
    def load(name):
        synsets = {}
        with open(os.path.join(wordnet, name), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                parts = line.split(" | ")[0].split()
                count = int(parts[3], 16)
                lemmas = [parts[4 + 2 * i] for i in range(count)]
                at = 4 + 2 * count
                pointers = [parts[at + 1 + 4 * i: at + 5 + 4 * i] for i in range(int(parts[at]))]
                synsets[parts[0]] = (lemmas, pointers)
        return synsets

    adjectives, nouns = load("data.adj"), load("data.noun")
    pairs = set()
    for lemmas, pointers in adjectives.values():
        for symbol, target, pos, source_target in pointers:
            if symbol != "\\" or pos != "n":
                continue
            s, t = int(source_target[:2], 16), int(source_target[2:], 16)
            sources = [lemmas[s - 1]] if s else lemmas
            targets = nouns[target][0]
            targets = [targets[t - 1]] if t else targets
            for a in sources:
                for n in targets:
                    a = re.sub(r"\(.*\)", "", a).lower()
                    n = n.lower()
                    if "_" not in a and "_" not in n:
                        pairs.add((n, a))
    return sorted(pairs)


def write_thesaurus(data, evidence, out_dir, wordnet):
    """Synonym links from Moby Thesaurus II between common single words: the
    substitutions a spinner can make. Each line is a root word and the
    synonyms its Moby entry lists, kept in Moby's direction (root -> synonym).
    Used by the name pass."""
    ranked = sorted(evidence.unigrams.items(), key=lambda kv: -kv[1])
    vocabulary = {w for w, _ in ranked[:THESAURUS_VOCABULARY]}
    links = collections.defaultdict(set)
    with open(os.path.join(data, "thesaurus", "moby_words.txt"), encoding="latin-1") as f:
        for line in f:
            ws = line.rstrip("\n").split(",")
            root = ws[0]
            if root not in vocabulary:
                continue
            for syn in ws[1:]:
                if syn != root and syn in vocabulary:
                    links[root].add(syn)
    pertainyms = 0
    for noun, adjective in wordnet_pertainyms(wordnet):
        if noun in vocabulary and adjective in vocabulary and adjective not in links[noun]:
            links[noun].add(adjective)
            pertainyms += 1
    path = os.path.join(out_dir, "thesaurus.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# thesaurus: Moby Thesaurus II entries (Grady Ward, public domain) and WordNet 3.0\n")
        f.write("# pertainyms (noun -> its adjective, e.g. sun -> solar), restricted to the\n")
        f.write("# %d most frequent web words. Generated by tools/gen_dicts.py.\n" % THESAURUS_VOCABULARY)
        f.write("# root<TAB>synonyms listed by its Moby entry, separated by spaces\n")
        for w in sorted(links):
            f.write(w + "\t" + " ".join(sorted(links[w])) + "\n")
    return sum(len(v) for v in links.values()), pertainyms


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", help="raw data folder (../shared/data in the workspace)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "dictionaries"))
    parser.add_argument("--wordnet", default="/usr/share/wordnet",
                        help="WordNet 3.0 database files (Debian package wordnet-base)")
    args = parser.parse_args()
    evidence = Evidence(args.sources)

    demoted = collections.Counter()
    science, dropped = science_rows(args.sources, evidence)
    science += inflections(science, evidence)
    apply_evidence(science, evidence, demoted)
    science = dedupe(science)
    chains = settle_chains(science)
    news = news_rows()
    news += inflections(news, evidence)
    apply_evidence(news, evidence, demoted)
    news = dedupe(news)
    chains += settle_chains(news)

    write(os.path.join(args.out, "science.tsv"), "science: tortured phrases from the Problematic Paper Screener list",
          science, ["Source: Cabanac, Labbé & Magazinov (2021), PPS export 2025-07; redistribution terms unverified."])
    write(os.path.join(args.out, "news.tsv"), "news: substitutions of article-spinner families",
          news, ["Source: tools/news_habits.tsv, read off real spun/original news pairs."])

    pairs, pertainyms = write_thesaurus(args.sources, evidence, args.out, args.wordnet)
    print(f"thesaurus: {pairs} root -> synonym links ({pertainyms} WordNet pertainyms)")
    for name, rows in (("science", science), ("news", news)):
        by = collections.Counter(r["level"] for r in rows)
        print(f"{name}: {len(rows)} entries: " + ", ".join(f"{l} {by[l]}" for l in LEVELS))
    print(f"chains settled: {chains}")
    for reason, n in sorted(dropped.items()):
        print(f"dropped: {reason}: {n}")
    for reason, n in sorted(demoted.items()):
        print(f"demoted: {reason}: {n}")


if __name__ == "__main__":
    main()
