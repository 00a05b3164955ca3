package main

// Layouts read from a binary's own runtime type descriptors, the ground
// truth for real binaries that carry no DWARF (release binaries are built
// with -s -w). The compiler emits a full struct descriptor (every field's
// name and offset) for each type it allocates or points to, so runtime.g,
// m, p, gobuf, stack, moduledata and the type header itself are described
// in every Go binary, stripped or not; runtime.schedt (a global variable
// only) is not. This reader uses Go's debug/elf and nothing of
// libgoinspect: it validates the built-in tables on binaries built
// elsewhere, by other releases (tests/layout/check-descriptors.sh).
//
// Mirrors runtime/type.go (Go 1.13-1.20: _type, structtype, structfield,
// name) and internal/abi/type.go (1.21+), whose header layout is the same
// in every release: size, ptrdata (words), hash (uint32), tflag, align,
// fieldAlign, kind (bytes), equal, gcdata (words), str, ptrToThis (int32).

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

const (
	kindMask       = 31 // runtime/typekind.go
	kindStruct     = 25
	tflagExtraStar = 2 // the name is stored with a leading '*'
)

type descReader struct {
	f     *elf.File
	word  uint64
	minor int
	base  uint64 // moduledata.types: what nameOff/typeOff count from
	tdata []byte // the type data section, from base
}

func (r *descReader) uword(b []byte) uint64 {
	if r.word == 4 {
		return uint64(r.f.ByteOrder.Uint32(b))
	}
	return r.f.ByteOrder.Uint64(b)
}

// encodeName is how a name's bytes follow its flag byte: a two-byte
// big-endian length before Go 1.17, a uvarint after (runtime/type.go).
func (r *descReader) encodeName(s string) []byte {
	if r.minor < 17 {
		return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...)
	}
	return append(binary.AppendUvarint(nil, uint64(len(s))), s...)
}

// name reads the name at addr (its flag byte first), or "" if it does not
// decode as one.
func (r *descReader) name(addr uint64) string {
	var n, skip uint64
	if r.minor < 17 {
		if !r.inFile(addr, 3) {
			return ""
		}
		hdr := read(r.f, addr, 3)
		n, skip = uint64(hdr[1])<<8|uint64(hdr[2]), 3
	} else {
		if !r.inFile(addr, 11) {
			return ""
		}
		v, k := binary.Uvarint(read(r.f, addr+1, 10))
		if k <= 0 || v > 1<<16 {
			return ""
		}
		n, skip = v, 1+uint64(k)
	}
	if !r.inFile(addr+skip, n) {
		return ""
	}
	return string(read(r.f, addr+skip, n))
}

// find returns the struct descriptor named s, decoded: the name is
// searched for in the file, then the type data for a struct descriptor
// whose str offset points at it. A candidate must also decode as a
// struct (readable field names, fields inside it, in order): a wrong
// types base (a binary linked by the system linker puts C data before
// Go's) gives chance matches only, which fail that.
func (r *descReader) find(s string) (*structDesc, bool) {
	enc := r.encodeName("*" + s)
	var names []int64 // offsets from base of the name's flag byte
	for _, p := range r.f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		seg := read(r.f, p.Vaddr, p.Filesz)
		for i := 0; ; {
			j := bytes.Index(seg[i:], enc)
			if j < 0 {
				break
			}
			if i+j > 0 {
				names = append(names, int64(p.Vaddr+uint64(i+j)-1)-int64(r.base))
			}
			i += j + 1
		}
	}
	hdr := 4*r.word + 16
	var found []*structDesc
	for off := uint64(0); off+hdr <= uint64(len(r.tdata)); off += r.word {
		t := r.tdata[off:]
		if t[2*r.word+7]&kindMask != kindStruct || t[2*r.word+4]&tflagExtraStar == 0 {
			continue
		}
		str := int64(int32(r.f.ByteOrder.Uint32(t[4*r.word+8:])))
		for _, n := range names {
			if n != str {
				continue
			}
			if d := r.decode(r.base + off); d != nil {
				found = append(found, d)
			}
		}
	}
	if len(found) > 1 {
		die("%d descriptors named %s", len(found), s)
	}
	if len(found) == 0 {
		return nil, false
	}
	return found[0], true
}

type structDesc struct {
	size   uint64
	fields []descField
}

type descField struct {
	name         string
	offset, size uint64
}

// inFile reports whether [addr, addr+n) is file-backed loaded data.
func (r *descReader) inFile(addr, n uint64) bool {
	for _, p := range r.f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+n >= addr && addr+n <= p.Vaddr+p.Filesz {
			return true
		}
	}
	return false
}

// decode reads the struct descriptor at addr (runtime/type.go:
// structtype: the header, pkgPath, fields), or nil if it is not one.
func (r *descReader) decode(addr uint64) *structDesc {
	hdr := 4*r.word + 16
	if !r.inFile(addr, hdr+4*r.word) {
		return nil
	}
	t := read(r.f, addr, hdr+4*r.word)
	d := &structDesc{size: r.uword(t)}
	fp, n := r.uword(t[hdr+r.word:]), r.uword(t[hdr+2*r.word:])
	if n == 0 || n > 1024 || !r.inFile(fp, n*3*r.word) {
		return nil
	}
	end := uint64(0)
	for k := uint64(0); k < n; k++ {
		sf := read(r.f, fp+k*3*r.word, 3*r.word)
		np, tp := r.uword(sf), r.uword(sf[r.word:])
		if !r.inFile(np, 13) || !r.inFile(tp, r.word) {
			return nil
		}
		off := r.uword(sf[2*r.word:])
		if r.minor < 19 {
			off >>= 1 // offsetAnon: offset<<1 | embedded
		}
		f := descField{r.name(np), off, r.uword(read(r.f, tp, r.word))}
		if f.name == "" || off < end || off+f.size > d.size {
			return nil
		}
		end = off + f.size
		d.fields = append(d.fields, f)
	}
	return d
}

// typesBase finds runtime.types in .rodata: the first word-aligned
// address from which the first typelinks (.typelink: int32 offsets of
// descriptors from runtime.types) all lead to descriptors with a name.
func (r *descReader) typesBase(rodata *elf.Section) uint64 {
	tl := r.f.Section(".typelink")
	if tl == nil || tl.Size < 4 {
		return rodata.Addr
	}
	links := read(r.f, tl.Addr, min(tl.Size, 64))
	hdr := 4*r.word + 16
	for base := rodata.Addr; base < rodata.Addr+1<<16; base += r.word {
		ok := true
		for i := 0; ok && i+4 <= len(links); i += 4 {
			t := base + uint64(r.f.ByteOrder.Uint32(links[i:]))
			if !r.inFile(t, hdr) {
				ok = false
				break
			}
			str := int32(r.f.ByteOrder.Uint32(read(r.f, t+4*r.word+8, 4)))
			ok = r.name(uint64(int64(base)+int64(str))) != ""
		}
		if ok {
			return base
		}
	}
	die("no runtime.types found in .rodata")
	return 0
}

// loadDescriptors fills b's slots for the catalogue types the binary at
// path describes; the others (runtime.schedt) stay unknown.
func loadDescriptors(b *build, path string) {
	f, err := elf.Open(path)
	if err != nil {
		die("%s: %v", path, err)
	}
	defer f.Close()
	r := &descReader{f: f, word: 8, minor: b.minor}
	if f.Class == elf.ELFCLASS32 {
		r.word = 4
	}
	// The type data (from runtime.types) has a section of its own from Go
	// 1.27; before, it starts Go's read-only data, which is the start of
	// .rodata unless the system linker put C data first (cgo).
	if sec := f.Section(".go.type"); sec != nil {
		r.base = sec.Addr
		r.tdata = read(f, sec.Addr, sec.Size)
	} else if sec := f.Section(".rodata"); sec != nil {
		r.base = r.typesBase(sec)
		r.tdata = read(f, r.base, sec.Addr+sec.Size-r.base)
	} else {
		die("%s: no .rodata section", path)
	}
	b.version = b.release + " (type descriptors)"
	b.known = make([]bool, len(catalogue))
	for i, c := range catalogue {
		row := make([]slot, len(c.fields))
		pkg, name := c.typ[:strings.LastIndex(c.typ, ".")], c.typ[strings.LastIndex(c.typ, ".")+1:]
		pkg = pkg[strings.LastIndex(pkg, "/")+1:]
		d, ok := r.find(pkg + "." + name)
		if !ok {
			b.sizes = append(b.sizes, slot{})
			b.fields = append(b.fields, row)
			continue
		}
		b.known[i] = true
		b.sizes = append(b.sizes, slot{true, 0, int64(d.size)})
		for _, f := range d.fields {
			for j, want := range c.fields {
				if want == f.name {
					row[j] = slot{true, int64(f.offset), int64(f.size)}
				}
			}
		}
		b.fields = append(b.fields, row)
	}
}

// printSlots writes a build's known slots as gort-offsets --no-dwarf
// prints them: TYPE.SIZE N, then TYPE.FIELD OFFSET per present field.
func printSlots(b *build) {
	for i, c := range catalogue {
		if b.known != nil && !b.known[i] || !b.sizes[i].present {
			continue
		}
		fmt.Fprintf(os.Stdout, "%s.SIZE %d\n", c.typ, b.sizes[i].size)
		for j, f := range c.fields {
			if s := b.fields[i][j]; s.present {
				fmt.Fprintf(os.Stdout, "%s.%s %d\n", c.typ, f, s.offset)
			}
		}
	}
}
