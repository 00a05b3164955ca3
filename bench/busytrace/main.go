// busytrace writes a large execution trace (runtime/trace) of a busy
// program, for the trace benchmarks in BENCHMARKS.md: pairs of goroutines
// ping-ponging over unbuffered channels (dense block/unblock/start events),
// a contended mutex, short sleeps, small syscalls and allocation that keeps
// the GC cycling. It stops when the runtime has written -size bytes of trace
// (the file ends up larger: the tracer buffers) or after -d.
//
//	go build -o busytrace . && ./busytrace -d 6s OUT
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	size   = flag.Float64("size", 150e6, "stop when the trace reaches this many bytes")
	pairs  = flag.Int("pairs", 64, "ping-pong goroutine pairs")
	maxDur = flag.Duration("d", time.Minute, "stop after this long at most")
)

type countingFile struct {
	f *os.File
	n atomic.Int64
}

func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.n.Add(int64(n))
	return n, err
}

var sink [][]byte

func main() {
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: busytrace [-size bytes] [-d dur] [-pairs n] OUT")
		os.Exit(2)
	}
	f, err := os.Create(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	out := &countingFile{f: f}
	if err := trace.Start(out); err != nil {
		panic(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	shared := 0
	for i := 0; i < *pairs; i++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() { // ping
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				ping <- n
				<-pong
				if n%64 == 0 {
					mu.Lock()
					shared++
					mu.Unlock()
				}
				if n%256 == 0 {
					sink = append(sink[:0], make([]byte, 64<<10))
				}
			}
			close(ping)
		}()
		go func() { // pong
			defer wg.Done()
			for n := range ping {
				if n%512 == 0 {
					syscall.Getpid()
					time.Sleep(10 * time.Microsecond)
				}
				pong <- n
			}
		}()
	}
	deadline := time.Now().Add(*maxDur)
	for float64(out.n.Load()) < *size && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
	fmt.Fprintf(os.Stderr, "%d bytes, shared=%d\n", out.n.Load(), shared)
}
