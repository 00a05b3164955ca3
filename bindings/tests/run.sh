#!/usr/bin/env bash
# run.sh INTERPRETER SCRIPT ARGS...: run a bindings test (ctest passes the
# environment: PYTHONPATH or LUA_CPATH, GORT_VERSION_TOOL, GORT_SANITIZE).
# Exit 77 (skipped) when the interpreter is missing.
#
# Sanitizer builds: our modules are linked with ASan, whose runtime must be
# the first library in the process. The interpreter is not built with it,
# so preload it; leak detection stays off because the interpreters
# themselves do not free everything at exit (Python's interned objects,
# Lua's state when os.exit skips lua_close), which is not ours to report.
# UBSan needs nothing: its runtime loads with the module.
set -euo pipefail
command -v "$1" >/dev/null || { echo "$1 not found: skipped"; exit 77; }
if [[ "${GORT_SANITIZE:-}" == *address* ]]; then
  if [ -z "${GORT_LIBASAN:-}" ] || [ ! -f "$GORT_LIBASAN" ]; then
    echo "sanitizer build without a libasan.so to preload: skipped"; exit 77
  fi
  export LD_PRELOAD="$GORT_LIBASAN${LD_PRELOAD:+:$LD_PRELOAD}"
  export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
fi
exec "$@"
