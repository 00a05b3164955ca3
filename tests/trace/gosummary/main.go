// gortsummary prints Go's own goroutine summary of an execution trace
// (internal/trace.Summarizer, the analysis behind `go tool trace`'s
// goroutine pages) in the line format of `gort-trace stats --raw`, plus the
// GC mark phases, stop-the-world pauses and latency histograms computed
// here from Go's parsed events, for tests/trace/check-stats.sh.
//
// internal/trace is importable only from inside GOROOT, so the test builds
// this file as a GOROOT command through an overlay (no copy of Go's
// source):
//
//	go build -overlay overlay.json -o gortsummary cmd/gortsummary
//
// Like cmd/trace's parseTrace, a trace that breaks off is summarized up to
// the error, which is reported on stderr.
package main

import (
	"cmp"
	"fmt"
	"internal/trace"
	"io"
	"math/bits"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail(err)
	}
	r, err := trace.NewReader(f)
	if err != nil {
		fail(err)
	}
	s := trace.NewSummarizer()
	var x extra
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gortsummary: error:", err)
			if n == 0 {
				os.Exit(1)
			}
			break
		}
		n++
		s.Event(&ev)
		x.event(&ev)
	}
	sum := s.Finalize()
	w := os.Stdout
	ids := make([]trace.GoID, 0, len(sum.Goroutines))
	for id := range sum.Goroutines {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	type region struct {
		count                                            uint64
		total, exec, sched, block, syscall, syscallblock time.Duration
	}
	regions := map[string]*region{}
	for _, id := range ids {
		g := sum.Goroutines[id]
		fmt.Fprintf(w, "goroutine\t%d\t%s\tpc=%#x creation=%d start=%d end=%d exec=%d sched=%d syscall=%d syscallblock=%d total=%d unknown=%d\n",
			g.ID, g.Name, g.PC, g.CreationTime, g.StartTime, g.EndTime, g.ExecTime, g.SchedWaitTime,
			g.SyscallTime, g.SyscallBlockTime, g.TotalTime, g.UnknownTime())
		for _, k := range sortedKeys(g.BlockTimeByReason) {
			fmt.Fprintf(w, "\tblock\t%s\t%d\n", k, g.BlockTimeByReason[k])
		}
		for _, k := range sortedKeys(g.RangeTime) {
			fmt.Fprintf(w, "\trange\t%s\t%d\n", k, g.RangeTime[k])
		}
		for _, rs := range g.Regions {
			r := regions[rs.Name]
			if r == nil {
				r = &region{}
				regions[rs.Name] = r
			}
			r.count++
			r.total += rs.TotalTime
			r.exec += rs.ExecTime
			r.sched += rs.SchedWaitTime
			r.syscall += rs.SyscallTime
			r.syscallblock += rs.SyscallBlockTime
			for _, d := range rs.BlockTimeByReason {
				r.block += d
			}
		}
	}
	for _, k := range sortedKeys(regions) {
		r := regions[k]
		fmt.Fprintf(w, "region\t%s\tcount=%d total=%d exec=%d sched=%d block=%d syscall=%d syscallblock=%d\n",
			k, r.count, r.total, r.exec, r.sched, r.block, r.syscall, r.syscallblock)
	}
	for _, p := range x.gc {
		fmt.Fprintf(w, "gc\t%d\t%d\n", p.start, p.end)
	}
	for _, p := range x.stw {
		fmt.Fprintf(w, "stw\t%d\t%d\t%s\n", p.start, p.end, p.reason)
	}
	for i, name := range []string{"sched", "block", "syscall", "stw", "gc"} {
		h := &x.hist[i]
		fmt.Fprintf(w, "hist\t%s\tcount=%d sum=%d min=%d max=%d", name, h.count, h.sum, h.min, h.max)
		for b, c := range h.buckets {
			if c != 0 {
				fmt.Fprintf(w, " %d:%d", b, c)
			}
		}
		fmt.Fprintln(w)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gortsummary:", err)
	os.Exit(1)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare)
	return keys
}

// Histograms: bucket 0 for d <= 0, else bits.Len64(d), at most 63.
type hist struct {
	count         uint64
	sum, min, max int64
	buckets       [64]uint64
}

func (h *hist) add(d int64) {
	b := 0
	if d > 0 {
		b = min(bits.Len64(uint64(d)), 63)
	}
	h.buckets[b]++
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if h.count == 0 || d > h.max {
		h.max = d
	}
	h.count++
	h.sum += d
}

type pause struct {
	start, end trace.Time
	reason     string
	inside     bool
}

// extra: what the summary does not have, from Go's events. GC mark phases
// and STW pauses are global ranges; the latency histograms count each
// goroutine interval in Runnable, Waiting (but "forever") and Syscall
// that both starts and ends inside the trace.
type extra struct {
	syncTs          trace.Time
	gc, stw         []pause
	gcOpen, stwOpen *pause
	hist            [5]hist
	enter           map[trace.GoID]trace.Time
}

func (x *extra) event(ev *trace.Event) {
	if x.enter == nil {
		x.enter = map[trace.GoID]trace.Time{}
	}
	if x.syncTs == 0 {
		x.syncTs = ev.Time()
	}
	switch ev.Kind() {
	case trace.EventSync:
		x.syncTs = ev.Time()
	case trace.EventStateTransition:
		st := ev.StateTransition()
		if st.Resource.Kind != trace.ResourceGoroutine {
			break
		}
		id := st.Resource.Goroutine()
		from, to := st.Goroutine()
		if from == to {
			break
		}
		if t, ok := x.enter[id]; ok {
			delete(x.enter, id)
			switch from {
			case trace.GoRunnable:
				x.hist[0].add(int64(ev.Time().Sub(t)))
			case trace.GoWaiting:
				x.hist[1].add(int64(ev.Time().Sub(t)))
			case trace.GoSyscall:
				x.hist[2].add(int64(ev.Time().Sub(t)))
			}
		}
		if to == trace.GoRunnable || to == trace.GoSyscall || to == trace.GoWaiting && st.Reason != "forever" {
			x.enter[id] = ev.Time()
		}
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		var open **pause
		var list *[]pause
		var h *hist
		reason := ""
		switch {
		case r.Name == "GC concurrent mark phase" && r.Scope.Kind == trace.ResourceNone:
			open, list, h = &x.gcOpen, &x.gc, &x.hist[4]
		case strings.HasPrefix(r.Name, "stop-the-world (") && strings.HasSuffix(r.Name, ")"):
			open, list, h = &x.stwOpen, &x.stw, &x.hist[3]
			reason = r.Name[len("stop-the-world (") : len(r.Name)-1]
		default:
			return
		}
		if ev.Kind() != trace.EventRangeEnd {
			if *open == nil {
				p := &pause{start: ev.Time(), reason: reason, inside: ev.Kind() == trace.EventRangeBegin}
				if !p.inside {
					p.start = x.syncTs
				}
				*open = p
			}
			return
		}
		if p := *open; p != nil {
			p.end = ev.Time()
			*list = append(*list, *p)
			if p.inside {
				h.add(int64(p.end.Sub(p.start)))
			}
			*open = nil
		}
	}
}
