#!/usr/bin/env bash
# check-examples.sh PYTHON LUA OUTDIR: run the example scripts
# (bindings/examples) on the test fixtures: the trace chart (a PNG when
# matplotlib is installed) and the Lua binary summary. Either language may
# be "" when its bindings are not built. Environment as for the tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/../examples" && pwd)
python=$1 lua=$2 out=$3
trace=${GORT_BINDINGS_FIXTURE:-}/trace.out
sample=$(ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | tail -n1)
ran=0
if [ -n "$python" ] && [ -f "$trace" ]; then
  rm -f "$out/states.png"
  "$python" "$here/trace_states.py" "$trace" "$out/states.png" | tee "$out/states.txt"
  grep -q "goroutine transitions" "$out/states.txt"
  if "$python" -c 'import matplotlib' 2>/dev/null; then
    head -c 8 "$out/states.png" | od -An -c | grep -q "P   N   G" || { echo "no PNG written"; exit 1; }
  fi
  ran=1
fi
if [ -n "$lua" ] && [ -n "$sample" ]; then
  "$lua" "$here/gobin.lua" "$sample" | tee "$out/gobin.txt"
  grep -q "functions; largest" "$out/gobin.txt"
  ran=1
fi
[ $ran = 1 ] || { echo "nothing to run (no fixture trace, no Go toolchain): skipped"; exit 77; }
