#!/usr/bin/env bash
# The method that computes layouts from a release's runtime sources (for
# releases with no toolchain here: scripts/layoutgen/source.go) gives
# exactly what DWARF says: scripts/gen-layouts.sh --check-sources runs it on
# every toolchain's own GOROOT/src, for every GOARCH of the tables, and
# compares every size, field offset and field size, and the wait reason
# and status name tables, with the reference builds' DWARF.
#
# Cost and skips as tests/layout/check-tables.sh: it needs the reference
# builds (skipped, 77, on a machine that never made them unless
# GORT_LAYOUT_CHECK=1) and every toolchain; about 3 minutes on 2 cores.
set -euo pipefail
src=$(cd "$2" && pwd)
if [ "${GORT_LAYOUT_CHECK:-0}" = 1 ]; then
  exec "$src/scripts/gen-layouts.sh" --check-sources
fi
exec "$src/scripts/gen-layouts.sh" --check-sources --cached-only
