#!/usr/bin/env bash
# Throughput across genres: `benches/compare.sh --genres [SIZE_MB] [RUNS]`.
#
# For each genre of never-spun text in ../shared/data/clean (speeches,
# science abstracts, the Brown corpus's fifteen genres, web text with its
# capitalised UI words), three corpora of SIZE_MB (default 50): the text as
# it is, with a spun phrase about every 1,000 words, and with one in every
# paragraph. Text is cut into paragraphs of about 120 words (blank lines
# between them) and cycled to the size; the same seed gives the same files.
# Each corpus goes through standard input to despin -j1, despin -j2,
# despin -j2 --no-context (so the contextual stage's own cost shows) and
# `wc -w`, RUNS times (default 3), alternating; the table gives median
# MB/s, peak RSS and the ratio to `wc -w` in the same round. Last,
# STREAM_MB (default 1000; 0 skips it) of each corpus streams through
# despin for its peak RSS. Never part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-50}
runs=${2:-3}
data=${DESPIN_DATA:-../shared/data}
work=benches/work/genres
mkdir -p "$work"
cargo build --release --quiet
despin=$PWD/target/release/despin

python3 - "$data/clean" "$work" "$size_mb" <<'PY'
import glob, os, random, sys
clean, work, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
genres = {
    "speeches": "state_union/*.txt",
    "science": "science/*.txt",
    "brown": "brown/[a-z]*.txt",
    "webtext": "webtext/*.txt",
}
# Unconditional `sure` phrases of the default dictionaries: what a spinner
# writes, whatever the genre.
spun = []
for name in ("news", "science"):
    for line in open(f"dictionaries/{name}.tsv", encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) == 3 and fields[2] == "sure" and len(fields[0].split()) >= 2:
            spun.append(fields[0])
rng = random.Random(42)
spun = sorted(spun)
for genre, pattern in genres.items():
    paragraphs = []
    for path in sorted(glob.glob(os.path.join(clean, pattern))):
        if os.path.basename(path).startswith("README"):
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        blocks = [b for b in text.split("\n\n") if b.strip()]
        lines = [l for b in blocks for l in b.split("\n") if l.strip()]
        # Paragraphs of about 120 words, from the file's own lines.
        current = []
        for line in lines:
            current.append(line)
            if sum(len(l.split()) for l in current) >= 120:
                paragraphs.append("\n".join(current))
                current = []
        if current:
            paragraphs.append("\n".join(current))
    for variant in ("clean", "spun1000", "spunpara"):
        path = os.path.join(work, f"{genre}-{variant}-{mb}mb.txt")
        if os.path.exists(path):
            continue
        size, i, words_since = 0, 0, 0
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            while size < mb * 1000 * 1000:
                words = paragraphs[i % len(paragraphs)].split(" ")
                i += 1
                if variant == "spunpara":
                    at = rng.randrange(len(words))
                    words.insert(at, rng.choice(spun))
                elif variant == "spun1000":
                    words_since += len(words)
                    while words_since >= 1000:
                        words_since -= 1000
                        words.insert(rng.randrange(len(words)), rng.choice(spun))
                block = " ".join(words) + "\n\n"
                out.write(block)
                size += len(block.encode("utf-8"))
        os.rename(path + ".tmp", path)
PY

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Runs a command on the corpus through stdin; prints "seconds peak_kib".
measure() {
  local corpus=$1
  shift
  local start end
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/time.txt" "$@" < "$corpus" > /dev/null 2>&1 || true
  end=$EPOCHREALTIME
  awk -v a="$start" -v b="$end" -v m="$(tail -n 1 "$work/time.txt")" 'BEGIN {printf "%.3f %d\n", b - a, m}'
}

printf 'nproc %s, %d MB corpora (10^6 bytes), %d runs; MB/s is the median, "/wc" the median ratio to wc -w in the same round\n' \
  "$(nproc)" "$size_mb" "$runs"
printf '%-20s %8s %8s %8s %8s %8s %8s %9s %8s %9s\n' corpus "wc MB/s" "-j1" "-j2" "-j2/wc" "1->2" "-j1/wc" "no-ctx" "ctx MB/s" "RSS MiB"
for corpus in "$work"/*-"${size_mb}"mb.txt; do
  bytes=$(stat -c %s "$corpus")
  wc_t="" j1_t="" j2_t="" nc_t="" ratio="" speedup="" ratio1="" rss=""
  for _ in $(seq "$runs"); do
    read -r w _ < <(measure "$corpus" wc -w)
    read -r a m1 < <(measure "$corpus" "$despin" -j 1)
    read -r b m2 < <(measure "$corpus" "$despin" -j 2)
    read -r c _ < <(measure "$corpus" "$despin" -j 2 --no-context)
    wc_t+="$w " j1_t+="$a " j2_t+="$b " nc_t+="$c " rss+="$m2 "
    ratio+="$(awk -v w="$w" -v b="$b" 'BEGIN {printf "%.3f", w / b}') "
    ratio1+="$(awk -v w="$w" -v a="$a" 'BEGIN {printf "%.3f", w / a}') "
    speedup+="$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}') "
  done
  mbs() { awk -v n="$bytes" -v t="$(echo "$1" | median)" 'BEGIN {printf "%.0f", n / 1e6 / t}'; }
  # The contextual stage alone: the bytes over the time it adds.
  ctx=$(awk -v n="$bytes" -v b="$(echo "$j2_t" | median)" -v c="$(echo "$nc_t" | median)" \
    'BEGIN {d = b - c; if (d <= 0.005) print "-"; else printf "%.0f", n / 1e6 / d}')
  printf '%-20s %8s %8s %8s %8s %8s %8s %9s %8s %9s\n' "$(basename "$corpus" "-${size_mb}mb.txt")" \
    "$(mbs "$wc_t")" "$(mbs "$j1_t")" "$(mbs "$j2_t")" "$(echo "$ratio" | median)" \
    "$(echo "$speedup" | median)" "$(echo "$ratio1" | median)" "$(mbs "$nc_t")" "$ctx" \
    "$(($(echo "$rss" | median) / 1024))"
done

# Memory when streaming STREAM_MB of each corpus: it must stay flat.
stream_mb=${STREAM_MB:-1000}
[ "$stream_mb" -gt 0 ] || exit 0
printf '\n%-20s %12s %10s\n' "${stream_mb} MB stream" seconds "RSS MiB"
for corpus in "$work"/*-"${size_mb}"mb.txt; do
  copies=$(( (stream_mb + size_mb - 1) / size_mb ))
  /usr/bin/time -f '%e %M' -o "$work/time.txt" bash -c \
    "for i in \$(seq $copies); do cat $corpus; done | $despin -j 2 > /dev/null"
  read -r secs kib < <(tail -n 1 "$work/time.txt")
  printf '%-20s %12s %10d\n' "$(basename "$corpus" "-${size_mb}mb.txt")" "$secs" "$((kib / 1024))"
done
