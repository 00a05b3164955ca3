"""A synthetic format 1.5 trace of any size, for check-old.sh and the
memory benchmark (BENCHMARKS.md): Go's own 1.5 test traces are under 50 KB.

It simulates what Go 1.5's runtime/trace.go wrote: one global sequence
counter (tracestamp) stamps every event, ticks grow with it; each P writes
into its own buffer, flushed to the file as a batch (EvBatch [p, seq,
ticks], then deltas) when full, so batches of different Ps interleave in
flush order. Goroutines are created, started, preempted, blocked,
unblocked and ended; syscalls block (GoSysBlock) and their GoSysExit is
written only when the goroutine next runs, on whatever P takes it, with the
sequence number and time of the syscall's real return (runtime.execute:
traceGoSysExit(gp.sysexitseq, gp.sysexitticks)), which order1005 moves back
to. GC cycles (GCStart, per-P STW before 1.10, GCDone), sweeps, heap sizes,
goroutines found waiting or in a syscall at trace start. The result is a
trace Go 1.21's parser accepts (postProcessTrace's checks hold).

--futile: some wakeups are futile (FutileWakeup, dropped by removeFutile),
in every shape removeFutile handles (see futile_wakeup);
--swap: some batches come after their P's next one in the file;
--wrap: now and then a HeapAlloc whose sequence number and time come
before those of the event written before it in its batch (the deltas,
unsigned, wrap around 2^64; Go sorts it into place).

  python3 gen15.py [--events N] [--procs P] [--seed S] [--futile] [--swap] [--wrap] > trace
"""
import argparse
import random
import sys

EV = dict(Batch=1, Frequency=2, Stack=3, Gomaxprocs=4, ProcStart=5, ProcStop=6,
          GCStart=7, GCDone=8, STWStart=9, STWDone=10, GCSweepStart=11, GCSweepDone=12,
          GoCreate=13, GoStart=14, GoEnd=15, GoStop=16, GoSched=17, GoPreempt=18,
          GoSleep=19, GoBlock=20, GoUnblock=21, GoBlockSend=22, GoBlockRecv=23,
          GoBlockSelect=24, GoBlockSync=25, GoBlockCond=26, GoBlockNet=27, GoSysCall=28,
          GoSysExit=29, GoSysBlock=30, GoWaiting=31, GoInSyscall=32, HeapAlloc=33,
          HeapGoal=34, TimerGoroutine=35, FutileWakeup=36)
BLOCKS = ["GoSleep", "GoBlock", "GoBlockSend", "GoBlockRecv", "GoBlockSelect",
          "GoBlockSync", "GoBlockCond", "GoBlockNet"]
BUF = 16 << 10  # buffer size of a P (Go 1.5: 64 KB; smaller gives more batches)


def uv(x, out):
    while x >= 0x80:
        out.append((x & 0x7f) | 0x80)
        x >>= 7
    out.append(x)


def raw(out, typ, args):
    """An event: at most 4 arguments inline (1.5 counts the seq), more length-prefixed."""
    if len(args) <= 4:
        out.append(typ | (len(args) - 2) << 6)
        for a in args:
            uv(a, out)
    else:
        body = bytearray()
        for a in args:
            uv(a, body)
        out.append(typ | 3 << 6)
        uv(len(body), out)
        out.extend(body)


class Gen:
    def __init__(self, a):
        self.r = random.Random(a.seed)
        self.out = bytearray(b"go 1.5 trace\x00\x00\x00\x00")
        self.seq = 0
        self.nprocs = a.procs
        self.futile = a.futile
        self.bufs = [None] * a.procs  # per P: [bytes, last seq, last ticks, first G]
        self.swap = a.swap
        self.wrap = a.wrap
        self.held = [None] * a.procs  # --swap: a batch written after the next
        self.pg = [0] * a.procs       # goroutine running on each P
        self.stw = [False] * a.procs
        self.gs = {}                  # g -> state
        self.runq = []                # runnable goroutines (list, random pick)
        self.waiting = []             # blocked goroutines
        self.insys = []               # goroutines blocked in a syscall
        self.exits = {}               # g -> (seq, ticks) of its syscall's return
        self.woken = set()            # goroutines woken for nothing (--futile)
        self.reblock = set()          # ... to block as soon as they run again
        self.nextg = 1
        self.in_gc = False
        self.events = 0

    def stamp(self):
        s = self.seq
        self.seq += 1
        return s, 1000 + s * 16 + (s * 7) % 16 // 4  # ticks grow with seq

    def emit(self, p, name, *args):
        s, t = self.stamp()
        b = self.bufs[p]
        if b is None or len(b[0]) >= BUF or (
                self.swap and len(b[0]) >= BUF // 4 and b[3] == self.pg[p]):
            if b is not None:
                self.flush(p, b)
            hdr = bytearray()
            raw(hdr, EV["Batch"], [p, s, t])
            b = self.bufs[p] = [hdr, s, t, self.pg[p]]
        raw(b[0], EV[name], [s - b[1], t - b[2]] + list(args))
        b[1], b[2] = s, t
        self.events += 1

    def emit_back(self, p):
        """--wrap: a HeapAlloc stamped before the event then written first
        on P p (in the same batch), so its deltas wrap around."""
        s, t = self.stamp()
        self.emit(p, "HeapAlloc", 1 << 20)
        b = self.bufs[p]
        m = (1 << 64) - 1
        raw(b[0], EV["HeapAlloc"], [(s - b[1]) & m, (t - b[2]) & m, 1 << 21])
        b[1], b[2] = s, t
        self.events += 1

    def flush(self, p, b):
        # --swap: of two batches of a P that start and end with the same
        # goroutine on it, the second may come first in the file (a batch
        # starts with the G the P's previous batch in the file ended
        # with): the P's sequence numbers then go back, which Go's sort
        # allows.
        clean = b[3] == self.pg[p]
        if self.held[p] is not None:
            if clean:
                self.out.extend(b[0])
                self.out.extend(self.held[p])
            else:
                self.out.extend(self.held[p])
                self.out.extend(b[0])
            self.held[p] = None
        elif clean and self.swap and self.r.random() < 0.5:
            self.held[p] = b[0]
        else:
            self.out.extend(b[0])

    def newg(self):
        g = self.nextg
        self.nextg += 1
        return g

    def run(self, n):
        r = self.r
        # Trace start: goroutines that exist, some waiting, one in a syscall
        # (GoCreate from P 0's G 0, as StartTrace writes them).
        self.emit(0, "Gomaxprocs", self.nprocs, 1)
        for i in range(8):
            g = self.newg()
            self.emit(0, "GoCreate", g, 0x402000 + 0x20 * i, 1)
            self.gs[g] = "runnable"
            if i % 3 == 1:
                self.emit(0, "GoWaiting", g)
                self.gs[g] = "waiting"
                self.waiting.append(g)
            elif i == 5:
                self.emit(0, "GoInSyscall", g)
                self.gs[g] = "syscall"
                self.insys.append(g)
            else:
                self.runq.append(g)
        for p in range(self.nprocs):
            self.emit(p, "ProcStart", 100 + p)
        while self.events < n:
            # A syscall returns: its time is taken now, written later.
            if self.insys and r.random() < 0.05:
                g = self.insys.pop(r.randrange(len(self.insys)))
                self.exits[g] = self.stamp()
                self.gs[g] = "runnable"
                self.runq.append(g)
            if self.wrap and r.random() < 0.001:
                self.emit_back(r.randrange(self.nprocs))
            self.step(r.randrange(self.nprocs))
        for p, b in enumerate(self.bufs):
            if self.held[p] is not None:
                self.out.extend(self.held[p])
            if b is not None:
                self.out.extend(b[0])
        # Tables, as ReadTrace wrote them after the buffers.
        hdr = bytearray()
        raw(hdr, EV["Batch"], [0, self.seq, 1000 + self.seq * 16])
        self.out.extend(hdr)
        for sid in range(1, 6):
            raw(self.out, EV["Stack"], [sid, sid] + [0x401000 + 0x40 * sid + i for i in range(sid)])
        for g in (1, 2):
            raw(self.out, EV["TimerGoroutine"], [g, 0])
        raw(self.out, EV["Frequency"], [2000000000, 0])

    def step(self, p):
        r = self.r
        g = self.pg[p]
        if g == 0:
            if not self.runq:
                if r.random() < 0.02 and len(self.gs) < 5000:
                    ng = self.newg()  # G 0 may create (allowG0)
                    self.emit(p, "GoCreate", ng, 0x403000, 2)
                    self.gs[ng] = "runnable"
                    self.runq.append(ng)
                elif self.waiting and r.random() < 0.1:
                    self.unblock(p)  # ... and unblock (the netpoller)
                return
            i = r.randrange(len(self.runq))
            g = self.runq[i]
            self.runq[i] = self.runq[-1]
            self.runq.pop()
            if g in self.exits:
                s, t = self.exits.pop(g)
                self.emit(p, "GoSysExit", g, s, t)
            self.emit(p, "GoStart", g)
            self.gs[g] = "running"
            self.pg[p] = g
            if g in self.woken:  # it finds its channel taken again
                self.woken.discard(g)
                self.futile_wakeup(p, g)
            elif g in self.reblock:  # its futile wakeup was preempted
                self.reblock.discard(g)
                self.emit(p, "GoBlock", 4)
                self.block(p, g)
            return
        x = r.random()
        if x < 0.08 and len(self.gs) < 5000:
            ng = self.newg()
            self.emit(p, "GoCreate", ng, 0x404000 + 0x20 * r.randrange(8), r.randrange(1, 6))
            self.gs[ng] = "runnable"
            self.runq.append(ng)
        elif x < 0.25 and self.waiting:
            self.unblock(p)
        elif x < 0.35:
            self.emit(p, r.choice(["GoSched", "GoPreempt"]), r.randrange(1, 6))
            self.gs[g] = "runnable"
            self.runq.append(g)
            self.pg[p] = 0
        elif x < 0.55:
            self.emit(p, r.choice(BLOCKS), r.randrange(1, 6))
            self.block(p, g)
        elif x < 0.70:
            self.emit(p, "GoSysCall", r.randrange(1, 6))
            if r.random() < 0.6:
                self.emit(p, "GoSysBlock")
                self.gs[g] = "syscall"
                self.insys.append(g)
                self.pg[p] = 0
        elif x < 0.74 and len(self.gs) > 50:
            self.emit(p, "GoEnd")
            del self.gs[g]
            self.pg[p] = 0
        elif x < 0.76 and not self.in_gc and not self.stw[p]:
            self.emit(p, "GCStart", 1)
            self.emit(p, "STWStart")
            self.emit(p, "STWDone")
            self.in_gc = True
        elif x < 0.78 and self.in_gc:
            self.emit(p, "GCDone")
            self.in_gc = False
        elif x < 0.80:
            self.emit(p, "GCSweepStart", 2)
            self.emit(p, "GCSweepDone")
        else:
            self.emit(p, "HeapAlloc", r.randrange(1 << 20, 1 << 30))

    def unblock(self, p):
        r = self.r
        i = r.randrange(len(self.waiting))
        w = self.waiting[i]
        self.waiting[i] = self.waiting[-1]
        self.waiting.pop()
        self.emit(p, "GoUnblock", w, r.randrange(1, 6))
        self.gs[w] = "runnable"
        self.runq.append(w)
        if self.futile and r.random() < 0.1:
            self.woken.add(w)

    def futile_wakeup(self, p, g):
        """The shapes removeFutile must handle: the sequence (GoUnblock,
        GoStart, GoPreempt..., FutileWakeup) ends with a block of its list
        (GoBlock...) and goes with it, possibly after a preemption that
        moves it to another P, before or after the FutileWakeup; or the
        goroutine parks some other way (GoSleep, GoBlockNet: not a block
        of removeFutile's list), so the sequence stays but its futile flag
        outlives the next GoUnblock, and the next sequence goes at its
        block (GoStart then GoBlock, so that what stays is consistent)."""
        r = self.r
        x = r.random()
        if x < 0.2:  # preempted before it finds out; runs again, maybe elsewhere
            self.emit(p, "GoPreempt", r.randrange(1, 6))
            self.woken.add(g)
            self.requeue(p, g)
            return
        self.emit(p, "FutileWakeup")
        if x < 0.35:  # preempted after it: blocks when it runs again
            self.emit(p, "GoPreempt", r.randrange(1, 6))
            self.reblock.add(g)
            self.requeue(p, g)
        elif x < 0.5:
            # The next sequence goes whole: it must hold nothing else of g.
            self.emit(p, r.choice(["GoSleep", "GoBlockNet"]), r.randrange(1, 6))
            self.block(p, g)
            self.reblock.add(g)
        else:
            self.emit(p, "GoBlock", 4)
            self.block(p, g)

    def requeue(self, p, g):
        self.gs[g] = "runnable"
        self.runq.append(g)
        self.pg[p] = 0

    def block(self, p, g):
        self.gs[g] = "waiting"
        self.waiting.append(g)
        self.pg[p] = 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--procs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--futile", action="store_true")
    ap.add_argument("--swap", action="store_true")
    ap.add_argument("--wrap", action="store_true")
    a = ap.parse_args()
    g = Gen(a)
    g.run(a.events)
    sys.stdout.buffer.write(g.out)


if __name__ == "__main__":
    main()
