#!/usr/bin/env python3
"""Plot how many goroutines are in each state over the time of a Go trace.

    trace_states.py TRACE [OUT.png]

Reads the trace with goinspect (every StateTransition of a goroutine),
prints a table of goroutine counts per state over time, and, when
matplotlib is installed (Debian: python3-matplotlib), writes a stacked area
chart to OUT.png (default: TRACE.states.png).
"""

import collections
import sys

import goinspect

STATES = ("Running", "Runnable", "Syscall", "Waiting")
BUCKETS = 50


def goroutine_states(path):
    """[(time, goroutine, state)] for each goroutine transition, in order,
    and the trace's first and last timestamps."""
    changes, first, last = [], None, None
    with goinspect.Trace(path) as t:
        for ev in t.events():
            first = ev.time if first is None else first
            last = ev.time
            if ev.kind == "StateTransition" and ev.resource_kind == "goroutine":
                changes.append((ev.time, ev.resource, ev.state_to))
    return changes, first or 0, last or 0


def sample(changes, first, last, buckets=BUCKETS):
    """Goroutine counts per state at `buckets` evenly spaced times."""
    step = max((last - first) / buckets, 1)
    state, i, rows = {}, 0, []
    for b in range(buckets + 1):
        at = first + b * step
        while i < len(changes) and changes[i][0] <= at:
            _, g, s = changes[i]
            state[g] = s
            i += 1
        counts = collections.Counter(state.values())
        rows.append((at - first, [counts.get(s, 0) for s in STATES]))
    return rows


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    out = argv[2] if len(argv) == 3 else path + ".states.png"
    try:
        changes, first, last = goroutine_states(path)
    except goinspect.Error as e:
        print("%s: %s" % (path, e), file=sys.stderr)
        return 1
    rows = sample(changes, first, last)
    print("%12s  %s" % ("time (us)", "  ".join("%9s" % s for s in STATES)))
    for t, counts in rows[:: max(len(rows) // 10, 1)]:
        print("%12.1f  %s" % (t / 1e3, "  ".join("%9d" % c for c in counts)))
    print("%d goroutine transitions, %d goroutines" % (len(changes), len({g for _, g, _ in changes})))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart")
        return 0
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.stackplot([t / 1e3 for t, _ in rows], *zip(*[c for _, c in rows]), labels=STATES, step="post")
    ax.set_xlabel("time since trace start (µs)")
    ax.set_ylabel("goroutines")
    ax.set_title("Goroutine states: %s" % path)
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out)
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
