# Turns gort-trace's --json output back into its text output, for
# tests/tools/check-json.sh: MODE FILE.json, the text on stdout.
#   dump: Go's Event.String() lines (gort-trace dump), from each object;
#   count: the count table; stats: the lines of stats --raw, after checking
#   that the group records sum their goroutines.
import datetime, json, re, sys

NO_TASK = (1 << 64) - 1


PLAIN = re.compile(r'[ !#-\[\]-~]*\Z')


def quote(s):
    """strconv.Quote of a string whose undecodable bytes are surrogates."""
    if PLAIN.match(s):
        return '"' + s + '"'
    out = ['"']
    for ch in s:
        c = ord(ch)
        if 0xDC80 <= c <= 0xDCFF:
            out.append("\\x%02x" % (c - 0xDC00))
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        elif not ch.isprintable():
            out.append("\\u%04x" % c if c < 0x10000 else "\\U%08x" % c)
        else:
            out.append(ch)
    return "".join(out) + '"'


def resource(r):
    return "None" if r["kind"] == "None" else "%s(%d)" % (r["kind"], r["id"])


def stack(header, frames):
    return "\n%s\n%s" % (header, "".join(
        "\t%s @ 0x%x\n\t\t%s:%d\n" % (f["func"], f["pc"], f["file"], f["line"]) for f in frames))


def wall(sec, nsec):
    t = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if nsec:
        s += ("." + "%09d" % nsec).rstrip("0")
    return s + "Z"


def event(o):
    k = o["kind"]
    s = "M=%d P=%d G=%d %s Time=%d" % (o["m"], o["p"], o["g"], k, o["time"])
    if k == "Sync":
        s += " N=%d" % o["n"]
        if "clock" in o:
            c = o["clock"]
            s += " Trace=%d Mono=%d Wall=%s" % (c["trace"], c["mono"], wall(c["wall_sec"], c["wall_nsec"]))
    elif k == "Metric":
        s += " Name=%s Value=Value{Uint64(%d)}" % (quote(o["name"]), o["value"])
    elif k == "Label":
        s += " Label=%s Resource=%s" % (quote(o["label"]), resource(o["resource"]))
    elif k.startswith("Range"):
        s += " Name=%s Scope=%s" % (quote(o["name"]), resource(o["scope"]))
        if k == "RangeEnd":
            s += " Attributes=[%s]" % " ".join(
                "%s=Value{Uint64(%d)}" % (quote(a["name"]), a["value"]) for a in o["attrs"])
    elif k.startswith("Task"):
        s += " ID=%d Parent=%d Type=%s" % (o["id"], o.get("parent", NO_TASK), quote(o["type"]))
    elif k.startswith("Region"):
        s += " Task=%d Type=%s" % (o["task"], quote(o["type"]))
    elif k == "Log":
        s += " Task=%d Category=%s Message=%s" % (o["task"], quote(o["category"]), quote(o["message"]))
    elif k == "StateTransition":
        r = o["resource"]
        if r["kind"] in ("Goroutine", "Proc"):
            s += " %s=%d %s->%s" % ("GoID" if r["kind"] == "Goroutine" else "ProcID", r["id"], o["from"], o["to"])
        s += " Reason=%s" % quote(o["reason"])
        if "transition_stack" in o:
            s += stack("TransitionStack=", o["transition_stack"])
    elif k == "Experimental":
        s += " Name=%s Args=[%s]" % (o["name"], ", ".join(
            "%s=Value{Uint64(%d)}" % kv for kv in o["args"].items()))
    if "stack" in o:
        s += stack("Stack=", o["stack"])
    return s


def times(o):
    return "exec=%d sched=%d syscall=%d syscallblock=%d total=%d" % (
        o["exec_time"], o["sched_wait_time"], o["syscall_time"], o["syscall_block_time"], o["total_time"])


def stats(recs):
    assert recs[0]["record"] == "trace", recs[0]
    gs = [r for r in recs if r["record"] == "goroutine"]
    assert recs[0]["goroutines"] == len(gs), (recs[0], len(gs))
    # Every group is the sum of the goroutines with its start function.
    for grp in (r for r in recs if r["record"] == "group"):
        mem = [g for g in gs if g["name"] == grp["name"]]
        assert grp["count"] == len(mem), (grp["name"], grp["count"], len(mem))
        for f in ("exec_time", "sched_wait_time", "syscall_time", "syscall_block_time",
                  "total_time", "unknown_time", "block_time"):
            assert grp[f] == sum(g[f] for g in mem), (grp["name"], f)
    for r in recs[1:]:
        t = r["record"]
        if t == "goroutine":
            print("goroutine\t%d\t%s\tpc=0x%x creation=%d start=%d end=%d %s unknown=%d" % (
                r["id"], r["name"], r["pc"], r["creation_time"], r["start_time"], r["end_time"],
                times(r), r["unknown_time"]))
            for n, ns in r["block"].items():
                print("\tblock\t%s\t%d" % (n, ns))
            for n, ns in r["range"].items():
                print("\trange\t%s\t%d" % (n, ns))
        elif t == "region":
            print("region\t%s\tcount=%d total=%d exec=%d sched=%d block=%d syscall=%d syscallblock=%d" % (
                r["name"], r["count"], r["total_time"], r["exec_time"], r["sched_wait_time"],
                r["block_time"], r["syscall_time"], r["syscall_block_time"]))
        elif t == "gc":
            print("gc\t%d\t%d" % (r["start"], r["end"]))
        elif t == "stw":
            print("stw\t%d\t%d\t%s" % (r["start"], r["end"], r.get("reason", "")))
        elif t == "histogram":
            assert len(r["buckets"]) == 64
            print("hist\t%s\tcount=%d sum=%d min=%d max=%d%s" % (
                r["kind"], r["count"], r["sum"], r["min"], r["max"],
                "".join(" %d:%d" % (i, n) for i, n in enumerate(r["buckets"]) if n)))
        else:
            assert t == "group", r


mode, path = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8", errors="surrogateescape").read().splitlines()
recs = [json.loads(l) for l in lines]
out = sys.stdout
out.reconfigure(errors="surrogateescape")
if mode == "dump":
    out.write("".join(event(o) + "\n" for o in recs))
elif mode == "count":
    assert len(recs) == 1, recs
    for k, n in recs[0]["kinds"].items():
        out.write("%-16s %d\n" % (k, n))
    out.write("%-16s %d\n" % ("total", recs[0]["total"]))
    assert sum(recs[0]["kinds"].values()) == recs[0]["total"]
else:
    stats(recs)
