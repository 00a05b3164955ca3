#!/usr/bin/env python3
"""Compare two `-d=parsed` dumps of an old trace (Go's and ours).

Go's reader merges old traces in an order that depends on Go's random map
iteration when events of different Ps share a timestamp, and lists the
goroutines found runnable at trace start in map order too: two runs of
`go tool trace -d=parsed` on one trace can differ (tracev1/parser.go:
parseEventBatches; tracev1.go: convertEvent, EvGomaxprocs). Such dumps are
equal here when they have the same sequence of times, the same events
(time aside), and the same order of events within each execution context
(M, P, G) but the context-less one. Exit 0 if equal, 1 otherwise (with the first difference).

  dumpcmp.py REF OUT
"""
import re
import sys
from collections import defaultdict

TIME = re.compile(r" Time=(-?\d+)")


def blocks(path):
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if line.startswith("M=") or not out:
                out.append(line)
            else:
                out[-1] += line
    return out


def split(b):
    m = TIME.search(b)
    t = m.group(1) if m else ""
    return t, TIME.sub("", b, count=1)


def main():
    ref, out = blocks(sys.argv[1]), blocks(sys.argv[2])
    if len(ref) != len(out):
        print(f"{len(ref)} events in {sys.argv[1]}, {len(out)} in {sys.argv[2]}")
        return 1
    rs, os_ = [split(b) for b in ref], [split(b) for b in out]
    for i, (a, b) in enumerate(zip(rs, os_)):
        if a[0] != b[0]:
            print(f"event {i}: time {a[0]} vs {b[0]}")
            return 1
    if sorted(x[1] for x in rs) != sorted(x[1] for x in os_):
        print("not the same events")
        return 1
    per = [defaultdict(list), defaultdict(list)]
    for k, seq in ((0, rs), (1, os_)):
        for _, b in seq:
            per[k][b.split(" ", 3)[:3].__str__()].append(b)
    for ctx in per[0]:
        # Syncs, and the statuses made at the first Gomaxprocs (map order).
        if ctx == str(["M=-1", "P=-1", "G=-1"]):
            continue
        if per[0][ctx] != per[1][ctx]:
            print(f"context {ctx}: events in another order")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
