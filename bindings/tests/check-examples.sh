#!/usr/bin/env bash
# check-examples.sh PYTHON LUA OUTDIR: run the example scripts
# (bindings/examples) on the test fixtures: the trace chart and the core's
# wait reason chart (PNGs when matplotlib is installed, checked to be real
# images with content), the Lua binary summary and the Lua core summary.
# Either language may be "" when its bindings are not built. Environment as
# for the tests (GORT_BINDINGS_FIXTURE, GORT_FIXTURES_DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")/../examples" && pwd)
python=$1 lua=$2 out=$3
trace=${GORT_BINDINGS_FIXTURE:-}/trace.out
sample=$(ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | tail -n1)
core=$(ls "${GORT_FIXTURES_DIR:-/nonexistent}"/go1.2*/amd64/default/core.zst 2>/dev/null | tail -n1)
# The executable is given: the path the core names is where the fixture was
# built, which a cache copied from elsewhere does not have.
exe=${core:+$(dirname "$core")/prog}
ran=0

# A PNG of at least 300x200 pixels with more than a few colours: a chart,
# not an empty canvas.
check_png() {
  "$python" - "$1" <<'PY'
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg
import numpy as np
with open(sys.argv[1], "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n", "not a PNG"
img = mpimg.imread(sys.argv[1])
h, w = img.shape[:2]
colours = len(np.unique(img.reshape(-1, img.shape[2]), axis=0))
ink = float((img[..., :3].mean(axis=2) < 0.9).mean())
print("%s: %dx%d, %d colours, %.1f%% ink" % (sys.argv[1], w, h, colours, 100 * ink))
assert w >= 300 and h >= 200 and colours > 8 and ink > 0.02, "trivial image"
PY
}
have_mpl() { "$python" -c 'import matplotlib, numpy' 2>/dev/null; }

if [ -n "$python" ] && [ -f "$trace" ]; then
  rm -f "$out/states.png"
  "$python" "$here/trace_states.py" "$trace" "$out/states.png" | tee "$out/states.txt"
  grep -q "goroutine transitions" "$out/states.txt"
  if have_mpl; then check_png "$out/states.png"; fi
  ran=1
fi
if [ -n "$python" ] && [ -n "$core" ]; then
  rm -f "$out/waits.png"
  "$python" "$here/core_wait_reasons.py" "$core" "$exe" "$out/waits.png" | tee "$out/waits.txt"
  grep -q "goroutines in 'chan receive', parked at" "$out/waits.txt"
  if have_mpl; then check_png "$out/waits.png"; fi
  ran=1
fi
if [ -n "$lua" ] && [ -n "$sample" ]; then
  "$lua" "$here/gobin.lua" "$sample" | tee "$out/gobin.txt"
  grep -q "functions; largest" "$out/gobin.txt"
  ran=1
fi
if [ -n "$lua" ] && [ -n "$core" ]; then
  "$lua" "$here/gocore.lua" "$core" "$exe" "$([ -f "$trace" ] && echo "$trace")" | tee "$out/gocore.txt"
  grep -q "chan receive .*e.g. goroutine" "$out/gocore.txt"
  if [ -f "$trace" ]; then grep -q "events over" "$out/gocore.txt"; fi
  ran=1
fi
[ $ran = 1 ] || { echo "nothing to run (no fixture trace or core, no Go toolchain): skipped"; exit 77; }
