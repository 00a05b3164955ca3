#!/usr/bin/env bash
# Allocation-failure injection (gort-alloc-fail): for each fuzz target and a
# few valid inputs, allocation N fails for N = 1, 2, ...: every run must end
# in GORT_ENOMEM (or, for an optional cache, unchanged results) and, in ASan
# builds, leak nothing.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fx=${GORT_FIXTURES_DIR:-}
run=$build/tests/gort-alloc-fail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

try() { # TARGET FILE [MAXRUNS]
  [ -f "$2" ] || return 0
  "$run" "$@" || fail=1
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
  try trace "$fx/go1.15/amd64/trace.out" 120   # the old format (Go 1.5-1.21)
  try symbols "$fx/go1.22/amd64/pie/prog"
  try symbols "$fx/go1.21/windows-amd64/default/hello.exe"
  try symbols "$fx/go1.27/darwin-arm64/default/hello"
  try types "$fx/go1.21/amd64/default/prog"
  try types "$fx/go1.27/arm64/stripped/prog"
  try binary "$fx/go1.27/windows-386/stripped/hello.exe"
  try pclntab "$fx/go1.15/darwin-amd64/stripped/hello"
  # A core behind the byte naming its executable (fuzz/core.c); the core
  # may stay zstd-compressed. The stripped one finds runtime.allgs from code.
  for c in 0:go1.27/amd64/default 2:go1.15/amd64/default 4:go1.27/amd64/stripped; do
    if [ -f "$fx/${c#*:}/core.zst" ]; then
      { printf "\\x0${c%%:*}"; cat "$fx/${c#*:}/core.zst"; } >"$tmp/core-${c%%:*}"
      try core "$tmp/core-${c%%:*}"
    fi
  done
fi
# Go 1.13 (the Go 1.2 table format) from tests/corpus, when fetched.
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/goinspect}
corpus=${GORT_CORPUS_DIR:-$cache/corpus}
try pclntab "$corpus/esbuild-0.0.16-linux-amd64"
try layout "$corpus/esbuild-0.0.16-linux-amd64"
# Mach-O with chained fixups (decoded into a copy of the image at open).
try pclntab "$corpus/ibazel-0.16.2-darwin-arm64" 60
# Old trace formats as Go 1.21's tests keep them (Go 1.5 and 1.11 writers).
try trace /usr/lib/go-1.21/src/internal/trace/testdata/http_1_5_good
try trace /usr/lib/go-1.21/src/internal/trace/testdata/stress_1_11_good 120
[ $n -gt 0 ] || { echo "no inputs: skipped"; exit 77; }
exit $fail
