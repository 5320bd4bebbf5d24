#!/usr/bin/env bash
# Compares despin with typos, codespell and `wc -w` on one generated file.
#
# Usage: benches/compare.sh [SIZE_MB] [RUNS]     (default 100 MB, 3 runs)
#        benches/compare.sh --genres [SIZE_MB] [RUNS]
#                              every genre, clean and spun (benches/genres.sh)
#
# The corpus is never-spun prose from tests/fixtures/clean, cycled to the
# size, with a spun phrase from the default dictionaries about every 1,000
# words; the same seed gives the same file. typos (cargo install) and
# codespell (pip) are installed into benches/work/ when missing. Each tool
# runs RUNS times, alternating, and the table gives the median MB/s
# (10^6 bytes per second) and peak RSS. The same text cut into 50 KB files
# measures scaling on many files. Last come the fixed costs: memory when
# streaming 1 GB (ten copies of the corpus) through stdin, start-up, and
# loading a compiled user dictionary of 1 million entries. Never part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--genres" ]; then
  shift
  exec bash benches/genres.sh "$@"
fi
size_mb=${1:-100}
runs=${2:-3}
work=benches/work
mkdir -p "$work"
corpus="$work/corpus-${size_mb}mb.txt"

cargo build --release --quiet
despin=target/release/despin

if [ ! -s "$corpus" ]; then
  python3 - "$corpus" "$size_mb" <<'PY'
import glob, random, sys
path, mb = sys.argv[1], int(sys.argv[2])
words = []
for p in sorted(glob.glob("tests/fixtures/clean/state_union/*.txt")):
    words += open(p, encoding="utf-8", errors="replace").read().split(" ")
spun = ["this 7 days", "in man or woman", "point out media", "Residence Speaker",
        "counterfeit consciousness", "irregular woodland", "requires place", "information mining"]
rng = random.Random(42)
with open(path, "w", encoding="utf-8") as f:
    size, i, buf = 0, 0, []
    while size < mb * 1024 * 1024:
        w = words[i % len(words)]
        i += 1
        if rng.random() < 0.001:
            w = rng.choice(spun) + " " + w
        buf.append(w)
        size += len(w) + 1
        if len(buf) >= 100000:
            f.write(" ".join(buf) + " ")
            buf = []
    f.write(" ".join(buf))
PY
fi
bytes=$(stat -c %s "$corpus")
# The same text wrapped into lines, for the modes whose cost depends on
# lines (diff prints whole changed lines).
lines="$work/corpus-${size_mb}mb-lines.txt"
[ -s "$lines" ] || fold -s -w 100 "$corpus" > "$lines"
# And cut into files of about 50 KB (whole lines), 100 to a folder.
many="$work/many-${size_mb}mb"
if [ ! -d "$many" ]; then
  mkdir -p "$many.tmp"
  split -C 50000 -d -a 5 --additional-suffix .txt "$lines" "$many.tmp/part"
  (cd "$many.tmp" && for f in part*.txt; do n=${f#part}; d=$((10#${n%.txt} / 100)); mkdir -p "d$d"; mv "$f" "d$d/"; done)
  mv "$many.tmp" "$many"
fi

typos_bin=$(command -v typos || true)
if [ -z "$typos_bin" ]; then
  [ -x "$work/tools/bin/typos" ] || cargo install --quiet --root "$work/tools" typos-cli
  typos_bin="$work/tools/bin/typos"
fi
codespell_cmd=(codespell)
if ! command -v codespell >/dev/null; then
  [ -d "$work/pytools/codespell_lib" ] || pip install --quiet --target "$work/pytools" codespell
  codespell_cmd=(env "PYTHONPATH=$work/pytools" python3 -m codespell_lib)
fi

declare -A commands=(
  ["despin -j2"]="$despin -j 2 $corpus"
  ["despin -j1"]="$despin -j 1 $corpus"
  ["despin --check"]="$despin --check -j 2 $corpus"
  ["typos"]="$typos_bin --format brief $corpus"
  ["codespell"]="${codespell_cmd[*]} $corpus"
  ["wc -w"]="wc -w $corpus"
  ["lines: filter"]="$despin -j 2 $lines"
  ["lines: --check"]="$despin --check -j 2 $lines"
  ["lines: --diff"]="$despin --diff -j 2 $lines"
  ["many files -j2"]="$despin -j 2 $many"
  ["many files -j1"]="$despin -j 1 $many"
)
order=("despin -j2" "despin -j1" "despin --check" "typos" "codespell" "wc -w"
       "lines: filter" "lines: --check" "lines: --diff" "many files -j2" "many files -j1")
declare -A times rss
for run in $(seq "$runs"); do
  for name in "${order[@]}"; do
    # Wall time from bash's microsecond clock (`time -f %e` rounds to
    # 10 ms, 2% of a despin run); peak RSS from `time`.
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/time.txt" bash -c "${commands[$name]} > /dev/null 2>&1" || true
    end=$EPOCHREALTIME
    m=$(tail -n 1 "$work/time.txt")
    times[$name]+="$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}') "
    rss[$name]+="$m "
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The median over rounds of one time divided by another from the same
# round: runs next to each other share the machine's state, so this ratio
# drifts less than one of two medians.
paired() {
  paste <(echo "$1" | tr ' ' '\n' | grep .) <(echo "$2" | tr ' ' '\n' | grep .) |
    awk '{printf "%.3f\n", $1 / $2}' | median
}
printf 'nproc %s, corpus %s (%d bytes), %d runs each\n' "$(nproc)" "$corpus" "$bytes" "$runs"
printf 'MB/s is 10^6 bytes per second; peak RSS is in MiB\n'
printf '%-16s %10s %10s %12s\n' tool seconds MB/s "peak RSS MiB"
declare -A mbs
for name in "${order[@]}"; do
  t=$(echo "${times[$name]}" | median)
  m=$(echo "${rss[$name]}" | median)
  mbs[$name]=$(awk -v b="$bytes" -v t="$t" 'BEGIN {printf "%.1f", b / 1000000 / t}')
  printf '%-16s %10s %10s %12s\n' "$name" "$t" "${mbs[$name]}" "$((m / 1024))"
done
awk -v d="${mbs[despin -j2]}" -v t="${mbs[typos]}" -v w="${mbs[wc -w]}" -v s="${mbs[despin -j1]}" \
  'BEGIN {printf "despin/typos %.2f   despin/wc %.2f   speed-up 1->2 threads %.2f\n", d / t, d / w, d / s}'
printf 'speed-up 1->2 threads, median of rounds: one file %.2f   many files %.2f\n' \
  "$(paired "${times[despin -j1]}" "${times[despin -j2]}")" \
  "$(paired "${times[many files -j1]}" "${times[many files -j2]}")"
awk -v f="${mbs[lines: filter]}" -v c="${mbs[lines: --check]}" -v d="${mbs[lines: --diff]}" \
  'BEGIN {printf "wrapped text: --check/filter %.2f   --diff/filter %.2f\n", c / f, d / f}'

# Fixed costs. A stream of ten copies of the corpus through a pipe, so that
# despin sees no size and streams; peak RSS must not grow with the input.
stream() {
  /usr/bin/time -f '%e %M' -o "$work/time.txt" bash -c \
    "for i in \$(seq $1); do cat $corpus; done | $despin > /dev/null"
  read -r secs kib < <(tail -n 1 "$work/time.txt")
  printf 'stdin stream of %d MB: %s s, peak RSS %d MiB\n' "$(($1 * bytes / 1000000))" "$secs" "$((kib / 1024))"
}
stream 1
stream 10
# A user dictionary of 1 million random entries, compiled once.
big="$work/dict-1m.fst"
if [ ! -s "$big" ]; then
  python3 - "$work/dict-1m.tsv" <<'PY'
import random, sys
rng = random.Random(7)
word = lambda: "".join(rng.choice("abcdefghij") for _ in range(6))
with open(sys.argv[1], "w") as f:
    seen = set()
    while len(seen) < 1_000_000:
        key = f"{word()} {word()} {word()}"
        if key not in seen:
            seen.add(key)
            f.write(f"{key}\t{word()}\tsure\n")
PY
  "$despin" dict compile --output "$big" "$work/dict-1m.tsv"
fi
# Median of 30 runs on empty input, in milliseconds.
startup() {
  for _ in $(seq 30); do
    start=$EPOCHREALTIME
    "$@" < /dev/null > /dev/null
    end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f\n", (b - a) * 1000}'
  done | median
}
printf 'start-up, empty input: %s ms; with the 1M-entry dictionary (%d MB): %s ms\n' \
  "$(startup "$despin")" "$(($(stat -c %s "$big") / 1000000))" "$(startup "$despin" --dict "$big")"
