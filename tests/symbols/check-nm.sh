#!/usr/bin/env bash
# gort-nm against `go tool nm -size -sort address` (the newest Go, which
# reads every format) on the fixtures with symbols: ELF (default and PIE),
# PE and Mach-O. Lines are compared as sorted sets: Go's tool sorts with
# sort.Slice, so symbols at equal addresses come out in no set order.
# Then the moduledata (gort-nm -moduledata) against the runtime's own
# symbols for the same places (runtime.firstmoduledata, runtime.text,
# runtime.etypes, ...), and in the stripped twin of each binary (found by
# scanning) against its section headers.
set -euo pipefail
build=$(cd "$1" && pwd)
nm=$build/examples/gort-nm
go=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1)/bin/go
[ -x "$go" ] || { echo "no Go toolchain installed: skipped"; exit 77; }
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -name prog -type f 2>/dev/null | head -n1)" ]; then
  echo "no fixture binaries in GORT_FIXTURES_DIR='$fixtures': skipped"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0 nsyms=0 nmd=0

# moduledata field -> the symbol the linker defines at the same address.
fields="addr:runtime.firstmoduledata text:runtime.text etext:runtime.etext
noptrdata:runtime.noptrdata enoptrdata:runtime.enoptrdata data:runtime.data
edata:runtime.edata bss:runtime.bss ebss:runtime.ebss noptrbss:runtime.noptrbss
enoptrbss:runtime.enoptrbss end:runtime.end types:runtime.types etypes:runtime.etypes
pclntab:runtime.pclntab"

while IFS= read -r f; do
  "$go" tool nm -size -sort address "$f" 2>&1 | LC_ALL=C sort >"$tmp/ref" || true
  "$nm" "$f" 2>&1 | LC_ALL=C sort >"$tmp/got" || true
  if ! cmp -s "$tmp/ref" "$tmp/got"; then
    echo "MISMATCH gort-nm $f"; { diff "$tmp/ref" "$tmp/got" | head -6 || true; }; fail=1
  fi
  n=$((n + 1)); nsyms=$((nsyms + $(wc -l <"$tmp/ref")))

  "$nm" -moduledata "$f" >"$tmp/md" 2>&1 || { echo "no moduledata in $f: $(cat "$tmp/md")"; fail=1; continue; }
  for fs in $fields; do
    field=${fs%%:*} sym=${fs#*:}
    want=$(awk -v s="$sym" '$NF == s && $1 ~ /^[0-9a-f]+$/ { print "0x" $1; exit }' "$tmp/ref")
    [ -n "$want" ] || continue
    got=$(awk -v k="$field" '$1 == k { print $2 }' "$tmp/md")
    if [ "$((want))" != "$((got))" ]; then
      echo "MISMATCH moduledata.$field of $f: got $got, symbol $sym at $want"; fail=1
    fi
  done
  grep -qx 'next 0x0' "$tmp/md" || { echo "moduledata.next of $f is not 0: $(grep next "$tmp/md")"; fail=1; }
  # The stripped twin (no symbols) is linked slightly differently (a
  # smaller .gosymtab moves what follows), so it is checked against its own
  # section headers where it has them (ELF); else it must be found at all.
  twin=${f/\/default\//\/stripped\/}
  if [ "$twin" != "$f" ] && [ -f "$twin" ]; then
    "$nm" -moduledata "$twin" >"$tmp/md.twin" 2>&1 || { echo "no moduledata in $twin"; fail=1; }
    grep -qx 'next 0x0' "$tmp/md.twin" || { echo "moduledata.next of $twin is not 0"; fail=1; }
    case $twin in */prog)
      for fs in pclntab:.gopclntab text:.text noptrdata:.noptrdata data:.data bss:.bss noptrbss:.noptrbss; do
        want=0x$(readelf -SW "$twin" | awk -v s="${fs#*:}" '{ for (i = 1; i < NF; i++) if ($i == s) print $(i + 2) }')
        got=$(awk -v k="${fs%%:*}" '$1 == k { print $2 }' "$tmp/md.twin")
        [ "$((want))" = "$((got))" ] || { echo "MISMATCH moduledata.${fs%%:*} of stripped $twin: $got, section ${fs#*:} at $want"; fail=1; }
      done ;;
    esac
  fi
  nmd=$((nmd + 1))
done < <(find "$fixtures" \( -path '*/default/*' -o -path '*/pie/*' \) \( -name prog -o -name hello -o -name hello.exe \) -type f | sort -V)
echo "checked $n binaries: $nsyms symbols, $nmd moduledata"
exit $fail
