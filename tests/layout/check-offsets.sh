#!/usr/bin/env bash
# Layouts without DWARF against DWARF, on every fixture build (each Go
# toolchain x amd64, arm64, 386; tests/fixtures/build.sh layout
# OUT/go1.NN/ARCH/VARIANT/prog): what `gort-offsets` reads from the
# unstripped binary's DWARF (every answer must say "dwarf") must equal, for
# the unstripped binary, its stripped (-s -w) twin and its PIE twin, field
# by field with sizes, with the same wait reason and status names (read
# through symbols from the unstripped binary, from the tables for the
# stripped one):
#   - `gort-offsets --no-dwarf`: the binary's own type descriptors (source
#     "types"; runtime.schedt, which no descriptor describes, from the
#     table);
#   - `gort-offsets --no-dwarf --no-types`: the built-in tables alone.
set -euo pipefail
build=$(cd "$1" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -path '*/default/prog' -type f 2>/dev/null | head -n1)" ]; then
  echo "no fixture binaries in GORT_FIXTURES_DIR='$fixtures' (run tests/fixtures/build.sh): skipped"
  exit 77
fi
tool=$build/examples/gort-offsets
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 checked=0

py=/usr/bin/python3
[ -x $py ] || py=python3
# What must agree: everything but where it came from and the file name,
# one answer per line. normalize JSON SOURCES_FILE: also lists the sources.
normalize() {
  $py - "$1" "$2" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
srcs = set()
def walk(path, v):
    if isinstance(v, dict):
        for k in sorted(v):
            if k == "source":
                srcs.add(v[k])
            elif k != "file":
                walk(path + "." + k, v[k])
    else:
        print(path, json.dumps(v))
walk("", o)
open(sys.argv[2], "w").write("\n".join(sorted(srcs)) + "\n")
PY
}

while IFS= read -r ref; do
  dir=$(dirname "$(dirname "$ref")")
  name=${dir#"$fixtures"/}
  if ! "$tool" "$ref" >"$tmp/ref.txt" || ! "$tool" --json "$ref" >"$tmp/ref.json"; then
    echo "FAIL $name: gort-offsets with DWARF failed"; fail=1; continue
  fi
  # The reference must really come from DWARF, and cover every type (the
  # type descriptor is runtime._type or internal/abi.Type, never both).
  normalize "$tmp/ref.json" "$tmp/ref.src" >"$tmp/ref.norm"
  if grep -q '^\(table\|nearest\)$' "$tmp/ref.src" ||
     [ "$(grep -c '\.SIZE ' "$tmp/ref.txt")" -ne 8 ]; then
    echo "FAIL $name: the DWARF answer is incomplete or not from DWARF"; fail=1; continue
  fi
  for variant in default stripped pie; do
    f=$dir/$variant/prog
    [ -f "$f" ] || continue
    for mode in types table; do
      args=(--no-dwarf); [ $mode = table ] && args+=(--no-types)
      if ! "$tool" "${args[@]}" "$f" >"$tmp/got.txt" 2>"$tmp/err" ||
         ! "$tool" "${args[@]}" --json "$f" >"$tmp/got.json" 2>>"$tmp/err"; then
        echo "FAIL $name/$variant ($mode): $(head -n1 "$tmp/err")"; fail=1; continue
      fi
      normalize "$tmp/got.json" "$tmp/got.src" >"$tmp/got.norm"
      # The table answers schedt in both modes; descriptors all the rest.
      if ! grep -q '^table$' "$tmp/got.src" || grep -q '^dwarf$' "$tmp/got.src" ||
         { [ $mode = types ] && ! grep -q '^types$' "$tmp/got.src"; } ||
         { [ $mode = table ] && grep -q '^types$' "$tmp/got.src"; }; then
        echo "FAIL $name/$variant: --no-dwarf answers do not come from the $mode source"; fail=1
      fi
      if [ $mode = types ] && grep -q '"source": *"table"' <(python3 -c '
import json,sys
o=json.load(open(sys.argv[1]))["types"]
for t,v in o.items():
    if t != "runtime.schedt": print(t, json.dumps({"source": v["source"]}))' "$tmp/got.json"); then
        echo "FAIL $name/$variant: a type other than runtime.schedt not from its descriptor"; fail=1
      fi
      if ! cmp -s "$tmp/ref.txt" "$tmp/got.txt" || ! cmp -s "$tmp/ref.norm" "$tmp/got.norm"; then
        echo "MISMATCH $name/$variant (< DWARF, > $mode):"
        { diff "$tmp/ref.norm" "$tmp/got.norm" | head -n 8 || true; }
        fail=1; continue
      fi
      checked=$((checked + 1))
    done
  done
done < <(find "$fixtures" -path '*/default/prog' -type f | sort -V)

echo "layouts from type descriptors and from tables vs DWARF: $checked answers sets agree"
[ "$checked" -gt 0 ] || fail=1
exit $fail
