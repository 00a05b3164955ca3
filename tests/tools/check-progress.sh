#!/usr/bin/env bash
# Long work shows a progress line on stderr when stderr is a terminal, and
# nothing otherwise: every gort-trace command (count, stats, export in each
# format; dump below) over a fixture trace (old and new formats) and a
# format 1.5 trace written by tests/trace/gen15.py, the passes before the
# first event of an old trace (indexing, finding futile wakeups:
# gort_trace_opts.progress), and gort-goroutines over
# a fixture core (decompressing it, reading its notes, reading its
# goroutines: gort_core_opts.progress and gort_goroutine_iter_progress),
# run under a pseudo-terminal (script(1)) and with stderr to a file or a
# pipe. With
# GORT_PROGRESS_INTERVAL_MS=0 every redraw is shown, so a short run shows
# some; percentages never go back, and the line is cleared at the end.
# (tests/unit/test_progress.c checks the library's counts themselves.)
set -euo pipefail
build=$(cd "$1" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
ex=$build/examples
command -v script >/dev/null || { echo "script(1) (util-linux/bsdutils) missing: skipped"; exit 77; }
if [ -z "$fixtures" ] || [ ! -d "$fixtures/go1.25" ]; then
  echo "no fixtures in GORT_FIXTURES_DIR='$fixtures': skipped"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export GORT_PROGRESS_INTERVAL_MS=0
fail() { echo "FAIL: $*"; exit 1; }

# $1: label; rest: the command. Under a pty with stdout to a file, stderr
# must hold progress lines ending at 100% and a clearing sequence; with
# stderr to a file, nothing; stdout the same both ways.
check() {
  local label=$1; shift
  local q; q=$(printf '%q ' "$@")
  script -qec "$q >$tmp/out.tty" /dev/null >"$tmp/tty" </dev/null ||
    fail "$* failed under a terminal: $(cat "$tmp/tty")"
  grep -q "$label  *[0-9]*%" "$tmp/tty" || fail "no progress line on a terminal for $*: $(head -c 300 "$tmp/tty" | od -c | head)"
  # Percentages never go back and stay within 0-100.
  tr '\r' '\n' <"$tmp/tty" | grep -o "$label  *[0-9]*%" | grep -o '[0-9]*%$' | tr -d % |
    awk -v c="$*" '$1 < last || $1 > 100 { print "FAIL: progress of " c " goes from " last " to " $1; bad = 1 } { last = $1 } END { exit bad }' ||
    exit 1
  grep -q $'\033\\[K' "$tmp/tty" || fail "progress line of $* not cleared"
  "$@" >"$tmp/out.file" 2>"$tmp/err.file" || fail "$* failed"
  [ ! -s "$tmp/err.file" ] || fail "$* wrote to stderr that is not a terminal: $(head -c 200 "$tmp/err.file")"
  "$@" 2>&1 >/dev/null | cat >"$tmp/err.pipe"
  [ ! -s "$tmp/err.pipe" ] || fail "$* wrote to stderr that is a pipe"
  cmp -s "$tmp/out.tty" "$tmp/out.file" || fail "$* prints other results under a terminal"
  n=$(tr '\r' '\n' <"$tmp/tty" | grep -c "$label" || true)
  echo "ok: $* ($n redraws on a terminal, none otherwise)"
}

src=$(cd "$(dirname "$0")/../.." && pwd)
python3 "$src/tests/trace/gen15.py" --events 40000 > "$tmp/gen_1_5" || fail "gen15.py"
python3 "$src/tests/trace/gen15.py" --events 400000 --futile > "$tmp/futile_1_5" || fail "gen15.py --futile"
for t in "$fixtures/go1.21/amd64/trace.out" "$fixtures/go1.25/amd64/trace.out" "$tmp/gen_1_5"; do
  [ -f "$t" ] || continue
  check "gort-trace: reading" "$ex/gort-trace" count "$t"
  check "gort-trace: reading" "$ex/gort-trace" stats --raw "$t"
  check "gort-trace: reading" "$ex/gort-trace" export --format=perfetto "$t"
  check "gort-trace: reading" "$ex/gort-trace" export --format=csv "$t"
  check "gort-trace: reading" "$ex/gort-trace" export --format=goroutines-csv "$t" -o "$tmp/g.csv"
done
# dump writes its results to stdout: a progress line when that is a file.
check "gort-trace: reading" "$ex/gort-trace" dump "$tmp/gen_1_5"
# The passes over a whole old trace before its first event (2.5 MB: a few
# reports each): indexing, then the ordering pass that finds the futile
# wakeups; then reading. Also shown when the results go to the terminal.
check "gort-trace: indexing" "$ex/gort-trace" count "$tmp/futile_1_5"
check "gort-trace: finding futile wakeups" "$ex/gort-trace" count "$tmp/futile_1_5"
check "gort-trace: reading" "$ex/gort-trace" count "$tmp/futile_1_5"
check "gort-trace: indexing" "$ex/gort-trace" export --format=csv "$tmp/futile_1_5"
prog=$fixtures/go1.25/amd64/default/prog
core=$fixtures/go1.25/amd64/default/core.zst
for label in "gort-goroutines: decompressing the core" "gort-goroutines: reading the core's notes" \
  "gort-goroutines: reading goroutines"; do
  check "$label" "$ex/gort-goroutines" "$core" "$prog"
done
# The same core uncompressed: notes and goroutines, no decompression.
if command -v zstd >/dev/null; then
  zstd -qdc "$core" >"$tmp/core"
  check "gort-goroutines: reading the core's notes" "$ex/gort-goroutines" "$tmp/core" "$prog"
  ! grep -q 'decompressing' "$tmp/tty" || fail "decompression progress for an uncompressed core"
fi

# Results streaming to the terminal itself: no progress line mixed in. Opening
# the core (before any result) may show its steps; reading goroutines may not.
script -qec "$(printf '%q ' "$ex/gort-trace" dump "$fixtures/go1.15/amd64/trace.out"); $(printf '%q ' "$ex/gort-trace" export --format=csv "$fixtures/go1.15/amd64/trace.out"); $(printf '%q ' "$ex/gort-goroutines" "$core" "$prog")" /dev/null >"$tmp/tty2" </dev/null || true
grep -q 'goroutine 1 ' "$tmp/tty2" || fail "no results on the terminal"
! grep -q 'gort-trace: reading\|reading goroutines' "$tmp/tty2" || fail "progress shown while results stream to the terminal"
# An old trace's index comes before any result: shown, then cleared.
python3 "$src/tests/trace/gen15.py" --events 2000 --futile > "$tmp/small_1_5" || fail "gen15.py"
script -qec "$(printf '%q ' "$ex/gort-trace" dump "$tmp/small_1_5")" /dev/null >"$tmp/tty3" </dev/null ||
  fail "dump to the terminal failed"
grep -q 'gort-trace: indexing' "$tmp/tty3" || fail "no index progress before results stream to the terminal"
tr '\r' '\n' <"$tmp/tty3" | sed -n '/StateTransition/,$p' | grep -q 'gort-trace:' &&
  fail "progress shown among results streaming to the terminal"
grep -q "gort-goroutines: decompressing the core" "$tmp/tty2" || fail "no progress while the core opens before results stream to the terminal"
tr '\r' '\n' <"$tmp/tty2" | sed -n '/^goroutine 1 /,$p' | grep -q 'gort-goroutines:' &&
  fail "progress shown among results streaming to the terminal"
echo "no progress while results stream to the terminal (only while the core opens)"
