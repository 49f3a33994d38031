package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectScenario is a quick M/M/1 at ρ = 0.5 (mean response 20 ms) with
// one expectation that holds and one that fails unless PASS_ALL is set.
const expectScenario = `name: gate
duration: 2m
seed: 3
workloads:
  users: { to: api, rate: 50/s }
services:
  api: { workers: 1, service_time: exp(10ms) }
slos:
  avail: { workload: users, objective: 99% }
expect:
  - p99("users") < 1s
  - 'mean_latency("users", from: 1m) < LIMIT'
  - slo("avail").budget_remaining > 0.9
`

func writeScenario(t *testing.T, dir, name, limit string) {
	t.Helper()
	data := strings.Replace(expectScenario, "LIMIT", limit, 1)
	data = strings.Replace(data, "name: gate", "name: "+strings.TrimSuffix(name, ".yaml"), 1)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunExpectations(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, dir, "good.yaml", "100ms")
	writeScenario(t, dir, "bad.yaml", "5ms")

	r := cascade(t, dir, "run", "good.yaml")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "EXPECT     3 of 3 hold") || !strings.Contains(r.stdout, "PASS  p99(\"users\") < 1s") {
		t.Errorf("summary lacks the verdicts:\n%s", r.stdout)
	}

	r = cascade(t, dir, "run", "bad.yaml", "--json", "bad.json", "--junit", "bad.xml")
	wantCode(t, r, exitFailed)
	noCrash(t, r)
	if !strings.Contains(r.stdout, "FAIL  mean_latency(\"users\", from: 1m) < 5ms") ||
		!strings.Contains(r.stdout, `mean_latency("users", from: 1m) = `) {
		t.Errorf("the failure and its measured value are not listed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "1 of 3 expectations failed") {
		t.Errorf("stderr %q", r.stderr)
	}
	var doc struct {
		Passed bool `json:"passed"`
		Expect []struct {
			Expect   string `json:"expect"`
			Pass     bool   `json:"pass"`
			Line     int    `json:"line"`
			Measured []struct {
				Value float64 `json:"value"`
				Unit  string  `json:"unit"`
			} `json:"measured"`
		} `json:"expectations"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "bad.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Passed || len(doc.Expect) != 3 || doc.Expect[1].Pass || !doc.Expect[0].Pass || doc.Expect[1].Line != 12 {
		t.Errorf("JSON expectations %+v", doc)
	}
	// M/M/1 at ρ = 0.5: the mean response is 20 ms; a 1-minute sample is
	// within a few ms of it.
	if m := doc.Expect[1].Measured[0]; m.Unit != "s" || m.Value < 0.012 || m.Value > 0.03 {
		t.Errorf("mean latency %+v, want about 0.020 s", m)
	}
	var suites struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err = os.ReadFile(filepath.Join(dir, "bad.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, data)
	}
	if len(suites.Suites) != 1 || suites.Suites[0].Tests != 3 || suites.Suites[0].Failures != 1 ||
		suites.Suites[0].Cases[1].Failure == nil || suites.Suites[0].Cases[0].Failure != nil {
		t.Errorf("JUnit %+v", suites)
	}

	// A directory runs every file in it; one failure fails the whole run,
	// and the JUnit report has a suite per scenario.
	sub := filepath.Join(dir, "all")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScenario(t, sub, "a.yaml", "100ms")
	writeScenario(t, sub, "b.yaml", "5ms")
	r = cascade(t, dir, "run", "all", "--quiet", "--junit", "all.xml")
	wantCode(t, r, exitFailed)
	if r.stdout != "" || !strings.Contains(r.stderr, "all/b.yaml:12:5: FAIL mean_latency") || strings.Contains(r.stderr, "PASS") {
		t.Errorf("--quiet should list only failures on stderr; stdout %q stderr %q", r.stdout, r.stderr)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "all.xml"))
	suites.Suites = nil
	if err := xml.Unmarshal(data, &suites); err != nil || len(suites.Suites) != 2 || suites.Suites[0].Name != "a" || suites.Suites[1].Failures != 1 {
		t.Errorf("JUnit for a directory: %v %+v", err, suites)
	}
}

func TestRunReplications(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, dir, "good.yaml", "100ms")
	r := cascade(t, dir, "run", "good.yaml", "--replications", "4", "--json", "rep.json")
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "REPLICATIONS  4 runs, seeds 3..6") || !strings.Contains(r.stdout, "[4/4 runs passed]") ||
		!strings.Contains(r.stdout, "(on the means of 4 runs)") {
		t.Errorf("replication summary missing:\n%s", r.stdout)
	}
	// Same seeds, same bytes, whatever the scheduling of the goroutines.
	first, _ := os.ReadFile(filepath.Join(dir, "rep.json"))
	r2 := cascade(t, dir, "run", "good.yaml", "--replications", "4", "--json", "rep2.json")
	wantCode(t, r2, exitOK)
	second, _ := os.ReadFile(filepath.Join(dir, "rep2.json"))
	if string(first) != string(second) || r.stdout != r2.stdout {
		t.Error("replicated runs are not deterministic")
	}
	var doc struct {
		Rep struct {
			Runs    int      `json:"runs"`
			Seeds   []uint64 `json:"seeds"`
			Metrics []struct {
				Component, Metric string
				Mean              float64 `json:"mean"`
				HalfCI            float64 `json:"half_ci"`
			} `json:"metrics"`
		} `json:"replications"`
	}
	if err := json.Unmarshal(first, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Rep.Runs != 4 || len(doc.Rep.Seeds) != 4 || doc.Rep.Seeds[3] != 6 || len(doc.Rep.Metrics) == 0 {
		t.Errorf("replications %+v", doc.Rep)
	}
	for _, m := range doc.Rep.Metrics {
		if m.Component == "users" && m.Metric == "goodput" && (m.HalfCI <= 0 || m.HalfCI > 5) {
			t.Errorf("goodput half-width %v: four seeds must differ, by little", m.HalfCI)
		}
	}
}

// run --json and --junit replace their own earlier output (a CI loop, a
// developer re-running) but not a file of the user's, unless --force.
func TestRunKeepsFilesItDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	for _, flag := range []string{"--json", "--junit"} {
		out := filepath.Join(dir, "out"+flag[2:])
		for i := 0; i < 2; i++ { // the second run replaces the first's
			if r := cascade(t, dir, "run", "partition", "--quiet", flag, out); r.code != 0 {
				t.Fatalf("%s run %d: exit %d: %s", flag, i, r.code, r.stderr)
			}
		}
		mine := filepath.Join(dir, "notes"+flag[2:])
		if err := os.WriteFile(mine, []byte("my notes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cascade(t, dir, "run", "partition", "--quiet", flag, mine)
		if b, _ := os.ReadFile(mine); r.code != 2 || string(b) != "my notes\n" || !strings.Contains(r.stderr, "--force") {
			t.Errorf("%s onto a user's file: exit %d, file now %q, stderr %q", flag, r.code, b, r.stderr)
		}
		if r := cascade(t, dir, "run", "partition", "--quiet", "--force", flag, mine); r.code != 0 {
			t.Errorf("%s --force: exit %d: %s", flag, r.code, r.stderr)
		}
	}
}
