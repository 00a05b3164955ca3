// selfframes is the ground truth for inlined frames: built by each Go
// toolchain, it symbolizes PCs of its own executable with the runtime
// itself (runtime.CallersFrames, which expands inlined calls), printing
// what `gort-addr2line -i` must print for the same PCs.
//
//	selfframes -pcs N   print up to N sample PCs of its own text (hex)
//	selfframes -marker  print the entry PC of main.marker
//	selfframes          read PCs on stdin, print "FUNC\nFILE:LINE\n" per
//	                    frame, then the frame of main.marker as a separator
//
// CallersFrames expects the PC list of runtime.Callers, which holds one PC
// per inlined level; given one PC it reports only the innermost frame. Go
// 1.21+ (runtime/symtab.go: Frames.Next) computes the outer levels itself
// when another PC follows: main.marker's entry follows each PC, and also
// ends the PC's frames in the output. Before 1.21 only the innermost frame
// of each PC comes out.
//
// Only meaningful for a non-PIE build (file addresses = run addresses).
// Kept compatible with Go 1.15: no generics, no newer APIs.
package main

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if len(os.Args) == 3 && os.Args[1] == "-pcs" {
		n, _ := strconv.Atoi(os.Args[2])
		samplePCs(w, n)
		return
	}
	mark := reflect.ValueOf(marker).Pointer()
	if len(os.Args) == 2 && os.Args[1] == "-marker" {
		fmt.Fprintf(w, "0x%x\n", mark)
		return
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		pc, err := strconv.ParseUint(strings.TrimPrefix(in.Text(), "0x"), 16, 64)
		if err != nil {
			continue
		}
		// CallersFrames takes return addresses and backs up one byte.
		frames := runtime.CallersFrames([]uintptr{uintptr(pc) + 1, mark + 1})
		printed := false
		for {
			f, more := frames.Next()
			if f.Function == "main.marker" && !printed {
				fmt.Fprintf(w, "?\n?:0\n")
			}
			if f.Function != "" {
				fmt.Fprintf(w, "%s\n%s:%d\n", f.Function, f.File, f.Line)
				printed = true
			}
			if !more {
				break
			}
		}
	}
}

// marker separates the frames of each PC in the output.
//
//go:noinline
func marker() {
	fmt.Fprintln(os.Stderr, "marker")
}

// samplePCs prints PCs of evenly spread functions of this executable:
// the entry and interior PCs, never the last byte (pc+1 must stay inside).
func samplePCs(w *bufio.Writer, n int) {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		panic(err)
	}
	data, err := f.Section(".gopclntab").Data()
	if err != nil {
		panic(err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, f.Section(".text").Addr))
	if err != nil {
		panic(err)
	}
	step := len(tab.Funcs) / (n/4 + 1)
	if step < 1 {
		step = 1
	}
	for i := 0; i < len(tab.Funcs); i += step {
		fn := tab.Funcs[i]
		size := fn.End - fn.Entry
		fmt.Fprintf(w, "0x%x\n", fn.Entry)
		for _, k := range []uint64{size / 4, size / 3, size / 2, size * 3 / 4} {
			if k > 0 && k+1 < size {
				fmt.Fprintf(w, "0x%x\n", fn.Entry+k)
			}
		}
	}
}
