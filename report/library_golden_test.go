package report

import (
	"bytes"
	"strings"
	"testing"

	"cascade/models"
	"cascade/scenarios"
	"cascade/sim"
)

// libraryDesign is one design of a golden report: a scenario file, the
// label and source a review names it by.
type libraryDesign struct {
	label, source string
	s             *scenarios.Scenario
	overrides     []string
}

// runReview runs designs as cascade report and compare do: one seed and one
// duration for all (the first design's), series kept. The version is fixed
// so the goldens do not change with every commit.
func runReview(t *testing.T, ds []libraryDesign, command ...string) Review {
	t.Helper()
	seed, until := ds[0].s.Seed, ds[0].s.Duration
	rv := Review{Command: command}
	for _, d := range ds {
		eng := sim.NewEngine(seed)
		m, err := models.New(eng, d.s.Topology(), models.Options{Until: until, Warmup: d.s.Warmup, Windows: d.s.Windows()})
		if err != nil {
			t.Fatal(err)
		}
		m.Start()
		for !m.Advance(10 * sim.Second) {
		}
		r := m.Result(true)
		meta := Meta{Scenario: d.s.Name, Description: d.s.Description, Source: d.source, Version: "0.1.0-test",
			Seed: seed, Duration: until, Warmup: d.s.Warmup, Events: eng.Fired(), Runs: 1, Expect: d.s.Evaluate([]models.Result{r})}
		rv.Runs = append(rv.Runs, ReviewRun{Label: d.label, Meta: meta, Result: r, Overrides: d.overrides, Hash: Hash(d.s.Data)})
	}
	return rv
}

// builtinDesigns is a built-in scenario and its variants, as cascade report
// NAME runs them.
func builtinDesigns(t *testing.T, name string) []libraryDesign {
	t.Helper()
	s, err := scenarios.Load("../scenarios/library/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return variantDesigns(t, s, "builtin:"+name)
}

// variantDesigns is s and its variants, each named by source.
func variantDesigns(t *testing.T, s *scenarios.Scenario, source string) []libraryDesign {
	t.Helper()
	ds := []libraryDesign{{scenarios.Baseline, source, s, nil}}
	vs, err := s.Variants()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		var ovs []string
		for _, o := range v.Overrides {
			ovs = append(ovs, o.Path+": "+o.ValueText())
		}
		ds = append(ds, libraryDesign{v.Name, source, v.Scenario, ovs})
	}
	return ds
}

// The Markdown of the reports a new user makes first — the retry storm,
// the cache stampede — and of a compare of two files, byte for byte.
// Built-in scenarios are edited by others: when one changes, these
// goldens change with it (go test ./report -update, then read the diff).
func TestLibraryMarkdownGolden(t *testing.T) {
	load := func(path string) *scenarios.Scenario {
		s, err := scenarios.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		golden string
		rv     func() Review
		want   []string // what the report must say, whatever the numbers
	}{
		{"retry-storm.md.golden", func() Review {
			return runReview(t, builtinDesigns(t, "retry-storm"), "cascade", "report", "retry-storm", "--out", "retry-storm.md")
		}, []string{
			"naive-availability: fault slowdown-budget: outside this SLO's call graph, not charged",
			"budgeted-availability: fault slowdown-naive: outside this SLO's call graph, not charged",
			"## Reproduce", "cascade report retry-storm --out retry-storm.md",
		}},
		{"cache-stampede.md.golden", func() Review {
			return runReview(t, builtinDesigns(t, "cache-stampede"), "cascade", "report", "cache-stampede", "--out", "cache-stampede.md")
		}, []string{"## Caches, pools, databases, topics and zones", "### Caches", "| cache-swr |", "cache-hit.svg"}},
		{"zone-failure.md.golden", func() Review {
			return runReview(t, builtinDesigns(t, "zone-failure"), "cascade", "report", "zone-failure", "--out", "zone-failure.md")
		}, []string{"### Zones", "| zone | up | requests | cross out | cross in | cost | now |", `| zone-b-down | zone\_outage | zone b |`}},
		{"compare.md.golden", func() Review {
			return runReview(t, []libraryDesign{
				{"compare-current", "testdata/compare-current.yaml", load("testdata/compare-current.yaml"), nil},
				{"compare-proposed", "testdata/compare-proposed.yaml", load("testdata/compare-proposed.yaml"), nil},
			}, "cascade", "compare", "testdata/compare-current.yaml", "testdata/compare-proposed.yaml", "--out", "compare.md")
		}, []string{"### Caches", "### Pools", "### Databases", "### Topics", "| pool api.place -&gt; db.write acquire timeouts |",
			// The mailer consumes the topic orders publish to: on the path,
			// but asynchronous, so alone it burned nothing.
			"order-availability: fault slow-mailer burned 0.0% of the budget (0 bad events", "cascade compare testdata/compare-current.yaml"}},
	} {
		rv := c.rv()
		var b bytes.Buffer
		if _, err := Markdown(&b, rv, "charts"); err != nil {
			t.Fatal(err)
		}
		golden(t, c.golden, b.Bytes())
		checkClean(t, c.golden, b.String())
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q", c.golden, w)
			}
		}
		if !strings.HasSuffix(strings.TrimSpace(b.String()), "same bytes.</sub>") {
			t.Errorf("%s does not end with the generator line", c.golden)
		}
	}
}
