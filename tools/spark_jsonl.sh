#!/usr/bin/env bash
# Runs despin under Spark (local mode) with rdd.pipe over a JSON Lines
# corpus, and checks that the job's output equals a single-process run, line
# for line.
#
# Usage: tools/spark_jsonl.sh [SIZE_MB]     (default 200)
#
# PySpark is installed with pip into benches/work/pyspark when missing (it
# needs Java 17). The corpus is built from benches/work/corpus-100mb.txt
# (benches/compare.sh makes it): records {"id", "text", "source"} of about
# 2 KB each. Never part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-200}
work=benches/work
corpus="$work/corpus-${size_mb}mb.jsonl"
cargo build --release --quiet
despin="$PWD/target/release/despin"

[ -d "$work/pyspark/pyspark" ] || pip install --quiet --target "$work/pyspark" pyspark
[ -s "$work/corpus-100mb.txt" ] || bash benches/compare.sh 100 1 >/dev/null

if [ ! -s "$corpus" ]; then
  python3 - "$work/corpus-100mb.txt" "$corpus" "$size_mb" <<'PY'
import json, sys
source, path, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
words = open(source, encoding="utf-8").read().split(" ")
with open(path, "w", encoding="utf-8") as f:
    size, i, at = 0, 0, 0
    while size < mb * 1024 * 1024:
        text = " ".join(words[at:at + 330])
        at = (at + 330) % (len(words) - 330)
        line = json.dumps({"id": i, "text": text, "source": "corpus"}) + "\n"
        f.write(line)
        size += len(line)
        i += 1
PY
fi
printf 'corpus: %s (%s bytes, %s records)\n' "$corpus" "$(stat -c %s "$corpus")" "$(wc -l < "$corpus")"

start=$(date +%s.%N)
"$despin" --jsonl < "$corpus" > "$work/single.jsonl"
single=$(echo "$(date +%s.%N) - $start" | bc)
printf 'single process: %.1f s\n' "$single"

rm -rf "$work/spark-out"
start=$(date +%s.%N)
PYTHONPATH="$work/pyspark" python3 - "$corpus" "$work/spark-out" "$despin" <<'PY'
import sys
from pyspark import SparkContext
corpus, out, despin = sys.argv[1:4]
sc = SparkContext("local[2]", "despin-jsonl")
sc.setLogLevel("ERROR")
# Each partition is piped through one despin process; despin writes one
# line per input line, in order, so partitions keep their records.
sc.textFile(corpus, minPartitions=8).pipe(f"{despin} --jsonl -j 1").saveAsTextFile(out)
sc.stop()
PY
spark=$(echo "$(date +%s.%N) - $start" | bc)
printf 'spark local[2], 8 partitions: %.1f s\n' "$spark"

if cat "$work"/spark-out/part-* | cmp -s - "$work/single.jsonl"; then
  echo "equal: the Spark job's output equals the single-process run, line for line"
else
  echo "DIFFERENT: the Spark job's output differs from the single-process run" >&2
  exit 1
fi
