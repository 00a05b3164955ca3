// The events of an old trace as Go 1.21's internal/trace parser returns
// them, one line each (the form of tests/trace/old-v1dump.c). Built by
// check-old.sh next to copies of that parser (parser.go, order.go), which
// cannot be imported from outside the standard library.

package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	_, res, err := parse(bufio.NewReader(f), "")
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	for _, ev := range res.Events {
		fmt.Fprintf(w, "%d %s p=%d g=%d stk=%d args=%d,%d,%d\n", ev.Ts, EventDescriptions[ev.Type].Name, ev.P, ev.G, ev.StkID, ev.Args[0], ev.Args[1], ev.Args[2])
	}
}
