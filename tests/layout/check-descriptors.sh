#!/usr/bin/env bash
# The built-in layouts against the runtime's own type descriptors, on real
# binaries nobody here built. Every Go binary, stripped or not, carries a
# full struct descriptor (field names and offsets) for runtime.g, m, p,
# gobuf, stack, moduledata and the type header (runtime._type, abi.Type):
# what the compiler itself laid out. scripts/layoutgen reads them with Go's
# debug/elf (descriptors.go, nothing of libgoinspect).
#   1. The reader against DWARF: on every fixture (each toolchain x amd64,
#      arm64, 386), the stripped and PIE builds' descriptors must equal the
#      default build's DWARF, every size, offset and field size.
#   2. gort-offsets --no-dwarf (which reads the same descriptors with the
#      library's own reader, lib/layout/descriptors.c) against them, on every
#      ELF binary of the corpus (tests/corpus/MANIFEST, fetched from the npm
#      registry; Go 1.13-1.27 on amd64, arm64, 386, arm, ppc64le, s390x,
#      riscv64, mips64le, loong64), with or without a table for the release:
#      every name the descriptors cover must be answered, equal, with source
#      "types"; no difference is tolerated. A type they do not cover
#      (runtime.schedt) comes from the table, or, for a release without one,
#      is not answered at all (never a guess); PE and Mach-O binaries must
#      answer from their descriptors too. What the tables alone
#      (--no-types) would have answered is reported, not failed: a table is
#      keyed on major.minor, and Go 1.23.12 moved runtime.m fields after the
#      1.23.5 the table was made from.
# Skipped (77) without Go; part 2 is skipped when no corpus binary could be
# fetched.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/goinspect}
work=$build/layout-descriptors; mkdir -p "$work"
. "$src/tests/layout/layoutgen.sh"
offsets=$build/examples/gort-offsets
fail=0 checked=0
py=/usr/bin/python3
[ -x $py ] || py=python3

# 1. The descriptor reader against DWARF.
if [ -n "$fixtures" ] && [ -d "$fixtures" ]; then
  for d in "$fixtures"/go1.*/; do
    r=$(basename "$d"); r=${r#go}
    for a in amd64 arm64 386; do
      ref=$d/$a/default/prog
      [ -f "$ref" ] || continue
      for v in stripped pie; do
        [ -f "$d/$a/$v/prog" ] || continue
        if "$gen" -compare "go$r:$a:$ref" "go$r:$a:desc:$d/$a/$v/prog"; then
          checked=$((checked + 1))
        else
          echo "MISMATCH descriptors of go$r/$a/$v vs DWARF"; fail=1
        fi
      done
    done
  done
  echo "descriptors equal DWARF on $checked fixture builds"
else
  echo "no fixtures (GORT_FIXTURES_DIR): reader check skipped"
fi

# 2. The tables against real binaries.
corpus=${GORT_CORPUS_DIR:-$cache/corpus}
rc=0; bash "$src/tests/corpus/fetch.sh" "$corpus" >/dev/null || rc=$?
if [ "$rc" = 77 ]; then
  echo "no corpus binary could be fetched (npm registry): corpus check skipped"
  [ $fail = 0 ] && [ $checked -gt 0 ] && exit 0
  [ $fail = 0 ] && exit 77
  exit 1
fi
nbin=0
while IFS=$'\t' read -r name spec member sha ver target format rest; do
  case "$name" in \#*|"") continue ;; esac
  [ "$format" = elf ] || continue
  a=${target#linux/}
  case "$a" in amd64|arm64|386|arm|ppc64le|s390x|riscv64|mips64le|loong64) ;; *) continue ;; esac
  f=$corpus/$name
  [ -f "$f" ] || continue
  rel=$(sed -E 's/^go(1\.[0-9]+).*/\1/' <<<"$ver")
  "$gen" -print "go$rel:$a:desc:$f" >"$work/desc.txt" 2>"$work/err" ||
    { echo "MISMATCH $name: no descriptors: $(head -1 "$work/err")"; fail=1; continue; }
  if ! "$offsets" --no-dwarf "$f" >"$work/got.txt" 2>"$work/err" ||
     ! "$offsets" --no-dwarf --json "$f" >"$work/got.json" 2>/dev/null; then
    echo "MISMATCH $name ($ver $a): gort-offsets --no-dwarf failed: $(head -1 "$work/err")"
    fail=1; continue
  fi
  nbin=$((nbin + 1))
  wrong=0 total=0
  while read -r key want; do
    total=$((total + 1))
    got=$(awk -v k="$key" '$1 == k { print $2 }' "$work/got.txt")
    [ "$got" = "$want" ] && continue
    wrong=$((wrong + 1))
    echo "MISMATCH $name ($ver $a): $key ${got:-absent}, descriptors say $want"; fail=1
  done <"$work/desc.txt"
  # Covered types must say "types"; the rest "table" (or be left out).
  srcs=$($py - "$work/got.json" "$work/desc.txt" <<'PY'
import json, sys
types = json.load(open(sys.argv[1]))["types"]
covered = {l.split()[0].rsplit(".", 1)[0] for l in open(sys.argv[2])}
for t, v in types.items():
    want = "types" if t in covered else "table"
    if v["source"] != want:
        print("%s from %s, not %s" % (t, v["source"], want))
PY
)
  [ -z "$srcs" ] || { echo "MISMATCH $name ($ver $a): $srcs"; fail=1; }
  tables=""
  if "$offsets" --no-dwarf --no-types "$f" >"$work/table.txt" 2>/dev/null; then
    twrong=$(awk 'NR == FNR { want[$1] = $2; next } ($1 in want) && want[$1] != $2' \
      "$work/desc.txt" "$work/table.txt" | wc -l)
    tables="; the table alone would differ in $twrong"
  else
    tables="; no table"
  fi
  echo "$name ($ver $a): $total answers from descriptors, $wrong differ$tables"
done <"$src/tests/corpus/MANIFEST"
# PE and Mach-O (not read by layoutgen): every type the ELF binaries'
# descriptors cover (all but runtime.schedt, which Go 1.13 and 1.14 also
# describe) must come from the binary's own descriptors.
nother=0
while IFS=$'\t' read -r name spec member sha ver target format rest; do
  case "$name" in \#*|"") continue ;; esac
  case "$format" in pe|macho) ;; *) continue ;; esac
  f=$corpus/$name
  [ -f "$f" ] || continue
  if ! "$offsets" --no-dwarf --json "$f" >"$work/got.json" 2>"$work/err"; then
    echo "MISMATCH $name ($ver $target): gort-offsets --no-dwarf failed: $(head -1 "$work/err")"
    fail=1; continue
  fi
  srcs=$($py - "$work/got.json" <<'PY'
import json, sys
types = json.load(open(sys.argv[1]))["types"]
want = {"runtime.g", "runtime.m", "runtime.p", "runtime.gobuf", "runtime.stack",
        "runtime.moduledata"}
header = {"runtime._type", "internal/abi.Type"} & set(types)
bad = ["%s from %s" % (t, types[t]["source"] if t in types else "nowhere")
       for t in sorted(want | header) if t not in types or types[t]["source"] != "types"]
if len(header) != 1:
    bad.append("no type header")
print(", ".join(bad))
PY
)
  if [ -n "$srcs" ]; then
    echo "MISMATCH $name ($ver $target): $srcs"; fail=1; continue
  fi
  nother=$((nother + 1))
done <"$src/tests/corpus/MANIFEST"
echo "corpus: $nbin ELF binaries checked; $nother PE and Mach-O binaries answer from their descriptors"
exit $fail
