package main

// Layouts computed from a release's runtime sources, for releases with no
// toolchain here (so no reference build and no DWARF): the source files of
// GOROOT/src are parsed, the declarations the catalogue needs (its types,
// everything their fields and array lengths refer to, and the string
// tables' variables) are gathered across packages, type-checked with
// go/types, and laid out with the gc compiler's rules (gcsizes.go). Only
// declarations are used, never function bodies, so a tree holding just the
// declarations suffices (layoutgen -excerpt writes the smallest one).
// The method is checked against DWARF: gen-layouts.sh --check-sources runs
// it on the releases that do have a toolchain and compares every slot.

import (
	"fmt"
	"go/ast"
	gobuild "go/build"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// decl is one package-level declaration: a type, constant or variable spec.
type decl struct {
	file *ast.File
	gen  *ast.GenDecl
	spec ast.Spec
}

type srcPkg struct {
	path    string
	files   []*ast.File
	names   map[*ast.File]string // file name, for error messages and -files
	decls   map[string]*decl
	keep    map[ast.Spec]bool // selected specs
	checked *types.Package
	info    *types.Info
}

// srcTree type-checks the needed declarations of one GOROOT/src for one
// GOOS=linux GOARCH and build tag set.
type srcTree struct {
	root  string
	ctx   gobuild.Context
	fset  *token.FileSet
	pkgs  map[string]*srcPkg
	sizes *gcSizes
	used  map[string]bool // files that contributed declarations
}

func newSrcTree(root, arch string, minor int, tags []string) *srcTree {
	ctx := gobuild.Default
	ctx.GOROOT, ctx.GOOS, ctx.GOARCH = filepath.Dir(root), "linux", arch
	ctx.CgoEnabled, ctx.Compiler = false, "gc"
	ctx.BuildTags, ctx.ToolTags = nil, tags
	ctx.ReleaseTags = nil
	for i := 1; i <= minor; i++ {
		ctx.ReleaseTags = append(ctx.ReleaseTags, fmt.Sprintf("go1.%d", i))
	}
	return &srcTree{root: root, ctx: ctx, fset: token.NewFileSet(),
		pkgs: map[string]*srcPkg{}, sizes: sizesFor(arch), used: map[string]bool{}}
}

// pkg parses the files of package path that build for the tree's target.
func (t *srcTree) pkg(path string) *srcPkg {
	if p := t.pkgs[path]; p != nil {
		return p
	}
	dir := filepath.Join(t.root, filepath.FromSlash(path))
	ents, err := os.ReadDir(dir)
	if err != nil {
		die("%s: %v", dir, err)
	}
	p := &srcPkg{path: path, names: map[*ast.File]string{}, decls: map[string]*decl{},
		keep: map[ast.Spec]bool{}}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := t.ctx.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(t.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			die("%v", err)
		}
		if f.Name.Name == "main" || strings.HasSuffix(f.Name.Name, "_test") {
			continue
		}
		p.files = append(p.files, f)
		p.names[f] = path + "/" + name
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok == token.IMPORT {
				continue
			}
			for _, s := range g.Specs {
				var ids []*ast.Ident
				switch s := s.(type) {
				case *ast.TypeSpec:
					ids = []*ast.Ident{s.Name}
				case *ast.ValueSpec:
					ids = s.Names
				}
				for _, id := range ids {
					if id.Name == "_" {
						continue
					}
					if old := p.decls[id.Name]; old != nil {
						die("%s: %s declared in %s and %s", path, id.Name,
							p.names[old.file], p.names[f])
					}
					p.decls[id.Name] = &decl{f, g, s}
				}
			}
		}
	}
	t.pkgs[path] = p
	return p
}

// imports maps a file's import names to package paths.
func imports(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, s := range f.Imports {
		path := strings.Trim(s.Path.Value, `"`)
		name := path[strings.LastIndex(path, "/")+1:]
		if s.Name != nil {
			name = s.Name.Name
		}
		out[name] = path
	}
	return out
}

// need selects the declaration of name in package path and, transitively,
// every declaration it refers to. It returns the names it could not find.
func (t *srcTree) need(path, name string) []string {
	type ref struct{ path, name string }
	var missing []string
	work := []ref{{path, name}}
	for len(work) > 0 {
		r := work[len(work)-1]
		work = work[:len(work)-1]
		p := t.pkg(r.path)
		d := p.decls[r.name]
		if d == nil {
			if r.path == path && r.name == name {
				return []string{r.path + "." + r.name}
			}
			if types.Universe.Lookup(r.name) == nil {
				missing = append(missing, r.path+"."+r.name)
			}
			continue
		}
		if p.keep[d.spec] {
			continue
		}
		specs := []ast.Spec{d.spec}
		if d.gen.Tok == token.CONST {
			// A constant group is kept whole: iota and omitted
			// expressions depend on the position in the group.
			specs = d.gen.Specs
		}
		t.used[p.names[d.file]] = true
		imp := imports(d.file)
		for _, s := range specs {
			p.keep[s] = true
			local := map[string]bool{} // type parameters
			if ts, ok := s.(*ast.TypeSpec); ok && ts.TypeParams != nil {
				for _, f := range ts.TypeParams.List {
					for _, n := range f.Names {
						local[n.Name] = true
					}
				}
			}
			var walk func(n ast.Node)
			walk = func(n ast.Node) {
				ast.Inspect(n, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.TypeSpec:
						if n.TypeParams != nil {
							walk(n.TypeParams)
						}
						walk(n.Type)
						return false
					case *ast.ValueSpec:
						if n.Type != nil {
							walk(n.Type)
						}
						for _, v := range n.Values {
							walk(v)
						}
						return false
					case *ast.Field: // names are fields, methods, parameters
						walk(n.Type)
						return false
					case *ast.SelectorExpr:
						if id, ok := n.X.(*ast.Ident); ok && p.decls[id.Name] == nil {
							if ip, ok := imp[id.Name]; ok {
								if ip != "unsafe" {
									work = append(work, ref{ip, n.Sel.Name})
								}
								return false
							}
						}
						walk(n.X) // n.Sel is a field or method
						return false
					case *ast.Ident:
						if !local[n.Name] && n.Name != "_" {
							work = append(work, ref{r.path, n.Name})
						}
					}
					return true
				})
			}
			walk(s)
		}
	}
	return missing
}

// Import type-checks a package's selected declarations (types.Importer).
func (t *srcTree) Import(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	p := t.pkgs[path]
	if p == nil || len(p.keep) == 0 {
		// Imported by a file for declarations that are not needed.
		empty := types.NewPackage(path, path[strings.LastIndex(path, "/")+1:])
		empty.MarkComplete()
		return empty, nil
	}
	if p.checked != nil {
		return p.checked, nil
	}
	var files []*ast.File
	for _, f := range p.files {
		if !t.used[p.names[f]] {
			continue
		}
		nf := &ast.File{Name: f.Name, Imports: f.Imports}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			if g.Tok == token.IMPORT {
				nf.Decls = append(nf.Decls, g)
				continue
			}
			ng := *g
			ng.Specs = nil
			for _, s := range g.Specs {
				if p.keep[s] {
					ng.Specs = append(ng.Specs, s)
				}
			}
			if len(ng.Specs) > 0 {
				nf.Decls = append(nf.Decls, &ng)
			}
		}
		files = append(files, nf)
	}
	var errs []string
	conf := types.Config{Importer: t, Sizes: t.sizes, Error: func(err error) {
		if te, ok := err.(types.Error); !ok || !te.Soft {
			errs = append(errs, err.Error())
		}
	}}
	p.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	pkg, _ := conf.Check(path, t.fset, files, p.info)
	if len(errs) > 0 {
		die("type-checking %s: %s", path, strings.Join(errs, "; "))
	}
	p.checked = pkg
	return pkg, nil
}

// stringTable evaluates the [...]string variable runtime.NAME.
func (t *srcTree) stringTable(name string) []string {
	p := t.pkgs["runtime"]
	obj := p.checked.Scope().Lookup(name)
	arr, ok := obj.Type().(*types.Array)
	if !ok {
		die("runtime.%s is not an array", name)
	}
	out := make([]string, arr.Len())
	spec := p.decls[name].spec.(*ast.ValueSpec)
	lit, ok := spec.Values[0].(*ast.CompositeLit)
	if !ok || len(spec.Values) != 1 {
		die("runtime.%s: not a composite literal", name)
	}
	next := int64(0)
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			k, _ := constant.Int64Val(p.info.Types[kv.Key].Value)
			next, e = k, kv.Value
		}
		v := p.info.Types[e].Value
		if v == nil || v.Kind() != constant.String {
			die("runtime.%s[%d]: not a constant string", name, next)
		}
		out[next] = constant.StringVal(v)
		next++
	}
	return out
}

// loadSource computes a build's slots and string tables from the runtime
// sources under root (a GOROOT/src).
func loadSource(b *build, root string, tags []string) {
	t := newSrcTree(root, b.arch, b.minor, tags)
	if t.sizes == nil {
		die("no layout rules for GOARCH %s", b.arch)
	}
	split := func(typ string) (string, string) {
		i := strings.LastIndex(typ, ".")
		return typ[:i], typ[i+1:]
	}
	present := make([]bool, len(catalogue))
	var missing []string
	for i, c := range catalogue {
		path, name := split(c.typ)
		if _, err := os.Stat(filepath.Join(root, path)); err != nil && c.optional {
			continue
		}
		if d := t.pkg(path).decls[name]; d == nil || d.spec.(*ast.TypeSpec).Assign != 0 {
			// An alias (runtime._type = abi.Type from Go 1.21) is
			// not a type of its own: DWARF has no entry for it.
			if !c.optional {
				die("%s: no type %s", root, c.typ)
			}
			continue
		}
		present[i] = true
		missing = append(missing, t.need(path, name)...)
	}
	for _, v := range []string{"waitReasonStrings", "gStatusStrings"} {
		missing = append(missing, t.need("runtime", v)...)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		die("%s (%s): declarations not found: %s", root, b.arch, strings.Join(missing, " "))
	}
	for path := range t.pkgs {
		t.Import(path)
	}
	for i, c := range catalogue {
		row := make([]slot, len(c.fields))
		if !present[i] {
			b.sizes = append(b.sizes, slot{})
			b.fields = append(b.fields, row)
			continue
		}
		path, name := split(c.typ)
		typ := t.pkgs[path].checked.Scope().Lookup(name).Type()
		st, ok := typ.Underlying().(*types.Struct)
		if !ok {
			die("%s is not a struct", c.typ)
		}
		b.sizes = append(b.sizes, slot{true, 0, t.sizes.Sizeof(typ)})
		vars := make([]*types.Var, st.NumFields())
		for j := range vars {
			vars[j] = st.Field(j)
		}
		offs := t.sizes.Offsetsof(vars)
		for j, f := range c.fields {
			for k, v := range vars {
				if v.Name() == f {
					row[j] = slot{true, offs[k], t.sizes.Sizeof(v.Type())}
				}
			}
		}
		b.fields = append(b.fields, row)
	}
	if excerptDir != "" {
		t.excerpt(excerptDir)
	}
	b.waits = t.stringTable("waitReasonStrings")
	b.status = t.stringTable("gStatusStrings")
	for f := range t.used {
		b.files = append(b.files, f)
	}
	sort.Strings(b.files)
}

// sourceVersion names the release of the sources under root (a GOROOT/src)
// for the provenance comment: GOROOT/VERSION's first line when present,
// else the release asked for.
func sourceVersion(root, release string) string {
	v := release
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(root), "VERSION")); err == nil {
		v = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	if !strings.HasPrefix(v, release) {
		die("%s holds %s, not %s", root, v, release)
	}
	return v + " (runtime sources)"
}

// excerptDir, when set (layoutgen -excerpt), receives the declarations a
// source build read.
var excerptDir string

// excerpt writes, under dir, every file that contributed declarations,
// reduced to its build constraints, package clause, imports and the
// declaration groups that were used: the smallest tree from which the
// same layouts are computed (what a tree for a release with no toolchain
// must hold).
func (t *srcTree) excerpt(dir string) {
	for _, p := range t.pkgs {
		for _, f := range p.files {
			name := p.names[f]
			if !t.used[name] {
				continue
			}
			src, err := os.ReadFile(t.fset.File(f.Pos()).Name())
			if err != nil {
				die("%v", err)
			}
			tf := t.fset.File(f.Pos())
			var sb strings.Builder
			// Build constraints and package clause.
			sb.Write(src[:tf.Offset(f.Name.End())])
			sb.WriteString("\n")
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				keep := g.Tok == token.IMPORT
				for _, s := range g.Specs {
					keep = keep || p.keep[s]
				}
				if keep {
					sb.WriteString("\n")
					sb.Write(src[tf.Offset(g.Pos()):tf.Offset(g.End())])
					sb.WriteString("\n")
				}
			}
			out := filepath.Join(dir, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(out), 0o755)
			if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
				die("%v", err)
			}
		}
	}
}
