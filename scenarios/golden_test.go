package scenarios

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/broken/*.golden from the current output")

// TestBrokenGolden loads every file of the broken corpus and compares the
// sorted problems with its golden file. Rewrite goldens with -update, then
// read every line: file:line:col must point where a human would look.
func TestBrokenGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken corpus: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Parse(name, data)
			if err == nil {
				t.Fatalf("loaded without problems: %+v", sc)
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is %T, not Problems: %v", err, err)
			}
			for _, p := range ps {
				if p.Line < 1 || p.Col < 1 || p.File != name || p.Msg == "" {
					t.Errorf("bad problem %+v", p)
				}
				if strings.Contains(p.String(), "\n") {
					t.Errorf("problem spans lines: %q", p.String())
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(path, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestBrokenDeterministic loads each broken file repeatedly: map iteration
// and graph search order must never leak into the output.
func TestBrokenDeterministic(t *testing.T) {
	files, _ := filepath.Glob("testdata/broken/*.yaml")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, first := Parse(path, data)
		for range 20 {
			if _, err := Parse(path, data); err.Error() != first.Error() {
				t.Fatalf("%s: output differs between loads:\n%v\n---\n%v", path, first, err)
			}
		}
	}
}
