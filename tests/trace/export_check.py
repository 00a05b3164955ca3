#!/usr/bin/env python3
"""Validate the outputs of `gort-trace export` for one trace.

    export_check.py perfetto OUT.json
        the file parses as JSON (Trace Event Format object form); every event
        has a phase, pid and numeric times; complete slices ("X") on each
        (pid, tid) track are well nested (each inside the one below it or
        after it); async slices ("b"/"e") pair up per (pid, cat, id).
    export_check.py csv OUT.csv NEVENTS
        a header and exactly NEVENTS rows, all with the header's width.
    export_check.py goroutines-csv OUT.csv NGOROUTINES
        same, for the goroutine summary; the named-time columns hold JSON.
Prints a one-line summary; exits 1 with the first problem found.
"""
import csv
import json
import sys
from collections import defaultdict


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ns(v):
    # Times are microseconds with 3 decimals: exact integers in ns.
    return round(float(v) * 1000)


def check_perfetto(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    evs = doc.get("traceEvents")
    if not isinstance(evs, list):
        fail("no traceEvents array")
    slices = defaultdict(list)
    asyncs = defaultdict(list)
    for i, e in enumerate(evs):
        ph = e.get("ph")
        if ph not in ("M", "X", "b", "e", "i", "C"):
            fail(f"event {i}: unexpected phase {ph!r}")
        if not isinstance(e.get("pid"), int):
            fail(f"event {i}: no pid")
        if ph == "M":
            continue
        if not isinstance(e.get("ts"), (int, float)):
            fail(f"event {i}: no ts")
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                fail(f"event {i}: bad dur")
            slices[(e["pid"], e["tid"])].append((ns(e["ts"]), ns(e["dur"]), i))
        elif ph in ("b", "e"):
            asyncs[(e["pid"], e["cat"], e["id"])].append((ns(e["ts"]), i, ph))
    for track, ss in slices.items():
        # Longest first at equal start, so that parents come before children.
        ss.sort(key=lambda s: (s[0], -s[1], s[2]))
        stack = []
        for start, dur, i in ss:
            while stack and start >= stack[-1]:
                stack.pop()
            if stack and start + dur > stack[-1]:
                fail(f"track {track}: slice (event {i}) at {start} ns for {dur} ns "
                     f"overlaps its enclosing slice ending at {stack[-1]} ns")
            stack.append(start + dur)
    for key, xs in asyncs.items():
        xs.sort()
        depth = 0
        for ts, i, ph in xs:
            depth += 1 if ph == "b" else -1
            if depth < 0 or depth > 1:
                fail(f"async {key}: unbalanced at event {i}")
        if depth != 0:
            fail(f"async {key}: left open")
    print(f"ok perfetto: {len(evs)} events, {sum(len(s) for s in slices.values())} slices "
          f"on {len(slices)} tracks, {len(asyncs)} async tracks")


def check_csv(path, want, what):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail("empty CSV")
    header, body = rows[0], rows[1:]
    if len(body) != want:
        fail(f"{len(body)} rows, want {want}")
    for n, r in enumerate(body):
        if len(r) != len(header):
            fail(f"row {n + 1}: {len(r)} fields, header has {len(header)}")
        if what == "goroutines-csv":
            for col in ("block_by_reason", "range_time"):
                v = json.loads(r[header.index(col)])
                if not isinstance(v, dict):
                    fail(f"row {n + 1}: {col} is not a JSON object")
    print(f"ok {what}: {len(body)} rows of {len(header)} fields")


def main():
    what = sys.argv[1]
    if what == "perfetto":
        check_perfetto(sys.argv[2])
    elif what in ("csv", "goroutines-csv"):
        check_csv(sys.argv[2], int(sys.argv[3]), what)
    else:
        fail("unknown check " + what)


main()
