// cpusamples writes an execution trace (runtime/trace) with a CPU profile
// running, so that the trace holds CPU samples: goroutines that mostly
// spin (few scheduler events, many samples), exchanging a value now and
// then. tests/trace/testdata/cpu_1_21.trace.zst is its output with Go 1.21
// (format 1.21); see tests/trace/testdata/README.md.
//
//	go run . [-d 1s] OUT
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink uint64

func spin(until time.Time, ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	x := uint64(1)
	for i := 0; time.Now().Before(until); i++ {
		for j := 0; j < 1<<16; j++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if i%64 == 0 {
			select {
			case ch <- int(x):
			case <-ch:
			default:
			}
		}
	}
	sink += x
}

func main() {
	d := flag.Duration("d", time.Second, "how long to spin")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cpusamples [-d dur] OUT")
		os.Exit(2)
	}
	f, err := os.Create(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	ch := make(chan int)
	until := time.Now().Add(*d)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go spin(until, ch, &wg)
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
