#!/usr/bin/env bash
# Installs what building and testing libgoinspect needs on Debian 12 (bookworm):
# the C build dependencies from the default suite, and every Go toolchain Debian
# offers from its other suites, each pinned to priority 1 so nothing else moves.
#   scripts/install-deps.sh            build deps + all Go toolchains
#   scripts/install-deps.sh --no-go    build deps only
set -euo pipefail

want_go=1
[ "${1:-}" = "--no-go" ] && want_go=0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Go version -> Debian suite that ships golang-1.NN-go and golang-1.NN-src.
GO_TOOLCHAINS="1.15:bullseye 1.19:bookworm 1.21:bookworm-backports 1.22:bookworm-backports
1.23:bookworm-backports 1.24:trixie 1.25:trixie-backports 1.26:trixie-backports 1.27:trixie-backports"

BUILD_PKGS="build-essential cmake pkg-config libelf-dev libdwarf-dev zlib1g-dev libzstd-dev zstd
libcmocka-dev swig python3-dev python3-pytest python3-matplotlib liblua5.4-dev lua5.4 qemu-user binutils file
clang libclang-rt-14-dev abigail-tools"
# The tools' man pages (help2man) and the API reference (doxygen).
DOC_PKGS="help2man doxygen"

missing() {
  local p out=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "${p%%/*}" 2>/dev/null | grep -q 'install ok installed' || out="$out $p"
  done
  echo "$out"
}

setup_suites() {
  local list=/etc/apt/sources.list.d/goinspect-go.list pin=/etc/apt/preferences.d/goinspect-go
  [ -f "$list" ] && [ -f "$pin" ] && return 0
  $SUDO tee "$list" >/dev/null <<'L'
deb http://deb.debian.org/debian bullseye main
deb http://deb.debian.org/debian bookworm-backports main
deb http://deb.debian.org/debian trixie main
deb http://deb.debian.org/debian trixie-backports main
L
  $SUDO tee "$pin" >/dev/null <<'P'
Package: *
Pin: release n=bullseye
Pin-Priority: 1

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 1

Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1
P
  need_update=1
}

need_update=0
[ -f /var/lib/apt/lists/lock ] || need_update=1
pkgs=$(missing $BUILD_PKGS $DOC_PKGS)
# npm fetches the corpus of real Go programs (tests/corpus); any npm will
# do (`npm pack` only), so Debian's is installed only when there is none.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
gopkgs=""
if [ "$want_go" = 1 ]; then
  setup_suites
  for e in $GO_TOOLCHAINS; do
    v=${e%%:*}; s=${e#*:}
    [ -x "/usr/lib/go-$v/bin/go" ] && [ -d "/usr/lib/go-$v/src/runtime" ] && continue
    if [ "$s" = bookworm ]; then gopkgs="$gopkgs golang-$v-go golang-$v-src"
    else gopkgs="$gopkgs golang-$v-go/$s golang-$v-src/$s"; fi
  done
fi
if [ -n "$pkgs$gopkgs" ]; then
  # The first update of a fresh machine is needed even when lists exist.
  [ -n "$(ls /var/lib/apt/lists/*Packages 2>/dev/null | head -n1)" ] || need_update=1
  stamp=/var/lib/apt/lists/.goinspect-updated
  [ -f "$stamp" ] || need_update=1
  if [ "$need_update" = 1 ]; then
    $SUDO apt-get update -q || true
    $SUDO touch "$stamp"
  fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $pkgs $gopkgs
fi
