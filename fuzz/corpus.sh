#!/usr/bin/env bash
# Seed corpus of one kind (fuzz/targets.def), written into DIR:
#   fuzz/corpus.sh binaries|dwarf|traces|cores DIR
# Seeds are small copies of real inputs: Go fixture binaries with their
# machine code removed (tests/fixtures; tables and build info stay intact),
# the ELF files, Go binaries and fuzz corpora of Go's own test data
# (/usr/lib/go-1.NN/src/debug, internal/trace), Go's trace conformance
# cases converted to binary traces, the fixture traces (both trace formats),
# PE and Mach-O fixtures, and the fixture cores without their zero pages
# (fuzz/shrink-core.py) behind the byte that names their executable
# (fuzz/core.c).
# Inputs missing on this machine are skipped; the corpus may be empty only
# if everything is missing (a fuzzer then starts from nothing).
set -euo pipefail
kind=$1 out=$2
src=$(cd "$(dirname "$0")/.." && pwd)
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/goinspect}
fixtures=${GORT_FIXTURES_DIR:-$cache/fixtures}
gosrc=$(ls -d /usr/lib/go-1.2[0-9]/src 2>/dev/null | sort -V | tail -n1 || true)
mkdir -p "$out"

# Go's fuzz corpus files ("go test fuzz v1" + []byte("...")) to raw bytes.
go_fuzz_corpus() { # DIR PREFIX
  [ -d "$1" ] || return 0
  python3 - "$1" "$out/$2" <<'PY'
import codecs, os, re, sys
d, prefix = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(d)):
    text = open(os.path.join(d, name), encoding="utf-8", errors="replace").read()
    m = re.search(r'\[\]byte\("(.*)"\)', text, re.S)
    if m:
        data = codecs.escape_decode(m.group(1).encode("utf-8"))[0]
        open(f"{prefix}{name}", "wb").write(data)
PY
}

# A fixture binary without its machine code: objcopy drops .text (and the
# segment bytes behind it), so the seed is a third of the size.
# objcopy does not write Mach-O: those are copied whole.
slim() { # FILE NAME [objcopy flags]
  [ -f "$1" ] || return 0
  local f=$1 n=$2; shift 2
  objcopy -R .text "$@" "$f" "$out/$n" 2>/dev/null || cp "$f" "$out/$n"
}

case $kind in
binaries)
  for v in go1.15/386/stripped go1.19/arm64/stripped go1.22/amd64/pie go1.27/amd64/stripped \
           go1.24/386/stripped; do
    # Without DWARF: the PIE keeps its symbols (the symbols target).
    slim "$fixtures/$v/prog" "$(echo "$v" | tr / -)" --strip-debug
  done
  # PE (amd64, 386) and Mach-O (amd64, arm64) Go binaries.
  for v in go1.21/windows-amd64/stripped/hello.exe go1.27/windows-386/stripped/hello.exe \
           go1.15/darwin-amd64/stripped/hello go1.27/darwin-arm64/stripped/hello; do
    slim "$fixtures/$v" "$(echo "$v" | tr / -)"
  done
  cp "$src/samples/"*.zst "$out/" 2>/dev/null || true
  # Mach-O whose build information sits behind chained fixups.
  python3 "$src/tests/data/macho-fixups.py" "$out/macho-chained-fixups" 2>/dev/null || true
  if [ -n "$gosrc" ]; then
    for f in "$gosrc"/debug/elf/testdata/gcc-*exec "$gosrc"/debug/elf/testdata/libtiffxx.so_ \
             "$gosrc"/debug/elf/testdata/compressed-64.obj; do
      [ -f "$f" ] && cp "$f" "$out/elf-$(basename "$f")"
    done
    for f in "$gosrc"/debug/pe/testdata/gcc-*-mingw-*exec; do
      [ -f "$f" ] && cp "$f" "$out/pe-$(basename "$f")"
    done
    for f in gcc-amd64-darwin-exec fat-gcc-386-amd64-darwin-exec; do
      base64 -d "$gosrc/debug/macho/testdata/$f.base64" >"$out/macho-$f" 2>/dev/null || true
    done
    base64 -d "$gosrc/debug/buildinfo/testdata/notgo/notgo.base64" >"$out/notgo" 2>/dev/null || true
    go_fuzz_corpus "$gosrc/debug/buildinfo/testdata/fuzz/FuzzRead" buildinfo-
  fi
  # The headers alone, where a cut file must fail cleanly.
  [ -f "$out/go1.27-amd64-stripped" ] && head -c 8192 "$out/go1.27-amd64-stripped" >"$out/cut-8k"
  ;;
dwarf)
  # Debug sections only (objcopy --only-keep-debug): plain DWARF 5 (Go
  # 1.25+), zlib .zdebug_* (Go 1.15) and SHF_COMPRESSED zstd copies.
  for v in go1.15/386/default go1.27/amd64/default; do
    f=$fixtures/$v/prog
    [ -f "$f" ] || continue
    n=$(echo "$v" | tr / -)
    objcopy --only-keep-debug "$f" "$out/$n" 2>/dev/null || continue
    objcopy --compress-debug-sections=zstd "$out/$n" "$out/$n-zstd" 2>/dev/null || true
  done
  if [ -n "$gosrc" ]; then
    for f in "$gosrc"/debug/dwarf/testdata/*.elf* "$gosrc"/debug/elf/testdata/zdebug-test-*.obj \
             "$gosrc"/debug/elf/testdata/compressed-*.obj; do
      [ -f "$f" ] && cp "$f" "$out/$(basename "$f")"
    done
  fi
  ;;
traces)
  for f in "$fixtures"/go1.2[2-9]/amd64/trace.out "$fixtures"/go1.15/amd64/trace.out; do
    [ -f "$f" ] && cp "$f" "$out/$(echo "${f#"$fixtures"/}" | tr / -)"
  done
  if [ -n "$gosrc" ]; then
    for f in "$gosrc"/internal/trace/testdata/tests/*.test; do
      [ -f "$f" ] && python3 "$src/tests/trace/testcase.py" "$f" "$out/$(basename "$f" .test)" \
        >/dev/null 2>&1 || true
    done
    go_fuzz_corpus "$gosrc/internal/trace/testdata/fuzz/FuzzReader" reader-
  fi
  # Traces of the older formats (1.5-1.21), from Go 1.21's test data.
  for f in /usr/lib/go-1.21/src/internal/trace/testdata/*_good; do
    [ -f "$f" ] && cp "$f" "$out/old-$(basename "$f")"
  done
  ;;
cores)
  # The order of fuzz/core.c's executables: the first byte is the index.
  i=0
  for v in go1.27/amd64/default go1.21/amd64/default go1.15/amd64/default go1.22/arm64/default \
    go1.27/amd64/stripped; do
    if [ -f "$fixtures/$v/core.zst" ]; then
      zstd -qdcf "$fixtures/$v/core.zst" >"$out/tmp-core"
      python3 "$src/fuzz/shrink-core.py" "$out/tmp-core" "$out/tmp-shrunk"
      { printf "\\x$(printf %02x $i)"; cat "$out/tmp-shrunk"; } >"$out/core-$(echo "$v" | tr / -)"
      rm -f "$out/tmp-core" "$out/tmp-shrunk"
    fi
    i=$((i + 1))
  done
  ;;
*) echo "fuzz/corpus.sh: unknown seed kind '$kind'" >&2; exit 2 ;;
esac
echo "$(ls "$out" | wc -l) seeds ($(du -sh "$out" | cut -f1)) in $out"
