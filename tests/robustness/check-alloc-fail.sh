#!/usr/bin/env bash
# Allocation-failure injection (gort-alloc-fail): for each fuzz target and a
# few valid inputs, allocation N fails for N = 1, 2, ...: every run must end
# in GORT_ENOMEM (or, for an optional cache, unchanged results) and, in ASan
# builds, leak nothing.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fx=${GORT_FIXTURES_DIR:-}
run=$build/tests/gort-alloc-fail
fail=0 n=0

try() { # TARGET FILE
  [ -f "$2" ] || return 0
  "$run" "$1" "$2" || fail=1
  n=$((n + 1))
}
try binary "$src/samples/hello-go1.27-amd64.zst"
try dwarf "$build/tests/dwarf_sample.zstd"
try dwarf "$build/tests/dwarf_sample.zlib-gnu"
if [ -n "$fx" ] && [ -d "$fx" ]; then
  try binary "$fx/go1.15/amd64/default/prog"
  try binary "$fx/go1.27/arm64/stripped/prog"
  try pclntab "$fx/go1.15/386/stripped/prog"
  try pclntab "$fx/go1.19/arm64/default/prog"
  try pclntab "$fx/go1.27/amd64/pie/prog"
  try dwarf "$fx/go1.15/386/default/prog"
  try dwarf "$fx/go1.27/amd64/default/prog"
  try layout "$fx/go1.27/amd64/default/prog"
  try layout "$fx/go1.15/386/stripped/prog"
  try trace "$fx/go1.22/amd64/trace.out"
  try trace "$fx/go1.27/amd64/trace.out"
fi
[ $n -gt 0 ] || { echo "no inputs: skipped"; exit 77; }
exit $fail
