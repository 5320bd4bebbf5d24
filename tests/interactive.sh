#!/usr/bin/env bash
# Drives despin in a real terminal (tmux) as a person would. The interactive
# review: keys are sent one answer at a time, the screen is read back, and
# the file must hold exactly the accepted changes. The progress line: it
# shows on a terminal during a long run, and never on redirected output.
#
# Usage: tests/interactive.sh PATH/TO/despin [CAPTURE.txt]
# With CAPTURE, the final screen (with its colours, as ANSI escapes) is
# saved there. CI runs this script.
set -euo pipefail
despin=$(realpath "$1")
capture=${2:+$(realpath -m "$2")}
command -v tmux >/dev/null || { echo "interactive: tmux is not installed" >&2; exit 1; }
work=$(mktemp -d)
session="despin-review-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
printf 'One.\nWe met this 7 days.\nThe Residence Speaker and this 7 days.\nIn man or woman.\n' > story.txt

tmux new-session -d -s "$session" -x 100 -y 60 \
  "$despin -I --color always story.txt; echo \"exit status \$?\"; sleep 60"

screen() { tmux capture-pane -p -t "$session" "$@"; }
# Waits until the screen shows the nth prompt (or other text).
wait_for() {
  local pattern=$1 count=${2:-1}
  for _ in $(seq 100); do
    if [ "$(screen | grep -c -- "$pattern" || true)" -ge "$count" ]; then return 0; fi
    sleep 0.1
  done
  echo "interactive: timed out waiting for '$pattern' ($count)" >&2
  screen >&2
  exit 1
}

wait_for 'Apply this change' 1
tmux send-keys -t "$session" '?' Enter        # help, then the same change again
wait_for 'q - quit' 1
wait_for 'Apply this change' 2
tmux send-keys -t "$session" y Enter          # this 7 days -> this week
wait_for 'Apply this change' 3
tmux send-keys -t "$session" n Enter          # keep Residence Speaker
wait_for 'Apply this change' 4
tmux send-keys -t "$session" e Enter          # type another replacement
wait_for 'Replacement:' 1
tmux send-keys -t "$session" 'this fortnight' Enter
wait_for 'Apply this change' 5
tmux send-keys -t "$session" q Enter          # quit: the accepted ones are written
wait_for 'exit status' 1

expected=$'One.\nWe met this week.\nThe Residence Speaker and this fortnight.\nIn man or woman.'
actual=$(cat story.txt)
if [ "$actual" != "$expected" ]; then
  echo "interactive: the file is not as reviewed:" >&2
  cat story.txt >&2
  exit 1
fi
screen | grep -q 'story.txt: 2 of 4 changes applied' || { echo "interactive: no summary" >&2; screen >&2; exit 1; }
screen | grep -q 'exit status 0' || { echo "interactive: bad exit status" >&2; screen >&2; exit 1; }
# The changed words are highlighted (reverse video, red and green).
colours=$(screen -e)
# tmux writes the styles in its own order: look for reverse video on the
# changed words only ("this" is not emphasised).
case "$colours" in
  *$'-We met this \e[1;7m7 days'*) ;;
  *) echo "interactive: the changed words are not highlighted" >&2; echo "$colours" | cat -v >&2; exit 1 ;;
esac
ls -a | grep -q '\.despin-.*\.tmp' && { echo "interactive: temporary file left" >&2; exit 1; }
[ -n "$capture" ] && screen -e > "$capture"
echo "interactive: passed"

# Ctrl-C ends the review as q does: what was accepted is written.
tmux kill-session -t "$session"
printf 'One.\nWe met this 7 days.\nThe flag\nto commotion and this 7 days.\n' > story.txt
tmux new-session -d -s "$session" -x 100 -y 60 \
  "$despin -I --color never story.txt; echo \"exit status \$?\"; sleep 60"
wait_for 'Apply this change' 1
tmux send-keys -t "$session" y Enter          # this 7 days -> this week
wait_for 'Apply this change' 2
# A change across a line break shows both its lines with - and +.
screen | grep -q -- '^-to commotion and this 7 days.$' || { echo "interrupt: second line unsigned" >&2; screen >&2; exit 1; }
screen | grep -q -- '^+to noise and this 7 days.$' || { echo "interrupt: second line unsigned" >&2; screen >&2; exit 1; }
tmux send-keys -t "$session" C-c
wait_for 'exit status' 1
expected=$'One.\nWe met this week.\nThe flag\nto commotion and this 7 days.'
actual=$(cat story.txt)
if [ "$actual" != "$expected" ]; then
  echo "interrupt: the accepted change was not written:" >&2
  cat story.txt >&2
  exit 1
fi
screen | grep -q 'story.txt: 1 of 3 changes applied' || { echo "interrupt: no summary" >&2; screen >&2; exit 1; }
screen | grep -q 'exit status 130' || { echo "interrupt: bad exit status" >&2; screen >&2; exit 1; }
ls -a | grep -q '\.despin-.*\.tmp' && { echo "interrupt: temporary file left" >&2; exit 1; }
echo "interrupt: passed"

# The progress line: shown on a terminal once a run passes one second,
# never when standard error is redirected.
tmux kill-session -t "$session"
tmux new-session -d -s "$session" -x 100 -y 10 \
  "(printf 'We met this 7 days.\\n'; sleep 3) | $despin > out.txt; (printf 'x\\n'; sleep 2) | $despin 2> err.txt > /dev/null; echo finished; sleep 60"
wait_for 'files* done, .* MB/s' 1
wait_for 'finished' 1
[ "$(cat out.txt)" = "We met this week." ] || { echo "progress: output changed" >&2; exit 1; }
[ ! -s err.txt ] || { echo "progress: shown on redirected stderr:" >&2; cat err.txt >&2; exit 1; }
echo "progress: passed"
