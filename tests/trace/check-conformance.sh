#!/usr/bin/env bash
# Go's trace parser conformance cases (internal/trace/testdata/tests/*.test
# of every installed Go source tree), run by conformance.py: each is
# converted to a binary trace (testcase.py) and read with gort-trace dump.
# A SUCCESS case must read without error; a FAILURE case must fail with a
# message matching Go's expected regexp. When a Go 1.26+ toolchain is
# installed, our output must also equal `go tool trace -d=parsed` on the same
# bytes (up to the error). Go's FuzzReader seeds must read without a crash.
#
#   check-conformance.sh BUILD_DIR SOURCE_DIR     (exit 77: skipped)
set -uo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tool=$build/examples/gort-trace
work=$build/trace-conformance
mkdir -p "$work"

ref_go=
for v in 1.29 1.28 1.27 1.26; do
  if [ -x /usr/lib/go-$v/bin/go ]; then ref_go=/usr/lib/go-$v/bin/go; break; fi
done

gotrace=
if [ -n "$ref_go" ]; then
  # `go tool trace` itself, built once (go tool would relink it on every call).
  gotrace=$work/go-tool-trace
  if [ ! -x "$gotrace" ] || [ "$gotrace" -ot "$ref_go" ]; then
    mkdir -p "$build/trace-check"
    GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GORT_GOCACHE:-$build/trace-check/gocache} \
      "$ref_go" build -o "$gotrace" cmd/trace || { echo "FAIL: cannot build cmd/trace"; exit 1; }
  fi
fi

cases=()
for d in /usr/lib/go-1.*/src/internal/trace/testdata/tests; do
  [ -d "$d" ] && cases+=("$d"/*.test)
  [ -d "$d/../fuzz/FuzzReader" ] && cases+=("$d"/../fuzz/FuzzReader/*)
done
[ ${#cases[@]} -gt 0 ] || { echo "skip: no Go source with trace test cases"; exit 77; }

# Debian's own python3 when there is one: version-manager shims are slow.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "skip: no python3"; exit 77; }
exec "$py" "$src/tests/trace/conformance.py" "$tool" "$work" "${gotrace:--}" "${cases[@]}"
