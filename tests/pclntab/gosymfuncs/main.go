// gosymfuncs prints what debug/gosym reports for a Go ELF binary, the
// reference for gort-funcs: one line per function, "0xENTRY 0xEND NAME".
// It opens the table the way cmd/internal/objfile does for
// `go tool addr2line` (.gopclntab, text start from runtime.text or .text).
//
// With -pcs N it instead prints up to N sample PCs (hex, one per line):
// every function entry and a few interior PCs, spread over the table.
package main

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"flag"
	"fmt"
	"os"
)

func main() {
	pcs := flag.Int("pcs", 0, "print up to N sample PCs instead of functions")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosymfuncs [-pcs N] FILE")
		os.Exit(2)
	}
	f, err := elf.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var text uint64
	if s := f.Section(".text"); s != nil {
		text = s.Addr
	}
	s := f.Section(".gopclntab")
	if s == nil {
		s = f.Section(".data.rel.ro.gopclntab")
	}
	if s == nil {
		fmt.Fprintln(os.Stderr, "no .gopclntab")
		os.Exit(1)
	}
	data, err := s.Data()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if syms, err := f.Symbols(); err == nil {
		for _, sym := range syms {
			if sym.Name == "runtime.text" {
				text = sym.Value
				break
			}
		}
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if *pcs > 0 {
		samplePCs(w, tab.Funcs, *pcs)
		return
	}
	for _, fn := range tab.Funcs {
		fmt.Fprintf(w, "0x%x 0x%x %s\n", fn.Entry, fn.End, fn.Name)
	}
}

// samplePCs prints entries and interior PCs of evenly spread functions,
// plus the table's ends and one PC past them.
func samplePCs(w *bufio.Writer, funcs []gosym.Func, n int) {
	if len(funcs) == 0 {
		return
	}
	step := len(funcs) / (n / 4)
	if step < 1 {
		step = 1
	}
	for i := 0; i < len(funcs); i += step {
		fn := funcs[i]
		size := fn.End - fn.Entry
		fmt.Fprintf(w, "0x%x\n", fn.Entry)
		for _, k := range []uint64{size / 3, size / 2, size - 1} {
			if k > 0 && k < size {
				fmt.Fprintf(w, "%x\n", fn.Entry+k)
			}
		}
	}
	last := funcs[len(funcs)-1]
	fmt.Fprintf(w, "0x%x\n0x%x\n0x%x\n", funcs[0].Entry-1, last.End-1, last.End)
}
