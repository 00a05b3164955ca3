#!/usr/bin/env bash
# Differential test: `gort-trace dump` must print exactly what
# `go tool trace -d=parsed` prints (Go 1.26+ toolchain), line for line, on
# traces written by every installed toolchain from 1.22 on (tests/trace/prog,
# built here with each of them), on the fixtures' traces when present
# (GORT_FIXTURES_DIR/go1.NN/amd64/trace.out), and on a zstd-compressed copy.
#
#   check-dump.sh BUILD_DIR SOURCE_DIR     (exit 77: skipped)
set -uo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tool=$build/examples/gort-trace
work=$build/trace-check
mkdir -p "$work"

ref_go=
for v in 1.29 1.28 1.27 1.26; do
  if [ -x /usr/lib/go-$v/bin/go ]; then ref_go=/usr/lib/go-$v/bin/go; break; fi
done
if [ -z "$ref_go" ]; then
  echo "skip: no Go 1.26+ toolchain for go tool trace -d=parsed"
  exit 77
fi
[ -x "$tool" ] || { echo "missing $tool"; exit 1; }

export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off CGO_ENABLED=0
# `go tool trace` itself, built once (go tool would relink it on every call).
gotrace=$work/go-tool-trace
if [ ! -x "$gotrace" ] || [ "$gotrace" -ot "$ref_go" ]; then
  GOCACHE=${GORT_GOCACHE:-$work/gocache} "$ref_go" build -o "$gotrace" cmd/trace ||
    { echo "FAIL: cannot build cmd/trace"; exit 1; }
fi

traces=()
# Traces from our own program, one per toolchain (kept between runs).
for v in 22 23 24 25 26 27 28 29; do
  go=/usr/lib/go-1.$v/bin/go
  [ -x "$go" ] || continue
  out=$work/go1.$v.trace
  if [ ! -s "$out" ]; then
    (cd "$src/tests/trace/prog" && GOCACHE=${GORT_GOCACHE:-$work/gocache} GOPATH=$work/gopath \
      "$go" build -o "$work/prog1.$v" .) || { echo "FAIL: build with go1.$v"; exit 1; }
    "$work/prog1.$v" -d 1100ms -w 3 -every 1 "$out.tmp" && mv "$out.tmp" "$out" ||
      { echo "FAIL: run prog built by go1.$v"; exit 1; }
  fi
  traces+=("$out")
done
# The fixtures' traces, when they have been built.
fix=${GORT_FIXTURES_DIR:-}
if [ -n "$fix" ]; then
  for t in "$fix"/go1.*/amd64/trace.out; do
    [ -s "$t" ] || continue
    # The old format (before 1.22): check-old.sh (Go's output varies there).
    v=$(head -c 16 "$t" | tr -d '\0' | sed -n 's/^go 1\.\([0-9]*\) trace$/\1/p')
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then
      traces+=("$t")
    else
      echo "skip $t: format go 1.$v (checked by check-old.sh)"
    fi
  done
fi
[ ${#traces[@]} -gt 0 ] || { echo "skip: no traces"; exit 77; }

fail=0
n=0
for t in "${traces[@]}"; do
  name=$(echo "$t" | tr / _)
  ref=$work/$name.ref
  if [ ! -s "$ref" ] || [ "$ref" -ot "$t" ]; then
    "$gotrace" -d=parsed "$t" > "$ref.tmp" 2> "$ref.err" || {
      echo "note: go tool trace failed on $t: $(head -c 300 "$ref.err")"; }
    mv "$ref.tmp" "$ref"
  fi
  "$tool" dump "$t" > "$work/$name.out" 2> "$work/$name.err"
  if cmp -s "$ref" "$work/$name.out"; then
    n=$((n + 1))
    echo "ok   $(head -c 16 "$t" | tr -d '\0') $t ($(wc -l < "$ref") lines)"
  else
    fail=1
    echo "FAIL $t: gort-trace dump differs from go tool trace -d=parsed"
    diff "$ref" "$work/$name.out" | head -20
    head -c 500 "$work/$name.err"
  fi
done

# A zstd-compressed trace reads the same.
if command -v zstd > /dev/null; then
  t=${traces[0]}
  zstd -q -f -3 "$t" -o "$work/compressed.trace.zst"
  if "$tool" dump "$work/compressed.trace.zst" | cmp -s - "$work/$(echo "$t" | tr / _).ref"; then
    echo "ok   zstd-compressed $t"
  else
    echo "FAIL zstd-compressed $t"
    fail=1
  fi
fi
echo "$n traces identical"
exit $fail
