#!/usr/bin/env bash
# gort-goroutines' grouping and filters against its plain listing of the
# same fixture cores: --group must show every goroutine once, in a group
# whose header (status, locked, labels) and stack are exactly those of each
# of its goroutines, largest groups first; --status, --label, --func and
# --min-wait must keep exactly the goroutines of the plain listing that
# match (computed here from the text), in order. No two groups may have
# the same header and stack (the fixture cores have no two goroutines
# alike, so this is what catches goroutines left unmerged). A group's
# ", M..K minutes" is the range of its members' minutes. The cores of
# tests/fixtures/longwait (goroutines waiting a minute and more; another
# program) get the checks that do not depend on the fixture program.
set -euo pipefail
build=$(cd "$1" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -name core.zst -type f 2>/dev/null | head -n1)" ]; then
  echo "no fixture cores in GORT_FIXTURES_DIR='$fixtures': skipped"
  exit 77
fi
tool=$build/examples/gort-goroutines
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
[ -x $py ] || py=python3
n=0
while IFS= read -r core; do
  n=$((n + 1))
  dir=${core%/core.zst} exe=${core%/core.zst}/prog longwait=0
  [ -e "$exe" ] || { exe=$dir/longwait; longwait=1; }
  t() { "$tool" "$@" "$core" "$exe" 2>/dev/null || true; }
  t >"$tmp/all"
  t --group >"$tmp/group"
  t --status 'chan receive' >"$tmp/status"
  t --status sleep --status 'select (no cases)' >"$tmp/status2"
  t --func main.recurse >"$tmp/func"
  t --label state=inherited >"$tmp/label"
  t --label fixture >"$tmp/labelkey"
  t --min-wait 1 >"$tmp/wait"
  $py - "$tmp" $longwait <<'PY' || { echo "FAIL: $core"; exit 1; }
import re, sys
d, longwait = sys.argv[1], sys.argv[2] == "1"
def blocks(name):
    text = open(d + "/" + name, encoding="utf-8").read()
    return [b for b in text.split("\n\n") if b.strip()]
HDR = re.compile(r"^goroutine (\d+)( \[.*)$")
def parse(b):
    head, _, body = b.partition("\n")
    m = HDR.match(head)
    assert m, head
    return int(m.group(1)), m.group(2), body.rstrip("\n")
gs = [parse(b) for b in blocks("all")]
assert len(gs) > 10
def status(rest):  # the word in brackets before ", ..." or the labels
    return re.match(r" \[(.*?)(?:,| labels:\{|\])", rest).group(1)
def ids(name):
    return [parse(b)[0] for b in blocks(name)]
MIN = re.compile(r", (\d+)(?:\.\.(\d+))? minutes")
def minutes(rest):  # (min, max) of ", M minutes" / ", M..K minutes", or None
    m = MIN.search(rest)
    return m and (int(m.group(1)), int(m.group(2) or m.group(1)))
def check(name, keep):
    want = [i for i, rest, body in gs if keep(rest, body)]
    got = ids(name)
    assert got == want, (name, got, want)
    return len(want)
n = check("status", lambda r, b: status(r) == "chan receive")
assert longwait or n > 5
n = check("status2", lambda r, b: status(r) in ("sleep", "select (no cases)"))
assert longwait or n >= 2
n = check("func", lambda r, b: re.search(r"^main\.recurse\(", b, re.M))
assert longwait or n == 1
check("label", lambda r, b: "inherited" in r)
check("labelkey", lambda r, b: "fixture" in r)
# Waits of a core are measured against its estimated clock.
check("wait", lambda r, b: minutes(r) is not None)
# Groups: header "N goroutines REST IDS", body; each member's own header
# rest and body equal the group's.
byid = {i: (MIN.sub("", rest), body) for i, rest, body in gs}
mins = {i: minutes(rest) for i, rest, body in gs}
seen, last, keys = [], None, set()
for b in blocks("group"):
    head, _, body = b.partition("\n")
    body = body.rstrip("\n")  # the file's last block ends with one more
    m = re.match(r"^(\d+) goroutines?( \[.*:)((?: \d+)+)$", head)
    assert m, head
    count, rest, members = int(m.group(1)), m.group(2), [int(x) for x in m.group(3).split()]
    assert count == len(members)
    waits = [mins[i][0] for i in members if mins[i]]
    assert minutes(rest) == (waits and (min(waits), max(waits)) or None), head
    rest = MIN.sub("", rest)
    assert (rest, body) not in keys, "two groups alike: " + head
    keys.add((rest, body))
    assert last is None or count <= last
    last = count
    for i in members:
        assert byid[i] == (rest, body), (i, byid[i], rest, body)
    seen += members
assert sorted(seen) == sorted(byid)
PY
done < <(find "$fixtures" -name core.zst -path '*/amd64/*' | sort -V)
[ $n -gt 0 ]
echo "$n cores: --group, --status, --func, --label and --min-wait agree with the plain listing"
