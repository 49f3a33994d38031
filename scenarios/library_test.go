package scenarios

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLibrary loads every built-in scenario: each must be valid, have a
// description, and build a topology.
func TestLibrary(t *testing.T) {
	lib := Library()
	if len(lib) == 0 {
		t.Fatal("empty library")
	}
	if !slices.IsSortedFunc(lib, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Library() is not sorted by name")
	}
	var names []string
	for _, e := range lib {
		names = append(names, e.Name)
		sc, err := Load(e.Name)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if e.Description == "" || sc.Description == "" {
			t.Errorf("%s: no description", e.Name)
		}
		if strings.Contains(sc.Description, "\n") {
			t.Errorf("%s: description is not one line", e.Name)
		}
		if sc.Source != "builtin:"+e.Name {
			t.Errorf("%s: Source = %q", e.Name, sc.Source)
		}
		topo := sc.Topology()
		if len(topo.Workloads) == 0 || len(topo.Services) == 0 {
			t.Errorf("%s: empty topology", e.Name)
		}
	}
	if !slices.Contains(names, Default) {
		t.Errorf("default scenario %q is not in the library %v", Default, names)
	}
}

func TestBuiltin(t *testing.T) {
	if _, ok := Builtin(Default); !ok {
		t.Error("no default built-in")
	}
	for _, bad := range []string{"", "../shop", "shop.yaml", "library/shop", "nope"} {
		if _, ok := Builtin(bad); ok {
			t.Errorf("Builtin(%q) found something", bad)
		}
	}
}

func TestLoadUnknown(t *testing.T) {
	_, err := Load("shp")
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, `did you mean "shop"?`) || !strings.Contains(msg, "built-ins: ") {
		t.Errorf("unhelpful error: %s", msg)
	}
	if _, err := Load("no/such/file.yaml"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if sc, err := Load("builtin:" + Default); err != nil || sc.Name != Default {
		t.Errorf("builtin: prefix: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	path := t.TempDir() + "/tiny.yml"
	if err := writeFile(path, "workloads: {w: {to: s, rate: 1/s, requests: 3}}\nservices: {s: {service_time: 1ms}}\n"); err != nil {
		t.Fatal(err)
	}
	sc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "tiny" || sc.Source != path || sc.Duration != 0 || sc.Seed != 1 {
		t.Errorf("got %+v", sc)
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
