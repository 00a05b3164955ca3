#!/usr/bin/env bash
# Differential test: `gort-trace stats --raw` must print exactly what Go's
# own summarizer computes (internal/trace/summary.go: every goroutine's
# statistics, block time by reason, range time, user regions), plus the GC
# mark phases, STW pauses and latency histograms computed in Go from Go's
# parsed events (tests/trace/gosummary, built as a GOROOT command through
# an overlay, since internal/trace cannot be imported from outside GOROOT).
#
# Traces: the fixtures' (GORT_FIXTURES_DIR/go1.NN/ARCH/trace.out), those
# check-dump.sh wrote (build/trace-check/go1.NN.trace, when present), Go's
# parser conformance cases (converted by testcase.py) and Go's old-format
# test traces. A trace that either side cannot read is skipped and counted.
#
#   check-stats.sh BUILD_DIR SOURCE_DIR     (exit 77: skipped)
set -uo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tool=$build/examples/gort-trace
work=$build/trace-stats
mkdir -p "$work"

ref_go=
for v in 1.29 1.28 1.27 1.26 1.25 1.24 1.23; do
  if [ -x /usr/lib/go-$v/bin/go ]; then ref_go=/usr/lib/go-$v/bin/go; break; fi
done
[ -n "$ref_go" ] || { echo "skip: no Go 1.23+ toolchain"; exit 77; }
[ -x "$tool" ] || { echo "missing $tool"; exit 1; }
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || py=

export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off CGO_ENABLED=0
goroot=$("$ref_go" env GOROOT)
helper=$work/gortsummary
sed -e "s|@GOROOT@|$goroot|" -e "s|@SRC@|$src/tests/trace/gosummary|" \
  "$src/tests/trace/gosummary/overlay.json.in" > "$work/overlay.json"
if [ ! -x "$helper" ] || [ "$helper" -ot "$src/tests/trace/gosummary/main.go" ] || [ "$helper" -ot "$ref_go" ]; then
  GOCACHE=${GORT_GOCACHE:-$build/trace-check/gocache} \
    "$ref_go" build -overlay "$work/overlay.json" -o "$helper" cmd/gortsummary ||
    { echo "FAIL: cannot build the Go summary helper"; exit 1; }
fi

traces=()
declare -A seen
add() { # add TRACE: once per content
  local k
  k=$(cksum < "$1" | cut -d' ' -f1,2)
  [ -z "${seen[$k]:-}" ] || return 0
  seen[$k]=1
  traces+=("$1")
}
fix=${GORT_FIXTURES_DIR:-}
if [ -n "$fix" ]; then
  for t in "$fix"/go1.*/*/trace.out; do [ -s "$t" ] && add "$t"; done
fi
for t in "$build"/trace-check/go1.*.trace; do [ -s "$t" ] && add "$t"; done
for t in /usr/lib/go-1.*/src/internal/trace/testdata/*_good; do [ -s "$t" ] && add "$t"; done
if [ -n "$py" ]; then
  mkdir -p "$work/cases"
  for c in /usr/lib/go-1.*/src/internal/trace/testdata/tests/*.test; do
    [ -f "$c" ] || continue
    v=$(echo "$c" | sed -n 's|.*/go-\(1\.[0-9]*\)/.*|\1|p')
    out=$work/cases/$v-$(basename "$c" .test).trace
    [ -s "$out" ] || "$py" "$src/tests/trace/testcase.py" "$c" "$out" > /dev/null 2>&1 || continue
    add "$out"
  done
fi
[ ${#traces[@]} -gt 0 ] || { echo "skip: no traces"; exit 77; }

# Format 1.5-1.21 ("go 1.N trace" with N <= 21): Go's reader converts them.
old_format() {
  local h; h=$(head -c 16 "$1" | tr -d '\0')
  [[ "$h" =~ ^go\ 1\.([0-9]+)\ trace$ ]] && [ "${BASH_REMATCH[1]}" -le 21 ]
}
# Same lines, same words, integers (also in key=value) within 8 of each other.
near() {
  python3 - "$1" "$2" <<'PY'
import re, sys
a, b = (open(p).read().splitlines() for p in sys.argv[1:3])
def close(x, y):
    if x == y:
        return True
    kx, _, vx = x.rpartition("="); ky, _, vy = y.rpartition("=")
    if kx != ky:
        return False
    mx, my = re.fullmatch(r"(.*?)(-?\d+)", vx), re.fullmatch(r"(.*?)(-?\d+)", vy)
    return bool(mx and my and mx.group(1) == my.group(1)
                and abs(int(mx.group(2)) - int(my.group(2))) <= 8)
ok = len(a) == len(b) and all(
    len(x.split()) == len(y.split()) and all(close(u, v) for u, v in zip(x.split(), y.split()))
    for x, y in zip(a, b))
sys.exit(0 if ok else 1)
PY
}

fail=0 n=0 skipped=0
for t in "${traces[@]}"; do
  name=$(echo "$t" | tr / _)
  if ! "$helper" "$t" > "$work/$name.go" 2> "$work/$name.goerr"; then
    skipped=$((skipped + 1))
    continue
  fi
  "$tool" stats --raw "$t" > "$work/$name.out" 2> "$work/$name.err"
  rc=$?
  if [ $rc -ne 0 ] && grep -q "not supported\|unsupported\|not read" "$work/$name.err"; then
    echo "skip $t: $(head -c 200 "$work/$name.err")"
    skipped=$((skipped + 1))
    continue
  fi
  # A trace with an error is summarized up to it by both.
  if [ -s "$work/$name.goerr" ] && ! [ -s "$work/$name.err" ]; then
    echo "FAIL $t: Go reports an error, gort-trace does not: $(head -c 200 "$work/$name.goerr")"
    fail=1
    continue
  fi
  if cmp -s "$work/$name.go" "$work/$name.out"; then
    n=$((n + 1))
    echo "ok   $t ($(grep -c '^goroutine' "$work/$name.go") goroutines)"
  elif old_format "$t" && near "$work/$name.go" "$work/$name.out"; then
    # Go merges same-time events of old-format traces in map order
    # (docs/TRACE.md, "Old format"): its own sums move by a nanosecond
    # from run to run (seen: 1-2 ns on stress_1_11_good). Same lines, every
    # number within 8 ns of Go's.
    n=$((n + 1))
    echo "ok   $t ($(grep -c '^goroutine' "$work/$name.go") goroutines, sums within 8 ns: Go's old-format merge order is random)"
  else
    fail=1
    echo "FAIL $t: gort-trace stats --raw differs from Go's summary"
    diff "$work/$name.go" "$work/$name.out" | head -20
    head -c 300 "$work/$name.err"
  fi
done

# The human-readable form runs on every trace compared (no crash, no hang).
for t in "${traces[@]}"; do
  "$tool" stats "$t" > /dev/null 2>&1
  rc=$?
  if [ $rc -gt 1 ]; then echo "FAIL $t: gort-trace stats exited $rc"; fail=1; fi
done
echo "$n traces summarized as Go does, $skipped skipped"
[ $n -gt 0 ] || { [ $fail -eq 0 ] && exit 77; }
exit $fail
