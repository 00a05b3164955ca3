#!/usr/bin/env bash
# Fetches the corpus of real Go programs (tests/corpus/MANIFEST) from the npm
# registry: `npm pack SPEC` downloads a package's tarball and runs none of its
# scripts; the one binary named in the manifest is extracted and its sha256
# checked. Tarballs and binaries are kept, so a second run downloads nothing.
#   tests/corpus/fetch.sh [OUT [MANIFEST]]
#                                  OUT: where the binaries go
#                                  (default CACHE/corpus; CACHE below);
#                                  MANIFEST: another list in the same
#                                  format (scripts/layoutgen/npm-refs);
#                                  a name may hold slashes (OUT/a/b/name)
# Cache: GORT_CACHE_DIR, else ~/.cache/goinspect; tarballs in CACHE/npm.
# Exit 0 when every binary is there, 1 when a download or checksum failed
# (what is there stays usable), 77 when none could be had (no npm, no
# registry): the checks then skip.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${GORT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/goinspect}
out=${1:-$cache/corpus}
manifest=${2:-$src/tests/corpus/MANIFEST}
tgzdir=$cache/npm
mkdir -p "$out" "$tgzdir"

sha256() { sha256sum "$1" | cut -c1-64; }
have=0 failed=0 npm_ok=1
command -v npm >/dev/null 2>&1 || npm_ok=0
while IFS=$'\t' read -r name spec member sum _; do
  case $name in ''|'#'*) continue ;; esac
  bin=$out/$name
  if [ -f "$bin" ] && [ "$(sha256 "$bin")" = "$sum" ]; then have=$((have + 1)); continue; fi
  # One directory per package spec: @esbuild/linux-arm64 and
  # esbuild-linux-arm64 pack to the same tarball name.
  dir=$tgzdir/$(printf '%s' "$spec" | tr '/@' '__')
  tgz=$(ls "$dir"/*.tgz 2>/dev/null | head -n1 || true)
  if [ -z "$tgz" ]; then
    [ "$npm_ok" = 1 ] || { failed=$((failed + 1)); continue; }
    mkdir -p "$dir"
    if ! (cd "$dir" && npm pack --silent --ignore-scripts --fetch-retries=1 \
            --fetch-timeout=60000 "$spec" >/dev/null 2>"$dir/npm.err"); then
      echo "fetch: npm pack $spec failed: $(tail -n1 "$dir/npm.err")" >&2
      failed=$((failed + 1))
      # An unreachable registry fails every package the same way: stop early.
      grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$dir/npm.err" && npm_ok=0
      continue
    fi
    tgz=$(ls "$dir"/*.tgz | head -n1)
  fi
  tmp=$(mktemp -d)
  if tar -xzf "$tgz" -C "$tmp" "$member" 2>/dev/null && [ "$(sha256 "$tmp/$member")" = "$sum" ]; then
    mkdir -p "$(dirname "$bin")"
    mv "$tmp/$member" "$bin"
    have=$((have + 1))
  else
    echo "fetch: $spec: $member missing or its sha256 is not $sum" >&2
    failed=$((failed + 1))
  fi
  rm -rf "$tmp"
done <"$manifest"
msg=""; [ "$failed" = 0 ] || msg=", $failed not fetched"
echo "corpus: $have binaries in $out$msg"
[ "$have" -gt 0 ] || exit 77
[ "$failed" = 0 ]
