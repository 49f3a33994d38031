package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"cascade/models"
	"cascade/scenarios"
)

// reviewFixture runs testdata/review.yaml and its variants with one seed,
// as cascade report does, and builds the review. Version is fixed so the
// golden files do not change with every commit.
func reviewFixture(t *testing.T, withVariants bool) Review {
	t.Helper()
	s, err := scenarios.Load("testdata/review.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ds := []libraryDesign{{scenarios.Baseline, "testdata/review.yaml", s, nil}}
	if withVariants {
		ds = variantDesigns(t, s, "testdata/review.yaml")
	}
	rv := runReview(t, ds, "cascade", "report", "testdata/review.yaml", "--out", "review.md")
	if withVariants {
		rv.Command = append(rv.Command, "--find", "workloads.browse.rate=100..1000", "--until", `p99("browse") < 100ms`, "--replications", "3")
	}
	if withVariants {
		// Breaking points come from cascade's bisection (cmd/cascade); here
		// they are given, to pin how each kind of answer renders.
		b := Boundary{Path: "workloads.browse.rate", Until: `p99("browse") < 100ms`, Low: "100/s", High: "1000/s", Replications: 3}
		for _, c := range []struct{ design, holds, fails string }{{"baseline", "412/s", "413/s"}, {"no-breaker", "", "100/s"}, {"bigger", "1000/s", ""}} {
			b.Design, b.HoldsAt, b.FailsAt, b.Probes = c.design, c.holds, c.fails, 11
			b.HeldInAll, b.FailedInAll, b.Band, b.All = "", "", nil, nil
			if c.design == "baseline" {
				// 3 of 3 runs held to 405/s, 2 of 3 at 413/s, none from 420/s.
				b.HeldInAll, b.FailedInAll = "405/s", "420/s"
				b.Band = []BoundaryProbe{{"413/s", 413, 2, 3}, {"416/s", 416, 1, 3}}
				b.All = append([]BoundaryProbe{{"100/s", 100, 3, 3}, {"1000/s", 1000, 0, 3}, {"405/s", 405, 3, 3}, {"420/s", 420, 0, 3}}, b.Band...)
			}
			rv.Boundaries = append(rv.Boundaries, b)
		}
	}
	return rv
}

func TestMarkdownGolden(t *testing.T) {
	for _, c := range []struct {
		name     string
		variants bool
	}{{"review.md.golden", false}, {"review-variants.md.golden", true}} {
		rv := reviewFixture(t, c.variants)
		var b bytes.Buffer
		files, err := Markdown(&b, rv, "review-charts")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, c.name, b.Bytes())
		checkClean(t, c.name, b.String())
		// Every linked chart is returned, and every returned chart linked.
		for _, f := range files {
			if !strings.Contains(b.String(), "](review-charts/"+f.Name+")") {
				t.Errorf("%s: chart %s is not linked", c.name, f.Name)
			}
			if !bytes.HasPrefix(f.SVG, []byte("<svg")) || !bytes.HasSuffix(bytes.TrimSpace(f.SVG), []byte("</svg>")) {
				t.Errorf("%s: %s is not an SVG document", c.name, f.Name)
			}
		}
		if n := strings.Count(b.String(), "](review-charts/"); n != len(files) {
			t.Errorf("%s: %d links, %d charts", c.name, n, len(files))
		}
		// Deterministic: the same review renders to the same bytes.
		var again bytes.Buffer
		files2, _ := Markdown(&again, reviewFixture(t, c.variants), "review-charts")
		if !bytes.Equal(b.Bytes(), again.Bytes()) || len(files) != len(files2) {
			t.Fatalf("%s: two renders differ", c.name)
		}
		for i := range files {
			if !bytes.Equal(files[i].SVG, files2[i].SVG) {
				t.Errorf("%s: chart %s differs between renders", c.name, files[i].Name)
			}
		}
	}
}

// outline is the HTML's structure: its headings, tables (with their
// header cells), figures and SVGs, one per line. The golden file pins the
// structure; the numbers are pinned by the Markdown golden files.
func outline(page string) string {
	tag := regexp.MustCompile(`<(h[1-3]|section|table|figure|figcaption|svg|nav)\b[^>]*>|<thead><tr>(.*?)</tr></thead>`)
	strip := regexp.MustCompile(`<[^>]+>`)
	var b strings.Builder
	for _, m := range tag.FindAllStringSubmatchIndex(page, -1) {
		whole := page[m[0]:m[1]]
		switch {
		case strings.HasPrefix(whole, "<thead>"):
			cells := strings.Split(page[m[4]:m[5]], "</th>")
			var names []string
			for _, c := range cells {
				if c = strings.TrimSpace(strip.ReplaceAllString(c, "")); c != "" {
					names = append(names, c)
				}
			}
			b.WriteString("  columns: " + strings.Join(names, " | ") + "\n")
		case strings.HasPrefix(whole, "<h"):
			end := strings.Index(page[m[1]:], "</h")
			b.WriteString(page[m[2]:m[3]] + ": " + page[m[1]:m[1]+end] + "\n")
		case strings.HasPrefix(whole, "<section"):
			id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(whole)
			b.WriteString("section #" + id[1] + "\n")
		case strings.HasPrefix(whole, "<figcaption"):
			end := strings.Index(page[m[1]:], "</figcaption>")
			b.WriteString("  caption: " + page[m[1]:m[1]+end] + "\n")
		default:
			b.WriteString("  " + page[m[2]:m[3]] + "\n")
		}
	}
	return b.String()
}

func TestHTMLStructure(t *testing.T) {
	for _, c := range []struct {
		name     string
		variants bool
	}{{"review.html.outline.golden", false}, {"review-variants.html.outline.golden", true}} {
		rv := reviewFixture(t, c.variants)
		var b bytes.Buffer
		if err := HTML(&b, rv); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		golden(t, c.name, []byte(outline(page)))
		checkClean(t, c.name, page)
		// Self-contained: no script, no stylesheet or image to fetch.
		for _, bad := range []string{"<script", "<link", "<img", "src=", "@import", "url(http", "href=\"http"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: contains %q: the page must not load anything", c.name, bad)
			}
		}
		if strings.Count(page, "<svg") != strings.Count(page, "</svg>") || strings.Count(page, "<svg") < 5 {
			t.Errorf("%s: %d <svg> for %d </svg>", c.name, strings.Count(page, "<svg"), strings.Count(page, "</svg>"))
		}
		for _, tag := range []string{"section", "table", "figure", "main", "html", "body"} {
			if o, cl := strings.Count(page, "<"+tag), strings.Count(page, "</"+tag+">"); o != cl {
				t.Errorf("%s: %d <%s> for %d </%s>", c.name, o, tag, cl, tag)
			}
		}
		if !strings.Contains(page, "&lt;tags&gt;") || strings.Contains(page, "<tags>") {
			t.Errorf("%s: the description is not escaped", c.name)
		}
		var again bytes.Buffer
		HTML(&again, reviewFixture(t, c.variants))
		if !bytes.Equal(b.Bytes(), again.Bytes()) {
			t.Errorf("%s: two renders differ", c.name)
		}
	}
}

// checkClean fails on terminal escapes and on values that leaked through
// unformatted.
func checkClean(t *testing.T, name, s string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "NaN", "+Inf", "%!"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s contains %q", name, bad)
		}
	}
}

func TestBreakerRowsFollowTransitions(t *testing.T) {
	rv := reviewFixture(t, false)
	rows := breakerRows(rv)
	if len(rows) != 2 {
		t.Fatalf("%d breaker rows, want one per api instance", len(rows))
	}
	for _, r := range rows {
		if r.Opens < 1 || r.Spans[0].State != "closed" || r.Spans[0].From != 0 {
			t.Errorf("%s: %+v", r.Label, r)
		}
		for i := 1; i < len(r.Spans); i++ {
			if r.Spans[i].From != r.Spans[i-1].To {
				t.Errorf("%s: spans not contiguous: %+v", r.Label, r.Spans)
			}
		}
		if last := r.Spans[len(r.Spans)-1]; last.To != rv.Runs[0].Result.Now {
			t.Errorf("%s: timeline ends at %s, not at the end of the run", r.Label, last.To)
		}
	}
}

func TestBudgetSeriesEndsAtTheTrackersValue(t *testing.T) {
	rv := reviewFixture(t, false)
	r := rv.Runs[0]
	s := r.Result.SLOs[0]
	_, ys, ok := budgetSeries(r, s, timeAxis{1, ""})
	if !ok {
		t.Fatal("no budget series for an availability SLO")
	}
	if got, want := ys[len(ys)-1], s.Remaining*100; got-want > 1e-9 || want-got > 1e-9 {
		t.Errorf("last point %.6f%%, tracker %.6f%%", got, want)
	}
	if ys[0] != 100 {
		t.Errorf("first point %.3f%%, want 100%% before the fault", ys[0])
	}
}

func TestDelta(t *testing.T) {
	for _, c := range []struct {
		a, b float64
		want string
		abs  func(float64) string
	}{
		{100, 150, "+50.0%", points(2)}, {2, 1, "−50.0%", points(2)}, {5, 5, "±0", points(2)},
		// From a zero baseline the change is absolute, in the metric's unit.
		{0, 0.0199, "+1.99 pp", points(2)},
		{0, 0.5, "+50.0 pp", points(1)},
		{0, 3, "+3.0", func(v float64) string { return fixed(v, 1) }},
		{0, 0.012, "+12.00ms", latency},
		{0, -2, "−2", func(v float64) string { return fixed(v, 0) }},
	} {
		if got := delta(c.a, c.b, c.abs); got != c.want {
			t.Errorf("delta(%v, %v) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// TestChartNamesAreUnique: components whose names differ only in case or
// punctuation must not write over each other's chart files.
func TestChartNamesAreUnique(t *testing.T) {
	rv := reviewFixture(t, true)
	for i := range rv.Runs {
		ws := rv.Runs[i].Result.Workloads
		a, b, c := ws[0], ws[0], ws[0]
		a.Name, b.Name, c.Name = "web-a", "web_a", "Web-A"
		rv.Runs[i].Result.Workloads = []models.WorkloadResult{a, b, c}
	}
	var md bytes.Buffer
	files, err := Markdown(&md, rv, "review-charts")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Name] {
			t.Errorf("two charts named %s", f.Name)
		}
		seen[f.Name] = true
	}
	for _, want := range []string{"goodput-web-a.svg", "goodput-web_a.svg", "goodput-web-a-2.svg"} {
		if !seen[want] || !strings.Contains(md.String(), "review-charts/"+want+")") {
			t.Errorf("no chart %s linked (files %v)", want, seen)
		}
	}

	sw := Sweep{Params: []SweepAxis{{Path: "services.api.workers", Values: []string{"1", "2"}}}, Replications: 1}
	for i, v := range []string{"1", "2"} {
		var ms []SweepMetric
		for _, w := range []string{"web-a", "web_a", "Web-A"} {
			ms = append(ms, SweepMetric{Name: "workload." + w + ".goodput", Unit: "/s", Mean: Num(float64(10 + i))})
		}
		sw.Points = append(sw.Points, SweepPoint{Index: i, Values: []string{v}, Metrics: ms})
	}
	cs, err := SweepCharts(sw)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "sweep-workload_web-a_goodput.svg sweep-workload_web_a_goodput.svg sweep-workload_web-a_goodput-2.svg" {
		t.Errorf("sweep chart names: %s", got)
	}
}

func TestMarkdownLinksSurviveSpaces(t *testing.T) {
	rv := reviewFixture(t, false)
	var md bytes.Buffer
	if _, err := Markdown(&md, rv, "my review (v2)-charts"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "](my%20review%20%28v2%29-charts/throughput.svg)") {
		t.Errorf("chart links not encoded:\n%s", md.String())
	}
	if strings.Contains(md.String(), "](my review") {
		t.Error("a raw space in a link destination")
	}
}

func TestCompareTableHeaderAligns(t *testing.T) {
	rv := reviewFixture(t, true)
	rv.Runs[1].Label = "with-a-much-longer-label"
	var b bytes.Buffer
	CompareTable(&b, rv)
	lines := strings.Split(b.String(), "\n")
	col := strings.Index(lines[0], "baseline vs")
	for _, l := range lines[1 : len(rv.Runs)+1] {
		if i := strings.Index(l, "testdata/"); i != col {
			t.Errorf("source at column %d, want %d:\n%s", i, col, b.String())
		}
	}
	if col != len("with-a-much-longer-label")+1 {
		t.Errorf("first column %d wide", col)
	}
}

func TestShellQuote(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"cascade", "report", "retry-storm", "--out", "r.html"}, "cascade report retry-storm --out r.html"},
		{[]string{"--until", `p99("browse") < 100ms`}, `--until 'p99("browse") < 100ms'`},
		{[]string{"--set", "name=it's"}, `--set 'name=it'\''s'`},
		{[]string{"my file.yaml", ""}, "'my file.yaml' ''"},
		{[]string{"--find", "workloads.a.rate=1..2", "builtin:x", "a,b", "50%"}, "--find workloads.a.rate=1..2 builtin:x a,b 50%"},
	} {
		if got := ShellQuote(c.in); got != c.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
