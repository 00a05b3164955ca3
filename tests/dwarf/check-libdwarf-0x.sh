#!/usr/bin/env bash
# The DWARF reader must build and work with both libdwarf APIs: the system's
# (Debian 12: 20210528) is covered by the unit tests; this builds the
# library and its DWARF test once more against libdwarf 0.x (Debian 13's
# 0.11, unpacked from its packages without installing them) and runs it.
set -euo pipefail
if [ -n "${GORT_SANITIZE:-}" ]; then echo "sanitizer build: skipped (the plain build covers it)"; exit 77; fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
work=$build/libdwarf-0x
root=$work/root
mkdir -p "$work"
if [ ! -f "$root/usr/include/libdwarf/libdwarf.h" ]; then
  (cd "$work" && apt-get download libdwarf-dev/trixie libdwarf1/trixie >/dev/null 2>&1) || {
    echo "libdwarf 0.x packages unavailable (trixie suite not configured?): skipped"; exit 77; }
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$root"; done
fi
grep -q DW_LIBDWARF_VERSION_MAJOR "$root/usr/include/libdwarf/libdwarf.h" || {
  echo "unpacked libdwarf is not a 0.x release"; exit 1; }
cmake -S "$src" -B "$work/build" -DCMAKE_PREFIX_PATH="$root/usr" -DGORT_WERROR=ON \
  -DGORT_BUILD_EXAMPLES=OFF >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; exit 1; }
grep -q "libdwarf: $root" "$work/cmake.log" || { echo "did not pick the 0.x libdwarf"; grep libdwarf "$work/cmake.log"; exit 1; }
cmake --build "$work/build" --target test_dwarf -j2 >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
LD_LIBRARY_PATH=$(dirname "$(find "$root" -name 'libdwarf.so.*' | head -n1)") "$work/build/tests/test_dwarf"
