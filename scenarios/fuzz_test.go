package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cascade/models"
)

// FuzzLoad feeds arbitrary bytes to the loader, seeded with the library and
// the broken corpus: it must never panic, and must return either a scenario
// or Problems with usable positions.
func FuzzLoad(f *testing.F) {
	for _, e := range Library() {
		data, _ := Builtin(e.Name)
		f.Add(data)
	}
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err == nil {
			if sc == nil {
				t.Fatal("nil scenario and nil error")
			}
			topo := sc.Topology()
			for _, w := range topo.Workloads {
				if w.RateFunc != nil {
					w.RateFunc(1)
				}
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error is not Problems: %T %v", err, err)
		}
		for _, p := range ps {
			if p.Line < 1 || p.Col < 1 {
				t.Fatalf("bad position: %+v", p)
			}
		}
	})
}

// FuzzExpect compiles arbitrary expectation text against a fixed set of
// names: it must never panic, every problem must point inside the text, and
// whatever compiles must evaluate on a result without panicking.
func FuzzExpect(f *testing.F) {
	for _, s := range []string{
		`p99("browse") < 250ms`, `p99("api", from: 8m, to=9m) < 1s`, `slo("avail").budget_remaining > 0.5`,
		`recovered("browse", within=2m, tolerance: 5%)`, `availability("api") >= 99.9% || errors("api") == 0`,
		`!recovered("api", within: "1m")`, `f(a, b: 3`, `"x: 5%" == "y"`, `5 % 3 == 2`, `p99("api") ? 1 : 2`,
	} {
		f.Add(s)
	}
	names := knownNames{workloads: []string{"browse"}, services: []string{"api"}, slos: []string{"avail"}}
	f.Fuzz(func(t *testing.T, src string) {
		e, probs := compileCheck(src, names)
		for _, p := range probs {
			if p.Offset < 0 || p.Offset > len(src) {
				t.Fatalf("offset %d outside %q", p.Offset, src)
			}
		}
		if e != nil {
			sc := &Scenario{Expect: []Expectation{*e}}
			sc.Evaluate([]models.Result{fakeResult()})
		}
		if c, probs := compileCondition(src, names); c == nil && len(probs) == 0 {
			t.Fatal("no condition and no problem")
		}
	})
}
