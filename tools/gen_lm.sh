#!/bin/sh
# Regenerates dictionaries/en-us-3gram.lm from the CMU Sphinx ARPA model.
# Usage: tools/gen_lm.sh SOURCES_DIR   (SOURCES_DIR: the raw data folder)
set -eu
sources=${1:?usage: tools/gen_lm.sh SOURCES_DIR}
cargo build --release --quiet
zcat "$sources/lm/cmusphinx-en-us-3gram.arpa.gz" |
    target/release/despin dict compile-lm - -o dictionaries/en-us-3gram.lm
cmp -s "$sources/lm/COPYRIGHT-pocketsphinx-en-us.txt" dictionaries/LICENSE-en-us-3gram.txt ||
    cp "$sources/lm/COPYRIGHT-pocketsphinx-en-us.txt" dictionaries/LICENSE-en-us-3gram.txt
