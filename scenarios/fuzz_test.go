package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
