#!/usr/bin/env bash
# gort-funcs and gort-addr2line against debug/gosym and `go tool addr2line`
# on the Go toolchains' own programs: real binaries nobody here built, by Go
# 1.15 (table format 1.2) to 1.27 (format 1.20, Go 1.26+ text start).
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
. "$src/tests/pclntab/lib.sh"
setup
for gr in $(ls -d /usr/lib/go-1.* | sort -V); do
  for t in addr2line asm vet; do
    [ -f "$gr/pkg/tool/linux_amd64/$t" ] && check_binary "$gr/pkg/tool/linux_amd64/$t" "$gr"
  done
done
finish
