# Sourced by the layout checks: builds scripts/layoutgen (Go's debug/elf and
# debug/dwarf, nothing of libgoinspect) with the newest toolchain into
# $work/layoutgen ($gen). Needs $src, $work and $cache; exits 77 without Go.
goroot=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n1)
[ -x "$goroot/bin/go" ] || { echo "no Go toolchain in /usr/lib/go-1.*: skipped"; exit 77; }
gen=$work/layoutgen
(cd "$src/scripts/layoutgen" && env GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off \
  GOENV=off GOCACHE="${GORT_GOCACHE:-$cache/go-build}" GOPATH="$work/gopath" CGO_ENABLED=0 \
  "$goroot/bin/go" build -o "$gen" .) || { echo "cannot build layoutgen"; exit 1; }
