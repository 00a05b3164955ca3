#!/usr/bin/env bash
# The shared library's ABI against the committed baseline abi/libgoinspect.abi
# (abidw of libabigail, Debian's abigail-tools): new functions pass, anything
# else that abidiff reports (a removed function, a changed signature, a public
# struct whose size or field offsets moved) fails. Policy and how to update
# the baseline after an intended change: docs/ABI.md (scripts/abi-update.sh).
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
command -v abidw >/dev/null && command -v abidiff >/dev/null ||
  { echo "abidw/abidiff not installed (abigail-tools): skipped"; exit 77; }
# Sanitizer builds are instrumented Debug builds: compare the release build only.
[ -z "${GORT_SANITIZE:-}" ] || { echo "sanitizer build: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$src/scripts/abi-update.sh" "$build" "$tmp/current.abi"
# Opaque handles (typedef struct gort_x gort_x; defined only in lib/) are
# not part of the ABI: callers never see inside them, so their internals may
# change in any release.
for t in $(grep -ho 'typedef struct gort_[a-z0-9_]* gort_[a-z0-9_]*;' "$src"/include/gort/*.h |
           awk '{ print $3 }' | sort -u); do
  printf '[suppress_type]\n  type_kind = struct\n  name = %s\n\n' "$t"
done >"$tmp/opaque.supp"
# The check itself must be able to fail: against doctored copies of the
# library's own ABI (tests/abi/abi-edit.py), an added function passes while
# a removed function and a grown public struct fail.
compare() { # BASELINE CURRENT: abidiff's exit status
  local r=0
  abidiff --suppressions "$tmp/opaque.supp" --no-added-syms "$1" "$2" >/dev/null || r=$?
  echo $r
}
edit=$src/tests/abi/abi-edit.py
python3 "$edit" remove gort_version_string "$tmp/current.abi" "$tmp/fewer.abi"
python3 "$edit" grow gort_thread "$tmp/current.abi" "$tmp/grown.abi"
if [ "$(compare "$tmp/fewer.abi" "$tmp/current.abi")" != 0 ] ||
   [ "$(compare "$tmp/current.abi" "$tmp/fewer.abi")" = 0 ] ||
   [ "$(compare "$tmp/current.abi" "$tmp/grown.abi")" = 0 ]; then
  echo "self-test: abidiff does not tell an addition (allowed) from a removal or a"
  echo "grown struct (refused): the check below could not fail"
  exit 1
fi
rc=0
abidiff --suppressions "$tmp/opaque.supp" --no-added-syms "$src/abi/libgoinspect.abi" \
  "$tmp/current.abi" >"$tmp/report" || rc=$?
added=$(abidiff --suppressions "$tmp/opaque.supp" "$src/abi/libgoinspect.abi" "$tmp/current.abi" |
  grep -c "^  \[A\]" || true)
if [ $rc = 0 ]; then
  echo "ABI compatible with abi/libgoinspect.abi ($added functions added since)"
  exit 0
fi
cat "$tmp/report"
echo
echo "The ABI changed in a way that breaks callers built against abi/libgoinspect.abi"
echo "(abidiff exit $rc). If the change is intended and allowed (docs/ABI.md: before"
echo "1.0 is released), update the baseline in the same commit:"
echo "  scripts/abi-update.sh build"
exit 1
