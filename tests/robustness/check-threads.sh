#!/usr/bin/env bash
# Many threads on one opened binary, table and trace (gort-threads): the
# answers must equal a single thread's. The test command also runs this in
# a ThreadSanitizer build (scripts/test.sh, build-tsan).
set -euo pipefail
build=$(cd "$1" && pwd)
fx=${GORT_FIXTURES_DIR:-}
[ -n "$fx" ] && [ -f "$fx/go1.27/amd64/default/prog" ] || { echo "no fixtures: skipped"; exit 77; }
run=$build/tests/gort-threads
# ThreadSanitizer slows everything down ~10x: fewer threads there.
j=8
[ "${GORT_SANITIZE:-}" = thread ] && j=4
fail=0
"$run" -j $j "$fx/go1.27/amd64/default/prog" "$fx/go1.27/amd64/trace.out" || fail=1
"$run" -j $j "$fx/go1.15/386/stripped/prog" || fail=1
"$run" -j 4 "$fx/go1.22/arm64/pie/prog" "$fx/go1.22/amd64/trace.out" || fail=1
exit $fail
