#!/usr/bin/env bash
# The API reference builds from the public headers without a single Doxygen
# warning: every public function, type, member, enumerator and macro is
# documented (docs/api/Doxyfile.in sets WARN_IF_UNDOCUMENTED), and the doc
# comments parse. A warning fails the test and is printed.
set -euo pipefail
build=$(cd "$1" && pwd)
doxyfile=$build/docs/api/Doxyfile
if ! command -v doxygen >/dev/null || [ ! -f "$doxyfile" ]; then
  echo "doxygen or $doxyfile missing (scripts/install-deps.sh installs doxygen; re-run cmake): skipped"
  exit 77
fi
out=$build/docs/api
log=$out/warnings.log
rm -f "$log"
# Doxygen creates its output under the configured directory; run it where the
# docs target runs it.
(cd "$2" && doxygen "$doxyfile") >"$out/doxygen.out" 2>&1 || {
  echo "FAIL: doxygen exited with $?"; cat "$out/doxygen.out"; exit 1; }
[ -f "$log" ] || { echo "FAIL: doxygen wrote no $log"; exit 1; }
# Anything doxygen printed besides its log counts too (a broken input filter).
if [ -s "$log" ] || grep -qi 'warning\|error' "$out/doxygen.out"; then
  n=$(wc -l <"$log")
  echo "FAIL: $n Doxygen warning lines over include/gort (fix the doc comments):"
  sed "s,^$2/,," "$log" | head -50
  grep -i 'warning\|error' "$out/doxygen.out" | head -20 || true
  exit 1
fi
[ -f "$out/html/index.html" ] || { echo "FAIL: no $out/html/index.html"; exit 1; }
# Every public header got a page: the filter turned its opening comment
# into the file's documentation.
for h in "$2"/include/gort/*.h; do
  b=$(basename "$h" .h); b=${b//_/__} # doxygen doubles underscores in page names
  ls "$out/html/" | grep -q "^${b}_8h\.html$" || { echo "FAIL: no reference page for $(basename "$h")"; exit 1; }
done
echo "API reference: $(ls "$2"/include/gort/*.h | wc -l) headers, no warnings"
