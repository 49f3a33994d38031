package report

import (
	"bytes"
	"strings"
	"testing"

	"cascade/models"
	"cascade/sim"
)

func TestSummaryGolden(t *testing.T) {
	meta, r := fixture()
	var b bytes.Buffer
	Summary(&b, meta, r)
	golden(t, "summary.golden", b.Bytes())
}

// An interrupted run says so, and says how far it got against its plan.
func TestSummaryInterruptedGolden(t *testing.T) {
	meta, r := fixture()
	meta.Interrupted = true
	meta.Description = "A long description, as library scenarios have: it derives the numbers theory expects " +
		"(mean response W = 1/(mu - lambda) = 50 ms) and must wrap to stay readable in an 80-column terminal."
	r.Now = 3*sim.Minute + 12*sim.Second
	r.Measured = r.Now - meta.Warmup
	var b bytes.Buffer
	Summary(&b, meta, r)
	golden(t, "summary_interrupted.golden", b.Bytes())
}

// A run without a planned end ends when its workloads finish, and a run
// stopped during warm-up measured the warm-up too: the header says both.
func TestSummaryHeaderVariants(t *testing.T) {
	meta, r := fixture()
	meta.Duration = 0
	var b bytes.Buffer
	Summary(&b, meta, r)
	if !strings.Contains(b.String(), "until every workload finished") {
		t.Errorf("no mention of the run ending with its workloads:\n%s", b.String())
	}
	meta.Interrupted = true
	r.Now, r.Measured = 10*sim.Second, 10*sim.Second
	b.Reset()
	Summary(&b, meta, r)
	for _, want := range []string{"interrupted before every workload finished", "inside the 30s warm-up", "INTERRUPTED"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

func TestSummaryIsClean(t *testing.T) {
	meta, r := fixture()
	var b bytes.Buffer
	Summary(&b, meta, r)
	for i, line := range strings.Split(b.String(), "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line %d has trailing spaces: %q", i+1, line)
		}
		if strings.Contains(line, "NaN") || strings.Contains(line, "Inf") {
			t.Errorf("line %d prints a non-number: %q", i+1, line)
		}
	}
}

func TestLatencyUnits(t *testing.T) {
	for _, c := range []struct {
		sec  float64
		want string
	}{
		{0, "0.0µs"},
		{0.0000123, "12.3µs"},
		{0.00099996, "1.00ms"}, // rounds into the next unit
		{0.000999, "999.0µs"},
		{0.0123456, "12.35ms"},
		{0.9999996, "1.000s"},
		{12.3456, "12.346s"},
		{-1, "0.0µs"},
	} {
		if got := latency(c.sec); got != c.want {
			t.Errorf("latency(%v) = %q, want %q", c.sec, got, c.want)
		}
	}
}

func TestSpan(t *testing.T) {
	for _, c := range []struct {
		t    sim.Time
		want string
	}{
		{0, "0s"},
		{1500 * sim.Millisecond, "1.5s"},
		{30 * sim.Second, "30s"},
		{10 * sim.Minute, "10m"},
		{9*sim.Minute + 30*sim.Second, "9m30s"},
		{sim.Hour + 5*sim.Minute, "1h5m"},
		{2*sim.Hour + 250*sim.Millisecond, "2h0m0.25s"},
		{sim.Minute + 1234567*sim.Microsecond, "1m1.235s"},
	} {
		if got := span(c.t); got != c.want {
			t.Errorf("span(%d) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddddddddd e", 7)
	want := []string{"aaa bbb", "ccc", "dddddddddd", "e"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if len(wrap("  ", 10)) != 0 {
		t.Error("blank text should give no lines")
	}
}

func TestAttributionLines(t *testing.T) {
	s := models.SLOResult{Name: "avail"}
	s.Bad, s.BudgetEvents = 100, 200
	s.Attribution = []models.Attribution{
		{Name: "slow-db", Bad: 30, Budget: 0.15},
		{Name: "crash-other", Outside: true},
		{Name: "loss", Bad: 10, Budget: 0.05},
	}
	s.Shared = []models.SharedBurn{{Names: []string{"slow-db", "loss"}, Bad: 20, Budget: 0.1}}
	want := []string{
		"fault slow-db burned 15.0% of the budget (30 bad events while it alone was active on the SLO's path)",
		"fault crash-other: outside this SLO's call graph, not charged",
		"fault loss burned 5.0% of the budget (10 bad events while it alone was active on the SLO's path)",
		"shared by slow-db and loss (active together on the SLO's path): 10.0% of the budget (20 bad events)",
		"while no fault on the SLO's path was active: 20.0% of the budget (40 bad events)",
	}
	got := attributionLines(s)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
