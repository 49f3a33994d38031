package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cascade/scenarios"
)

// `cascade run` with no arguments runs the default scenario and reports on
// every workload and service in it.
func TestRunDefault(t *testing.T) {
	r := cascade(t, "", "run")
	wantCode(t, r, exitOK)
	noCrash(t, r)
	s, err := scenarios.Load(scenarios.Default)
	if err != nil {
		t.Fatal(err)
	}
	top := s.Topology()
	var names []string
	for _, w := range top.Workloads {
		names = append(names, w.Name)
	}
	for _, svc := range top.Services {
		names = append(names, svc.Name)
	}
	for _, name := range append(names, "scenario   "+scenarios.Default, "WORKLOAD", "SERVICE") {
		if !strings.Contains(r.stdout, "\n"+name) && !strings.HasPrefix(r.stdout, name) {
			t.Errorf("summary has no line starting with %q:\n%s", name, r.stdout)
		}
	}
}

// jsonDoc is the part of the JSON result the tests look at.
type jsonDoc struct {
	Schema      string  `json:"schema"`
	Version     string  `json:"version"`
	Scenario    string  `json:"scenario"`
	Seed        uint64  `json:"seed"`
	Duration    float64 `json:"duration"`
	Interrupted bool    `json:"interrupted"`
	Events      uint64  `json:"events"`
	Workloads   []struct {
		Name   string `json:"name"`
		Counts struct {
			Arrivals int64 `json:"arrivals"`
		} `json:"counts"`
	} `json:"workloads"`
	Services []struct {
		Name string `json:"name"`
	} `json:"services"`
}

func readJSON(t *testing.T, path string) (jsonDoc, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc jsonDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s is not valid JSON: %v\n%s", path, err, data)
	}
	return doc, data
}

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	r := cascade(t, dir, "run", scenarios.Default, "--seed", "7", "--duration", "40s", "--json", "out.json") // past the 30 s warm-up: shop's expectations need data
	wantCode(t, r, exitOK)
	doc, data := readJSON(t, filepath.Join(dir, "out.json"))
	if doc.Schema != "cascade.result/v1" || doc.Seed != 7 || doc.Scenario != scenarios.Default {
		t.Errorf("schema %q seed %d scenario %q", doc.Schema, doc.Seed, doc.Scenario)
	}
	if doc.Duration != 40 || doc.Interrupted || doc.Events == 0 || len(doc.Workloads) == 0 || len(doc.Services) == 0 {
		t.Errorf("unexpected document:\n%s", data)
	}
	if !strings.HasSuffix(string(data), "}\n") {
		t.Error("JSON does not end with a newline")
	}
	if v := cascade(t, "", "version"); "cascade "+doc.Version+"\n" != v.stdout {
		t.Errorf("JSON version %q, cascade version says %q", doc.Version, v.stdout)
	}
	if !strings.Contains(r.stdout, "seed       7") {
		t.Errorf("summary does not show the seed:\n%s", r.stdout)
	}
}

// Flags may come before or after the scenario, with the same effect.
func TestRunFlagOrder(t *testing.T) {
	dir := t.TempDir()
	a := cascade(t, dir, "run", "--seed", "3", "--duration", "10s", "theory-mm1", "--json", "a.json", "--quiet")
	b := cascade(t, dir, "run", "theory-mm1", "--quiet", "--json=b.json", "--duration=10s", "--seed=3")
	wantCode(t, a, exitOK)
	wantCode(t, b, exitOK)
	if a.stdout != "" {
		t.Errorf("--quiet printed a summary:\n%s", a.stdout)
	}
	_, ja := readJSON(t, filepath.Join(dir, "a.json"))
	_, jb := readJSON(t, filepath.Join(dir, "b.json"))
	if string(ja) != string(jb) {
		t.Error("flag order changed the result")
	}
}

func TestRunMissingFile(t *testing.T) {
	r := cascade(t, "", "run", "no-such-scenario.yaml")
	wantCode(t, r, exitUsage)
	noCrash(t, r)
	if !strings.Contains(r.stderr, "no-such-scenario.yaml: no such file") || !strings.Contains(r.stderr, "cascade list") {
		t.Errorf("unhelpful message: %q", r.stderr)
	}
	r = cascade(t, "", "run", "shpo")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "shop") {
		t.Errorf("unknown built-in without a hint: %q", r.stderr)
	}
}

// Bad output paths are refused before simulating anything, and parent
// directories are not created.
func TestRunBadJSONPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"results", "is a directory"},
		{"missing/out.json", "does not exist"},
	} {
		r := cascade(t, dir, "run", "theory-mm1", "--duration", "1s", "--json", c.path)
		wantCode(t, r, exitUsage)
		noCrash(t, r)
		if !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("--json %s: stderr %q, want one line with %q", c.path, r.stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing parent directory was created")
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--sed", "1"}, `unknown flag --sed (did you mean "--seed"?)`},
		{[]string{"run", "--duration", "10x"}, "--duration"},
		{[]string{"run", "--duration", "0s"}, "must be > 0"},
		{[]string{"run", "--seed", "-1"}, "--seed"},
		{[]string{"run", "--json"}, "--json needs a value"},
		{[]string{"run", "shop", "partition", "--json", "x.json"}, "--json writes one scenario"},
		{[]string{"run", "--replications", "0"}, "--replications must be between 1 and 10000"},
	} {
		r := cascade(t, "", c.args...)
		wantCode(t, r, exitUsage)
		noCrash(t, r)
		if !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: stderr %q, want one line containing %q", c.args, r.stderr, c.want)
		}
	}
}
