#!/usr/bin/env bash
# Slow fault tests that do not fit in `cargo test`; CI runs them (.ci/run).
#
#   1. kill:  `despin -i` on a 100 MB file is killed with SIGKILL at several
#             points; the file must always be the whole original or the whole
#             repaired text, and a later run leaves no temporary file.
#   2. full:  `despin -i` on a full filesystem (a small tmpfs) fails with exit
#             2, names the file and leaves it untouched. Skipped where tmpfs
#             cannot be mounted.
#   3. size:  a 200 MB single line, and a 2 GB stream on stdin, are repaired
#             with peak RSS under 200 MB.
#   4. dict:  60 bit flips in a compiled dictionary: no hang, no crash.
#   5. live:  a compiled dictionary rewritten during a run: no SIGBUS.
#   6. owner: `despin -i` as root keeps owner, group and a setuid bit.
#   7. special: /dev/zero by path stays under 64 MB; -i refuses a FIFO.
#   8. again: a second `despin -i` changes nothing, with a user dictionary
#             whose entries chain and a condition that a repair meets.
#   9. cuts:  a 2.4 MB stream whose every line break is inside a phrase is
#             cut only between phrases: every phrase is repaired.
#  10. terminal: a diff on a terminal (script(1)) shows an escape sequence
#             of the text as text; through a pipe it stays byte-exact.
#  11. config: a planted despin.toml above the repository is not used, and
#             one that others can write is refused with a note.
#  12. limits: a dictionary line over 4 KiB and `--dict /dev/zero` are
#             errors at once, naming the file.
#  13. temp:  a temporary file locked by a run in another PID namespace
#             survives the stale-temp sweep of `despin -i`.
#  14. jsonl: `--jsonl` leaves text alone that `--ignore-regex` or a
#             `despin:ignore` line protects.
# Item 2 of issue 21 (linear passes) is timed by benches/growth.py.
#
# Usage: tests/faults.sh [path/to/despin]   (default: target/release/despin)
set -euo pipefail
cd "$(dirname "$0")/.."
despin=$(realpath "${1:-target/release/despin}")
work=$(mktemp -d)
trap 'umount "$work/small" 2>/dev/null || true; rm -rf "$work"' EXIT
failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

# A paragraph of prose with spun phrases the default dictionaries know.
para='Officials met this 7 days in man or woman, in accordance to point out media, and the talks requires place again soon. Plain words follow here to make the paragraph longer and more like real text.'

# make_text PATH MB SEPARATOR: the paragraph repeated to MB megabytes.
make_text() {
  python3 - "$1" "$2" "$3" "$para" <<'PY'
import sys
path, mb, separator, para = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
block = (para + separator.encode().decode("unicode_escape")) * 1000
with open(path, "w") as f:
    while f.tell() < mb * 1024 * 1024:
        f.write(block)
PY
}

# ---- 1. kill mid-write --------------------------------------------------
make_text "$work/original.txt" 100 '\n\n'
"$despin" "$work/original.txt" > "$work/expected.txt"
cmp -s "$work/original.txt" "$work/expected.txt" && fail "kill: the corpus has nothing to repair"
kills=0
intact=0
for delay in 0.02 0.1 0.2 0.35 0.5 0.7 0.9 1.2 1.5 2.0; do
  cp "$work/original.txt" "$work/target.txt"
  "$despin" -i "$work/target.txt" &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  if cmp -s "$work/target.txt" "$work/original.txt" || cmp -s "$work/target.txt" "$work/expected.txt"; then
    intact=$((intact + 1))
  else
    fail "kill after ${delay}s: the file is neither the original nor the repaired text"
  fi
done
"$despin" -i "$work/target.txt"
leftovers=$(find "$work" -maxdepth 1 -name '.despin-*.tmp' | wc -l)
[ "$leftovers" -eq 0 ] || fail "kill: $leftovers temporary files left after a completed run"
cmp -s "$work/target.txt" "$work/expected.txt" || fail "kill: the final run did not produce the repaired text"
pass "kill: $kills kills, $intact of 10 files intact, $leftovers temporary files left"

# ---- 2. disk full -------------------------------------------------------
mkdir -p "$work/small"
if mount -t tmpfs -o size=3m tmpfs "$work/small" 2>/dev/null; then
  head -c 2000000 "$work/original.txt" > "$work/small/story.txt"
  cp "$work/small/story.txt" "$work/story.copy"
  # Fill the rest of the filesystem so the temporary file cannot be written.
  dd if=/dev/zero of="$work/small/filler" bs=64k 2>/dev/null || true
  set +e
  "$despin" -i "$work/small/story.txt" 2> "$work/full.err"
  status=$?
  set -e
  [ "$status" -eq 2 ] || fail "full: exit status $status, expected 2"
  grep -q "story.txt" "$work/full.err" || fail "full: the error does not name the file: $(cat "$work/full.err")"
  cmp -s "$work/small/story.txt" "$work/story.copy" || fail "full: the original changed"
  leftovers=$(find "$work/small" -name '.despin-*.tmp' | wc -l)
  [ "$leftovers" -eq 0 ] || fail "full: temporary file left behind"
  pass "full: exit $status, $(head -c 200 "$work/full.err")"
  umount "$work/small"
else
  echo "skipped: full (cannot mount a tmpfs here)"
fi
set +e
"$despin" "$work/original.txt" > /dev/full 2> "$work/devfull.err"
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "No space" "$work/devfull.err" || fail "/dev/full: status $status, $(cat "$work/devfull.err")"
pass "/dev/full as stdout: exit $status"

# ---- 3. bounded memory --------------------------------------------------
rss_limit_kb=$((200 * 1024))
make_text "$work/line.txt" 200 ' '
/usr/bin/time -f '%M' -o "$work/line.rss" "$despin" "$work/line.txt" > "$work/line.out"
rss=$(cat "$work/line.rss")
[ "$(wc -l < "$work/line.out")" -eq 0 ] || fail "200 MB line: output has line breaks"
spun=$(grep -o 'this 7 days' "$work/line.txt" | wc -l)
fixed=$(grep -o 'this week' "$work/line.out" | wc -l)
[ "$spun" -eq "$fixed" ] || fail "200 MB line: $spun spun phrases but $fixed repaired"
[ "$rss" -lt "$rss_limit_kb" ] || fail "200 MB line: peak RSS ${rss} KB"
pass "200 MB single line: peak RSS $((rss / 1024)) MB, $fixed of $spun phrases repaired"
rm -f "$work/line.txt" "$work/line.out"

line=$(printf '%s ' "$para")
set +o pipefail
yes "$line" | head -c $((2 * 1024 * 1024 * 1024)) | /usr/bin/time -f '%M' -o "$work/stream.rss" "$despin" | wc -c > "$work/stream.size"
set -o pipefail
rss=$(cat "$work/stream.rss")
[ "$rss" -lt "$rss_limit_kb" ] || fail "2 GB stream: peak RSS ${rss} KB"
pass "2 GB stdin stream: peak RSS $((rss / 1024)) MB, $(cat "$work/stream.size") bytes out"

# ---- 4. corrupt compiled dictionaries ----------------------------------
printf 'blue sky\tclear sky\tsure\nthis 7 days\tthis week\tsure\n' > "$work/m.tsv"
"$despin" dict compile "$work/m.tsv" -o "$work/m.fst" 2> /dev/null
# The text holds both keys, so look-ups walk the whole phrase index.
python3 -c 'import sys; sys.stdout.write("the blue sky this 7 days\n" * 200000)' > "$work/dict-input.txt"
hangs=0
crashes=0
size=$(stat -c %s "$work/m.fst")
for i in $(seq 1 60); do
  cp "$work/m.fst" "$work/x.fst"
  # Flip a bit in the last 4 KiB: the phrase index and the entry table.
  python3 - "$work/x.fst" "$size" "$i" <<'PY'
import random, sys
path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
data = bytearray(open(path, "rb").read())
if seed == 1:
    # The byte of the reported hang: inside the phrase index.
    data[size - 110] = 0xFF
else:
    at = random.randrange(max(0, size - 4096), size)
    data[at] ^= 1 << random.randrange(8)
open(path, "wb").write(data)
PY
  set +e
  timeout 10 "$despin" --no-default-dict --dict "$work/x.fst" -j2 "$work/dict-input.txt" > /dev/null 2>&1
  rc=$?
  set -e
  case $rc in
    0 | 1 | 2) ;;
    124) hangs=$((hangs + 1)) ;;
    *) crashes=$((crashes + 1)) ;;
  esac
done
if [ "$hangs" -eq 0 ] && [ "$crashes" -eq 0 ]; then
  pass "corrupt dictionary: 60 bit flips, no hang and no crash"
else
  fail "corrupt dictionary: of 60 bit flips, $hangs hung and $crashes crashed"
fi

# ---- 5. a dictionary rewritten during a run ------------------------------
"$despin" dict compile "$work/m.tsv" -o "$work/live.fst" 2> /dev/null
make_text "$work/long-input.txt" 60 '\n'
set +e
"$despin" --no-default-dict --dict "$work/live.fst" -j2 "$work/long-input.txt" > /dev/null &
pid=$!
sleep 0.2
cp "$work/m.tsv" "$work/live.fst"
wait "$pid"
rc=$?
set -e
if [ "$rc" -le 1 ]; then
  pass "dictionary rewritten mid-run: exit $rc"
else
  fail "dictionary rewritten mid-run: exit $rc (135 is SIGBUS)"
fi
rm -f "$work/long-input.txt"

# ---- 6. ownership and set-id bits under -i --------------------------------
if [ "$(id -u)" -eq 0 ] && id nobody > /dev/null 2>&1; then
  printf 'We met this 7 days.\n' > "$work/owned.txt"
  group=$(id -gn nobody)
  chown "nobody:$group" "$work/owned.txt"
  chmod 4640 "$work/owned.txt"
  "$despin" -i "$work/owned.txt"
  got=$(stat -c '%U:%G %a' "$work/owned.txt")
  if [ "$got" = "nobody:$group 4640" ] && grep -q 'this week' "$work/owned.txt"; then
    pass "-i as root keeps owner, group and mode ($got)"
  else
    fail "-i as root: $got, expected nobody:$group 4640 and the repair"
  fi
else
  echo "skip: ownership (needs root and a 'nobody' user)"
fi

# ---- 7. special files -----------------------------------------------------
set +e
/usr/bin/time -f '%M' -o "$work/zero.rss" timeout 3 "$despin" /dev/zero > /dev/null 2>&1
set -e
rss=$(tail -1 "$work/zero.rss")
if [ "$rss" -lt $((64 * 1024)) ]; then
  pass "/dev/zero by path for 3 s: peak RSS $((rss / 1024)) MB"
else
  fail "/dev/zero by path: peak RSS ${rss} KB"
fi
mkfifo "$work/fifo"
printf 'We met this 7 days.\n' > "$work/fifo" &
set +e
"$despin" -i "$work/fifo" 2> "$work/fifo.err"
rc=$?
set -e
wait || true
if [ "$rc" -eq 2 ] && [ -p "$work/fifo" ]; then
  pass "-i on a FIFO is refused and it stays a FIFO"
else
  fail "-i on a FIFO: exit $rc, $(stat -c %F "$work/fifo")"
fi

# ---- 8. a second run changes nothing ---------------------------------------
printf 'trap of things\tweb of things\tsure\nweb of things\tinternet of things\tsure\nflag\tsignal\tsure\tif:noise\nclamor\tnoise\tsure\n' > "$work/chain.tsv"
printf 'The trap of things sends a flag through the clamor.\nWe met this 7 days.\n' > "$work/again.txt"
"$despin" --dict "$work/chain.tsv" -i "$work/again.txt"
cp "$work/again.txt" "$work/again.once"
"$despin" --dict "$work/chain.tsv" -i "$work/again.txt"
if cmp -s "$work/again.txt" "$work/again.once" && grep -q 'internet of things sends a signal through the noise' "$work/again.txt"; then
  pass "a second -i changes nothing (chains and a condition met by a repair)"
else
  fail "a second -i changed the file: $(diff "$work/again.once" "$work/again.txt" | head -3)"
fi

# ---- 9. cuts outside phrases ---------------------------------------------
python3 -c "import sys; sys.stdout.write('We met this 7\ndays ' * 120000)" > "$work/cuts.txt"
left=$("$despin" < "$work/cuts.txt" | grep -c '7$' || true)
if [ "$left" -eq 0 ]; then
  pass "a stream with a phrase across every line break: every phrase repaired"
else
  fail "a stream with a phrase across every line break: $left left unrepaired"
fi

# ---- 10. control bytes on a terminal --------------------------------------
printf 'We met this 7 days.\033]0;owned\007\n' > "$work/escape.txt"
if command -v script > /dev/null; then
  script -qec "$despin --diff --color never $work/escape.txt" /dev/null > "$work/escape.tty" || true
  "$despin" --diff "$work/escape.txt" > "$work/escape.pipe" || true
  if ! grep -q $'\033' "$work/escape.tty" && grep -qF '\x1b]0;owned' "$work/escape.tty" \
    && grep -q $'\033]0;owned' "$work/escape.pipe"; then
    pass "a diff shows an escape sequence on a terminal and keeps it in a pipe"
  else
    fail "control bytes: terminal $(od -c "$work/escape.tty" | head -2)"
  fi
else
  echo "skip: terminal (no script(1))"
fi

# ---- 11. a planted despin.toml --------------------------------------------
mkdir -p "$work/above/repo/.git" "$work/above/repo/docs"
printf 'default-dictionaries = false\n' > "$work/above/despin.toml"
printf 'We met this 7 days.\n' > "$work/above/repo/docs/a.txt"
out=$(cd "$work/above/repo/docs" && "$despin" a.txt)
printf 'default-dictionaries = false\n' > "$work/above/repo/despin.toml"
chmod 666 "$work/above/repo/despin.toml"
err=$(cd "$work/above/repo/docs" && "$despin" a.txt 2>&1 > /dev/null)
if [ "$out" = "We met this week." ] && echo "$err" | grep -q 'others can write'; then
  pass "despin.toml above the repository is ignored; a writable one is refused"
else
  fail "despin.toml: output '$out', stderr '$err'"
fi

# ---- 12. limits -------------------------------------------------------------
python3 -c "print('a' * 5000 + '\tb\tsure')" > "$work/long-line.tsv"
set +e
err=$(timeout 5 "$despin" --dict "$work/long-line.tsv" "$work/again.txt" 2>&1 > /dev/null)
rc1=$?
err2=$(timeout 5 "$despin" --dict /dev/zero "$work/again.txt" 2>&1 > /dev/null)
rc2=$?
set -e
if [ "$rc1" -eq 2 ] && echo "$err" | grep -q 'long-line.tsv:1' && [ "$rc2" -eq 2 ] && echo "$err2" | grep -q '/dev/zero'; then
  pass "a 5,000-byte dictionary line and --dict /dev/zero are errors naming the file"
else
  fail "limits: exit $rc1 '$err'; exit $rc2 '$err2'"
fi

# ---- 13. a live temporary file of another run ----------------------------
mkdir -p "$work/temp"
printf 'being written' > "$work/temp/.despin-4000001-abcdef.tmp"
printf 'We met this 7 days.\n' > "$work/temp/a.txt"
flock "$work/temp/.despin-4000001-abcdef.tmp" sleep 20 &
holder=$!
for _ in $(seq 100); do
  flock -n "$work/temp/.despin-4000001-abcdef.tmp" true || break
  sleep 0.05
done
"$despin" -i "$work/temp/a.txt"
if [ -e "$work/temp/.despin-4000001-abcdef.tmp" ] && grep -q 'this week' "$work/temp/a.txt"; then
  pass "a locked temporary file of another run is kept by the sweep"
else
  fail "the sweep deleted a live temporary file"
fi
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true

# ---- 14. --jsonl honours ignore rules ---------------------------------------
printf '%s\n' '{"text":"We met [this 7 days] and this 7 days."}' '{"text":"this 7 days despin:ignore\nthis 7 days"}' > "$work/ignore.jsonl"
got=$("$despin" --jsonl --ignore-regex '\[[^]]*\]' < "$work/ignore.jsonl")
expected=$(printf '%s\n' '{"text":"We met [this 7 days] and this week."}' '{"text":"this 7 days despin:ignore\nthis week"}')
if [ "$got" = "$expected" ]; then
  pass "--jsonl leaves --ignore-regex and despin:ignore text alone"
else
  fail "--jsonl with ignore rules: $got"
fi

echo "faults: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
