#!/usr/bin/env bash
# Writes the ABI of a built libgoinspect.so (abidw: exported functions and the
# public types they reach, as declared in include/gort) to abi/libgoinspect.abi,
# the baseline tests/abi/check-abidiff.sh compares against:
#   scripts/abi-update.sh [BUILD_DIR [OUT]]    (default: build, the baseline)
# Build with the default (RelWithDebInfo) configuration first. docs/ABI.md.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
out=${2:-$src/abi/libgoinspect.abi}
lib=$(ls "$build"/libgoinspect.so.1.* | head -n1)
mkdir -p "$(dirname "$out")"
# No paths nor source locations: the file changes only when the ABI does
# (translation units are named relative to the checkout, wherever it is).
abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
  --headers-dir "$src/include/gort" --drop-private-types "$lib" |
  sed "s|path='$src/|path='|" >"$out"
