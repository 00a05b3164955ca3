package main

import "go/types"

// gcSizes lays out types as the gc compiler does, for the layouts computed
// from runtime sources (source.go). go/types' own gc sizes are close but
// recognise the align64 marker only in the package paths of the toolchain
// that runs this program, not in runtime/internal/atomic (Go 1.19-1.22),
// and pad a trailing zero-size field on a slightly different condition.
// Mirrors cmd/compile/internal/types/size.go (CalcSize, CalcStructSize,
// calcStructOffset) and go/types/gcsizes.go.
type gcSizes struct {
	word     int64 // pointer size
	maxAlign int64 // largest alignment of a basic type (RegSize)
}

// sizesFor returns the layout rules of GOARCH, as cmd/compile's
// per-architecture PtrSize and RegSize set them.
func sizesFor(arch string) *gcSizes {
	switch arch {
	case "386", "arm":
		return &gcSizes{4, 4}
	case "amd64", "arm64", "ppc64le", "s390x", "riscv64":
		return &gcSizes{8, 8}
	}
	return nil
}

// isAlign64 reports whether t is the align64 marker of the atomic packages
// (cmd/compile isAtomicStdPkg): an empty struct whose presence makes the
// enclosing struct 8-byte aligned, also on 32-bit targets.
func isAlign64(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Name() != "align64" || n.Obj().Pkg() == nil {
		return false
	}
	switch n.Obj().Pkg().Path() {
	case "sync/atomic", "runtime/internal/atomic", "internal/runtime/atomic":
		return true
	}
	return false
}

func roundUp(x, a int64) int64 { return (x + a - 1) / a * a }

func (s *gcSizes) Alignof(t types.Type) int64 {
	if isAlign64(t) {
		return 8
	}
	switch u := t.Underlying().(type) {
	case *types.Array:
		return s.Alignof(u.Elem())
	case *types.Struct:
		max := int64(1)
		for i := 0; i < u.NumFields(); i++ {
			if a := s.Alignof(u.Field(i).Type()); a > max {
				max = a
			}
		}
		return max
	case *types.Slice, *types.Interface:
		return s.word
	case *types.Basic:
		if u.Info()&types.IsString != 0 {
			return s.word
		}
		a := s.Sizeof(t)
		if a < 1 {
			return 1
		}
		if u.Info()&types.IsComplex != 0 {
			a /= 2
		}
		if a > s.maxAlign {
			return s.maxAlign
		}
		return a
	}
	return s.word // pointers, maps, channels, functions
}

func (s *gcSizes) Offsetsof(fields []*types.Var) []int64 {
	out := make([]int64, len(fields))
	var off int64
	for i, f := range fields {
		off = roundUp(off, s.Alignof(f.Type()))
		out[i] = off
		off += s.Sizeof(f.Type())
	}
	return out
}

func (s *gcSizes) Sizeof(t types.Type) int64 {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch u.Kind() {
		case types.Bool, types.Int8, types.Uint8:
			return 1
		case types.Int16, types.Uint16:
			return 2
		case types.Int32, types.Uint32, types.Float32:
			return 4
		case types.Int64, types.Uint64, types.Float64, types.Complex64:
			return 8
		case types.Complex128:
			return 16
		case types.String:
			return 2 * s.word
		}
		return s.word // int, uint, uintptr, unsafe.Pointer
	case *types.Array:
		return u.Len() * s.Sizeof(u.Elem())
	case *types.Slice:
		return 3 * s.word
	case *types.Interface:
		return 2 * s.word
	case *types.Struct:
		n := u.NumFields()
		if n == 0 {
			return 0
		}
		fields := make([]*types.Var, n)
		for i := range fields {
			fields[i] = u.Field(i)
		}
		size := s.Offsetsof(fields)[n-1] + s.Sizeof(fields[n-1].Type())
		// A non-zero-size struct ending in a zero-size field gets a byte
		// so that the field's address stays inside it (Go issue 9401).
		if size > 0 && s.Sizeof(fields[n-1].Type()) == 0 {
			size++
		}
		return roundUp(size, s.Alignof(t))
	}
	return s.word
}
