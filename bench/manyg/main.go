// Command manyg parks N goroutines (default 100000) at depths 1 to 20 on a
// channel receive, a select or a sleep, then crashes (with
// GOTRACEBACK=crash the runtime aborts and the kernel writes a core): the
// input of bench/goroutines.sh.
package main

import (
	"os"
	"strconv"
	"sync"
	"time"
)

var (
	never   = make(chan int)
	neverS  = make(chan int)
	started sync.WaitGroup
	ballast [][]byte
)

//go:noinline
func park(kind int) {
	started.Done()
	switch kind {
	case 0:
		<-never
	case 1:
		select {
		case <-never:
		case neverS <- 1:
		}
	default:
		time.Sleep(time.Hour)
	}
}

//go:noinline
func deep(n, kind int, pad [16]int64) int64 {
	if n == 0 {
		park(kind)
		return pad[0]
	}
	pad[n%16] = int64(n)
	return deep(n-1, kind, pad) + pad[1]
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	started.Add(n)
	for i := 0; i < n; i++ {
		go deep(i%20+1, i%3, [16]int64{})
	}
	started.Wait()
	// Heap the goroutines do not point to: part of a core's size that a
	// reader should not pay for.
	for i := 0; i < 32; i++ {
		b := make([]byte, 4<<20)
		for j := range b {
			b[j] = byte(j)
		}
		ballast = append(ballast, b)
	}
	time.Sleep(500 * time.Millisecond)
	panic("manyg: every goroutine parked")
}
