#!/usr/bin/env bash
# check-install.sh BUILD_DIR PYTHON LUA PREFIX PYDIR LUADIR: `cmake --install`
# into a scratch prefix, then import both modules from there with nothing
# but the interpreter's search path pointed at it (the modules must find
# libgoinspect through their RPATH). Also checks that the configured
# destinations (PREFIX/PYDIR, PREFIX/LUADIR) are where the found Python and
# Lua 5.4 look by default. PYDIR/LUADIR are "" for a language not built.
set -euo pipefail
if [ -n "${GORT_SANITIZE:-}" ]; then echo "sanitizer build: skipped (installed modules would need the ASan runtime preloaded)"; exit 77; fi
build=$(cd "$1" && pwd) python=$2 lua=$3 conf_prefix=$4 pydir=$5 luadir=$6
prefix=$(mktemp -d); trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
sample=$(ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | tail -n1)
sample=${sample:-/bin/ls}
unset LD_LIBRARY_PATH PYTHONPATH LUA_CPATH LUA_PATH LD_PRELOAD
cd "$prefix"

abs() { case $1 in /*) echo "$1" ;; *) echo "$2/$1" ;; esac; }
if [ -n "$pydir" ]; then
  dir=$(abs "$pydir" "$prefix")
  [ -f "$dir/goinspect/__init__.py" ] || { echo "no goinspect package in $dir"; exit 1; }
  PYTHONPATH=$dir "$python" -c '
import sys, goinspect
assert goinspect.__file__.startswith(sys.argv[1]), goinspect.__file__
try:
    print("python:", goinspect.__version__, goinspect.Binary(sys.argv[2]).go_version)
except goinspect.NotGoError as e:
    print("python:", goinspect.__version__, e.name)
' "$dir" "$sample"
  want=$(abs "$pydir" "$conf_prefix")
  "$python" -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$want" ||
    echo "note: $want is not on $python's default sys.path (set PYTHONPATH or GORT_PYTHON_INSTALL_DIR)"
fi
if [ -n "$luadir" ]; then
  dir=$(abs "$luadir" "$prefix")
  [ -f "$dir/goinspect.so" ] || { echo "no goinspect.so in $dir"; exit 1; }
  # (lua -e takes no arguments: they go through the environment)
  SAMPLE=$sample LUA_CPATH="$dir/?.so" "$lua" -e '
local gi = require "goinspect"
local ok, v = pcall(function() return gi.Binary(os.getenv("SAMPLE")).go_version end)
print("lua:", gi.__version, ok and v or tostring(v))
assert(package.searchpath("goinspect", package.cpath):sub(1, #os.getenv("LUA_CPATH") - 4)
       == os.getenv("LUA_CPATH"):sub(1, -5))'

  want=$(abs "$luadir" "$conf_prefix")
  WANT=$want "$lua" -e 'os.exit(package.cpath:find(os.getenv("WANT") .. "/?.so", 1, true) ~= nil)' ||
    echo "note: $want is not in $lua's default package.cpath (set LUA_CPATH or GORT_LUA_INSTALL_DIR)"
fi
