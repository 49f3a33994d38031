package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cascade/scenarios"
)

// reviewScenario is a short scenario with a fault, a breaker and variants,
// written into dir as review.yaml.
const reviewScenario = `name: review
description: An API in front of a database, briefly slowed down.
seed: 11
duration: 8s
workloads:
  browse:
    to: api.get
    rate: 150/s
    timeout: 1s
    retry: { attempts: 2 }
services:
  api:
    instances: 2
    workers: 4
    ops:
      get:
        - work: exp(2ms)
        - call: db
          timeout: 100ms
          breaker: { preset: gobreaker, trip_after: 5, wait: 2s }
  db:
    workers: 8
    service_time: exp(5ms)
faults:
  - { name: slow-db, at: 2s, for: 3s, latency: 300ms, on: api->db }
slos:
  browse-availability: { workload: browse, objective: 99%, period: 30d, scale: 1m=1d }
expect:
  - p99("browse") < 500ms
variants:
  no-breaker:
    services.api.ops.get[1].breaker: null
  bigger:
    services.api.workers: 8
`

func writeReviewScenario(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "review.yaml"), []byte(reviewScenario), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)

	r := cascade(t, dir, "report", "review.yaml", "--out", "review.html")
	wantCode(t, r, exitOK)
	noCrash(t, r)
	page := readFile(t, filepath.Join(dir, "review.html"))
	for _, want := range []string{"<h1>review: baseline vs no-breaker vs bigger</h1>", `id="comparison"`, "<svg", "services.api.workers: 8", "scenario SHA-256"} {
		if !strings.Contains(page, want) {
			t.Errorf("review.html lacks %q", want)
		}
	}
	// Deterministic, and never overwritten without --force.
	r = cascade(t, dir, "report", "review.yaml", "--out", "review.html")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "exists; give --force") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = cascade(t, dir, "report", "review.yaml", "--out", "review.html", "--force")
	wantCode(t, r, exitOK)
	if again := readFile(t, filepath.Join(dir, "review.html")); again != page {
		t.Error("the same scenario gave a different report")
	}

	// Markdown: charts in review-charts/, linked relatively.
	r = cascade(t, dir, "report", "review.yaml", "--out", "review.md", "--variant", "bigger")
	wantCode(t, r, exitOK)
	md := readFile(t, filepath.Join(dir, "review.md"))
	if !strings.Contains(md, "```mermaid\ngraph LR") || !strings.Contains(md, "](review-charts/goodput-browse.svg)") || strings.Contains(md, "no-breaker") {
		t.Errorf("review.md:\n%s", md)
	}
	if svg := readFile(t, filepath.Join(dir, "review-charts", "goodput-browse.svg")); !strings.HasPrefix(svg, "<svg") {
		t.Error("goodput chart is not an SVG")
	}
	// A chart directory in the way is not written into without --force.
	os.Remove(filepath.Join(dir, "review.md"))
	r = cascade(t, dir, "report", "review.yaml", "--out", "review.md")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "review-charts exists; give --force") {
		t.Errorf("stderr: %s", r.stderr)
	}

	// Mistakes are usage errors with hints.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "review.yaml"}, "--out FILE is required"},
		{[]string{"report", "review.yaml", "--out", "r.pdf"}, "the report is .html or .md"},
		{[]string{"report", "review.yaml", "--out", "r.html", "--variant", "biger"}, `did you mean "bigger"?`},
		{[]string{"report", "review.yaml", "--out", "r.html", "--set", "services.apii.workers=2"}, `did you mean "api"?`},
	} {
		r := cascade(t, dir, c.args...)
		wantCode(t, r, exitUsage)
		noCrash(t, r)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, c.want)
		}
	}
}

func TestRunWritesReport(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	r := cascade(t, dir, "run", "review.yaml", "--quiet", "--report", "run.html")
	noCrash(t, r)
	if r.code != exitOK && r.code != exitFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r2 := cascade(t, dir, "report", "review.yaml", "--out", "report.html")
	wantCode(t, r2, exitOK)
	// The same report but for its last section, the command that made it:
	// run --report names the equivalent report command.
	cut := func(page string) (string, string) {
		i := strings.Index(page, `<section id="reproduce">`)
		if i < 0 {
			t.Fatalf("no Reproduce section in:\n%s", page)
			return "", ""
		}
		return page[:i], page[i:]
	}
	a, ca := cut(readFile(t, filepath.Join(dir, "run.html")))
	b, cb := cut(readFile(t, filepath.Join(dir, "report.html")))
	if a != b {
		t.Error("run --report and report wrote different reports")
	}
	if !strings.Contains(ca, "<code>cascade report review.yaml --out run.html --seed 11 --duration 8s</code>") ||
		!strings.Contains(cb, "<code>cascade report review.yaml --out report.html</code>") {
		t.Errorf("reproduce lines:\n%s\n%s", ca, cb)
	}
}

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	bigger := strings.Replace(reviewScenario, "    workers: 4\n", "    workers: 8\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "bigger.yaml"), []byte(bigger), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cascade(t, dir, "compare", "review.yaml", "bigger.yaml")
	wantCode(t, r, exitOK)
	noCrash(t, r)
	for _, want := range []string{"review vs bigger", "api instances×workers", "workers in all (cost driver)", "(+"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compare output lacks %q:\n%s", want, r.stdout)
		}
	}
	// Under common random numbers the bigger variant of the file and the
	// bigger file are the same design: the same numbers.
	r = cascade(t, dir, "compare", "review.yaml", "review.yaml")
	if !strings.Contains(r.stdout, "(±0)") || strings.Contains(r.stdout, "(+") || strings.Contains(r.stdout, "(−") {
		t.Errorf("a file against itself must show no delta:\n%s", r.stdout)
	}
	r = cascade(t, dir, "compare", "review.yaml", "bigger.yaml", "--out", "ab.html")
	wantCode(t, r, exitOK)
	if page := readFile(t, filepath.Join(dir, "ab.html")); !strings.Contains(page, "review vs bigger") {
		t.Error("ab.html lacks the title")
	}
	r = cascade(t, dir, "compare", "review.yaml")
	wantCode(t, r, exitUsage)
}

func TestSweepShardsMergeToTheUnshardedResult(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	grid := []string{"sweep", "review.yaml", "--set", "services.api.workers=2,4", "--set", "workloads.browse.rate=50..150/50",
		"--set", "variants=null", "--replications", "2", "--duration", "4s"}
	r := cascade(t, dir, append(grid, "--json", "full.json", "--csv", "full.csv", "--out", "full")...)
	wantCode(t, r, exitOK)
	noCrash(t, r)
	if !strings.Contains(r.stdout, "services.api.workers  workloads.browse.rate") || !strings.Contains(r.stdout, "150/s") || !strings.Contains(r.stdout, " ± ") {
		t.Errorf("sweep table:\n%s", r.stdout)
	}
	if n := strings.Count(readFile(t, filepath.Join(dir, "full.csv")), "\n"); n != 7 {
		t.Errorf("csv has %d lines, want a header and 6 points", n)
	}
	for _, f := range []string{"sweep.json", "sweep.csv", "index.html", "sweep-workload_browse_p99.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "full", f)); err != nil {
			t.Error(err)
		}
	}
	var parts []string
	for _, sh := range []string{"1/4", "2/4", "3/4", "4/4"} {
		p := "part" + sh[:1] + ".json"
		wantCode(t, cascade(t, dir, append(grid, "--shard", sh, "--json", p)...), exitOK)
		parts = append(parts, p)
	}
	// Any order of the parts gives the same merge.
	r = cascade(t, dir, "merge", parts[3], parts[1], parts[0], parts[2], "--json", "merged.json", "--csv", "merged.csv", "--out", "merged")
	wantCode(t, r, exitOK)
	for _, pair := range [][2]string{{"full.json", "merged.json"}, {"full.csv", "merged.csv"}, {"full/index.html", "merged/index.html"},
		{"full/sweep-workload_browse_p99.svg", "merged/sweep-workload_browse_p99.svg"}} {
		if !bytes.Equal([]byte(readFile(t, filepath.Join(dir, pair[0]))), []byte(readFile(t, filepath.Join(dir, pair[1])))) {
			t.Errorf("%s and %s differ", pair[0], pair[1])
		}
	}
	// A missing shard, a duplicate, or a shard of another sweep is refused.
	r = cascade(t, dir, "merge", parts[0], parts[1], parts[2])
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "missing") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = cascade(t, dir, "merge", parts[0], parts[0], parts[1], parts[2], parts[3])
	wantCode(t, r, exitUsage)
	wantCode(t, cascade(t, dir, "sweep", "review.yaml", "--set", "services.api.workers=2,4", "--set", "variants=null", "--duration", "4s", "--shard", "1/2", "--json", "other.json"), exitOK)
	// The same file named another way is the same sweep (the SHA-256
	// decides), and a different one is named with the field that differs.
	wantCode(t, cascade(t, dir, append(slices.Clone(grid[:1]), append([]string{"./review.yaml"}, append(grid[2:], "--shard", "2/4", "--json", "dot2.json")...)...)...), exitOK)
	r = cascade(t, dir, "merge", parts[0], "dot2.json", parts[2], parts[3], "--json", "dotmerged.json")
	wantCode(t, r, exitOK)
	wantCode(t, cascade(t, dir, append(grid, "--seed", "99", "--shard", "2/4", "--json", "seed99.json")...), exitOK)
	r = cascade(t, dir, "merge", parts[0], "seed99.json", parts[2], parts[3])
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "seed99.json is from another sweep than part1.json: seed 99 vs 11") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// Documents that are not whole shards are refused, not merged.
	for _, bad := range []struct{ doc, want string }{
		{`{"schema":"cascade.sweep/v1"}`, "replications: 0"},
		{`{"schema":"cascade.sweep/v1","replications":1,"parameters":[],"points_in_grid":-1}`, "points_in_grid: -1, but the parameters make a grid of 1"},
		{`{"schema":"cascade.sweep/v1","replications":1,"parameters":[{"path":"a","values":["1","2"]}],"points_in_grid":2,"shard":{"index":3,"count":2}}`, "shard: 3/2"},
	} {
		if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		r = cascade(t, dir, "merge", "bad.json")
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "bad.json: not a sweep result: "+bad.want) {
			t.Errorf("%s: stderr %s", bad.doc, r.stderr)
		}
	}
	r = cascade(t, dir, "merge", "other.json", parts[1])
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "another sweep") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestSweepFind(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	// p99 stays under 20ms up to some number of db workers' worth of load:
	// the boundary must be found between the ends, and both ends reported.
	r := cascade(t, dir, "sweep", "review.yaml", "--set", "faults=null", "--set", "variants=null", "--duration", "4s",
		"--find", "workloads.browse.rate=100..3000", "--until", `utilization("api") < 0.5`, "--precision", "50", "--json", "find.json")
	wantCode(t, r, exitOK)
	noCrash(t, r)
	if !strings.Contains(r.stdout, "boundary: utilization(\"api\") < 0.5 holds up to workloads.browse.rate=") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	js := readFile(t, filepath.Join(dir, "find.json"))
	if !strings.Contains(js, `"holds_at": "`) || !strings.Contains(js, `"fails_at": "`) {
		t.Errorf("find.json:\n%s", js)
	}
	r = cascade(t, dir, "sweep", "review.yaml", "--duration", "4s", "--find", "workloads.browse.rate=100..200", "--until", `utilization("apii") < 2`)
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "api"?`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = cascade(t, dir, "sweep", "review.yaml", "--duration", "4s", "--find", "workloads.browse.rate=100..200", "--until", `utilization("api") < 2`)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "it still holds at workloads.browse.rate=200/s: no boundary") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestSweepValues(t *testing.T) {
	for _, c := range []struct {
		spec string
		want string
	}{
		{"4,8,16", "4 8 16"},
		{"100..1000/100", "100 200 300 400 500 600 700 800 900 1000"},
		{"0.1..0.5/0.1", "0.1 0.2 0.3 0.4 0.5"},
		{"10ms..50ms/20ms", "10ms 30ms 50ms"},
		{"10ms..50ms/20", "10ms 30ms 50ms"},
		{"100/s..300/s/100/s", "100/s 200/s 300/s"},
		{"100/s..300/s/100", "100/s 200/s 300/s"},
		{"{ attempts: 3, backoff: exponential }", "{ attempts: 3, backoff: exponential }"},
		{"resilience4j", "resilience4j"},
		{"1..2/0.4", "1.0 1.4 1.8"},
		// Commas inside brackets and quotes belong to the value.
		{"lognormal(p50=1ms, p99=5ms)", "lognormal(p50=1ms, p99=5ms)"},
		{"exp(2ms), lognormal(p50=1ms, p99=5ms)", "exp(2ms)|lognormal(p50=1ms, p99=5ms)"},
		{`"a, b",c`, `"a, b"|c`},
		{`don't,won't`, `don't|won't`},
		{`f(x: 'a, b'),c`, `f(x: 'a, b')|c`},
		{"f([1, 2], {a: 1, b: 2}),x", "f([1, 2], {a: 1, b: 2})|x"},
	} {
		got, err := parseValues(c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		sep := " "
		if strings.Contains(c.want, "|") {
			sep = "|"
		}
		if strings.Join(got, sep) != c.want {
			t.Errorf("%s: got %q, want %q", c.spec, strings.Join(got, sep), c.want)
		}
	}
	for _, bad := range []string{"", "1..10", "10..1/1", "1..10/0", "1ms..10s/1ms", "a..b/c", "4,,8",
		// Counts that overflow an int must be refused, not crash.
		"0..99999999999999999999/1", "1..2/0.000000000000000000001", "0..1" + strings.Repeat("0", 400) + "/1", "1..200001/1",
		"lognormal(p50=1ms, p99=5ms", "a),b", `"a, b`} {
		if _, err := parseValues(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	for _, c := range []struct {
		spec string
		ok   bool
	}{{"1/1", true}, {"3/4", true}, {"0/4", false}, {"5/4", false}, {"x", false}, {"1/0", false}} {
		if _, err := parseShard(c.spec); (err == nil) != c.ok {
			t.Errorf("shard %q: err %v", c.spec, err)
		}
	}
}

func TestSweepGridOrderAndShards(t *testing.T) {
	axes := []axis{{path: "a", values: []string{"1", "2"}}, {path: "fixed", values: []string{"x"}}, {path: "b", values: []string{"p", "q", "r"}}}
	pts, size, err := grid(axes, nil)
	if err != nil || size != 6 {
		t.Fatal(size, err)
	}
	var got []string
	for _, p := range pts {
		got = append(got, strings.Join(p.values, ""))
	}
	if strings.Join(got, " ") != "1p 1q 1r 2p 2q 2r" {
		t.Errorf("grid order %v: the first --set varies slowest", got)
	}
	seen := map[int]bool{}
	for i := 1; i <= 4; i++ {
		sh, _ := parseShard(strings.Repeat("", 0) + string(rune('0'+i)) + "/4")
		part, _, _ := grid(axes, &sh)
		for _, p := range part {
			if seen[p.index] {
				t.Errorf("point %d in two shards", p.index)
			}
			seen[p.index] = true
		}
	}
	if len(seen) != 6 {
		t.Errorf("shards cover %d of 6 points", len(seen))
	}
}

func TestSweepFindDownwards(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	// The fewest api workers per instance that keep utilization under 60%.
	r := cascade(t, dir, "sweep", "review.yaml", "--set", "faults=null", "--set", "workloads.browse.rate=400", "--duration", "4s",
		"--find", "services.api.workers=32..1", "--until", `utilization("api") < 0.6`)
	wantCode(t, r, exitOK)
	if !strings.Contains(r.stdout, "holds down to services.api.workers=") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	// Whole numbers bisect to neighbours: the last line names n and n-1.
	last := r.stdout[strings.LastIndex(strings.TrimSpace(r.stdout), "\n")+1:]
	var hold, fail int
	if _, err := fmt.Sscanf(last[strings.Index(last, "workers=")+8:], "%d and fails from services.api.workers=%d", &hold, &fail); err != nil || hold != fail+1 {
		t.Errorf("boundary line %q: %v", last, err)
	}
}

func TestReportFindsEachDesignsBreakingPoint(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	r := cascade(t, dir, "report", "review.yaml", "--out", "bp.md", "--duration", "4s", "--set", "faults=null",
		"--find", "workloads.browse.rate=100..4000", "--until", `utilization("api") < 0.5`, "--precision", "100")
	wantCode(t, r, exitOK)
	md := readFile(t, filepath.Join(dir, "bp.md"))
	i := strings.Index(md, "## Breaking points")
	if i < 0 {
		t.Fatalf("no breaking points in:\n%s", md)
	}
	section := md[i : i+strings.Index(md[i:], "## Summary")]
	for _, d := range []string{"| baseline | ", "| no-breaker | ", "| bigger | "} {
		if !strings.Contains(section, d) {
			t.Errorf("no row for %q in:\n%s", d, section)
		}
	}
	// Twice the workers, twice the load at the same utilization: bigger
	// must break later than the baseline.
	rate := func(design string) float64 {
		row := section[strings.Index(section, "| "+design+" | "):]
		var v float64
		fmt.Sscanf(strings.TrimPrefix(row, "| "+design+" | "), "%f", &v)
		return v
	}
	if b, g := rate("baseline"), rate("bigger"); !(g > 1.5*b) || b == 0 {
		t.Errorf("breaking points: baseline %v/s, bigger %v/s", b, g)
	}
}

func TestSweepAndMergeRefuseToOverwrite(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	sweep := []string{"sweep", "review.yaml", "--duration", "2s", "--set", "services.api.workers=4,8"}
	r := cascade(t, dir, append(sweep, "--json", "part.json", "--out", "site")...)
	wantCode(t, r, exitOK)
	mine := "the user's own data\n"
	for _, f := range []string{"mydata.json", "index.html"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(mine), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"sweep --json", append(sweep, "--json", "mydata.json"), "--json mydata.json: the file exists; give --force"},
		{"sweep --csv", append(sweep, "--csv", "mydata.json"), "--csv mydata.json: the file exists; give --force"},
		{"sweep --out", append(sweep, "--out", "site"), "give --force to overwrite the files in it"},
		{"sweep --out .", append(sweep, "--out", "."), "index.html exists"},
		{"merge --csv", []string{"merge", "part.json", "--csv", "mydata.json"}, "--csv mydata.json: the file exists"},
		{"merge --json", []string{"merge", "part.json", "--json", "part.json"}, "--json part.json: the file exists"},
		{"merge --out", []string{"merge", "part.json", "--out", "site"}, "give --force"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cascade(t, dir, c.args...)
			wantCode(t, r, exitUsage)
			noCrash(t, r)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, c.want)
			}
			if r.stdout != "" {
				t.Errorf("refused after running: stdout %q", r.stdout)
			}
			for _, f := range []string{"mydata.json", "index.html"} {
				if got := readFile(t, filepath.Join(dir, f)); got != mine {
					t.Errorf("%s overwritten: %q", f, got)
				}
			}
		})
	}
	// --force overwrites.
	r = cascade(t, dir, append(sweep, "--json", "mydata.json", "--out", "site", "--force")...)
	wantCode(t, r, exitOK)
	if readFile(t, filepath.Join(dir, "mydata.json")) == mine {
		t.Error("--force did not overwrite mydata.json")
	}
	r = cascade(t, dir, "merge", "part.json", "--csv", "mydata.json", "--force")
	wantCode(t, r, exitOK)
}

// TestSweepRejectsBadInputBeforeRunning: usage mistakes are exit 2 with
// the right command's name, before any simulation (so nothing on stdout).
func TestSweepRejectsBadInputBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	until := `p99("browse") < 1s`
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"huge range", []string{"sweep", "review.yaml", "--set", "services.api.workers=0..99999999999999999999/1"}, "cascade sweep: --set"},
		{"tiny step", []string{"sweep", "review.yaml", "--set", "services.api.workers=1..2/0.000000000000000000001"}, "more than 100000 values"},
		{"repeated axis", []string{"sweep", "review.yaml", "--set", "services.api.workers=1,8", "--set", "services.api.workers=16,32"},
			"services.api.workers is already set by an earlier --set"},
		{"axis inside axis", []string{"sweep", "review.yaml", "--set", "services.api={ workers: 2, service_time: 1ms }", "--set", "services.api.workers=16,32"},
			"services.api.workers is inside services.api"},
		{"axis containing axis", []string{"sweep", "review.yaml", "--set", "services.api.workers=16,32", "--set", "services.api=null"},
			"services.api contains services.api.workers"},
		{"fixed --set on the --find path", []string{"sweep", "review.yaml", "--set", "services.api.workers=3", "--find", "services.api.workers=1..8", "--until", until},
			"--find varies it"},
		{"empty value", []string{"sweep", "review.yaml", "--set", "services.api.workers="}, "no value"},
		{"sweep --find bad path", []string{"sweep", "review.yaml", "--find", "services.apx.workers=1..8", "--until", until},
			`cascade sweep: --find services.apx.workers=1: services.apx: no field "apx" (did you mean "api"?`},
		{"report --precision negative", []string{"report", "review.yaml", "--out", "z.html", "--find", "services.api.workers=1..8", "--until", until, "--precision", "-1"},
			"cascade report: --precision must be > 0, got -1"},
		{"report --replications without --find", []string{"report", "review.yaml", "--out", "z.html", "--replications", "5"}, "--replications goes with --find"},
		{"report --precision without --find", []string{"report", "review.yaml", "--out", "z.html", "--precision", "2"}, "--precision goes with --find"},
		{"report --set variants", []string{"report", "review.yaml", "--out", "z.html", "--set", "variants.bigger.services\\.api\\.workers=2"}, "--set cannot change variants:"},
		{"report --set variants=null", []string{"report", "review.yaml", "--out", "z.html", "--set", "variants=null"}, "--no-variants"},
		{"sweep --variants --set variants", []string{"sweep", "review.yaml", "--set", "variants.bigger=null", "--find", "services.api.workers=1..8", "--until", until, "--variants"},
			"--set cannot change variants:"},
		{"report --find bad path", []string{"report", "review.yaml", "--out", "z.html", "--find", "services.apx.workers=1..8", "--until", until},
			`cascade report: --find services.apx.workers=1: services.apx: no field "apx"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := cascade(t, dir, c.args...)
			wantCode(t, r, exitUsage)
			noCrash(t, r)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, c.want)
			}
			if r.stdout != "" || time.Since(start) > 5*time.Second {
				t.Errorf("ran before refusing (%v): stdout %q", time.Since(start), r.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "z.html")); err == nil {
		t.Error("report wrote z.html")
	}
}

func TestParseFindPrecision(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	sc, err := scenarios.Load(filepath.Join(dir, "review.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec      string
		precision float64
		integer   bool
		decimals  int
		prec      float64
	}{
		{"workloads.browse.rate=360..370", 0, true, 0, 1},
		{"workloads.browse.rate=360..370", 2, true, 0, 2},
		{"workloads.browse.rate=360..370", 1, true, 0, 1},
		// Finer than 1: bisect in fractions, printed to the precision.
		{"workloads.browse.rate=360..370", 0.1, false, 1, 0.1},
		{"workloads.browse.rate=360..370", 0.05, false, 2, 0.05},
		{"workloads.browse.rate=0.5..2", 0, false, 3, 0.0015},
	} {
		f, err := parseFind(sc, c.spec, "true", c.precision)
		if err != nil {
			t.Fatal(err)
		}
		if f.integer != c.integer || f.decimals != c.decimals || math.Abs(f.precision-c.prec) > 1e-12 {
			t.Errorf("%s --precision %v: integer %v decimals %d precision %v, want %v %d %v",
				c.spec, c.precision, f.integer, f.decimals, f.precision, c.integer, c.decimals, c.prec)
		}
	}
	// End to end: whole bounds with --precision 0.1 end a tenth apart.
	dir2 := t.TempDir()
	writeReviewScenario(t, dir2)
	r := cascade(t, dir2, "sweep", "review.yaml", "--set", "faults=null", "--set", "variants=null", "--duration", "2s",
		"--find", "workloads.browse.rate=100..3000", "--until", `utilization("api") < 0.5`, "--precision", "0.1")
	wantCode(t, r, exitOK)
	var hold, fail float64
	i := strings.Index(r.stdout, "holds up to workloads.browse.rate=")
	if i < 0 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if _, err := fmt.Sscanf(r.stdout[i:], "holds up to workloads.browse.rate=%f/s and fails from workloads.browse.rate=%f/s", &hold, &fail); err != nil ||
		math.Abs(fail-hold-0.1) > 1e-9 {
		t.Errorf("boundary %v..%v (%v) in:\n%s", hold, fail, err, r.stdout)
	}
}

func TestReportMarkdownWithSpaceInName(t *testing.T) {
	dir := t.TempDir()
	writeReviewScenario(t, dir)
	r := cascade(t, dir, "report", "review.yaml", "--no-variants", "--duration", "4s", "--out", "my review.md")
	wantCode(t, r, exitOK)
	md := readFile(t, filepath.Join(dir, "my review.md"))
	const link = "](my%20review-charts/throughput.svg)"
	if !strings.Contains(md, link) {
		t.Fatalf("no %s in:\n%s", link, md)
	}
	if _, err := os.Stat(filepath.Join(dir, "my review-charts", "throughput.svg")); err != nil {
		t.Error(err)
	}
}

func TestVariantMayNotSetSeedOrDuration(t *testing.T) {
	dir := t.TempDir()
	src := reviewScenario + "  longer:\n    duration: 1m\n"
	if err := os.WriteFile(filepath.Join(dir, "review.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(src, "\n") // the duration: line
	for _, args := range [][]string{
		{"report", "review.yaml", "--out", "r.html"},
		{"validate", "review.yaml"},
		{"sweep", "review.yaml", "--find", "workloads.browse.rate=100..200", "--until", "true", "--variants"},
	} {
		r := cascade(t, dir, args...)
		wantCode(t, r, exitUsage)
		noCrash(t, r)
		want := fmt.Sprintf("review.yaml:%d:5: variants.longer.duration: a variant cannot set duration (variants share the run's seed and duration", line)
		if !strings.Contains(r.stderr, want) {
			t.Errorf("%s: stderr %q lacks %q", args[0], r.stderr, want)
		}
	}
}

// TestRunsWithinTheWarmup: a run that ends exactly at the end of its
// warm-up measures nothing: report, sweep and compare refuse it, run warns.
// One that ends inside it keeps the warm-up in its numbers, and every
// command says so.
func TestRunsWithinTheWarmup(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(reviewScenario, "duration: 8s\n", "duration: 8s\nwarmup: 2s\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "review.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const nothing = "the run (2s) ends exactly when the 2s warm-up does, so nothing would be measured"
	const inside = "warning: the run (1s) ends before the 2s warm-up does, so nothing is discarded and the statistics include the warm-up"
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		// run runs it (its summary shows "measured 0s") but says why it is empty.
		// (exit 1: its p99 expectation has nothing to hold on)
		{[]string{"run", "review.yaml", "--duration", "2s"}, exitFailed, "cascade run: warning: the run (2s) ends exactly when the 2s warm-up does, so nothing is measured and every statistic is empty"},
		{[]string{"report", "review.yaml", "--duration", "2s", "--out", "a.html"}, exitUsage, "cascade report: " + nothing},
		{[]string{"compare", "review.yaml", "review.yaml", "--duration", "2s"}, exitUsage, "cascade compare: " + nothing},
		{[]string{"sweep", "review.yaml", "--duration", "2s", "--set", "services.api.workers=4,8"}, exitUsage, "cascade sweep: " + nothing},
		{[]string{"sweep", "review.yaml", "--duration", "2s", "--find", "services.api.workers=1..8", "--until", "true"}, exitUsage, "cascade sweep: " + nothing},
		{[]string{"run", "review.yaml", "--duration", "1s"}, exitOK, "cascade run: " + inside},
		{[]string{"report", "review.yaml", "--duration", "1s", "--out", "b.html", "--no-variants"}, exitOK, "cascade report: " + inside},
		{[]string{"compare", "review.yaml", "review.yaml", "--duration", "1s"}, exitOK, "cascade compare: " + inside},
		{[]string{"sweep", "review.yaml", "--duration", "1s", "--set", "services.api.workers=4,8"}, exitOK, "cascade sweep: " + inside},
	} {
		r := cascade(t, dir, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
		if n := strings.Count(r.stderr, "warning:"); n > 1 {
			t.Errorf("%q: warned %d times", c.args, n)
		}
		noCrash(t, r)
	}
}
