#!/usr/bin/env bash
# `gort-trace export` on real traces (the fixtures', those check-dump.sh
# wrote, two of Go's conformance cases): the Perfetto JSON parses and its
# slices are well nested per track, the event CSV has one row per event
# (`gort-trace count`), the goroutine CSV one row per goroutine (as many as
# Go's summary has: check-stats.sh compares those), validated by
# export_check.py. Exports of truncated traces end cleanly.
#
#   check-export.sh BUILD_DIR SOURCE_DIR     (exit 77: skipped)
set -uo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tool=$build/examples/gort-trace
work=$build/trace-export
mkdir -p "$work"
[ -x "$tool" ] || { echo "missing $tool"; exit 1; }
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "skip: no python3"; exit 77; }

traces=()
fix=${GORT_FIXTURES_DIR:-}
if [ -n "$fix" ]; then
  for t in "$fix"/go1.2[2-9]/amd64/trace.out; do [ -s "$t" ] && traces+=("$t"); done
fi
for t in "$build"/trace-check/go1.*.trace; do [ -s "$t" ] && traces+=("$t"); done
for c in /usr/lib/go-1.27/src/internal/trace/testdata/tests/go122-annotations-stress.test \
         /usr/lib/go-1.27/src/internal/trace/testdata/tests/go122-gc-stress.test; do
  [ -f "$c" ] || continue
  out=$work/$(basename "$c" .test).trace
  "$py" "$src/tests/trace/testcase.py" "$c" "$out" > /dev/null && traces+=("$out")
done
[ ${#traces[@]} -gt 0 ] || { echo "skip: no traces"; exit 77; }

fail=0
for t in "${traces[@]}"; do
  name=$(echo "$t" | tr / _)
  nev=$("$tool" count "$t" | awk '$1 == "total" { print $2 }')
  ngo=$("$tool" stats --raw "$t" | grep -c '^goroutine')
  for f in perfetto csv goroutines-csv; do
    out=$work/$name.$f
    if ! "$tool" export --format=$f "$t" -o "$out" 2> "$out.err"; then
      echo "FAIL $t: export --format=$f: $(head -c 300 "$out.err")"; fail=1; continue
    fi
    case $f in
      perfetto) r=$("$py" "$src/tests/trace/export_check.py" perfetto "$out") ;;
      csv) r=$("$py" "$src/tests/trace/export_check.py" csv "$out" "$nev") ;;
      *) r=$("$py" "$src/tests/trace/export_check.py" goroutines-csv "$out" "$ngo") ;;
    esac || { echo "FAIL $t: $r"; fail=1; continue; }
    echo "$r ($t)"
  done
done

# Truncated traces: every export ends with an error or success, never a crash.
t=${traces[0]}
size=$(stat -c %s "$t")
for cut in 16 100 1000 $((size / 3)) $((size / 2)) $((size - 1)); do
  [ "$cut" -lt "$size" ] || continue
  head -c "$cut" "$t" > "$work/cut.trace"
  for f in perfetto csv goroutines-csv; do
    "$tool" export --format=$f "$work/cut.trace" > /dev/null 2>&1
    rc=$?
    if [ $rc -gt 1 ]; then echo "FAIL $f on $t cut at $cut: exit $rc"; fail=1; fi
  done
  "$tool" stats "$work/cut.trace" > /dev/null 2>&1
  rc=$?
  if [ $rc -gt 1 ]; then echo "FAIL stats on $t cut at $cut: exit $rc"; fail=1; fi
done
exit $fail
