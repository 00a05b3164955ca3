#!/usr/bin/env bash
# The old trace formats (Go 1.5-1.21 writers).
#
# 1.11, 1.19, 1.21: `gort-trace dump` against `go tool trace -d=parsed`
# (Go 1.26+, which converts these traces: internal/trace/tracev1.go) on
# Go's old test traces and the fixtures' traces: identical, or equal up to
# the order Go's random map iteration gives simultaneous events
# (dumpcmp.py), and a 1.21 trace with CPU samples (tests/trace/testdata).
# Go fails on none of these traces, nor may we.
#
# 1.5-1.10, which only Go 1.21's parser reads: our merged events before the
# conversion (old-v1dump) against that parser's (v1ref, built with Go 1.21
# over copies of its internal/trace parser), sorted by time so that ties
# compare as sets; stress_1_5_unordered must fail as Go's does. Also a
# 1.7 trace with a futile wakeup written by futile.py (Go's have none), and
# 1.5 traces written by gen15.py (Go's are under 50 KB): one merged as a
# stream, one with futile wakeups of every shape (two ordered passes), one
# whose batches are out of order on a P (several streams per P), one whose
# sequence numbers go back within a batch (ordered whole).
#
#   check-old.sh BUILD_DIR SOURCE_DIR     (exit 77: skipped)
set -uo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tool=$build/examples/gort-trace
v1dump=$build/tests/old-v1dump
work=$build/trace-check/old
mkdir -p "$work"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off CGO_ENABLED=0
export GOCACHE=${GORT_GOCACHE:-$build/trace-check/gocache}

data=/usr/lib/go-1.21/src/internal/trace/testdata
go121=/usr/lib/go-1.21/bin/go
ref_go=
for v in 1.29 1.28 1.27 1.26; do
  if [ -x /usr/lib/go-$v/bin/go ]; then ref_go=/usr/lib/go-$v/bin/go; break; fi
done
if [ -z "$ref_go" ] || [ ! -d "$data" ] || [ ! -x "$go121" ]; then
  echo "skip: needs Go 1.26+ (go tool trace -d=parsed) and Go 1.21 with its source"
  exit 77
fi
[ -x "$tool" ] && [ -x "$v1dump" ] || { echo "missing $tool or $v1dump"; exit 1; }

# `go tool trace`, built once (shared with check-dump.sh).
gotrace=$build/trace-check/go-tool-trace
if [ ! -x "$gotrace" ] || [ "$gotrace" -ot "$ref_go" ]; then
  "$ref_go" build -o "$gotrace" cmd/trace || { echo "FAIL: cannot build cmd/trace"; exit 1; }
fi
ref=$work/v1ref
if [ ! -x "$ref/v1ref" ] || [ "$ref/v1ref" -ot "$src/tests/trace/v1ref/main.go" ]; then
  mkdir -p "$ref"
  cp "$src/tests/trace/v1ref/main.go" "$src/tests/trace/v1ref/go.mod" "$ref/"
  for f in parser.go order.go; do
    sed 's/^package trace$/package main/' "/usr/lib/go-1.21/src/internal/trace/$f" > "$ref/$f"
  done
  (cd "$ref" && "$go121" build -o v1ref .) || { echo "FAIL: cannot build v1ref"; exit 1; }
fi

fail=0
n=0
traces=("$data"/*_1_11_* "$data"/*_1_19_* "$data"/*_1_21_*)
fix=${GORT_FIXTURES_DIR:-}
for v in 15 19 21; do
  t=$fix/go1.$v/amd64/trace.out
  [ -n "$fix" ] && [ -s "$t" ] && traces+=("$t")
done
# A Go 1.21 trace with CPU samples (tests/trace/testdata/README.md).
if command -v zstd >/dev/null; then
  zstd -qdcf "$src/tests/trace/testdata/cpu_1_21.trace.zst" > "$work/cpu_1_21" &&
    traces+=("$work/cpu_1_21")
fi
for t in "${traces[@]}"; do
  name=$(echo "$t" | tr / _)
  if [ ! -s "$work/$name.ref" ] || [ "$work/$name.ref" -ot "$t" ]; then
    "$gotrace" -d=parsed "$t" > "$work/$name.ref" 2> "$work/$name.referr" ||
      { echo "FAIL: go tool trace fails on $t"; fail=1; continue; }
  fi
  if ! "$tool" dump "$t" > "$work/$name.out" 2> "$work/$name.err"; then
    echo "FAIL $t: $(head -c 300 "$work/$name.err")"
    fail=1
  elif cmp -s "$work/$name.ref" "$work/$name.out"; then
    n=$((n + 1))
    echo "ok   $t: identical ($(wc -l < "$work/$name.ref") lines)"
  elif python3 "$src/tests/trace/dumpcmp.py" "$work/$name.ref" "$work/$name.out"; then
    n=$((n + 1))
    echo "ok   $t: equal up to the order of simultaneous events"
  else
    echo "FAIL $t: gort-trace dump differs from go tool trace -d=parsed"
    fail=1
  fi
done

python3 "$src/tests/trace/futile.py" > "$work/futile_1_7" || { echo "FAIL: futile.py"; fail=1; }
gen=("$work/gen_1_5" "$work/gen_futile_1_5" "$work/gen_swap_1_5" "$work/gen_wrap_1_5")
python3 "$src/tests/trace/gen15.py" --events 60000 --seed 1 > "${gen[0]}" &&
  python3 "$src/tests/trace/gen15.py" --events 30000 --seed 2 --futile > "${gen[1]}" &&
  python3 "$src/tests/trace/gen15.py" --events 30000 --seed 3 --procs 3 --swap --futile > "${gen[2]}" &&
  python3 "$src/tests/trace/gen15.py" --events 30000 --seed 4 --wrap > "${gen[3]}" ||
  { echo "FAIL: gen15.py"; fail=1; }
for t in "$data"/*_1_5_* "$data"/*_1_7_* "$data"/*_1_9_* "$data"/*_1_10_* "$work/futile_1_7" "${gen[@]}"; do
  b=$(basename "$t")
  "$ref/v1ref" "$t" | LC_ALL=C sort -k1,1n -k2 > "$work/$b.v1ref"
  "$v1dump" "$t" | sed 's/GCSTW/STW/' | LC_ALL=C sort -k1,1n -k2 > "$work/$b.v1"
  if [ "${b%_unordered}" != "$b" ]; then
    # Go 1.21 rejects it: so must we, for the same reason.
    if grep -q '^error: time stamps out of order' "$work/$b.v1ref" &&
      grep -q '^error: trace: time stamps out of order' "$work/$b.v1"; then
      n=$((n + 1)); echo "ok   $b: rejected (time stamps out of order)"
    else
      echo "FAIL $b: $(cat "$work/$b.v1")"; fail=1
    fi
  elif cmp -s "$work/$b.v1ref" "$work/$b.v1" && ! grep -q '^error' "$work/$b.v1"; then
    "$tool" dump "$t" > /dev/null 2> "$work/$b.err" ||
      { echo "FAIL $b: dump: $(head -c 300 "$work/$b.err")"; fail=1; continue; }
    n=$((n + 1)); echo "ok   $b: same events as Go 1.21 ($(wc -l < "$work/$b.v1"))"
  else
    echo "FAIL $b: events differ from Go 1.21's parser"
    diff "$work/$b.v1ref" "$work/$b.v1" | head -10
    fail=1
  fi
done
echo "$n old traces checked"
exit $fail
