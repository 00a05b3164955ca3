#!/usr/bin/env bash
# Differential checks on real Go programs nobody here built (tests/corpus/
# MANIFEST, fetched from the npm registry by fetch.sh): Go 1.13 to 1.27,
# amd64, arm64, 386, arm, ppc64le, s390x (big-endian), riscv64, mips64le,
# loong64, ELF, PE and Mach-O.
#   gort-version -m   vs `go version -m` of the newest Go (byte-identical);
#                     binaries shipped without build info: the manifest's version
#   gort-funcs        vs debug/gosym (every function's entry, end and name)
#   gort-addr2line    vs `go tool addr2line` of the newest Go on sampled PCs
#                     (GORT_PCLN_SAMPLES, default 400 a binary)
#   gort-funcs        vs the symbol table (`go tool nm`), where there is one:
#                     every function named by exactly one text symbol (and
#                     one function: ABI wrappers share their function's
#                     name) starts at that symbol's address (ground truth that does not go
#                     through Go's reading of the function table)
# and on copies derived here: build info blob blanked (noinfo: the version
# must still be the manifest's), ELF section headers removed (noshdr).
# Manifest entries marked `unsupported` must fail with GORT_EUNKNOWNFILE or
# GORT_EUNSUPPORTED (a format not read yet); `known=CHECK` turns a mismatch
# in CHECK into a reported known failure. Skipped (77) without Go or when no
# binary could be fetched.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
export GORT_PCLN_SAMPLES=${GORT_PCLN_SAMPLES:-400}
setup
go=$goroot/bin/go
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/goinspect}
corpus=${GORT_CORPUS_DIR:-$cache/corpus}
rc=0; bash "$src/tests/corpus/fetch.sh" "$corpus" || rc=$?
[ "$rc" = 77 ] && { echo "no corpus binary could be fetched (npm registry): skipped"; exit 77; }
[ "$rc" = 0 ] || { echo "some corpus binaries could not be fetched"; fail=1; }
tools=$build/examples
known=0 xfail=0 xpass=0 noinfo=0 symchecked=0

# mismatch CHECK WHAT: a failure, or a known one if the entry says so.
mismatch() {
  if [[ ",$known_checks," == *",$1,"* ]]; then
    echo "KNOWN FAILURE ($1) $name: $note"; known=$((known + 1))
  else
    echo "MISMATCH $1 $2"; fail=1
  fi
}

# The tools must refuse a format the library does not read yet, cleanly.
check_unsupported() {
  local f=$1 code
  code=$("$tools/gort-version" --json "$f" | sed -n 's/.*"name":"\(GORT_E[A-Z]*\)".*/\1/p')
  case $code in
    GORT_EUNKNOWNFILE|GORT_EUNSUPPORTED)
      "$tools/gort-funcs" "$f" >/dev/null 2>&1 && { echo "gort-funcs reads $name but gort-version does not"; fail=1; }
      xfail=$((xfail + 1)); echo "expected failure ($code): $name" ;;
    "")
      echo "XPASS $name is read now: make it must-pass in tests/corpus/MANIFEST"; xpass=$((xpass + 1)) ;;
    *) echo "UNEXPECTED $code on $name"; fail=1 ;;
  esac
}

# Function entries against the symbol table: the linker wrote both, and the
# symbol table's addresses are plain numbers in every format.
check_symbols() {
  local f=$1 bad
  { "$go" tool nm "$f" 2>/dev/null || true; } | awk '$2 == "T" || $2 == "t" { n[$3]++; a[$3] = $1 }
    END { for (s in n) if (n[s] == 1) print s, a[s] }' | LC_ALL=C sort >"$tmp/nm.syms"
  [ -s "$tmp/nm.syms" ] || return 0
  "$tools/gort-funcs" "$f" | awk '{ sub(/^0x/, "", $1); n[$3]++; a[$3] = $1 }
    END { for (s in n) if (n[s] == 1) print s, a[s] }' | LC_ALL=C sort >"$tmp/funcs.syms"
  bad=$(LC_ALL=C join "$tmp/nm.syms" "$tmp/funcs.syms" | awk '$2 != $3' | head -n3)
  [ -z "$bad" ] || { echo "MISMATCH gort-funcs vs symbol table $f: $bad"; fail=1; }
  symchecked=$((symchecked + $(LC_ALL=C join "$tmp/nm.syms" "$tmp/funcs.syms" | wc -l)))
}

# A copy of f with every build info magic zeroed: Go's tool then finds none.
blank_buildinfo() {
  local at n=0
  cp "$1" "$2"
  for at in $(LC_ALL=C grep -obUaF $'\xff Go buildinf:' "$1" | cut -d: -f1); do
    head -c 14 /dev/zero | dd of="$2" bs=1 seek="$at" conv=notrunc status=none
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}

check_version() {
  local f=$1 want=$2
  "$go" version -m "$f" >"$tmp/ref.v" 2>&1 || true
  if ! grep -q 'could not read Go build info' "$tmp/ref.v"; then
    "$tools/gort-version" -m "$f" >"$tmp/got.v" 2>&1 || true
    cmp -s "$tmp/ref.v" "$tmp/got.v" || { mismatch version "gort-version -m $f"; diff "$tmp/ref.v" "$tmp/got.v" | head -4 || true; }
    [ "$(head -n1 "$tmp/ref.v")" = "$f: $want" ] || { echo "MANIFEST: $name is $(head -n1 "$tmp/ref.v")"; fail=1; }
  else
    # Shipped without build info: Go's tool gives up, the runtime's string stays.
    [ "$("$tools/gort-version" "$f" 2>&1)" = "$f: $want" ] || mismatch version "gort-version $f: want $want"
  fi
}

while IFS=$'\t' read -r name spec member sum want target format expect variants note; do
  case $name in ''|'#'*) continue ;; esac
  f=$corpus/$name
  [ -f "$f" ] || continue
  known_checks=""
  [[ $expect == known=* ]] && known_checks=${expect#known=}
  if [ "$expect" = unsupported ]; then check_unsupported "$f"; continue; fi
  check_version "$f" "$want"
  check_symbols "$f"
  # check_binary (lib.sh) sets fail on a mismatch: sort funcs/addr2line out.
  before=$fail; fail=0
  check_binary "$f" "$goroot" >"$tmp/pcln.out"
  cat "$tmp/pcln.out"
  if [ "$fail" = 1 ]; then
    fail=$before
    grep -q '^MISMATCH gort-funcs' "$tmp/pcln.out" && mismatch funcs "gort-funcs $f"
    grep -q '^MISMATCH gort-addr2line' "$tmp/pcln.out" && mismatch addr2line "gort-addr2line $f"
    grep -q '^gosymfuncs failed' "$tmp/pcln.out" && fail=1
  else
    fail=$before
  fi
  if [[ ",$variants," == *,noshdr,* ]]; then
    before=$fail; fail=0
    check_no_section_headers "$f" >"$tmp/nosh.out"; cat "$tmp/nosh.out"
    [ "$fail" = 1 ] && { fail=$before; mismatch noshdr "without section headers: $f"; } || fail=$before
  fi
  if [[ ",$variants," == *,noinfo,* ]]; then
    if ! blank_buildinfo "$f" "$tmp/noinfo"; then
      echo "no build info blob in $name to blank"; fail=1
    elif ! "$go" version "$tmp/noinfo" 2>&1 | grep -q 'could not read Go build info'; then
      echo "a copy of $name without its build info magic still has build info for Go"; fail=1
    else
      got=$("$tools/gort-version" "$tmp/noinfo" 2>&1 | sed 's/^[^:]*: //')
      [ "$got" = "$want" ] || mismatch noinfo "without build info: $name: got '$got', want '$want'"
      noinfo=$((noinfo + 1))
    fi
  fi
done <"$src/tests/corpus/MANIFEST"
echo "corpus: $symchecked function entries equal to their symbol's address; $noinfo copies without build info; $xfail expected failures (format not read yet), $xpass unexpected passes, $known known failures"
finish
