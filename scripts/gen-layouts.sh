#!/usr/bin/env bash
# Generates lib/layout/tables.c, the built-in runtime layouts (runtime.g, m,
# p, gobuf, stack, schedt, moduledata) and string tables (wait reasons,
# goroutine status names) used for binaries without DWARF.
#
#   scripts/gen-layouts.sh            regenerate lib/layout/tables.c
#   scripts/gen-layouts.sh --check    regenerate into a temporary file and
#                                     compare with the committed one (exit 1
#                                     if they differ, 77 if a toolchain is
#                                     missing)
#   scripts/gen-layouts.sh --check --cached-only
#                                     the same, but exit 77 unless every
#                                     reference build was already made once
#                                     (tests/layout/check-tables.sh)
#   scripts/gen-layouts.sh --check-sources [--cached-only]
#                                     check the method for releases with no
#                                     toolchain: the layouts and string
#                                     tables layoutgen computes from each
#                                     toolchain's own runtime sources
#                                     (source.go) must equal what its
#                                     reference builds' DWARF says, for
#                                     every release and GOARCH (exit 1 on
#                                     any difference)
#   scripts/gen-layouts.sh --check-derived [--cached-only]
#                                     measure deriving other GOARCHes from
#                                     amd64: every release's amd64 DWARF
#                                     laid out with each GOARCH's gc sizes
#                                     (layoutgen/derive.go) against that
#                                     GOARCH's own build; prints every
#                                     difference, exit 1 on any. It does
#                                     not hold (docs/DESIGN.md, Layouts),
#                                     so no table is derived this way.
#
# How: the tiny program in scripts/layoutgen/ref is cross-compiled (CGO off,
# default flags, so with DWARF) by every Go toolchain in /usr/lib/go-1.NN
# listed in RELEASES for every GOARCH in ARCHES. scripts/layoutgen (Go's
# own debug/dwarf and debug/elf, run with the newest toolchain) then reads
# each build's DWARF for the offsets and sizes and its symbol table for the
# string tables, and writes the C file. Nothing is typed in by hand: to add
# a release, install its toolchain, add it to RELEASES and run this script.
#
# Releases with no toolchain here (Go 1.16, 1.17, 1.20) have real release
# binaries as reference builds instead: built elsewhere with DWARF and
# symbols, listed with their sha256 in scripts/layoutgen/npm-refs, fetched
# from the npm registry by tests/corpus/fetch.sh into the same cache, and
# read the same way (their provenance is written next to them, ref.origin,
# and into the table's comments). They are never committed.
#
# Tables are keyed on the Go release (major.minor) and GOARCH. The builds
# live in $GORT_CACHE_DIR/layout-ref (default ~/.cache/goinspect) and use
# the shared Go build cache ($GORT_GOCACHE, default .../go-build): on a
# machine whose caches are cold the 63 builds take about 5 minutes on 2
# cores; with warm caches about 1 minute. The provenance lines (exact
# toolchain patch versions) are left out of the --check comparison, so a
# Debian point update of a toolchain fails the check only if it really
# moved a layout.
set -euo pipefail

RELEASES="1.15 1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27"
ARCHES="amd64 arm64 386 arm ppc64le s390x riscv64"

cd "$(dirname "$0")/.."
src=$(pwd)
check=0 cached_only=0 sources=0 derived=0
for arg in "$@"; do
  case "$arg" in
  --check) check=1 ;;
  --check-sources) check=1 sources=1 ;;
  --check-derived) check=1 derived=1 ;;
  --cached-only) cached_only=1 ;;
  *) echo "usage: $0 [--check | --check-sources | --check-derived] [--cached-only]" >&2; exit 2 ;;
  esac
done

export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/goinspect}
gocache=${GORT_GOCACHE:-$cache/go-build}
out=$cache/layout-ref
mkdir -p "$out/.home" "$out/.tmp"

newest=""
for r in $RELEASES; do
  if [ ! -x "/usr/lib/go-$r/bin/go" ]; then
    echo "gen-layouts: toolchain /usr/lib/go-$r/bin/go missing" >&2
    [ $check = 1 ] && exit 77
    exit 1
  fi
  newest=$r
  for a in $ARCHES; do
    if [ $cached_only = 1 ] && [ ! -f "$out/go$r/$a/ref" ]; then
      echo "gen-layouts: no reference build $out/go$r/$a/ref yet (a first run costs" \
           "5-15 minutes): skipped"
      exit 77
    fi
  done
done

# The reference builds fetched from the npm registry: go1.NN/GOARCH/ref
# names in scripts/layoutgen/npm-refs.
npm_refs=$(awk -F'\t' '$1 ~ /^go1\./ { print $1 }' scripts/layoutgen/npm-refs)
if [ $sources = 0 ]; then
  for n in $npm_refs; do
    if [ $cached_only = 1 ] && [ ! -f "$out/$n" ]; then
      echo "gen-layouts: no reference binary $out/$n yet (fetched from the npm registry" \
           "on a first run): skipped"
      exit 77
    fi
  done
  # Checks the sha256 of what is there, fetches what is not.
  if ! bash tests/corpus/fetch.sh "$out" scripts/layoutgen/npm-refs >/dev/null; then
    echo "gen-layouts: reference binaries missing (npm registry; scripts/layoutgen/npm-refs)" >&2
    [ $check = 1 ] && exit 77
    exit 1
  fi
  while IFS=$'\t' read -r name spec member sum _; do
    case "$name" in go1.*) ;; *) continue ;; esac
    printf '%s %s\nfrom the npm registry, sha256 %s\n' "$spec" "$member" "$sum" >"$out/$name.origin"
  done <scripts/layoutgen/npm-refs
fi

goenv() { # goenv GOARCH CMD...: a clean environment for the go command
  local arch=$1; shift
  env -i PATH=/usr/bin:/bin HOME="$out/.home" TMPDIR="$out/.tmp" LC_ALL=C \
    GOENV=off GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off \
    GOCACHE="$gocache" GOPATH="$out/.gopath" GOOS=linux GOARCH="$arch" \
    CGO_ENABLED=0 "$@"
}

specs=()
for r in $RELEASES; do
  for a in $ARCHES; do
    bin=$out/go$r/$a/ref
    mkdir -p "$(dirname "$bin")"
    # Rebuilt every time: the Go build cache makes an unchanged build cheap,
    # and a stale binary can never survive a toolchain update.
    (cd scripts/layoutgen/ref && goenv "$a" nice "/usr/lib/go-$r/bin/go" build -o "$bin" .)
    specs+=("go$r:$a:$bin")
  done
done

if [ $sources = 0 ]; then
  for n in $npm_refs; do
    r=${n%%/*} a=${n#*/}; a=${a%%/*}
    specs+=("$r:$a:$out/$n")
  done
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
host=$("/usr/lib/go-$newest/bin/go" env GOHOSTARCH)

if [ $sources = 1 ] || [ $derived = 1 ]; then
  gen=$out/layoutgen
  (cd scripts/layoutgen && goenv "$host" "/usr/lib/go-$newest/bin/go" build -o "$gen" .)
fi
if [ $derived = 1 ]; then
  fail=0 n=0
  for spec in "${specs[@]}"; do # every build that has an amd64 sibling
    IFS=: read -r r a path <<<"$spec"
    [ "$a" != amd64 ] && [ -f "$out/$r/amd64/ref" ] || continue
    n=$((n + 1))
    "$gen" -compare "$spec" "$r:$a:relayout:$out/$r/amd64/ref" || fail=$((fail + 1))
  done
  if [ $fail != 0 ]; then
    echo "gen-layouts: layouts derived from amd64 differ from DWARF for $fail of $n builds" >&2
    exit 1
  fi
  echo "gen-layouts: layouts derived from amd64 equal DWARF for $n builds"
  exit 0
fi
if [ $sources = 1 ]; then
  fail=0
  for r in $RELEASES; do
    for a in $ARCHES; do
      # The build tags the toolchain itself sets (default GOEXPERIMENTs,
      # GOAMD64=v1, GOARM...): the files it compiles are the ones read.
      # Go 1.15 had none (context.ToolTags came with 1.17).
      tags=-
      if [ "${r#1.}" -ge 17 ]; then
        tags=$(cd scripts/layoutgen/ref && goenv "$a" "/usr/lib/go-$r/bin/go" list \
          -f '{{join context.ToolTags ","}}' runtime)
      fi
      if ! "$gen" -compare "go$r:$a:$out/go$r/$a/ref" "go$r:$a:src:${tags:--}:/usr/lib/go-$r/src"; then
        fail=1
      fi
    done
  done
  if [ $fail = 1 ]; then
    echo "gen-layouts: layouts from sources differ from DWARF" >&2
    exit 1
  fi
  echo "gen-layouts: layouts from sources equal DWARF for ${#specs[@]} builds"
  exit 0
fi
(cd scripts/layoutgen && goenv "$host" "/usr/lib/go-$newest/bin/go" run . "$tmp" "${specs[@]}")

if [ $check = 1 ]; then
  if diff -u <(grep -v '^ \*   go1\.' lib/layout/tables.c) <(grep -v '^ \*   go1\.' "$tmp"); then
    echo "gen-layouts: lib/layout/tables.c is up to date"
    exit 0
  fi
  echo "gen-layouts: lib/layout/tables.c differs from what the toolchains generate" >&2
  exit 1
fi
mkdir -p lib/layout
cp "$tmp" lib/layout/tables.c
echo "gen-layouts: wrote lib/layout/tables.c (${#specs[@]} builds)"
