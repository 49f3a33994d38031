package scenarios

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	// A test-only dependency: validating a YAML file against a JSON Schema
	// needs a real validator to mean anything, and this one passes the
	// official JSON-Schema-Test-Suite for draft 2020-12, is pure Go with no
	// dependencies of its own, and is actively maintained.
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const schemaFile = "scenario.schema.json"

// TestSchemaFile keeps the shipped schema equal to what the generator makes
// from the loader's tables; go test -update rewrites it.
func TestSchemaFile(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v (run go test ./scenarios/ -run TestSchemaFile -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the loader's field tables; run go test ./scenarios/ -run TestSchemaFile -update and review the diff", schemaFile)
	}
}

// TestSchemaMatchesLoader reads the loader's source: every map it reads
// with a fixed set of keys (each l.mapping call with allowed keys) must be a
// block of the schema with exactly those keys. A new settings block, or a
// key added to an inline list, fails here until the schema describes it.
func TestSchemaMatchesLoader(t *testing.T) {
	named := map[string][]string{
		"topKeys": topKeys, "workloadKeys": workloadKeys, "serviceKeys": serviceKeys, "stepKeys": stepKeys,
		"armKeys": armKeys, "retryKeys": retryKeys, "budgetKeys": budgetKeys, "breakerKeys": breakerKeys,
		"limiterKeys": limiterKeys, "shedKeys": shedKeys, "outlierKeys": outlierKeys, "cacheKeys": cacheKeys,
		"databaseKeys": databaseKeys, "queueKeys": queueKeys, "consumerKeys": consumerKeys, "linkKeys": linkKeys,
		"sloKeys": sloKeys, "ruleKeys": ruleKeys, "autoscaleKeys": autoscaleKeys, "historyKeys": historyKeys,
		"lessonKeys": lessonKeys, "zoneKeys": zoneKeys, "lessonStepKeys": lessonStepKeys, "lessonRateKeys": lessonRateKeys,
		"allowed": append(verbNames(), faultKeys...), // decodeFaults: the verbs and faultKeys
	}
	blocks := map[string]string{}
	for _, b := range schemaBlocks() {
		k := append([]string(nil), b.keys...)
		slices.Sort(k)
		blocks[strings.Join(k, ",")] = b.name
	}
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	calls := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 4 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "mapping" {
				return true
			}
			var keys []string
			switch a := call.Args[3].(type) {
			case *ast.Ident:
				if a.Name == "nil" {
					return true // a map of names: any key
				}
				v, ok := named[a.Name]
				if !ok {
					t.Errorf("%s: mapping with key table %s, which this test does not know: add it here and to schemaBlocks", fset.Position(a.Pos()), a.Name)
					return true
				}
				keys = v
			case *ast.CompositeLit:
				for _, e := range a.Elts {
					lit, ok := e.(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: key list with a non-literal entry", fset.Position(e.Pos()))
						return true
					}
					s, _ := strconv.Unquote(lit.Value)
					keys = append(keys, s)
				}
			default:
				t.Errorf("%s: mapping with a key list this test cannot read", fset.Position(a.Pos()))
				return true
			}
			calls++
			k := append([]string(nil), keys...)
			slices.Sort(k)
			if _, ok := blocks[strings.Join(k, ",")]; !ok {
				t.Errorf("%s: the loader reads a map with keys %v, which no schema block has (schemaBlocks in schema.go)", fset.Position(call.Pos()), keys)
			}
			return true
		})
	}
	if calls < len(schemaBlocks()) {
		t.Errorf("found %d mapping calls with fixed keys, fewer than the %d schema blocks: a block the loader no longer reads?", calls, len(schemaBlocks()))
	}
}

// checkFragment validates each top-level section of a docs fragment that
// the loader accepts on its own terms against that section's schema, and
// returns how many it checked. Fragments with keys that are not sections
// (a single service, a step) are skipped: they need context to mean anything.
func checkFragment(t *testing.T, c *jsonschema.Compiler, name, text string) int {
	t.Helper()
	var m map[string]any
	if yaml.Unmarshal([]byte(text), &m) != nil || len(m) == 0 {
		return 0
	}
	for k := range m {
		if !contains(topKeys, k) {
			return 0
		}
	}
	// Sections that refer to names defined elsewhere load with problems,
	// so the loader's verdict on the whole fragment cannot be used; the
	// schema is checked not to reject what the docs show.
	checked := 0
	for k, v := range m {
		s, err := c.Compile("scenario.schema.json#/$defs/top/properties/" + k)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(v)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(doc); err != nil {
			t.Errorf("%s: section %s of this docs example fails the schema:\n%v", name, k, err)
		}
		checked++
	}
	return checked
}

func newCompiler(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	data, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	return c
}

// compileSchema compiles the generated schema with a real validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := newCompiler(t).Compile("scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlToJSON turns YAML into the value a language server checks: the same
// tree, as JSON would carry it.
func yamlToJSON(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(j))
}

// TestSchemaValidatesExamples checks every built-in, every complete
// scenario in the docs and the README, and the valid testdata files
// against the schema: an editor must never underline a file the loader
// accepts.
func TestSchemaValidatesExamples(t *testing.T) {
	s := compileSchema(t)
	type example struct{ name, yaml string }
	var examples []example
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		examples = append(examples, example{"builtin:" + e.Name, string(data)})
	}
	// cascade init's starter, with its placeholder filled as init does.
	starter, err := os.ReadFile("../cmd/cascade/initdata/starter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	examples = append(examples, example{"cascade init", strings.Replace(string(starter), "{{NAME}}", "starter", 1)})
	docs, _ := filepath.Glob("../docs/*.md")
	docs = append(docs, "../README.md")
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	fromDocs, fragments := 0, 0
	c := newCompiler(t)
	for _, d := range docs {
		data, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllStringSubmatch(string(data), -1) {
			if _, err := Parse("x.yaml", []byte(m[1])); err != nil {
				// A fragment: its top-level sections are checked on their own.
				fragments += checkFragment(t, c, filepath.Base(d)+"#"+strconv.Itoa(i+1), m[1])
				continue
			}
			fromDocs++
			examples = append(examples, example{filepath.Base(d) + "#" + strconv.Itoa(i+1), m[1]})
		}
	}
	for _, ex := range examples {
		v, err := yamlToJSON([]byte(ex.yaml))
		if err != nil {
			t.Errorf("%s: %v", ex.name, err)
			continue
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s: the loader accepts it but the schema does not:\n%v", ex.name, err)
		}
	}
	if fragments < 8 {
		t.Errorf("checked only %d doc fragments' sections; is the yaml block pattern still right?", fragments)
	}
	t.Logf("validated %d built-ins and complete doc examples (%d from docs) and %d sections of doc fragments", len(examples), fromDocs, fragments)
}

// TestSchemaRejects checks the schema does catch what an editor should
// flag: a misspelt key, a wrong enum value, a missing section.
func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	base := "workloads:\n  w: {to: api, rate: 10/s}\nservices:\n  api: {service_time: 5ms}\n"
	for _, tc := range []struct{ name, yaml string }{
		{"misspelt top key", "duratoin: 1m\n" + base},
		{"misspelt service key", "workloads:\n  w: {to: api, rate: 10/s}\nservices:\n  api: {servce_time: 5ms}\n"},
		{"bad enum", "workloads:\n  w: {to: api, rate: 10/s, arrivals: poison}\nservices:\n  api: {service_time: 5ms}\n"},
		{"missing services", "workloads:\n  w: {to: api, rate: 10/s}\n"},
		{"misspelt retry key", "workloads:\n  w: {to: api, rate: 10/s, retry: {atempts: 3}}\nservices:\n  api: {service_time: 5ms}\n"},
	} {
		v, err := yamlToJSON([]byte(tc.yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: the schema accepts\n%s", tc.name, tc.yaml)
		}
	}
}

// TestSchemaBounds: with a range hook set, numeric fields carry its bounds
// (open ones as exclusive), looked up in the block and then in the blocks
// it inherits keys from; string-typed fields (durations) get none.
func TestSchemaBounds(t *testing.T) {
	saved := SchemaBounds
	defer func() { SchemaBounds = saved }()
	SchemaBounds = func(block, key string) (Bounds, bool) {
		switch block + "." + key {
		case "service.instances":
			return Bounds{Min: 1, Max: 1 << 31}, true
		case "slo.objective":
			return Bounds{Min: 0, Max: 1, MinOpen: true, MaxOpen: true}, true
		case "retry.attempts":
			return Bounds{Min: 2, Max: 100}, true
		case "top.duration":
			return Bounds{Min: 0, MinOpen: true, Max: math.Inf(1)}, true
		}
		return Bounds{}, false
	}
	data, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs map[string]struct {
			Properties map[string]map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		block, key, bound string
		want              any
	}{
		{"service", "instances", "minimum", 1.0},
		{"service", "instances", "maximum", float64(1 << 31)},
		{"slo", "objective", "exclusiveMinimum", 0.0},
		{"slo", "objective", "exclusiveMaximum", 1.0},
		{"retry", "attempts", "minimum", 2.0},
		{"top", "duration", "exclusiveMinimum", nil}, // a duration is a string
	} {
		got := s.Defs[tc.block].Properties[tc.key][tc.bound]
		if got != tc.want {
			t.Errorf("%s.%s %s = %v, want %v", tc.block, tc.key, tc.bound, got, tc.want)
		}
	}
}
