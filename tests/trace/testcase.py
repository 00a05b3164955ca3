#!/usr/bin/env python3
"""Convert one of Go's trace parser conformance cases (a `*.test` txtar file
from internal/trace/testdata/tests: an expectation plus a trace in the text
form of internal/trace/raw) into a binary trace, as Go's
internal/trace/testtrace.ParseFile does with raw.NewTextReader and
raw.NewWriter.

    testcase.py CASE.test OUT.trace   # prints the expectation line
"""
import re
import sys

# name: (type, args, is_stack, has_data), from internal/trace/tracev2/events.go.
SPECS = {
    "EventBatch": (1, ["gen", "m", "time", "size"], False, False),
    "Stacks": (2, [], False, False),
    "Stack": (3, ["id", "nframes"], True, False),
    "Strings": (4, [], False, False),
    "String": (5, ["id"], False, True),
    "CPUSamples": (6, [], False, False),
    "CPUSample": (7, ["time", "m", "p", "g", "stack"], False, False),
    "Frequency": (8, ["freq"], False, False),
    "ProcsChange": (9, ["dt", "procs_value", "stack"], False, False),
    "ProcStart": (10, ["dt", "p", "p_seq"], False, False),
    "ProcStop": (11, ["dt"], False, False),
    "ProcSteal": (12, ["dt", "p", "p_seq", "m"], False, False),
    "ProcStatus": (13, ["dt", "p", "pstatus"], False, False),
    "GoCreate": (14, ["dt", "new_g", "new_stack", "stack"], False, False),
    "GoCreateSyscall": (15, ["dt", "new_g"], False, False),
    "GoStart": (16, ["dt", "g", "g_seq"], False, False),
    "GoDestroy": (17, ["dt"], False, False),
    "GoDestroySyscall": (18, ["dt"], False, False),
    "GoStop": (19, ["dt", "reason_string", "stack"], False, False),
    "GoBlock": (20, ["dt", "reason_string", "stack"], False, False),
    "GoUnblock": (21, ["dt", "g", "g_seq", "stack"], False, False),
    "GoSyscallBegin": (22, ["dt", "p_seq", "stack"], False, False),
    "GoSyscallEnd": (23, ["dt"], False, False),
    "GoSyscallEndBlocked": (24, ["dt"], False, False),
    "GoStatus": (25, ["dt", "g", "m", "gstatus"], False, False),
    "STWBegin": (26, ["dt", "kind_string", "stack"], False, False),
    "STWEnd": (27, ["dt"], False, False),
    "GCActive": (28, ["dt", "gc_seq"], False, False),
    "GCBegin": (29, ["dt", "gc_seq", "stack"], False, False),
    "GCEnd": (30, ["dt", "gc_seq"], False, False),
    "GCSweepActive": (31, ["dt", "p"], False, False),
    "GCSweepBegin": (32, ["dt", "stack"], False, False),
    "GCSweepEnd": (33, ["dt", "swept_value", "reclaimed_value"], False, False),
    "GCMarkAssistActive": (34, ["dt", "g"], False, False),
    "GCMarkAssistBegin": (35, ["dt", "stack"], False, False),
    "GCMarkAssistEnd": (36, ["dt"], False, False),
    "HeapAlloc": (37, ["dt", "heapalloc_value"], False, False),
    "HeapGoal": (38, ["dt", "heapgoal_value"], False, False),
    "GoLabel": (39, ["dt", "label_string"], False, False),
    "UserTaskBegin": (40, ["dt", "task", "parent_task", "name_string", "stack"], False, False),
    "UserTaskEnd": (41, ["dt", "task", "stack"], False, False),
    "UserRegionBegin": (42, ["dt", "task", "name_string", "stack"], False, False),
    "UserRegionEnd": (43, ["dt", "task", "name_string", "stack"], False, False),
    "UserLog": (44, ["dt", "task", "key_string", "value_string", "stack"], False, False),
    "GoSwitch": (45, ["dt", "g", "g_seq"], False, False),
    "GoSwitchDestroy": (46, ["dt", "g", "g_seq"], False, False),
    "GoCreateBlocked": (47, ["dt", "new_g", "new_stack", "stack"], False, False),
    "GoStatusStack": (48, ["dt", "g", "m", "gstatus", "stack"], False, False),
    "ExperimentalBatch": (49, ["exp", "gen", "m", "time"], False, True),
    "Sync": (50, [], False, False),
    "ClockSnapshot": (51, ["dt", "mono", "sec", "nsec"], False, False),
    "EndOfGeneration": (52, [], False, False),
}
# internal/trace/version: the last event type of each format version.
LAST = {22: 44, 23: 49, 25: 51, 26: 52}


def uvarint(x):
    out = bytearray()
    while x >= 0x80:
        out.append(x & 0x7F | 0x80)
        x >>= 7
    out.append(x)
    return bytes(out)


def go_unquote(s):
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise ValueError("bad data %r" % s)
    return s[1:-1].encode().decode("unicode_escape").encode("latin-1")


def lines(text):
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        if line.strip():
            yield line


def args(line, names):
    toks = line.split()
    if len(toks) != len(names):
        raise ValueError("bad args in %r, want %s" % (line, names))
    vals = []
    for tok, name in zip(toks, names):
        k, _, v = tok.partition("=")
        if k != name:
            raise ValueError("expected argument %r, got %r" % (name, k))
        vals.append(int(v))
    return vals


def convert(path):
    """The expectation line and the binary trace of a test case."""
    text = open(path).read()
    parts = re.split(r"^-- (\S+) --$\n", text, flags=re.M)
    files = dict(zip(parts[1::2], parts[2::2]))
    expect = files["expect"].splitlines()[0]
    it = lines(files["trace"])
    hdr = next(it).split()
    ver = int(hdr[1][len("Go1."):])
    out = bytearray(b"go 1.%d trace\x00\x00\x00" % ver)
    for line in it:
        name, _, rest = line.strip().partition(" ")
        typ, names, is_stack, has_data = SPECS[name]
        if typ > LAST[ver]:
            raise ValueError("event %s not in version 1.%d" % (name, ver))
        vals = args(rest, names)
        out.append(typ)
        for v in vals:
            out += uvarint(v)
        if is_stack:
            for _ in range(vals[1]):
                for v in args(next(it), ["pc", "func", "file", "line"]):
                    out += uvarint(v)
        if has_data:
            k, _, v = next(it).partition("=")
            data = go_unquote(v)
            out += uvarint(len(data)) + data
    return expect, bytes(out)


if __name__ == "__main__":
    exp, data = convert(sys.argv[1])
    open(sys.argv[2], "wb").write(data)
    print(exp)
