#!/usr/bin/env bash
# Differential checks on Go programs built by Debian's own toolchain and
# packaging (dh-golang: -trimpath, stripped, cgo programs linked by the
# system linker, PIE), downloaded at test time with `apt-get download` (the
# packages are not installed) from whatever suite apt prefers here:
#   gort-version and gort-version -m   vs `go version` and `go version -m`
#   gort-funcs                         vs debug/gosym (gosymfuncs)
#   gort-addr2line                     vs `go tool addr2line` on sampled PCs
# all with the newest Go toolchain here (check_binary, tests/pclntab/lib.sh).
# The references are computed at test time, so a new package version only
# changes what is compared. A stripped PIE the system linker linked has no
# table section, and Go's tools give up on it: there, debug/gosym reads the
# table found by scanning (gosymfuncs -scan) with Go's tools' text start.
# Binaries of a Go newer than the newest toolchain here are not compared.
# Skipped (77) without Go or apt-get, or when no package can be downloaded.
# GORT_DEBIAN_PACKAGES overrides the package list.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
export GORT_PCLN_SAMPLES=${GORT_PCLN_SAMPLES:-400}
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
  { echo "no apt-get or dpkg-deb: skipped"; exit 77; }
setup
go=$goroot/bin/go tools=$build/examples
newest=$("$go" env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
pkgs=${GORT_DEBIAN_PACKAGES:-fzf shfmt age mkcert micro}
mkdir -p "$tmp/deb" "$tmp/x"
got=0
for p in $pkgs; do
  # A package this apt does not know, or no network: not the library's fault.
  if (cd "$tmp/deb" && timeout 120 apt-get download -q -o Acquire::Retries=1 "$p" >/dev/null 2>&1); then
    got=$((got + 1))
  else
    echo "note: apt-get download $p failed"
  fi
done
[ "$got" -gt 0 ] || { echo "no Debian package could be downloaded: skipped"; exit 77; }
for d in "$tmp/deb"/*.deb; do
  dpkg-deb -x "$d" "$tmp/x/$(basename "$d" .deb)"
done
scanned=0 versions=0 skipped=0
while IFS= read -r f; do
  case $(head -c 4 "$f" | od -An -c | tr -d ' ') in '177ELF') ;; *) continue ;; esac
  "$go" version "$f" >"$tmp/ref.v" 2>&1 || continue # not a Go program
  name=${f#"$tmp/x/"}
  echo "$name: $(sed 's/^[^:]*: //' "$tmp/ref.v")"
  minor=$(sed -n 's/.*: go1\.\([0-9]*\).*/\1/p' "$tmp/ref.v")
  if [ -n "$minor" ] && [ -n "$newest" ] && [ "$minor" -gt "$newest" ]; then
    echo "note: built by a Go newer than $goroot: not compared"; skipped=$((skipped + 1)); continue
  fi
  "$tools/gort-version" "$f" >"$tmp/got.v" 2>&1 || true
  cmp -s "$tmp/ref.v" "$tmp/got.v" || { echo "MISMATCH gort-version $name"; diff "$tmp/ref.v" "$tmp/got.v" | head -4 || true; fail=1; }
  "$go" version -m "$f" >"$tmp/ref.m" 2>&1 || true
  "$tools/gort-version" -m "$f" >"$tmp/got.m" 2>&1 || true
  cmp -s "$tmp/ref.m" "$tmp/got.m" || { echo "MISMATCH gort-version -m $name"; diff "$tmp/ref.m" "$tmp/got.m" | head -6 || true; fail=1; }
  versions=$((versions + 1))
  if "$gosymfuncs" "$f" >/dev/null 2>&1; then
    check_binary "$f" "$goroot"
    continue
  fi
  # No table section: Go's tools find nothing; debug/gosym on the table
  # found by scanning is the reference.
  echo "note: no table section in $name; debug/gosym on the scanned table answers (gosymfuncs -scan)"
  if ! "$gosymfuncs" -scan "$f" >"$tmp/ref.funcs" 2>&1; then
    echo "MISMATCH: no table debug/gosym accepts in $name"; fail=1; continue
  fi
  "$tools/gort-funcs" "$f" >"$tmp/got.funcs" 2>&1 || true
  cmp -s "$tmp/ref.funcs" "$tmp/got.funcs" || { echo "MISMATCH gort-funcs $name"; diff "$tmp/ref.funcs" "$tmp/got.funcs" | head -5 || true; fail=1; }
  "$gosymfuncs" -scan -pcs "$GORT_PCLN_SAMPLES" "$f" >"$tmp/pcs"
  "$gosymfuncs" -scan -addr2line "$f" <"$tmp/pcs" >"$tmp/ref.a2l" 2>&1 || true
  "$tools/gort-addr2line" "$f" <"$tmp/pcs" >"$tmp/got.a2l" 2>&1 || true
  cmp -s "$tmp/ref.a2l" "$tmp/got.a2l" || { echo "MISMATCH gort-addr2line $name"; diff "$tmp/ref.a2l" "$tmp/got.a2l" | head -6 || true; fail=1; }
  funcs=$((funcs + $(wc -l <"$tmp/ref.funcs"))) pcs=$((pcs + $(wc -l <"$tmp/pcs")))
  checked=$((checked + 1)) scanned=$((scanned + 1))
done < <(find "$tmp/x" -type f -perm -u+x | LC_ALL=C sort)
echo "debian: $got packages, $versions Go programs' build info, $scanned tables found by scanning, $skipped of a newer Go not compared"
finish
