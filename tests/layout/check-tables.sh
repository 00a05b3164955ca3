#!/usr/bin/env bash
# lib/layout/tables.c is reproducible: scripts/gen-layouts.sh --check
# rebuilds the reference programs with every toolchain and compares what it
# generates with the committed file.
#
# Cost: 63 cross-builds (and 6 release binaries fetched from the npm
# registry, scripts/layoutgen/npm-refs). Once the reference builds have been made on this
# machine (they stay in $GORT_CACHE_DIR/layout-ref, and the Go build cache
# makes rebuilding them cheap) the check takes about a minute; a first run
# takes 5-15 minutes (docs/DESIGN.md, Layouts), so without those builds the
# check is skipped (77) unless GORT_LAYOUT_CHECK=1 asks for the full run.
# Skipped too when a toolchain is missing.
set -euo pipefail
src=$(cd "$2" && pwd)
if [ "${GORT_LAYOUT_CHECK:-0}" = 1 ]; then
  exec "$src/scripts/gen-layouts.sh" --check
fi
exec "$src/scripts/gen-layouts.sh" --check --cached-only
