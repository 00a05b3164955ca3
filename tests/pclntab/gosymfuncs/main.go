// gosymfuncs prints what debug/gosym reports for a Go binary, the
// reference for gort-funcs: one line per function, "0xENTRY 0xEND NAME".
// It opens the table the way cmd/internal/objfile does for
// `go tool addr2line`: ELF .gopclntab (text start from runtime.text or
// .text), Mach-O __gopclntab and __text, PE the bytes between the
// runtime.pclntab and runtime.epclntab symbols and .text.
//
// A PE file without symbols (release builds linked with -s) leaves Go's
// tools nothing to find the table by: its bytes are then found by scanning
// the sections for a header that debug/gosym itself accepts.
//
// With -scan, an ELF file without a table section (a PIE the system linker
// linked, stripped: the table merged into .data.rel.ro) is scanned the same
// way, and the text start is Go's tools' (.text): what they would answer if
// they looked there. Go's tools themselves give up on such a file.
//
// With -pcs N it instead prints up to N sample PCs (hex, one per line):
// every function entry and a few interior PCs, spread over the table,
// then those of 32 functions in a row.
// With -addr2line it reads addresses on stdin and answers as
// `go tool addr2line` does (cmd/addr2line/main.go) from the same table:
// the reference where Go's tool cannot open the file.
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"debug/gosym"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	pcs := flag.Int("pcs", 0, "print up to N sample PCs instead of functions")
	a2l := flag.Bool("addr2line", false, "answer addresses on stdin as go tool addr2line does")
	flag.BoolVar(&scanELF, "scan", false, "scan an ELF file without a table section for the table")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosymfuncs [-scan] [-pcs N | -addr2line] FILE")
		os.Exit(2)
	}
	data, text, err := pcln(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
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
	if *a2l {
		addr2line(w, tab)
		return
	}
	for _, fn := range tab.Funcs {
		fmt.Fprintf(w, "0x%x 0x%x %s\n", fn.Entry, fn.End, fn.Name)
	}
}

// cmd/addr2line/main.go: the loop over stdin.
func addr2line(w *bufio.Writer, tab *gosym.Table) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		p := in.Text()
		if strings.Contains(p, ":") {
			fmt.Fprintf(w, "!reverse translation not implemented\n")
			continue
		}
		pc, _ := strconv.ParseUint(strings.TrimPrefix(p, "0x"), 16, 64)
		file, line, fn := tab.PCToLine(pc)
		name := "?"
		if fn != nil {
			name = fn.Name
		} else {
			file = "?"
			line = 0
		}
		fmt.Fprintf(w, "%s\n%s:%d\n", name, file, line)
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
	sample := func(fn gosym.Func) {
		size := fn.End - fn.Entry
		fmt.Fprintf(w, "0x%x\n", fn.Entry)
		for _, k := range []uint64{size / 3, size / 2, size - 1} {
			if k > 0 && k < size {
				fmt.Fprintf(w, "%x\n", fn.Entry+k)
			}
		}
	}
	for i := 0; i < len(funcs); i += step {
		sample(funcs[i])
	}
	// And 32 functions in a row from the middle of the table: PCs close
	// together, which batch lookups take in one pass (lib/pclntab/batch.c),
	// where the sample above is sparse in a large binary.
	for i := len(funcs) / 2; i < len(funcs) && i < len(funcs)/2+32; i++ {
		sample(funcs[i])
	}
	last := funcs[len(funcs)-1]
	fmt.Fprintf(w, "0x%x\n0x%x\n0x%x\n", funcs[0].Entry-1, last.End-1, last.End)
}

var scanELF bool

func pcln(file string) (data []byte, text uint64, err error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case bytes.HasPrefix(raw, []byte("MZ")):
		return pePcln(raw)
	case bytes.HasPrefix(raw, []byte("\x7fELF")):
		return elfPcln(raw)
	}
	return machoPcln(raw)
}

func elfPcln(raw []byte) ([]byte, uint64, error) {
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, err
	}
	var text uint64
	if s := f.Section(".text"); s != nil {
		text = s.Addr
	}
	s := f.Section(".gopclntab")
	if s == nil {
		s = f.Section(".data.rel.ro.gopclntab")
	}
	if s == nil && scanELF {
		for _, sec := range f.Sections {
			if sec.Type != elf.SHT_PROGBITS {
				continue
			}
			if data, err := sec.Data(); err == nil {
				if tab := scanPcln(data, text); tab != nil {
					return tab, text, nil
				}
			}
		}
	}
	if s == nil {
		return nil, 0, errors.New("no .gopclntab")
	}
	data, err := s.Data()
	if err != nil {
		return nil, 0, err
	}
	if syms, err := f.Symbols(); err == nil {
		for _, sym := range syms {
			if sym.Name == "runtime.text" {
				text = sym.Value
				break
			}
		}
	}
	return data, text, nil
}

// cmd/internal/objfile/macho.go: pcln.
func machoPcln(raw []byte) ([]byte, uint64, error) {
	var f *macho.File
	if ff, err := macho.NewFatFile(bytes.NewReader(raw)); err == nil {
		f = ff.Arches[0].File
	} else if f, err = macho.NewFile(bytes.NewReader(raw)); err != nil {
		return nil, 0, err
	}
	var text uint64
	if s := f.Section("__text"); s != nil {
		text = s.Addr
	}
	s := f.Section("__gopclntab")
	if s == nil {
		return nil, 0, errors.New("no __gopclntab")
	}
	data, err := s.Data()
	return data, text, err
}

// cmd/internal/objfile/pe.go: pcln, loadPETable.
func pePcln(raw []byte) ([]byte, uint64, error) {
	f, err := pe.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, err
	}
	var base uint64
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		base = uint64(oh.ImageBase)
	case *pe.OptionalHeader64:
		base = oh.ImageBase
	}
	var text uint64
	if s := f.Section(".text"); s != nil {
		text = base + uint64(s.VirtualAddress)
	}
	var start, end *pe.Symbol
	for _, s := range f.Symbols {
		switch s.Name {
		case "runtime.pclntab":
			start = s
		case "runtime.epclntab":
			end = s
		}
	}
	if start == nil || end == nil || start.SectionNumber != end.SectionNumber || start.SectionNumber <= 0 {
		for _, sec := range f.Sections {
			if data, err := sec.Data(); err == nil {
				if tab := scanPcln(data, text); tab != nil {
					return tab, text, nil
				}
			}
		}
		return nil, 0, errors.New("no runtime.pclntab symbols, and no table debug/gosym accepts in any section")
	}
	data, err := f.Sections[start.SectionNumber-1].Data()
	if err != nil {
		return nil, 0, err
	}
	return data[start.Value:end.Value], text, nil
}

// scanPcln: the first pclntab header in data (every magic, either byte
// order, 4-byte aligned)
// from which debug/gosym decodes a non-empty function table.
func scanPcln(data []byte, text uint64) []byte {
	for off := 0; off+8 <= len(data); off += 4 {
		magic := binary.LittleEndian.Uint32(data[off:])
		if !isMagic(magic) && !isMagic(binary.BigEndian.Uint32(data[off:])) {
			continue
		}
		if data[off+4] != 0 || data[off+5] != 0 || (data[off+6] != 1 && data[off+6] != 2 && data[off+6] != 4) ||
			(data[off+7] != 4 && data[off+7] != 8) {
			continue
		}
		if decodes(data[off:], text) {
			return data[off:]
		}
	}
	return nil
}

func isMagic(m uint32) bool {
	return m == 0xfffffffb || m == 0xfffffffa || m == 0xfffffff0 || m == 0xfffffff1
}

func decodes(data []byte, text uint64) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	return err == nil && len(tab.Funcs) > 0
}
