#!/usr/bin/env bash
# Binaries the system linker linked (cgo, -linkmode=external): their .text
# starts with the C runtime's code, before runtime.text, and from Go 1.18
# function entries count from runtime.text. Built here by a toolchain with
# a header textStart (1.21) and one without (Go 1.26+: moduledata.text),
# with and without symbols:
#  - gort-funcs and gort-addr2line equal debug/gosym and `go tool
#    addr2line` on both (Go's tools take runtime.text from the symbol
#    table, else the start of .text: off for the stripped one,
#    golang/go#65232, and the tools follow them there by design);
#  - the library's own answer (gort-funcs --runtime) is where the program
#    really has its functions, stripped or not: that of the unstripped
#    binary, whose runtime.text symbol Go's tools use, and `go tool nm`'s
#    address of main.main.
# Skipped (77) without Go or a C compiler.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
setup
command -v gcc >/dev/null || { echo "no gcc (cgo): skipped"; exit 77; }
mkdir -p "$tmp/p"
printf 'module extlink\n\ngo 1.21\n' >"$tmp/p/go.mod"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$tmp/p/main.go"
runtime_checked=0
for gr in /usr/lib/go-1.21 "$goroot"; do
  [ -x "$gr/bin/go" ] || continue
  v=$(basename "$gr")
  for strip in no yes; do
    flags=-linkmode=external
    [ $strip = yes ] && flags="$flags -s -w"
    out=$tmp/$v-$strip
    (cd "$tmp/p" && go_env CGO_ENABLED=1 "$gr/bin/go" build -ldflags="$flags" -o "$out" .) ||
      { echo "cannot build with $gr -ldflags='$flags'"; fail=1; continue; }
    check_binary "$out" "$gr"
  done
  # Where the functions are: the stripped binary's runtime answer is the
  # unstripped one's (same link but the symbol table).
  "$build/examples/gort-funcs" --runtime "$tmp/$v-yes" >"$tmp/rt"
  "$build/examples/gort-funcs" "$tmp/$v-no" >"$tmp/sym"
  want=$("$gr/bin/go" tool nm "$tmp/$v-no" | awk '$3 == "main.main" { print $1 }')
  got=$(awk '$3 == "main.main" { sub(/^0x/, "", $1); print $1 }' "$tmp/rt")
  if ! cmp -s "$tmp/rt" "$tmp/sym" || [ -z "$want" ] || [ "$((16#$want))" != "$((16#$got))" ]; then
    echo "MISMATCH runtime entries of $v stripped (main.main: nm $want, got $got)"
    diff "$tmp/sym" "$tmp/rt" | head -5 || true
    fail=1
  elif cmp -s "$tmp/rt" <("$build/examples/gort-funcs" "$tmp/$v-yes"); then
    echo "$v: .text starts at runtime.text: this build does not show the difference"; fail=1
  fi
  runtime_checked=$((runtime_checked + 1))
done
echo "externally linked: $checked binaries ($funcs functions, $pcs PCs) as Go's tools," \
  "$runtime_checked stripped ones where the program has them"
exit $fail
