"""A format 1.7 trace with a futile wakeup, for check-old.sh.

Go 1.5-1.7 runtimes emitted FutileWakeup when a woken goroutine found its
channel or mutex taken again; Go 1.21's parser drops the whole wakeup
(GoUnblock, GoStart, FutileWakeup and the GoBlock that ends it:
removeFutile in internal/trace/parser.go). Go's test traces have none, so
this one is written here: P 0 runs g1, which blocks; g2 wakes it for
nothing (a futile wakeup, which must disappear), then wakes it for real.
Sequence numbers follow internal/trace/order.go (GoCreate starts at 1).

  python3 futile.py > futile_1_7.trace
"""
import sys

EV = dict(Batch=1, Frequency=2, Gomaxprocs=4, ProcStart=5, GoCreate=13, GoStart=14,
          GoEnd=15, GoSched=17, GoBlock=20, GoUnblock=21, FutileWakeup=36)
out = bytearray(b"go 1.7 trace\x00\x00\x00\x00")


def uv(x):
    b = bytearray()
    while x >= 0x80:
        b.append((x & 0x7f) | 0x80)
        x >>= 7
    b.append(x)
    return b


def ev(name, *args):
    """An event: up to 3 arguments inline, more length-prefixed."""
    typ = EV[name]
    if len(args) <= 3:
        out.append(typ | (len(args) - 1) << 6)
        for a in args:
            out.extend(uv(a))
    else:
        body = bytearray()
        for a in args:
            body.extend(uv(a))
        out.append(typ | 3 << 6)
        out.extend(uv(len(body)))
        out.extend(body)


dt = 10  # every event 10 ticks after the previous one
ev("Batch", 0, 1000)
ev("Gomaxprocs", dt, 1, 0)
ev("ProcStart", dt, 1)
ev("GoCreate", dt, 1, 0, 0)
ev("GoCreate", dt, 2, 0, 0)
ev("GoStart", dt, 1, 1)
ev("GoBlock", dt, 0)
ev("GoStart", dt, 2, 1)
ev("GoUnblock", dt, 1, 2, 0)      # g2 wakes g1 for nothing:
ev("GoSched", dt, 0)
ev("GoStart", dt, 1, 3)
ev("FutileWakeup", dt)
ev("GoBlock", dt, 0)              # ... g1 blocks again: the sequence goes
ev("GoStart", dt, 2, 2)
ev("GoUnblock", dt, 1, 4, 0)      # a real wakeup: it stays
ev("GoEnd", dt)
ev("GoStart", dt, 1, 5)
ev("GoEnd", dt)
ev("Frequency", 1000000000)
sys.stdout.buffer.write(out)
