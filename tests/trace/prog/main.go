// gorttraceprog writes an execution trace (runtime/trace) of a small mixed
// workload to the file named by its first argument, for the differential
// tests in tests/trace/check-dump.sh: goroutines that block on channels and
// a mutex, syscalls, sleeps, forced GCs, tasks, regions and logs (including
// strings that need quoting), goroutine labels, a CPU profile (CPU samples)
// and, from Go 1.23 on, coroutine switches (coro_go123.go). It runs long
// enough (-d) to span several trace generations.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var (
	dur     = flag.Duration("d", 1500*time.Millisecond, "how long to run")
	workers = flag.Int("w", 4, "worker goroutines")
	cpuprof = flag.Bool("cpu", true, "also run a CPU profile (CPU samples in the trace)")
	every   = flag.Int("every", 16, "sleep after every N jobs (larger: busier, bigger trace)")
)

func main() {
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gorttraceprog [-d dur] [-w n] [-every n] [-cpu=false] OUT")
		os.Exit(2)
	}
	f, err := os.Create(flag.Arg(0))
	if err != nil {
		panic(err)
	}
	if *cpuprof {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			panic(err)
		}
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	run()
	trace.Stop()
	if *cpuprof {
		pprof.StopCPUProfile()
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func run() {
	ctx, task := trace.NewTask(context.Background(), "gort.workload")
	trace.Log(ctx, "phase", "start \"quoted\" tab\t naïve ☃ \x01")
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	jobs := make(chan int)
	results := make(chan int, 4)
	var mu sync.Mutex
	var wg, side sync.WaitGroup
	total := 0
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			pprof.Do(ctx, pprof.Labels("worker", fmt.Sprint(id)), func(ctx context.Context) {
				for j := range jobs {
					sub, t := trace.NewTask(ctx, "job")
					trace.WithRegion(sub, "burn", func() {
						v := burn(j)
						mu.Lock()
						total += v
						mu.Unlock()
					})
					t.End()
					results <- j
				}
			})
		}(w)
	}
	side.Add(2)
	go func() {
		defer side.Done()
		for range results {
		}
	}()
	go func() {
		defer side.Done()
		var buf [1]byte
		for {
			n, err := syscall.Read(fds[0], buf[:])
			if n <= 0 || err != nil || buf[0] == 'q' {
				return
			}
		}
	}()
	coro(ctx)
	deadline := time.Now().Add(*dur)
	for i := 0; time.Now().Before(deadline); i++ {
		jobs <- i
		if i%*every == 0 {
			syscall.Write(fds[1], []byte{'x'})
			time.Sleep(200 * time.Microsecond)
		}
		if i%2048 == 0 {
			trace.Logf(ctx, "gc", "%d", i)
			trace.WithRegion(ctx, "gc", runtime.GC)
			coro(ctx)
		}
	}
	close(jobs)
	wg.Wait()
	close(results)
	syscall.Write(fds[1], []byte{'q'})
	side.Wait()
	syscall.Close(fds[0])
	syscall.Close(fds[1])
	trace.Logf(ctx, "phase", "done total=%d", total)
	task.End()
}

//go:noinline
func burn(n int) int {
	buf := make([]byte, 256+n%1024)
	s := 0
	for i := range buf {
		buf[i] = byte(i * n)
		s += int(buf[i])
	}
	return s
}
