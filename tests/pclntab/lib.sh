# Shared by the pclntab checks: sourced with build=BUILD_DIR src=SOURCE_DIR.
# Ground truth: debug/gosym of the newest Go (gosymfuncs/) for the function
# list, and `go tool addr2line` of the toolchain that built each binary
# (older addr2lines cannot read newer table formats; newer ones read all).

newest_go() { ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1; }

# go_env CMD...: a Go command that touches neither the network nor ~/.cache.
# The build cache of the fixtures (already warm for every toolchain) is
# shared when present: compiling std for many toolchains is the slow part.
go_env() {
  local cache=$work/gocache
  [ -n "${GORT_FIXTURES_DIR:-}" ] && [ -d "$GORT_FIXTURES_DIR/.gocache" ] && cache=$GORT_FIXTURES_DIR/.gocache
  env GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off GOENV=off \
    GOCACHE="${GORT_GOCACHE:-$cache}" GOPATH="$work/gopath" CGO_ENABLED=0 "$@"
}

# setup: work dir and the gosymfuncs reference tool; exits 77 without Go.
setup() {
  goroot=$(newest_go)
  [ -x "$goroot/bin/go" ] || { echo "no Go toolchain in /usr/lib/go-1.*: skipped"; exit 77; }
  work=$build/pclntab-check
  mkdir -p "$work"
  gosymfuncs=$work/gosymfuncs
  (cd "$src/tests/pclntab/gosymfuncs" && go_env "$goroot/bin/go" build -o "$gosymfuncs" .) ||
    { echo "cannot build gosymfuncs with $goroot"; exit 1; }
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  fail=0 checked=0 funcs=0 pcs=0 noshdr=0
}

# check_binary FILE GOROOT [noshdr]: gort-funcs vs debug/gosym, and
# gort-addr2line vs GOROOT's go tool addr2line on sampled PCs (entries,
# interior, ends). With REF=OTHER_FILE in the environment, the references
# come from OTHER_FILE: for binaries Go's tools cannot read (a stripped PE
# has no runtime.pclntab symbols) but whose unstripped twin, linked the
# same but for the symbol table, they can.
check_binary() {
  local f=$1 gr=$2 n ref=${REF:-$1}
  "$gosymfuncs" "$ref" >"$tmp/ref.funcs" 2>&1 || { echo "gosymfuncs failed on $ref"; fail=1; return; }
  "$build/examples/gort-funcs" "$f" >"$tmp/got.funcs" 2>&1 || true
  if ! cmp -s "$tmp/ref.funcs" "$tmp/got.funcs"; then
    echo "MISMATCH gort-funcs $f"; { diff "$tmp/ref.funcs" "$tmp/got.funcs" | head -5 || true; }; fail=1
  fi
  n=$(wc -l <"$tmp/ref.funcs"); funcs=$((funcs + n))
  "$gosymfuncs" -pcs "${GORT_PCLN_SAMPLES:-600}" "$ref" >"$tmp/pcs"
  printf '0\nzz\n0x\n%s\n' "ffffffffffffffffff" >>"$tmp/pcs" # Go's parse quirks
  # Inside every linker-made function (go:textfipsstart, go:buildid...):
  # no compilation unit, where cutab indexes wrap or run past the table.
  local e x name
  while read -r e x name; do
    case $name in go:*) printf '0x%x\n' $(((e + x) / 2)) ;; esac
  done <"$tmp/ref.funcs" >>"$tmp/pcs"
  # The longest line Go's tool reads, then one it gives up on (64 KiB):
  # nothing after it is answered.
  { head -c 65534 /dev/zero | tr '\0' 0; printf '1\n'; head -c 65536 /dev/zero | tr '\0' 0
    printf '\n%s\n' "$(head -n1 "$tmp/pcs")"; } >>"$tmp/pcs"
  "$gr/bin/go" tool addr2line "$ref" <"$tmp/pcs" >"$tmp/ref.a2l" 2>&1 || true
  if ! grep -q '^[^?!]' "$tmp/ref.a2l"; then
    # Go before 1.20 or so only looks for .gopclntab and the runtime.pclntab
    # symbol, not for .data.rel.ro.gopclntab (PIE): newer Go reads those.
    echo "note: $gr/bin/go tool addr2line finds no table in $ref; using $(newest_go)"
    "$(newest_go)/bin/go" tool addr2line "$ref" <"$tmp/pcs" >"$tmp/ref.a2l" 2>&1 || true
  fi
  if grep -q '^addr2line: ' "$tmp/ref.a2l" || ! grep -q '^[^?!]' "$tmp/ref.a2l"; then
    # A PE without symbols: no Go tool opens it. gosymfuncs finds the table
    # by scanning and answers as cmd/addr2line would, with debug/gosym.
    echo "note: go tool addr2line cannot open $ref; debug/gosym answers (gosymfuncs -addr2line)"
    "$gosymfuncs" -addr2line "$ref" <"$tmp/pcs" >"$tmp/ref.a2l" 2>&1 || true
  fi
  "$build/examples/gort-addr2line" "$f" <"$tmp/pcs" >"$tmp/got.a2l" 2>&1 || true
  if ! cmp -s "$tmp/ref.a2l" "$tmp/got.a2l"; then
    echo "MISMATCH gort-addr2line $f (vs $gr)"; { diff "$tmp/ref.a2l" "$tmp/got.a2l" | head -6 || true; }; fail=1
  fi
  pcs=$((pcs + $(wc -l <"$tmp/pcs"))); checked=$((checked + 1))
  [ "${3:-}" = noshdr ] && check_no_section_headers "$f"
  return 0
}

# The same answers from a copy whose section headers are gone (e_shoff,
# e_shnum, e_shstrndx zeroed, as some release pipelines leave binaries):
# the table and moduledata are then found by scanning the segments.
check_no_section_headers() {
  local f=$1 c=$tmp/noshdr class
  cp "$f" "$c"
  class=$(od -An -tu1 -j4 -N1 "$f" | tr -d ' ')
  zero() { head -c "$2" /dev/zero | dd of="$c" bs=1 seek=$(($1)) conv=notrunc status=none; }
  if [ "$class" = 2 ]; then zero 0x28 8; zero 0x3c 4; else zero 0x20 4; zero 0x30 4; fi
  "$build/examples/gort-funcs" "$c" >"$tmp/nosh.funcs" 2>&1 || true
  "$build/examples/gort-addr2line" "$c" <"$tmp/pcs" >"$tmp/nosh.a2l" 2>&1 || true
  if ! cmp -s "$tmp/ref.funcs" "$tmp/nosh.funcs" || ! cmp -s "$tmp/ref.a2l" "$tmp/nosh.a2l"; then
    echo "MISMATCH without section headers: $f"; { diff "$tmp/ref.a2l" "$tmp/nosh.a2l" | head -4 || true; }; fail=1
  fi
  noshdr=$((noshdr + 1))
}

# check_large_input FILE GOROOT: gort-addr2line on more lines than one of
# its batches holds (524,288) and more than one thread's share, in no
# order, with lines Go's tool does not take as numbers among them: the
# lookups split between threads, the sorted runs swept, answers put back in
# input order, text written chunk after chunk; against GOROOT's tool.
check_large_input() {
  local f=$1 gr=$2
  "$gosymfuncs" -pcs 20000 "$f" >"$tmp/big.pcs"
  awk 'BEGIN { srand(7) } { pc[NR] = $0 }
    END {
      for (i = 0; i < 600000; i++) {
        if (i % 50000 == 7) print "main.go:12"
        else if (i % 70000 == 9) print "zz"
        else print pc[int(rand() * NR) + 1]
      }
    }' "$tmp/big.pcs" >"$tmp/big.in"
  "$gr/bin/go" tool addr2line "$f" <"$tmp/big.in" >"$tmp/big.ref" 2>&1 || true
  "$build/examples/gort-addr2line" "$f" <"$tmp/big.in" >"$tmp/big.got" 2>&1 || true
  if ! cmp -s "$tmp/big.ref" "$tmp/big.got"; then
    echo "MISMATCH gort-addr2line on 600,000 lines of $f"
    { diff "$tmp/big.ref" "$tmp/big.got" | head -6 || true; }; fail=1
  fi
  pcs=$((pcs + 600000)); checked=$((checked + 1))
}

finish() {
  echo "checked $checked binaries ($noshdr also without section headers), $funcs functions, $pcs addresses"
  exit $fail
}
