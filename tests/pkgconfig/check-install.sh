#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then build a program outside the
# tree with nothing but pkg-config, and run it and an installed tool.
set -euo pipefail
if [ -n "${GORT_SANITIZE:-}" ]; then echo "sanitizer build: skipped (an outside program cannot link a sanitized library)"; exit 77; fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
prefix=$(mktemp -d); trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name goinspect.pc | head -n1)")/..
export PKG_CONFIG_PATH=$libdir/pkgconfig
# The .pc finds its prefix from where it lies: installed with --prefix
# anywhere, it points there without editing.
inc=$(pkg-config --variable=includedir goinspect)
[ -f "$inc/gort/gort.h" ] || { echo "goinspect.pc: includedir $inc has no gort/gort.h"; exit 1; }

test -f "$libdir/libgoinspect.a" || { echo "no static library installed"; exit 1; }
test -L "$libdir/libgoinspect.so.1" || { echo "no libgoinspect.so.1 installed"; exit 1; }
test -x "$prefix/bin/gort-version" || { echo "gort-version not installed"; exit 1; }

cd "$prefix"
cp "$src/tests/pkgconfig/app.c" .
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror app.c $(pkg-config --cflags --libs goinspect) -o app
sample=$(ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | tail -n1)
[ -n "$sample" ] || sample=$build/examples/gort-version
want=$(/usr/lib/go-1.27/bin/go version "$sample" 2>/dev/null | sed 's/^[^:]*: //') || true
out=$(LD_LIBRARY_PATH=$libdir ./app "$sample")
echo "$out"
[ -z "$want" ] || [[ "$out" == "$sample $want "* ]] || { echo "expected $want"; exit 1; }
# The installed tool finds its library through its RPATH, wherever the prefix is.
env -u LD_LIBRARY_PATH "$prefix/bin/gort-version" "$sample"

# Man pages for every installed tool, when help2man was found.
if grep -q '^GORT_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt"; then
  for t in "$prefix"/bin/gort-*; do
    page=$prefix/share/man/man1/$(basename "$t").1
    test -s "$page" || { echo "no man page for $(basename "$t")"; exit 1; }
    # It renders, names the tool and lists the options of its --help.
    if command -v man >/dev/null; then
      text=$(MANWIDTH=100 man -l "$page" 2>/dev/null)
      grep -q "^NAME" <<<"$text" || { echo "man -l $page renders no NAME"; exit 1; }
      grep -q -- "--version" <<<"$text" || { echo "$page lacks the options of --help"; exit 1; }
    fi
  done
  echo "man pages: $(ls "$prefix"/bin/gort-* | wc -l) tools, $(ls "$prefix"/share/man/man1/gort-*.1 | wc -l) pages"
fi

# The guides' programs (docs/examples) build against the installed tree alone
# and run: what the docs show works as shown.
for ex in "$src"/docs/examples/*.c; do
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror "$ex" $(pkg-config --cflags --libs goinspect) \
    -o "$prefix/$(basename "$ex" .c)"
done
pc=$("$prefix/bin/gort-funcs" "$sample" | awk '/ main\.main$/ { print $1 }')
[ -n "$pc" ] || { echo "no main.main in $sample"; exit 1; }
LD_LIBRARY_PATH=$libdir "$prefix/symbolize" "$sample" "$pc" | grep -q $'\tmain\.main\t' ||
  { echo "docs/examples/symbolize.c does not find main.main at $pc"; exit 1; }
trace=$(ls "${GORT_FIXTURES_DIR:-/nonexistent}"/go1.2[2-7]/amd64/trace.out 2>/dev/null | tail -n1 || true)
if [ -n "$trace" ]; then
  LD_LIBRARY_PATH=$libdir "$prefix/trace_blocked" "$trace" | grep -qE '^[1-9][0-9]* times a goroutine blocked$' ||
    { echo "docs/examples/trace_blocked.c counts no blocking in $trace"; exit 1; }
fi
echo "guides' examples build and run"
