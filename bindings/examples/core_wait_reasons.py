#!/usr/bin/env python3
"""What are the goroutines of a crashed Go process waiting for?

    core_wait_reasons.py CORE [EXE] [OUT.png]

A notebook-style script (each "# %%" starts a cell, for Jupyter or VS Code;
it also runs as is): opens a core with goinspect, tabulates the goroutines by
wait reason (the runtime's status for those not waiting), shows where the
largest group is parked, and writes a bar chart to OUT.png (default:
CORE.waits.png) with matplotlib (Debian: python3-matplotlib).
"""

# %% Arguments
import collections
import sys

import goinspect

args = sys.argv[1:]
if not args or len(args) > 3 or args[0] in ("-h", "--help"):
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
core_path = args[0]
exe_path = args[1] if len(args) > 1 and not args[1].endswith(".png") else None
out_png = args[-1] if args[-1].endswith(".png") else core_path + ".waits.png"

# %% Open the core (its executable is the one it names, unless given)
try:
    core = goinspect.Core(core_path, exe_path)
    goroutines = core.goroutines
except goinspect.Error as e:
    print("%s: %s" % (core_path, e), file=sys.stderr)
    sys.exit(1)
print("%s: %s core, %d threads, %d goroutines" % (core_path, core.arch, len(core.threads),
                                                   len(goroutines)))


# %% Goroutines by wait reason
def reason(g):
    """The runtime names a waiting goroutine's wait reason, others' status."""
    return g.wait_reason if g.status == "waiting" and g.wait_reason else g.status


by_reason = collections.Counter(reason(g) for g in goroutines)
width = max(len(r) for r in by_reason)
for r, n in by_reason.most_common():
    print("%-*s %5d  %s" % (width, r, n, "#" * min(n, 60)))

# %% Where the largest group is parked: its most common innermost user frame
top, _ = by_reason.most_common(1)[0]
where = collections.Counter()
for g in goroutines:
    if reason(g) == top:
        user = [f for f in g.frames if not f.function.startswith("runtime.")]
        f = (user or g.frames or [None])[0]
        where["%s (%s:%d)" % (f.function, f.file, f.line) if f else "(no stack)"] += 1
print("\n%d goroutines in %r, parked at:" % (by_reason[top], top))
for w, n in where.most_common(5):
    print("  %5d  %s" % (n, w))

# %% Labelled goroutines (pprof labels)
labelled = [g for g in goroutines if g.labels]
for g in labelled[:5]:
    print("goroutine %d %s: %s" % (g.id, reason(g), g.labels))
core.close()

# %% The chart
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no chart")
    sys.exit(0)
reasons, counts = zip(*sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))
fig, ax = plt.subplots(figsize=(8, 0.4 * len(reasons) + 1.5))
bars = ax.barh(range(len(reasons)), counts, color="tab:blue")
ax.bar_label(bars, padding=3)
ax.set_yticks(range(len(reasons)), reasons)
ax.invert_yaxis()
ax.set_xlabel("goroutines")
ax.set_title("Goroutines by wait reason: %s" % core_path.rsplit("/", 1)[-1])
fig.tight_layout()
fig.savefig(out_png)
print("wrote", out_png)
