#!/usr/bin/env bash
# gort-funcs and gort-addr2line against debug/gosym and `go tool addr2line`
# of the toolchain that built each fixture: every Go version x amd64, arm64,
# 386 x default, stripped (-s -w), PIE (tests/fixtures/build.sh layout
# OUT/go1.NN/ARCH/VARIANT/prog), each also without its section headers;
# then the PE and Mach-O builds (OUT/go1.NN/GOOS-ARCH/VARIANT/hello[.exe]).
# A stripped PE has no runtime.pclntab symbols, so Go's tools cannot read
# its table (we find it by scanning): its references come from its
# unstripped twin, whose code and data sit at the same addresses. Last,
# 600,000 lines in no order through the newest amd64 fixture.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -name prog -type f 2>/dev/null | head -n1)" ]; then
  echo "no fixture binaries in GORT_FIXTURES_DIR='$fixtures' (run tests/fixtures/build.sh): skipped"
  exit 77
fi
. "$src/tests/pclntab/lib.sh"
setup
while IFS= read -r f; do
  v=${f#"$fixtures"/go}; v=${v%%/*}
  gr=/usr/lib/go-$v
  [ -x "$gr/bin/go" ] || gr=$(newest_go)
  check_binary "$f" "$gr" noshdr
done < <(find "$fixtures" -name prog -type f | sort -V)
while IFS= read -r f; do
  v=${f#"$fixtures"/go}; v=${v%%/*}
  gr=/usr/lib/go-$v
  [ -x "$gr/bin/go" ] || gr=$(newest_go)
  case $f in
    */stripped/hello.exe) REF=${f%/stripped/hello.exe}/default/hello.exe check_binary "$f" "$gr" ;;
    *) check_binary "$f" "$gr" ;;
  esac
done < <(find "$fixtures" \( -name hello -o -name hello.exe \) -type f | sort -V)
big=$(find "$fixtures" -path '*/amd64/default/prog' -type f | sort -V | tail -n1)
v=${big#"$fixtures"/go}; v=${v%%/*}
gr=/usr/lib/go-$v
[ -x "$gr/bin/go" ] || gr=$(newest_go)
check_large_input "$big" "$gr"
finish
