package main

// Layouts of another GOARCH derived from an amd64 build's DWARF: the
// catalogue's types as amd64's DWARF describes them (field order and
// types), laid out again with the target's gc sizes (gcsizes.go). Go
// names its basic types in DWARF (int, uintptr, ...), strings, slices and
// interfaces are structures of words, maps, channels and functions are
// pointers: the word-sized parts are all recognizable. What the method
// cannot see is a type whose declaration differs between architectures
// (per-GOARCH constants or files): gen-layouts.sh --check-derived
// measures that on every release with real builds of several GOARCHes,
// and finds such types (docs/DESIGN.md, Layouts), so no table is made
// this way. Spec form: go1.NN:GOARCH:relayout:AMD64PATH.

import (
	"debug/dwarf"
	"debug/elf"
)

// relayout lays out DWARF types with gc's rules for one GOARCH.
type relayout struct {
	s    *gcSizes
	word map[string]bool // names of int, uint and uintptr types
}

// wordTypes names the integer types of the word's size: int, uint,
// uintptr and the named types defined on them (runtime.guintptr...),
// which Go's DWARF gives as base types of their own name, with the kind
// in DW_AT_go_kind (cmd/internal/dwarf; reflect.Int, Uint, Uintptr).
func wordTypes(d *dwarf.Data) map[string]bool {
	const attrGoKind = dwarf.Attr(0x2900)
	out := map[string]bool{}
	topEntries(d, func(e *dwarf.Entry) {
		k, _ := e.Val(attrGoKind).(int64)
		if name, _ := e.Val(dwarf.AttrName).(string); e.Tag == dwarf.TagBaseType &&
			(k == 2 || k == 7 || k == 12) {
			out[name] = true
		}
	})
	return out
}

func (r relayout) basic(t dwarf.Type) (size, align int64, ok bool) {
	var name string
	switch b := t.(type) {
	case *dwarf.IntType:
		name = b.Name
	case *dwarf.UintType:
		name = b.Name
	case *dwarf.FloatType, *dwarf.BoolType, *dwarf.CharType, *dwarf.UcharType:
		size = t.Size()
		return size, min(max(size, 1), r.s.maxAlign), true
	case *dwarf.ComplexType:
		return t.Size(), min(t.Size()/2, r.s.maxAlign), true
	default:
		return 0, 0, false
	}
	if r.word[name] {
		return r.s.word, r.s.word, true
	}
	size = t.Size()
	return size, min(max(size, 1), r.s.maxAlign), true
}

func (r relayout) align(t dwarf.Type) int64 {
	switch u := t.(type) {
	case *dwarf.TypedefType:
		return r.align(u.Type)
	case *dwarf.StructType:
		switch u.StructName {
		case "sync/atomic.align64", "runtime/internal/atomic.align64",
			"internal/runtime/atomic.align64":
			return 8 // cmd/compile isAtomicStdPkg, as gcsizes.go
		}
		a := int64(1)
		for _, f := range u.Field {
			a = max(a, r.align(f.Type))
		}
		return a
	case *dwarf.ArrayType:
		return r.align(u.Type)
	}
	if _, a, ok := r.basic(t); ok {
		return a
	}
	return r.s.word // pointers: maps, channels, functions, unsafe.Pointer
}

// offsets returns the struct's field offsets and its size (gcsizes.go:
// Offsetsof, Sizeof).
func (r relayout) offsets(st *dwarf.StructType) ([]int64, int64) {
	offs := make([]int64, len(st.Field))
	var off, last int64
	for i, f := range st.Field {
		off = roundUp(off, r.align(f.Type))
		offs[i] = off
		last = r.size(f.Type)
		off += last
	}
	if off > 0 && len(st.Field) > 0 && last == 0 {
		off++ // a trailing zero-size field stays inside (Go issue 9401)
	}
	return offs, roundUp(off, r.align(st))
}

func (r relayout) size(t dwarf.Type) int64 {
	switch u := t.(type) {
	case *dwarf.TypedefType:
		return r.size(u.Type)
	case *dwarf.StructType:
		_, n := r.offsets(u)
		return n
	case *dwarf.ArrayType:
		return max(u.Count, 0) * r.size(u.Type)
	}
	if n, _, ok := r.basic(t); ok {
		return n
	}
	return r.s.word
}

// loadRelayout fills b (GOARCH b.arch) from the amd64 reference build at
// path: its DWARF's types laid out for b.arch, its string tables as they are.
func loadRelayout(b *build, path string) {
	src := load("go" + b.release + ":amd64:" + path)
	f, err := elf.Open(path)
	if err != nil {
		die("%s: %v", path, err)
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		die("%s: DWARF: %v", path, err)
	}
	r := relayout{sizesFor(b.arch), wordTypes(d)}
	if r.s == nil {
		die("no layout rules for GOARCH %s", b.arch)
	}
	b.version = src.version + " (amd64 DWARF laid out for " + b.arch + ")"
	b.waits, b.status = src.waits, src.status
	types := structs(d)
	for _, c := range catalogue {
		row := make([]slot, len(c.fields))
		st := types[c.typ]
		if st == nil {
			b.sizes = append(b.sizes, slot{})
			b.fields = append(b.fields, row)
			continue
		}
		offs, size := r.offsets(st)
		b.sizes = append(b.sizes, slot{true, 0, size})
		for i, name := range c.fields {
			for k, m := range st.Field {
				if m.Name == name {
					row[i] = slot{true, offs[k], r.size(m.Type)}
				}
			}
		}
		b.fields = append(b.fields, row)
	}
}
