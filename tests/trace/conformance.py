#!/usr/bin/env python3
"""Run Go's trace parser conformance cases against gort-trace dump.

    conformance.py GORT_TRACE WORKDIR GO_TOOL_TRACE|- CASE.test|FUZZSEED...

A SUCCESS case must read without error; a FAILURE case must fail with an
error matching Go's regexp. With GO_TOOL_TRACE (a built cmd/trace of Go
1.26+, or "-" for none), the output must equal `-d=parsed` on the same
bytes, including the events printed before an error. Other files are seeds
of Go's FuzzReader corpus (testdata/fuzz/FuzzReader): reading them must end
in success or a clean error, and print what Go prints (for the formats we
read). Exit status 1 if any case fails.
"""
import ast
import codecs
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testcase import convert  # noqa: E402


def fuzz_seed(path):
    """The bytes of a `go test fuzz v1` corpus file holding one []byte."""
    body = open(path, "rb").read().split(b"\n", 1)[1].strip()
    if not (body.startswith(b'[]byte("') and body.endswith(b'")')):
        raise ValueError("not a []byte seed")
    return codecs.escape_decode(body[8:-2])[0]


def run_seed(tool, work, gotrace, seed):
    name = "fuzz-" + os.path.basename(seed)
    path = os.path.join(work, name + ".trace")
    with open(path, "wb") as f:
        f.write(fuzz_seed(seed))
    ours = subprocess.run([tool, "dump", path], capture_output=True, timeout=60)
    if ours.returncode not in (0, 1):
        return "FAIL %s: exit status %d: %s" % (name, ours.returncode, ours.stderr[:300])
    data = open(path, "rb").read(16)
    m = re.match(rb"go 1\.(\d+) trace", data)
    if gotrace != "-" and m and int(m.group(1)) >= 22:
        ref = subprocess.run([gotrace, "-d=parsed", path], capture_output=True, timeout=60)
        if ref.stdout != ours.stdout or (ref.returncode == 0) != (ours.returncode == 0):
            return "FAIL %s: differs from go tool trace -d=parsed" % name
    return None


def mutations(tool, work, case):
    """Truncations and byte corruptions of a real case: each must end in
    success or a clean error (exit 0 or 1), never a crash or a hang."""
    import random
    _, data = convert(case)
    rnd = random.Random(len(data))
    variants = [data[:n] for n in range(0, len(data), max(1, len(data) // 60))]
    for _ in range(80):
        b = bytearray(data)
        for _ in range(rnd.choice((1, 1, 2, 4))):
            b[rnd.randrange(16, len(b))] = rnd.choice((0, 1, 0x7F, 0x80, 0xFF, rnd.randrange(256)))
        variants.append(bytes(b))
    path = os.path.join(work, "mutant.trace")
    for i, v in enumerate(variants):
        with open(path, "wb") as f:
            f.write(v)
        try:
            r = subprocess.run([tool, "dump", path], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "FAIL mutant %d of %s: hangs" % (i, case)
        if r.returncode not in (0, 1):
            os.replace(path, os.path.join(work, "mutant-%d.trace" % i))
            return "FAIL mutant %d of %s: exit status %d: %s" % (
                i, case, r.returncode, r.stderr[-300:])
    return None


def main():
    tool, work, gotrace = sys.argv[1:4]
    cases = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    passed = 0
    for case in cases:
        if not case.endswith(".test"):
            problem = run_seed(tool, work, gotrace, case)
            if problem:
                print(problem)
            else:
                passed += 1
            continue
        m = re.search(r"/go-(1\.\d+)/", case)
        name = "go%s-%s" % (m.group(1) if m else "x", os.path.basename(case)[:-5])
        try:
            expect, data = convert(case)
        except Exception as e:  # a case we cannot convert is a failure
            print("FAIL %s: cannot convert: %s" % (name, e))
            continue
        path = os.path.join(work, name + ".trace")
        with open(path, "wb") as f:
            f.write(data)
        ours = subprocess.run([tool, "dump", path], capture_output=True)
        problems = []
        if expect == "SUCCESS":
            if ours.returncode != 0:
                problems.append("expected success: %s" % ours.stderr[:300])
        elif expect.startswith("FAILURE "):
            pattern = ast.literal_eval(expect[len("FAILURE "):])
            if ours.returncode == 0:
                problems.append("expected an error matching %r" % pattern)
            elif not re.search(pattern, ours.stderr.decode(errors="replace")):
                problems.append("error %r does not match %r" % (ours.stderr[:300], pattern))
        else:
            problems.append("unknown expectation %r" % expect)
        if gotrace != "-":
            ref = subprocess.run([gotrace, "-d=parsed", path], capture_output=True)
            if ref.stdout != ours.stdout:
                problems.append("output differs from go tool trace -d=parsed")
        if problems:
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
    print("%d of %d conformance cases and fuzz seeds pass" % (passed, len(cases)))
    ok = passed == len(cases)
    for want in ("go122-annotations.test", "go125-sync.test"):
        case = next((c for c in reversed(cases) if c.endswith("/" + want)), None)
        if case:
            problem = mutations(tool, work, case)
            print(problem or "ok   mutations of %s" % want)
            ok = ok and problem is None
    return 0 if ok else 1


sys.exit(main())
