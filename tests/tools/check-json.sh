#!/usr/bin/env bash
# --json output of the tools says exactly what their text output says: for
# fixture binaries of several Go releases and architectures, each JSON line
# parses, follows the schema in docs/json.md, and turned back into the text
# format equals the text output (gort-funcs, gort-addr2line -i, gort-version
# -m, gort-nm and gort-nm -moduledata); gort-trace's and gort-goroutines'
# (on fixture cores: every goroutine's id, status, frames and creator, also
# grouped) below.
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fixtures=${GORT_FIXTURES_DIR:-}
if [ -z "$fixtures" ] || [ -z "$(find "$fixtures" -name prog -type f 2>/dev/null | head -n1)" ]; then
  echo "no fixture binaries in GORT_FIXTURES_DIR='$fixtures': skipped"
  exit 77
fi
py=/usr/bin/python3
[ -x $py ] || py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ex=$build/examples
n=0
while IFS= read -r f; do
  n=$((n + 1))
  "$ex/gort-funcs" "$f" >"$tmp/funcs.txt"
  "$ex/gort-funcs" --json "$f" >"$tmp/funcs.json"
  $py - "$tmp/funcs.json" >"$tmp/funcs.back" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    assert set(o) <= {"entry", "end", "name", "start_line", "func_id", "flags", "args_size"}, o
    print("0x%x 0x%x %s" % (o["entry"], o["end"], o["name"]))
PY
  cmp -s "$tmp/funcs.txt" "$tmp/funcs.back" || { echo "FAIL: gort-funcs --json differs from text on $f"; diff "$tmp/funcs.txt" "$tmp/funcs.back" | head; exit 1; }

  # Every 50th function: its entry and a PC inside it, plus one unmapped PC.
  $py -c 'import sys
for i, l in enumerate(open(sys.argv[1])):
    if i % 50 == 0:
        e = int(l.split()[0], 16); print("0x%x\n0x%x" % (e, e + 1))' "$tmp/funcs.txt" >"$tmp/pcs"
  echo 0x1 >>"$tmp/pcs"
  "$ex/gort-addr2line" -i "$f" <"$tmp/pcs" >"$tmp/a2l.txt"
  "$ex/gort-addr2line" --json "$f" <"$tmp/pcs" >"$tmp/a2l.json"
  $py - "$tmp/a2l.json" "$tmp/pcs" >"$tmp/a2l.back" <<'PY'
import json, sys
pcs = [int(l, 16) for l in open(sys.argv[2])]
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == len(pcs), (len(lines), len(pcs))
for line, pc in zip(lines, pcs):
    o = json.loads(line)
    assert o["pc"] == pc, (o, pc)
    if "error" in o:
        assert o["error"]["name"] == "GORT_ENOTFOUND", o
        print("?\n?:0")
        continue
    fr = o["frames"]
    assert fr and all(not f["inlined"] for f in fr[-1:]) and all(f["inlined"] for f in fr[:-1]), o
    for f in fr:
        print("%s\n%s:%d" % (f["function"], f["file"], f["line"]))
PY
  cmp -s "$tmp/a2l.txt" "$tmp/a2l.back" || { echo "FAIL: gort-addr2line --json differs from -i on $f"; diff "$tmp/a2l.txt" "$tmp/a2l.back" | head; exit 1; }

  "$ex/gort-version" -m "$f" >"$tmp/v.txt" 2>/dev/null || true
  "$ex/gort-version" --json "$f" >"$tmp/v.json"
  $py - "$tmp/v.json" >"$tmp/v.back" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
print("%s: %s" % (o["file"], o["go_version"]))
if o["version_source"] != "buildinfo":
    sys.exit(0)
def mod(kind, m):
    print(("\t%s\t%s\t%s\t%s" % (kind, m["path"], m["version"], m["sum"])).rstrip())
    if "replace" in m:
        r = m["replace"]
        print(("\t=>\t%s\t%s\t%s" % (r["path"], r["version"], r["sum"])).rstrip())
if o["path"]:
    print("\tpath\t" + o["path"])
if "main" in o:
    mod("mod", o["main"])
for d in o["deps"]:
    mod("dep", d)
for s in o["settings"]:
    k, v = s["key"], s["value"]
    # BuildInfo.String quotes keys and values that need it; fixtures have none
    # with spaces except where Go quotes them, so compare through the text.
    print("\tbuild\t%s=%s" % (k, v))
PY
  # Settings whose values Go quotes (spaces, quotes) are compared unquoted;
  # modinfo before Go 1.18 has trailing tabs and blank lines.
  sed 's/^\(\tbuild\t[^=]*=\)"\(.*\)"$/\1\2/; s/\\"/"/g; s/[[:space:]]*$//; /^$/d' \
    "$tmp/v.txt" >"$tmp/v.norm"
  cmp -s "$tmp/v.norm" "$tmp/v.back" || { echo "FAIL: gort-version --json differs from -m on $f"; diff "$tmp/v.norm" "$tmp/v.back" | head; exit 1; }

  "$ex/gort-nm" "$f" >"$tmp/nm.txt"
  "$ex/gort-nm" --json "$f" >"$tmp/nm.json"
  $py - "$tmp/nm.json" >"$tmp/nm.back" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    assert set(o) <= {"address", "size", "kind", "name"} and len(o["kind"]) == 1, o
    assert ("address" in o) == (o["kind"] != "U"), o
    a = "%8x" % o["address"] if "address" in o else " " * 8
    print("%s %10d %s %s" % (a, o["size"], o["kind"], o["name"]))
PY
  cmp -s "$tmp/nm.txt" "$tmp/nm.back" || { echo "FAIL: gort-nm --json differs from text on $f"; diff "$tmp/nm.txt" "$tmp/nm.back" | head; exit 1; }
  "$ex/gort-nm" -moduledata "$f" >"$tmp/md.txt"
  "$ex/gort-nm" --json -moduledata "$f" >"$tmp/md.json"
  $py - "$tmp/md.json" >"$tmp/md.back" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
for k, v in json.loads(lines[0]).items():
    print("%s 0x%x" % (k, v))
PY
  cmp -s "$tmp/md.txt" "$tmp/md.back" || { echo "FAIL: gort-nm --json -moduledata differs from text on $f"; diff "$tmp/md.txt" "$tmp/md.back" | head; exit 1; }
done < <(find "$fixtures" -name prog -type f -path '*/default/*' | sort -V)
[ $n -gt 0 ]
echo "$n fixture binaries: --json of gort-funcs, gort-addr2line, gort-version and gort-nm agree with their text"

# gort-trace: dump --json turned back into Go's Event.String() lines equals
# gort-trace dump (itself byte-identical to go tool trace -d=parsed: tests/
# trace), count --json the count table, stats --json the lines of stats
# --raw (and its groups the sums of their goroutines). Old formats (1.15,
# 1.21 writers) and new ones (1.22, 1.25, 1.27 with clock snapshots).
nt=0
for v in 1.15 1.21 1.22 1.25 1.27; do
  f=$fixtures/go$v/amd64/trace.out
  [ -f "$f" ] || continue
  nt=$((nt + 1))
  modes="count stats"
  # dump of an old-format trace and of the newest format (clock snapshots)
  # only: turning 200k events back into text in Python takes a while.
  case $v in 1.15|1.27) modes="dump $modes" ;; esac
  for mode in $modes; do
    opt=; [ $mode = stats ] && opt=--raw
    "$ex/gort-trace" $mode $opt "$f" >"$tmp/t.txt"
    "$ex/gort-trace" $mode --json "$f" >"$tmp/t.json"
    $py "$src/tests/tools/trace_json.py" $mode "$tmp/t.json" >"$tmp/t.back"
    cmp -s "$tmp/t.txt" "$tmp/t.back" || { echo "FAIL: gort-trace $mode --json differs from its text on $f"; diff "$tmp/t.txt" "$tmp/t.back" | head; exit 1; }
  done
done
[ $nt -gt 0 ] || { echo "FAIL: no fixture traces"; exit 1; }
echo "$nt fixture traces: gort-trace dump, count and stats --json agree with their text"


# gort-goroutines: JSON back to the runtime's traceback format (header up to
# the status, frames, creator) must equal the text; grouped JSON must list
# every goroutine once, each group's object being one of its goroutines.
ncores=0
while IFS= read -r core; do
  ncores=$((ncores + 1))
  dir=${core%/core.zst} exe=${core%/core.zst}/prog
  [ -e "$exe" ] || exe=$dir/longwait # tests/fixtures/longwait
  "$ex/gort-goroutines" "$core" "$exe" >"$tmp/g.txt" 2>/dev/null || true
  "$ex/gort-goroutines" --json "$core" "$exe" >"$tmp/g.json" 2>/dev/null || true
  "$ex/gort-goroutines" --group --json "$core" "$exe" >"$tmp/gg.json" 2>/dev/null || true
  $py - "$tmp/g.json" "$tmp/gg.json" >"$tmp/g.back" <<'PY'
import json, re, sys
KEYS = {"id", "addr", "status", "wait_reason", "wait_ns", "wait_minutes", "wait_estimated", "scan",
        "locked_to_thread", "m_id", "thread_id", "start_pc", "start_func",
        "stack_lo", "stack_hi", "labels", "created_by", "frames", "stack_error"}
def fn(name):  # runtime/traceback.go: printFuncName
    if name == "runtime.gopanic":
        return "panic"
    i, j = name.find("["), name.rfind("]")
    return name[:i] + "[...]" + name[j + 1:] if 0 <= i < j else name
gs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for k, g in enumerate(gs):
    assert set(g) <= KEYS, set(g) - KEYS
    # A core's clock is estimated (gort_core_clock): said with every wait.
    assert ("wait_ns" in g) == ("wait_estimated" in g) and g.get("wait_estimated", True) is True, g
    assert g.get("wait_minutes", 0) == g.get("wait_ns", 0) // 60000000000, g
    waiting = g["status"] in ("waiting", "leaked") and g.get("wait_reason")
    if k:
        print()
    print("goroutine %d [%s" % (g["id"], g["wait_reason"] if waiting else g["status"]))
    if "stack_error" in g and not g["frames"] and g["status"] == "running":
        print("\tgoroutine running on other thread; stack unavailable")
    for f in g["frames"]:
        print(fn(f["function"]) + "(...)")
        off = " +0x%x" % (f["pc"] - f["entry"]) if not f["inlined"] and f["pc"] > f["entry"] else ""
        print("\t%s:%d%s" % (f["file"], f["line"], off))
    c = g.get("created_by")
    if c and g["id"] != 1:
        print("created by " + fn(c["function"]) +
              (" in goroutine %d" % c["goroutine"] if "goroutine" in c else ""))
        off = " +0x%x" % (c["pc"] - c["entry"]) if c["pc"] > c["entry"] else ""
        print("\t%s:%d%s" % (c["file"], c["line"], off))
byid = {g["id"]: g for g in gs}
seen = []
for l in open(sys.argv[2], encoding="utf-8"):
    o = json.loads(l)
    assert o["count"] == len(o["ids"]) and o["goroutine"]["id"] in o["ids"], o
    first = dict(o["goroutine"])
    for i in o["ids"]:
        a, b = dict(byid[i]), dict(first)
        for x in (a, b):
            for key in ("id", "addr", "wait_ns", "wait_minutes", "wait_estimated", "m_id", "thread_id",
                        "stack_lo", "stack_hi", "start_pc"):
                x.pop(key, None)
            for f in x["frames"]:
                f.pop("sp", None)
        assert a == b, (i, o["goroutine"]["id"])
    seen += o["ids"]
assert sorted(seen) == sorted(byid), "groups do not list every goroutine once"
PY
  # Headers are compared up to the status; the rest is checked by the
  # crash-dump test.
  sed -E 's/^(goroutine [0-9]+ \[[^],]*).*$/\1/; s/^(goroutine .*) labels:\{.*$/\1/' "$tmp/g.txt" >"$tmp/g.norm"
  cmp -s "$tmp/g.norm" "$tmp/g.back" || { echo "FAIL: gort-goroutines --json differs from text on $core"; diff "$tmp/g.norm" "$tmp/g.back" | head; exit 1; }
done < <(find "$fixtures" -name core.zst -path '*/amd64/*' | sort -V)
[ $ncores -gt 0 ]
echo "$ncores cores: gort-goroutines --json (also --group) agrees with its text"
