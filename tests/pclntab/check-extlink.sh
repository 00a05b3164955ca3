#!/usr/bin/env bash
# Binaries the system linker linked (cgo, -linkmode=external): their .text
# starts with the C runtime's code, before runtime.text, and from Go 1.18
# function entries count from runtime.text; PIE links of Go 1.22 and
# earlier also merge the table into .data.rel.ro, where Go's tools do not
# find it. Built here by Go 1.21 and the newest toolchain, as executables,
# PIE and C shared libraries (c-shared: the program is a .so a C host
# loads), with and without symbols, from a program that parks
# (goroutines waiting, one in C, one locked to its thread, main opening a
# FIFO):
#  - executables: gort-funcs and gort-addr2line equal debug/gosym and `go
#    tool addr2line` (Go's tools take runtime.text from the symbol table,
#    else the start of .text: off for the stripped one, golang/go#65232,
#    and the tools follow them there by design);
#  - everywhere, the library's own answer (gort-funcs --runtime) is where
#    the program has its functions: every function symbol of the
#    unstripped build (`go tool nm`) is at the entry it gives, and the
#    stripped build gives the same;
#  - a core of each executable, made as the program parks, against the
#    runtime's own GOTRACEBACK=crash dump of that moment (tests/core/park.sh).
# Skipped (77) without Go or a C compiler.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
tool=$build/examples/gort-goroutines norm=$src/tests/core/normalize.awk
. "$src/tests/core/park.sh"
setup
command -v gcc >/dev/null || { echo "no gcc (cgo): skipped"; exit 77; }
mkdir -p "$tmp/p"
printf 'module extlink\n\ngo 1.21\n' >"$tmp/p/go.mod"
cat >"$tmp/p/main.go" <<'GO'
package main

/*
#include <unistd.h>
static void csleep(void) { sleep(3600); }
*/
import "C"

import (
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	go func() { C.csleep() }()                   // in C, through cgocall
	go func() { runtime.LockOSThread(); <-ch }() // on a thread of its own
	go func() { mu.Lock() }()
	go func() { time.Sleep(time.Hour) }()
	f, err := os.Open(os.Args[1]) // a FIFO: blocks until a writer comes
	if err == nil {
		f.Close()
	}
}
GO
cores_ok=0 runtime_ok=0
can_core=1
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { can_core=0; echo "core_pattern is not 'core': no cores"; }
for gr in /usr/lib/go-1.21 "$goroot"; do
  [ -x "$gr/bin/go" ] || continue
  v=$(basename "$gr")
  for mode in exe pie c-shared; do
    bm=(); [ $mode != exe ] && bm=(-buildmode=$mode)
    for strip in no yes; do
      flags=-linkmode=external
      [ $strip = yes ] && flags="$flags -s -w"
      out=$tmp/$v-$mode-$strip
      (cd "$tmp/p" && go_env CGO_ENABLED=1 "$gr/bin/go" build "${bm[@]}" -ldflags="$flags" -o "$out" .) ||
        { echo "cannot build with $gr ${bm[*]} -ldflags='$flags'"; fail=1; continue 2; }
      [ $mode = exe ] && check_binary "$out" "$gr"
      if [ $can_core = 1 ] && [ $mode != c-shared ]; then
        d=$tmp/core-$v-$mode-$strip; mkdir -p "$d"; mkfifo "$d/in"
        park_core "$d" native "$out" "$d/in" || true
        if [ -z "$core" ]; then
          echo "FAIL: $v $mode strip=$strip: no core or no dump"; fail=1
        elif compare_core "$v $mode strip=$strip" "$d" "$out"; then
          cores_ok=$((cores_ok + 1))
        else
          fail=1
        fi
        rm -rf "$d"
      fi
    done
    # Where the functions are: every function symbol at the entry the
    # library gives, stripped or not.
    "$build/examples/gort-funcs" --runtime "$tmp/$v-$mode-no" >"$tmp/rt.no"
    "$build/examples/gort-funcs" --runtime "$tmp/$v-$mode-yes" >"$tmp/rt.yes"
    # Names given once on each side (nm lists some twice: ABI wrappers,
    # C symbols of the same name).
    once() { awk '{ n[$1]++; a[$1] = $2 } END { for (k in n) if (n[k] == 1) print k, a[k] }' | sort; }
    "$gr/bin/go" tool nm "$tmp/$v-$mode-no" | awk '$2 == "T" || $2 == "t" { print $3, $1 }' |
      once >"$tmp/nm"
    awk '{ sub(/^0x/, "", $1); print $3, $1 }' "$tmp/rt.no" | once >"$tmp/rt"
    # Same name, same address (as numbers: nm pads with zeros).
    bad=$(join "$tmp/nm" "$tmp/rt" | awk '{ a = $2; b = $3; sub(/^0+/, "", a); sub(/^0+/, "", b); if (a != b) n++ } END { print n + 0 }')
    both=$(join "$tmp/nm" "$tmp/rt" | wc -l)
    if [ "$bad" != 0 ] || [ "$both" -lt 1000 ] || ! cmp -s "$tmp/rt.no" "$tmp/rt.yes"; then
      echo "MISMATCH $v $mode: $bad of $both function symbols elsewhere than the library says"
      join "$tmp/nm" "$tmp/rt" | awk '{ a = $2; b = $3; sub(/^0+/, "", a); sub(/^0+/, "", b); if (a != b) print }' | head -3
      cmp "$tmp/rt.no" "$tmp/rt.yes" || true
      fail=1
    else
      runtime_ok=$((runtime_ok + 1))
    fi
  done
done
echo "externally linked: $checked executables as Go's tools ($funcs functions, $pcs PCs)," \
  "$runtime_ok builds (executables, PIE, c-shared) where the program has its functions, $cores_ok cores"
exit $fail
