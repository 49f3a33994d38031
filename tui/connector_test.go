package tui

import (
	"strings"
	"testing"
)

// TestTUIConnectors checks the lines drawn between columns: a call to the
// next column gets an arrow into its callee, callers that share callees
// share a bus, and a bus is left out rather than suggest a call that is
// not there (cache-stampede's four api lanes overlap at 80x24 and each
// calls only its own cache and database).
func TestTUIConnectors(t *testing.T) {
	rowOf := func(view, name string) string {
		for _, l := range strings.Split(view, "\n") {
			if strings.Contains(l, " "+name+" ") {
				return l
			}
		}
		t.Fatalf("no row with %q in:\n%s", name, view)
		return ""
	}
	cases := []struct {
		scenario, name string
		want, not      []string
	}{
		// api calls catalog, reviews and payments: one bus, three arrows.
		{"shop", "catalog", []string{"┬→○ catalog", "┬→○ db"}, nil},
		{"shop", "reviews", []string{"├→○ reviews ────┘"}, nil},
		{"shop", "checkout", []string{"checkout ───┘"}, nil},
		// Overlapping lanes with different callees: no bus at all.
		{"cache-stampede", "api-naive", []string{"─→○ api-naive"}, []string{"┬→", "┐"}},
		{"cache-stampede", "cache-rt", []string{"─→○ db-rt"}, nil},
	}
	for _, c := range cases {
		hs := newHarness(t, c.scenario, 80, 24)
		row := rowOf(hs.view(), c.name)
		for _, w := range c.want {
			if !strings.Contains(row, w) {
				t.Errorf("%s: row of %s lacks %q:\n%s", c.scenario, c.name, w, row)
			}
		}
		for _, n := range c.not {
			if strings.Contains(row, n) {
				t.Errorf("%s: row of %s has %q:\n%s", c.scenario, c.name, n, row)
			}
		}
	}
}
