// gosym-bench measures what bench/gort-bench measures, with Go's own
// debug/gosym on the same binary and the same random PCs (splitmix64, seed
// 1, uniform over the text the functions cover), so that bench/run.sh can
// print both side by side. It opens the table as cmd/internal/objfile does
// for `go tool addr2line`: the .gopclntab section, text start from
// runtime.text or .text.
package main

import (
	"debug/elf"
	"debug/gosym"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is this thread's CPU time: on a loaded machine, other
// programs' work must not count (gort-bench uses the same clock).
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

func splitmix64(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func open(file string) (*gosym.Table, error) {
	f, err := elf.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var text uint64
	if s := f.Section(".text"); s != nil {
		text = s.Addr
	}
	if syms, err := f.Symbols(); err == nil {
		for _, sym := range syms {
			if sym.Name == "runtime.text" {
				text = sym.Value
				break
			}
		}
	}
	s := f.Section(".gopclntab")
	if s == nil {
		s = f.Section(".data.rel.ro.gopclntab")
	}
	if s == nil {
		return nil, fmt.Errorf("no .gopclntab")
	}
	data, err := s.Data()
	if err != nil {
		return nil, err
	}
	return gosym.NewTable(nil, gosym.NewLineTable(data, text))
}

// statusMB is a field of /proc/self/status in MB.
func statusMB(field string) float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1e3
		}
	}
	return -1
}

var sink int

func main() {
	n := flag.Int("n", 1000000, "random PCs")
	rounds := flag.Int("r", 3, "warm passes (the best is printed)")
	hot := flag.Int("hot", 4096, "distinct PCs of the hot order")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosym-bench [-n NPCS] [-r ROUNDS] [-hot NHOT] FILE")
		os.Exit(2)
	}
	runtime.LockOSThread()
	file := flag.Arg(0)

	t0 := threadCPU()
	tab, err := open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	openCPU := threadCPU() - t0
	fmt.Printf("input     %s: %d functions, %d random PCs\n", file, len(tab.Funcs), *n)
	fmt.Printf("open      elf.Open + section read + gosym.NewTable: %.1f ms CPU\n", float64(openCPU)/1e6)

	lo, hi := tab.Funcs[0].Entry, tab.Funcs[len(tab.Funcs)-1].End
	for _, order := range []string{"random", "sorted", "hot"} {
		lookups(tab, makePCs(lo, hi, *n, *hot, order), order, *rounds)
	}

	iter := func() time.Duration {
		t := threadCPU()
		acc := 0
		for i := range tab.Funcs {
			name := tab.Funcs[i].Name
			acc += len(name) + int(name[len(name)/2])
		}
		sink += acc
		return threadCPU() - t
	}
	best := iter()
	for r := 0; r < *rounds; r++ {
		if t := iter(); t < best {
			best = t
		}
	}
	nf := float64(len(tab.Funcs))
	fmt.Printf("iterate   %d functions (decoded by NewTable): %.1f ms (%.1f ns/function)\n",
		len(tab.Funcs), float64(best)/1e6, float64(best)/nf)
	fmt.Printf("memory    RSS %.1f MB, peak RSS %.1f MB, Go heap in use %.1f MB\n",
		statusMB("VmRSS"), statusMB("VmHWM"), heapMB())
}

// makePCs draws n PCs as gort-bench does: uniform over [lo, hi); "sorted"
// orders them; "hot" repeats the first nhot of them in random order.
func makePCs(lo, hi uint64, n, nhot int, order string) []uint64 {
	pcs := make([]uint64, n)
	seed := uint64(1)
	for i := range pcs {
		pcs[i] = lo + splitmix64(&seed)%(hi-lo)
	}
	switch order {
	case "sorted":
		sort.Slice(pcs, func(i, j int) bool { return pcs[i] < pcs[j] })
	case "hot":
		for i := nhot; i < n; i++ {
			pcs[i] = pcs[splitmix64(&seed)%uint64(nhot)]
		}
	}
	return pcs
}

// lookups times PCToLine (function + file:line) over pcs.
func lookups(tab *gosym.Table, pcs []uint64, order string, rounds int) {
	pass := func() float64 {
		acc := 0
		t := threadCPU()
		for _, pc := range pcs {
			file, line, fn := tab.PCToLine(pc)
			if fn != nil {
				acc += len(fn.Name) + len(file) + line
			}
		}
		sink += acc
		return float64(threadCPU()-t) / float64(len(pcs))
	}
	cold := pass()
	warm := cold
	for r := 0; r < rounds; r++ {
		if t := pass(); t < warm {
			warm = t
		}
	}
	lat := make([]float64, len(pcs))
	for i, pc := range pcs {
		t := time.Now()
		file, line, fn := tab.PCToLine(pc)
		lat[i] = float64(time.Since(t))
		if fn != nil {
			sink += len(file) + line
		}
	}
	sort.Float64s(lat)
	fmt.Printf("lookup    %-6s PCToLine   cold %7.1f ns, warm %7.1f ns  (p50 %.0f, p90 %.0f, p99 %.0f ns)\n",
		order, cold, warm, lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)*99/100])

}

func heapMB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6
}
