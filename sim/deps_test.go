package sim

// This test guards the module's shape, the way go/build/deps_test.go guards
// the standard library's: imports point down (cmd -> {tui, report,
// scenarios} -> models -> sim), and the simulation core — sim/ and models/ —
// stays deterministic: no goroutines, no select, no wall clock, no global
// randomness and no package-level variables. It reads the source, so it
// fails the moment someone writes the forbidden thing, whether or not a run
// would notice.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "cascade"

// layer of each top-level directory: a package may import packages of a
// lower layer, or of its own top-level directory. tui and report may also
// read scenarios (result and scenario types), as the architecture allows.
var layers = map[string]int{"sim": 0, "models": 1, "scenarios": 2, "report": 2, "tui": 2, "cmd": 3}

var sideways = map[[2]string]bool{{"report", "scenarios"}: true, {"tui", "scenarios"}: true}

type goFile struct {
	path string // relative to the module root, slash-separated
	top  string // top-level directory
	file *ast.File
	fset *token.FileSet
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s", root)
	}
	var files []goFile
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, goFile{path: rel, top: strings.SplitN(rel, "/", 2)[0], file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files
}

func TestImportsPointDown(t *testing.T) {
	files := moduleFiles(t)
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	for _, p := range importProblems(files) {
		t.Error(p)
	}
}

func TestSimulationCoreIsDeterministic(t *testing.T) {
	for _, p := range coreProblems(moduleFiles(t)) {
		t.Error(p)
	}
}

// TestRulesCatchViolations feeds the checks code that breaks every rule, so
// the two tests above cannot pass by checking nothing.
func TestRulesCatchViolations(t *testing.T) {
	src := map[string]string{
		"sim/bad.go": `package sim
import (
	"time"
	r "math/rand/v2"
	"cascade/models"
)
var counter int
func f() {
	go f()
	select {}
	_ = time.Now()
	_ = r.IntN(3)
	_ = models.X
}`,
		"models/bad.go": `package models
import "math/rand"
var _ = rand.Int`,
		"report/bad.go": `package report
import "cascade/cmd/cascade"`,
	}
	var files []goFile
	for _, path := range []string{"models/bad.go", "report/bad.go", "sim/bad.go"} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src[path], 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, goFile{path: path, top: strings.SplitN(path, "/", 2)[0], file: f, fset: fset})
	}
	got := strings.Join(append(importProblems(files), coreProblems(files)...), "\n")
	for _, want := range []string{
		"sim/bad.go imports cascade/models", "report/bad.go imports cascade/cmd/cascade",
		"package-level variable counter", "go statement", "select statement", "time.Now", "r.IntN",
		"models/bad.go imports math/rand",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violation not caught: %q\ngot:\n%s", want, got)
		}
	}
}

func importProblems(files []goFile) []string {
	var out []string
	for _, f := range files {
		from, ok := layers[f.top]
		if !ok {
			out = append(out, fmt.Sprintf("%s: top-level directory %q is not one of cmd, sim, models, scenarios, tui, report", f.path, f.top))
			continue
		}
		for _, imp := range f.file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path != module && !strings.HasPrefix(path, module+"/") {
				continue
			}
			top := strings.SplitN(strings.TrimPrefix(path, module+"/"), "/", 2)[0]
			to, ok := layers[top]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s imports %s, outside the known layers", f.path, path))
			case top == f.top, to < from, sideways[[2]string{f.top, top}]:
			default:
				out = append(out, fmt.Sprintf("%s imports %s: imports must point down (cmd -> {tui, report, scenarios} -> models -> sim)", f.path, path))
			}
		}
	}
	return out
}

// forbiddenCalls are package functions that read the wall clock or the
// process-wide random source.
var forbiddenCalls = map[string]map[string]bool{
	"time": {"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "AfterFunc": true,
		"Tick": true, "NewTimer": true, "NewTicker": true},
	"math/rand/v2": {"Int": true, "IntN": true, "Int32": true, "Int32N": true, "Int64": true, "Int64N": true,
		"Uint32": true, "Uint32N": true, "Uint64": true, "Uint64N": true, "UintN": true, "N": true,
		"Float32": true, "Float64": true, "ExpFloat64": true, "NormFloat64": true, "Perm": true, "Shuffle": true},
}

func coreProblems(files []goFile) []string {
	var out []string
	errorf := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, f := range files {
		if f.top != "sim" && f.top != "models" {
			continue
		}
		names := map[string]string{} // local import name -> path
		for _, imp := range f.file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch path {
			case "math/rand", "crypto/rand", "unsafe":
				errorf("%s imports %s", f.path, path)
			}
			name := path[strings.LastIndex(path, "/")+1:]
			if path == "math/rand/v2" {
				name = "rand"
			}
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = path
		}
		for _, decl := range f.file.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					for _, n := range spec.(*ast.ValueSpec).Names {
						if n.Name != "_" {
							errorf("%s: package-level variable %s: keep state in values, so two engines never share it", f.fset.Position(n.Pos()), n.Name)
						}
					}
				}
			}
		}
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				errorf("%s: go statement in the simulation core", f.fset.Position(n.Pos()))
			case *ast.SelectStmt:
				errorf("%s: select statement in the simulation core", f.fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if bad := forbiddenCalls[names[id.Name]]; bad[n.Sel.Name] {
						errorf("%s: %s.%s reads the wall clock or global randomness", f.fset.Position(n.Pos()), id.Name, n.Sel.Name)
					}
				}
			}
			return true
		})
	}
	return out
}
