#!/usr/bin/env bash
# Inlined frames (gort-addr2line -i) against the Go runtime's own answer:
# selfframes/ built by each toolchain symbolizes PCs of its own executable
# with runtime.CallersFrames. Runtimes from Go 1.23 expand every inlined
# level for us; older ones only give the innermost frame, which is what is
# compared there (compare.awk says what else differs by design).
# amd64 natively; arm64 too when qemu-aarch64 is installed. Each build
# compiles std when the cache is cold, so by default one toolchain per
# table format and runtime behaviour (1.15, 1.19, 1.22, 1.23, 1.27) on
# amd64 and the newest on arm64; GORT_PCLN_ALL=1 checks every toolchain on
# both.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
setup
arches=amd64
command -v qemu-aarch64 >/dev/null && arches="amd64 arm64"
total=0 groups=0 inl=0
newest=$(newest_go)
for gr in $(ls -d /usr/lib/go-1.* | sort -V); do
  v=${gr#/usr/lib/go-}; minor=${v#1.}
  for a in $arches; do
    if [ -z "${GORT_PCLN_ALL:-}" ]; then
      case "$a:$v" in amd64:1.15|amd64:1.19|amd64:1.22|amd64:1.23) ;; *:*)
        [ "$gr" = "$newest" ] || continue ;;
      esac
    fi
    exe=$work/selfframes-$v-$a
    (cd "$src/tests/pclntab/selfframes" && go_env GOARCH=$a "$gr/bin/go" build -o "$exe" .) ||
      { echo "cannot build selfframes with $gr for $a"; fail=1; continue; }
    run=("$exe"); [ $a = arm64 ] && run=(qemu-aarch64 "$exe")
    mark=$("${run[@]}" -marker)
    "${run[@]}" -pcs "${GORT_PCLN_SAMPLES:-600}" >"$tmp/pcs"
    "${run[@]}" <"$tmp/pcs" >"$tmp/ref"
    awk -v m="$mark" '{print; print m}' "$tmp/pcs" |
      "$build/examples/gort-addr2line" -i "$exe" >"$tmp/got"
    inner=0; [ "$minor" -lt 23 ] && inner=1
    awk -f "$src/tests/pclntab/frames.awk" "$tmp/ref" >"$tmp/ref.g"
    awk -f "$src/tests/pclntab/frames.awk" "$tmp/got" >"$tmp/got.g"
    paste -d'\t' "$tmp/ref.g" "$tmp/got.g" |
      awk -v inner=$inner -f "$src/tests/pclntab/compare.awk" >"$tmp/bad" 2>"$tmp/extra"
    if [ -s "$tmp/bad" ]; then
      echo "MISMATCH inlined frames, Go $v $a ($(wc -l <"$tmp/bad") PCs), runtime | ours:"
      head -n3 "$tmp/bad"; fail=1
    fi
    groups=$((groups + $(wc -l <"$tmp/ref.g"))); inl=$((inl + $(grep -c ' <- ' "$tmp/got.g" || true)))
    checked=$((checked + 1))
  done
done
echo "checked $checked builds, $groups PCs, $inl with inlined callers"
exit $fail
