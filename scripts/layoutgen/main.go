// Command layoutgen writes lib/layout/tables.c, libgoinspect's built-in
// runtime layouts, from the DWARF and symbols of reference builds. It is
// run by scripts/gen-layouts.sh (which makes the builds); see that file.
//
//	layoutgen OUT.c go1.NN:GOARCH:PATH...
//	layoutgen -compare SPEC SPEC     every difference between two builds
//	layoutgen -print SPEC            TYPE.SIZE / TYPE.FIELD OFFSET lines
//	layoutgen -files SRCSPEC         the source files a source build read
//	layoutgen -excerpt DIR SRCSPEC   those files' used declarations only
//
// A SPEC is a reference binary's DWARF (go1.NN:GOARCH:PATH), a release's
// runtime sources (go1.NN:GOARCH:src:TAGS:GOROOT/src, source.go) or a
// binary's type descriptors (go1.NN:GOARCH:desc:PATH, descriptors.go) or
// an amd64 build's DWARF laid out for GOARCH (go1.NN:GOARCH:relayout:PATH,
// derive.go).
//
// A reference build is a program a toolchain here built, or, for a
// release with no toolchain, a release binary built elsewhere with DWARF
// and symbols (scripts/layoutgen/npm-refs), whose provenance gen-layouts.sh
// writes next to it (PATH.origin) for the table's header.
//
// For every reference build it records, for each (type, field) of the
// catalogue below, the field's offset and size as the binary's DWARF says
// (the offset of the member itself, whatever its type: atomicstatus is a
// uint32 before Go 1.20 and an atomic.Uint32 after), and the size of each
// type. A field the release does not have is recorded as absent. Per
// release it also records the runtime's own string tables
// (runtime.waitReasonStrings, runtime.gStatusStrings), read through the
// symbol table, for binaries whose symbols were stripped; they must be the
// same on every architecture of a release, or generation fails.
package main

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// The catalogue: the structures and fields with built-in tables, in the
// order the tables store them. Appending is fine; reordering changes
// nothing visible (names are looked up), but keeps diffs small if avoided.
var catalogue = []struct {
	typ      string
	optional bool // absent from some releases (renamed types)
	fields   []string
}{
	{"runtime.g", false, []string{"stack", "stackguard0", "_panic", "_defer", "m",
		"sched", "syscallsp", "syscallpc", "atomicstatus", "goid",
		"waitsince", "waitreason", "gopc", "startpc", "labels",
		"parentGoid", "waiting", "lockedm", "param"}},
	{"runtime.m", false, []string{"g0", "gsignal", "tls", "mstartfn", "curg", "p",
		"procid", "id", "alllink", "lockedg", "spinning", "blocked", "schedlink"}},
	{"runtime.p", false, []string{"id", "status", "m", "mcache", "runqhead",
		"runqtail", "runq", "runnext", "link", "schedtick", "syscalltick"}},
	{"runtime.gobuf", false, []string{"sp", "pc", "g", "ctxt", "lr", "bp", "ret"}},
	{"runtime.stack", false, []string{"lo", "hi"}},
	{"runtime.schedt", false, []string{"midle", "nmidle", "pidle", "npidle",
		"runq", "runqsize", "gcwaiting", "lastpoll", "goidgen", "mnext", "nmspinning"}},
	{"runtime.moduledata", false, []string{"pcHeader", "funcnametab", "cutab",
		"filetab", "pctab", "pclntable", "ftab", "findfunctab", "minpc",
		"maxpc", "text", "etext", "noptrdata", "enoptrdata", "data", "edata",
		"bss", "ebss", "noptrbss", "enoptrbss", "end", "gcdata", "gcbss",
		"types", "typedesclen", "etypes", "rodata", "gofunc", "epclntab",
		"textsectmap", "typelinks", "itablinks", "modulename", "next"}},
	// Type descriptors: runtime._type up to Go 1.20, internal/abi.Type
	// (with exported field names) from 1.21.
	{"runtime._type", true, []string{"size", "ptrdata", "hash", "tflag",
		"align", "fieldAlign", "kind", "equal", "gcdata", "str", "ptrToThis"}},
	{"internal/abi.Type", true, []string{"Size_", "PtrBytes", "Hash", "TFlag",
		"Align_", "FieldAlign_", "Kind_", "Equal", "GCData", "Str", "PtrToThis"}},
}

// Architectures, in table order, with the enum gort_arch spelling.
var archEnum = map[string]string{
	"amd64": "GORT_ARCH_AMD64", "arm64": "GORT_ARCH_ARM64", "386": "GORT_ARCH_386",
	"arm": "GORT_ARCH_ARM", "ppc64le": "GORT_ARCH_PPC64LE", "s390x": "GORT_ARCH_S390X",
	"riscv64": "GORT_ARCH_RISCV64",
	// No table is generated for these; their binaries' descriptors are
	// read (tests/layout/check-descriptors.sh).
	"mips64le": "GORT_ARCH_MIPS64LE", "loong64": "GORT_ARCH_LOONG64",
}

type slot struct {
	present      bool
	offset, size int64
}

type build struct {
	release string // "1.22"
	minor   int
	arch    string
	version string // runtime.buildVersion, for the provenance comment
	origin  string // where a binary built elsewhere came from (PATH.origin)
	sizes   []slot // per catalogue type
	fields  [][]slot
	waits   []string
	status  []string
	files   []string // sources read (source builds only)
	known   []bool   // descriptor builds: types the binary describes
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "layoutgen: "+format+"\n", args...)
	os.Exit(1)
}

// topEntries calls f on every entry at the top level of each compile unit
// of the DWARF (Go declares its types there).
func topEntries(d *dwarf.Data, f func(e *dwarf.Entry)) {
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			die("DWARF: %v", err)
		}
		if e == nil {
			return
		}
		if e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			f(e)
		}
	}
}

// structs indexes the named structure types of the DWARF.
func structs(d *dwarf.Data) map[string]*dwarf.StructType {
	out := map[string]*dwarf.StructType{}
	topEntries(d, func(e *dwarf.Entry) {
		name, _ := e.Val(dwarf.AttrName).(string)
		if e.Tag != dwarf.TagStructType || name == "" || out[name] != nil {
			return
		}
		t, err := d.Type(e.Offset)
		if err != nil {
			die("DWARF type %s: %v", name, err)
		}
		if st, ok := t.(*dwarf.StructType); ok {
			out[name] = st
		}
	})
	return out
}

// read returns n bytes at virtual address addr.
func read(f *elf.File, addr, n uint64) []byte {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+n <= p.Vaddr+p.Filesz {
			b := make([]byte, n)
			if _, err := p.ReadAt(b, int64(addr-p.Vaddr)); err != nil {
				die("read %#x: %v", addr, err)
			}
			return b
		}
	}
	die("address %#x+%d not in the file", addr, n)
	return nil
}

// strings reads the [...]string variable named sym.
func stringTable(f *elf.File, syms []elf.Symbol, sym string) []string {
	ptr := uint64(8)
	if f.Class == elf.ELFCLASS32 {
		ptr = 4
	}
	word := func(b []byte) uint64 {
		if ptr == 4 {
			return uint64(f.ByteOrder.Uint32(b))
		}
		return f.ByteOrder.Uint64(b)
	}
	for _, s := range syms {
		if s.Name != sym {
			continue
		}
		raw := read(f, s.Value, s.Size)
		var out []string
		for i := uint64(0); i+2*ptr <= s.Size; i += 2 * ptr {
			p, n := word(raw[i:]), word(raw[i+ptr:])
			if n == 0 {
				out = append(out, "")
				continue
			}
			out = append(out, string(read(f, p, n)))
		}
		return out
	}
	die("no symbol %s", sym)
	return nil
}

func buildVersion(f *elf.File, syms []elf.Symbol) string {
	for _, s := range syms {
		if s.Name == "runtime.buildVersion" {
			raw := read(f, s.Value, s.Size)
			if f.Class == elf.ELFCLASS32 {
				return string(read(f, uint64(f.ByteOrder.Uint32(raw)), uint64(f.ByteOrder.Uint32(raw[4:]))))
			}
			return string(read(f, f.ByteOrder.Uint64(raw), f.ByteOrder.Uint64(raw[8:])))
		}
	}
	die("no runtime.buildVersion")
	return ""
}

// load reads one build: go1.NN:GOARCH:PATH (a reference binary) or
// go1.NN:GOARCH:src:TAGS:DIR (runtime sources under DIR, a GOROOT/src,
// with the comma-separated build tags TAGS, or - for none) or
// go1.NN:GOARCH:desc:PATH (a binary's type descriptors, descriptors.go).
func load(spec string) *build {
	parts := strings.SplitN(spec, ":", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "go1.") {
		die("bad argument %q (want go1.NN:GOARCH:PATH or go1.NN:GOARCH:src:TAGS:DIR)", spec)
	}
	b := &build{release: strings.TrimPrefix(parts[0], "go"), arch: parts[1]}
	minor, err := strconv.Atoi(strings.TrimPrefix(parts[0], "go1."))
	if err != nil || archEnum[b.arch] == "" {
		die("bad argument %q", spec)
	}
	b.minor = minor
	if strings.HasPrefix(parts[2], "relayout:") {
		loadRelayout(b, strings.TrimPrefix(parts[2], "relayout:"))
		return b
	}
	if strings.HasPrefix(parts[2], "desc:") {
		loadDescriptors(b, strings.TrimPrefix(parts[2], "desc:"))
		return b
	}
	if src := strings.SplitN(parts[2], ":", 3); len(src) == 3 && src[0] == "src" {
		var tags []string
		if src[1] != "-" {
			tags = strings.Split(src[1], ",")
		}
		b.version = sourceVersion(src[2], parts[0])
		loadSource(b, src[2], tags)
		return b
	}
	f, err := elf.Open(parts[2])
	if err != nil {
		die("%s: %v", parts[2], err)
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		die("%s: DWARF: %v", parts[2], err)
	}
	syms, err := f.Symbols()
	if err != nil {
		die("%s: symbols: %v", parts[2], err)
	}
	b.version = buildVersion(f, syms)
	// A reference binary built elsewhere (scripts/layoutgen/npm-refs)
	// has its provenance written next to it by gen-layouts.sh.
	if o, err := os.ReadFile(parts[2] + ".origin"); err == nil {
		b.origin = strings.TrimSpace(string(o))
	}
	if !strings.HasPrefix(b.version, parts[0]+".") && b.version != parts[0] {
		die("%s was built by %s, not %s", parts[2], b.version, parts[0])
	}
	types := structs(d)
	for _, c := range catalogue {
		st := types[c.typ]
		row := make([]slot, len(c.fields))
		if st == nil {
			if !c.optional {
				die("%s: no type %s", parts[2], c.typ)
			}
			b.sizes = append(b.sizes, slot{})
			b.fields = append(b.fields, row)
			continue
		}
		b.sizes = append(b.sizes, slot{true, 0, st.ByteSize})
		for i, name := range c.fields {
			for _, m := range st.Field {
				if m.Name == name {
					row[i] = slot{true, m.ByteOffset, m.Type.Size()}
				}
			}
		}
		b.fields = append(b.fields, row)
	}
	b.waits = stringTable(f, syms, "runtime.waitReasonStrings")
	b.status = stringTable(f, syms, "runtime.gStatusStrings")
	return b
}

func cstring(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, "\\%03o", c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func ident(b *build) string {
	return "go1_" + strconv.Itoa(b.minor) + "_" + b.arch
}

// compare reports every difference between two builds' slots and string
// tables (the DWARF of a reference build against its release's sources).
func compare(a, b *build) bool {
	same := true
	diff := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "layoutgen: go%s/%s: "+format+"\n",
			append([]any{a.release, a.arch}, args...)...)
		same = false
	}
	for i, c := range catalogue {
		if a.known != nil && !a.known[i] || b.known != nil && !b.known[i] {
			continue // not described by a binary's type descriptors
		}
		if a.sizes[i] != b.sizes[i] {
			diff("%s.SIZE %v != %v", c.typ, a.sizes[i], b.sizes[i])
		}
		for j, f := range c.fields {
			if a.fields[i][j] != b.fields[i][j] {
				diff("%s.%s %v != %v", c.typ, f, a.fields[i][j], b.fields[i][j])
			}
		}
	}
	if a.known != nil || b.known != nil {
		return same // descriptors carry no string tables
	}
	if !equal(a.waits, b.waits) {
		diff("wait reasons %q != %q", a.waits, b.waits)
	}
	if !equal(a.status, b.status) {
		diff("status names %q != %q", a.status, b.status)
	}
	return same
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-compare" {
		a, b := load(os.Args[2]), load(os.Args[3])
		if a.release != b.release || a.arch != b.arch || !compare(a, b) {
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "-files" {
		for _, f := range load(os.Args[2]).files {
			fmt.Println(f)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "-print" {
		printSlots(load(os.Args[2]))
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "-excerpt" {
		excerptDir = os.Args[2]
		load(os.Args[3])
		return
	}
	if len(os.Args) < 3 {
		die("usage: layoutgen OUT.c SPEC...\n" +
			"       layoutgen -excerpt DIR go1.NN:GOARCH:src:TAGS:DIR\n" +
			"       layoutgen -print SPEC\n" +
			"       layoutgen -compare SPEC SPEC\n" +
			"       layoutgen -files go1.NN:GOARCH:src:TAGS:DIR")
	}
	var builds []*build
	for _, spec := range os.Args[2:] {
		builds = append(builds, load(spec))
	}
	sort.Slice(builds, func(i, j int) bool {
		if builds[i].minor != builds[j].minor {
			return builds[i].minor < builds[j].minor
		}
		return builds[i].arch < builds[j].arch
	})

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	p("/*\n * GENERATED by scripts/gen-layouts.sh: DO NOT EDIT.\n")
	p(" * Regenerate: scripts/gen-layouts.sh; check: scripts/gen-layouts.sh --check\n *\n")
	p(" * Runtime layouts read from the DWARF (and string tables from the\n")
	p(" * symbols) of reference builds, one per Go release and GOARCH: the\n")
	p(" * program scripts/layoutgen/ref built by these toolchains:\n")
	seen := map[string]bool{}
	for _, b := range builds {
		if b.origin == "" && !seen[b.version] {
			seen[b.version] = true
			p(" *   %s\n", b.version)
		}
	}
	first := true
	for _, b := range builds {
		if b.origin == "" {
			continue
		}
		if first {
			p(" * and, for releases with no toolchain here, release binaries built\n")
			p(" * elsewhere (scripts/layoutgen/npm-refs), read the same way:\n")
			first = false
		}
		p(" *   %s (%s): %s\n", ident(b), b.version,
			strings.ReplaceAll(b.origin, "\n", "\n *     "))
	}
	p(" */\n#include \"tables.h\"\n\n")

	p("const struct gort__layout_type gort__layout_catalogue[] = {\n")
	for _, c := range catalogue {
		p("\t{%s, %d, (const char *const[]){", cstring(c.typ), len(c.fields))
		for i, f := range c.fields {
			if i > 0 {
				p(", ")
			}
			p("%s", cstring(f))
		}
		p("}},\n")
	}
	p("};\nconst size_t gort__layout_catalogue_len = %d;\n\n", len(catalogue))

	// String tables per release, checked equal across architectures.
	releases := map[int]*build{}
	var order []int
	for _, b := range builds {
		r := releases[b.minor]
		if r == nil {
			releases[b.minor] = b
			order = append(order, b.minor)
			continue
		}
		if !equal(r.waits, b.waits) || !equal(r.status, b.status) {
			die("go1.%d: string tables differ between %s and %s", b.minor, r.arch, b.arch)
		}
	}
	for _, m := range order {
		b := releases[m]
		for _, t := range []struct {
			name string
			list []string
		}{{"waits", b.waits}, {"status", b.status}} {
			p("static const char *const go1_%d_%s[] = {\n", m, t.name)
			for _, s := range t.list {
				p("\t%s,\n", cstring(s))
			}
			p("};\n")
		}
	}
	p("\n")

	for _, b := range builds {
		p("static const struct gort__layout_slot %s[] = {\n", ident(b))
		for i, c := range catalogue {
			if b.sizes[i].present {
				p("\t/* %s */ {%d, %d},", c.typ, b.sizes[i].offset, b.sizes[i].size)
			} else {
				p("\t/* %s */ GORT__ABSENT,", c.typ)
			}
			for _, s := range b.fields[i] {
				if s.present {
					p(" {%d, %d},", s.offset, s.size)
				} else {
					p(" GORT__ABSENT,")
				}
			}
			p("\n")
		}
		p("};\n")
	}
	p("\nconst struct gort__layout_table gort__layout_tables[] = {\n")
	for _, b := range builds {
		p("\t{1, %d, %s, %s, go1_%d_waits, GORT_ARRAY_SIZE(go1_%d_waits),\n\t go1_%d_status, GORT_ARRAY_SIZE(go1_%d_status)},\n",
			b.minor, archEnum[b.arch], ident(b), b.minor, b.minor, b.minor, b.minor)
	}
	p("};\nconst size_t gort__layout_tables_len = %d;\n", len(builds))

	if err := os.WriteFile(os.Args[1], []byte(w.String()), 0o644); err != nil {
		die("%v", err)
	}
}
