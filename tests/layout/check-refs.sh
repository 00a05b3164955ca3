#!/usr/bin/env bash
# The tables of releases with no toolchain here (Go 1.16, 1.17, 1.20) come
# from release binaries built elsewhere (scripts/layoutgen/npm-refs, fetched
# from the npm registry with pinned sha256). Checked against what is not
# their DWARF:
#   1. each reference binary's own type descriptors (scripts/layoutgen, Go's
#      debug/elf): every size, field offset and field size of runtime.g, m,
#      p, gobuf, stack, moduledata and the type header equals its DWARF;
#   2. the generated C table (gort-offsets --no-dwarf --no-types on the
#      reference binary) gives every answer the descriptors give, and every
#      answer the binary's DWARF gives (runtime.schedt included);
#   3. other binaries of the same releases (tests/corpus/MANIFEST: esbuild,
#      no symbols, other patch releases, other architectures): the wait
#      reason and status names the library finds in their data equal the
#      reference binary's (read through its symbols: the table's), and, on
#      the reference's architecture, their descriptors are compared with
#      the table alone: any difference fails for the same patch release and
#      is reported for another (a table is keyed on major.minor);
#   4. release binaries with DWARF of other patch releases than the tables'
#      (tests/layout/other-patches: Go 1.15.3, 1.16.0, 1.17.6, 1.19.4): the
#      table gives every answer their DWARF gives, runtime.schedt included,
#      except the differences listed there.
# Skipped (77) without Go, or when the reference binaries cannot be fetched.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/goinspect}
refs=$cache/layout-ref
work=$build/layout-refs; mkdir -p "$work"
. "$src/tests/layout/layoutgen.sh"
offsets=$build/examples/gort-offsets
py=/usr/bin/python3
[ -x $py ] || py=python3

rc=0; bash "$src/tests/corpus/fetch.sh" "$refs" "$src/scripts/layoutgen/npm-refs" >/dev/null || rc=$?
[ "$rc" = 77 ] && { echo "no reference binary could be fetched (npm registry): skipped"; exit 77; }
fail=0 nref=0 ncorpus=0

# names JSON: the wait reason and status names gort-offsets --json gave:
# one line per table, KIND SOURCE ["name", ...].
names() {
  $py - "$1" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
for k in ("wait_reasons", "status_names"):
    print(k, o[k]["source"], json.dumps(o[k]["names"]))
PY
}

while IFS=$'\t' read -r name spec member sha ver _; do
  case "$name" in go1.*) ;; *) continue ;; esac
  f=$refs/$name
  [ -f "$f" ] || { echo "MISSING $name ($spec)"; fail=1; continue; }
  r=${name%%/*} a=${name#*/}; a=${a%%/*}
  # 1. Descriptors against DWARF.
  "$gen" -compare "$r:$a:$f" "$r:$a:desc:$f" || { echo "MISMATCH $name: descriptors vs DWARF"; fail=1; }
  # 2. The generated table against the descriptors and the DWARF.
  "$gen" -print "$r:$a:desc:$f" >"$work/desc.txt"
  if ! "$offsets" "$f" >"$work/dwarf.txt" ||
     ! "$offsets" --no-dwarf --no-types "$f" >"$work/table.txt" ||
     ! "$offsets" --json --no-dwarf --no-types "$f" >"$work/table.json"; then
    echo "FAIL $name: gort-offsets failed"; fail=1; continue
  fi
  if grep -q '"source": *"\(types\|dwarf\|nearest\)"' <(tr ',' '\n' <"$work/table.json"); then
    echo "FAIL $name: --no-dwarf --no-types answers not from the table"; fail=1
  fi
  missing=$(awk 'NR == FNR { got[$1] = $2; next } got[$1] != $2 { print $1, got[$1], "want", $2 }' \
    "$work/table.txt" "$work/desc.txt")
  [ -z "$missing" ] || { echo "MISMATCH $name: table vs descriptors: $missing" | head -n 5; fail=1; }
  cmp -s "$work/dwarf.txt" "$work/table.txt" ||
    { echo "MISMATCH $name: table vs DWARF"; diff "$work/dwarf.txt" "$work/table.txt" | head -n 5; fail=1; }
  names "$work/table.json" | sed 's/^\([a-z_]*\) [a-z]* /\1 /' >"$work/$r.names"
  echo "$name ($ver, $spec): $(wc -l <"$work/desc.txt") descriptor answers and $(wc -l <"$work/dwarf.txt") DWARF answers equal the table"
  nref=$((nref + 1))
done <"$src/scripts/layoutgen/npm-refs"

# 3. Other binaries of the same releases.
corpus=${GORT_CORPUS_DIR:-$cache/corpus}
bash "$src/tests/corpus/fetch.sh" "$corpus" >/dev/null 2>&1 || true
while IFS=$'\t' read -r name spec member sha ver target format _; do
  case "$name" in \#*|"") continue ;; esac
  [ "$format" = elf ] || continue
  f=$corpus/$name a=${target#linux/}
  r=go$(sed -E 's/^go(1\.[0-9]+).*/\1/' <<<"$ver")
  [ -f "$f" ] && [ -f "$work/$r.names" ] || continue
  "$offsets" --json --no-dwarf "$f" >"$work/got.json" 2>/dev/null || true
  names "$work/got.json" >"$work/got.names"
  if grep -qv '^[a-z_]* binary ' "$work/got.names"; then
    echo "FAIL $name ($ver $a): names not found in the binary's data"; fail=1
  elif ! cmp -s <(sed 's/^\([a-z_]*\) [a-z]* /\1 /' "$work/got.names") "$work/$r.names"; then
    echo "MISMATCH $name ($ver $a): wait reason or status names differ from the $r reference's"
    fail=1
  fi
  ncorpus=$((ncorpus + 1))
  refver=$(awk -F'\t' -v n="$r/$a/ref" '$1 == n { print $5 }' "$src/scripts/layoutgen/npm-refs")
  [ -n "$refver" ] || { echo "$name ($ver $a): names equal the $r reference's"; continue; }
  "$gen" -print "$r:$a:desc:$f" >"$work/desc.txt"
  "$offsets" --no-dwarf --no-types "$f" >"$work/table.txt"
  n=$(awk 'NR == FNR { got[$1] = $2; next } got[$1] != $2' "$work/table.txt" "$work/desc.txt" | wc -l)
  echo "$name ($ver $a): names equal the $r reference's; the table ($refver) differs from its descriptors in $n of $(wc -l <"$work/desc.txt")"
  if [ "$n" != 0 ] && [ "${refver%% *}" = "${ver%% *}" ]; then
    echo "MISMATCH $name: same patch release as the table's reference"; fail=1
  fi
done <"$src/tests/corpus/MANIFEST"

# 4. DWARF of other patch releases.
nother=0
bash "$src/tests/corpus/fetch.sh" "$refs/other" "$src/tests/layout/other-patches" >/dev/null 2>&1 || true
while IFS=$'\t' read -r name spec member sha ver differs _; do
  case "$name" in go1.*) ;; *) continue ;; esac
  f=$refs/other/$name
  [ -f "$f" ] || { echo "MISSING $name ($spec)"; fail=1; continue; }
  if ! "$offsets" "$f" >"$work/dwarf.txt" || ! "$offsets" --no-dwarf --no-types "$f" >"$work/table.txt"; then
    echo "FAIL $name: gort-offsets failed"; fail=1; continue
  fi
  got=$(awk 'NR == FNR { t[$1] = $2; next } t[$1] != $2 { print $1 }' "$work/table.txt" "$work/dwarf.txt" |
    sort | paste -sd, -)
  want=$(tr ',' '\n' <<<"${differs#-}" | sort | paste -sd, -)
  if [ "$got" != "$want" ]; then
    echo "MISMATCH $name ($ver, $spec): the table differs from its DWARF in '${got}', expected '${want}'"
    fail=1; continue
  fi
  echo "$name ($ver): $(wc -l <"$work/dwarf.txt") DWARF answers, the table differs in ${got:-none}"
  nother=$((nother + 1))
done <"$src/tests/layout/other-patches"

echo "reference binaries: $nref checked; corpus binaries of their releases: $ncorpus;" \
  "other patch releases: $nother"
[ $nref -gt 0 ] || fail=1
exit $fail
