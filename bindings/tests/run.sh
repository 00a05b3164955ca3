#!/usr/bin/env bash
# run.sh INTERPRETER SCRIPT ARGS...: run a bindings test (ctest passes the
# environment: PYTHONPATH or LUA_CPATH, GORT_VERSION_TOOL, GORT_SANITIZE).
# Exit 77 (skipped) when the interpreter is missing.
#
# Sanitizer builds: our modules are linked with ASan, whose runtime must be
# the first library in the process. The interpreter is not built with it,
# so preload it. UBSan needs nothing: its runtime loads with the module.
# GORT_NO_LEAK_CHECK=1 (set for Python) turns LeakSanitizer off: CPython
# does not free its own objects at exit, and a suppression matching
# python's frames would hide our leaks too (every call comes through them).
# Lua frees or still reaches everything, so its test keeps leak checking.
set -euo pipefail
command -v "$1" >/dev/null || { echo "$1 not found: skipped"; exit 77; }
if [[ "${GORT_SANITIZE:-}" == *address* ]]; then
  if [ -z "${GORT_LIBASAN:-}" ] || [ ! -f "$GORT_LIBASAN" ]; then
    echo "sanitizer build without a libasan.so to preload: skipped"; exit 77
  fi
  export LD_PRELOAD="$GORT_LIBASAN${LD_PRELOAD:+:$LD_PRELOAD}"
  if [ "${GORT_NO_LEAK_CHECK:-0}" = 1 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  fi
fi
exec "$@"
