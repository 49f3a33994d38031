package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cascade/sim"
)

// A run estimated above the event limit is refused by every command that
// runs scenarios, at the rate, with the estimate; --allow-huge lets it
// through. A rate expression that goes negative during the run stops it
// with the problem validate gives.
func TestEventLimitAndRateAtRunTime(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("huge.yaml", "duration: 1m\nworkloads:\n  w: { to: api, rate: 1e300/s }\nservices:\n  api: { service_time: 1ms }\n")
	write("dip.yaml", "duration: 1s\nworkloads:\n  w: { to: api, rate: \"10 - t\", timeout: 1s }\nservices:\n  api: { service_time: 1ms }\n")
	write("variant.yaml", "duration: 1m\nworkloads:\n  w: { to: api, rate: 5/s }\nservices:\n  api: { service_time: 1ms }\nvariants: { huge: { workloads.w.rate: 1e300/s } }\n")
	const refused = "huge.yaml:3:23: workloads.w.rate: the run would take about 1.8e+302 events, more than the limit of 2e+09"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", "huge.yaml"}, exitUsage, refused},
		{[]string{"run", "huge.yaml"}, exitUsage, refused},
		{[]string{"report", "huge.yaml", "--out", "r.md"}, exitUsage, refused},
		{[]string{"sweep", "huge.yaml", "--set", "seed=1,2"}, exitUsage, refused},
		{[]string{"compare", "huge.yaml", "huge.yaml"}, exitUsage, refused},
		{[]string{"tui", "huge.yaml"}, exitUsage, refused},
		{[]string{"report", "variant.yaml", "--out", "r.md"}, exitUsage, "variant.yaml:6:39: workloads.w.rate: the run would take about 1.8e+302 events"},
		{[]string{"validate", "variant.yaml"}, exitUsage, "variant.yaml:6:39: workloads.w.rate: the run would take about 1.8e+302 events"},
		{[]string{"validate", "--allow-huge", "huge.yaml"}, exitOK, ""},
		{[]string{"run", "dip.yaml", "--duration", "20s", "--quiet"}, exitFailed, `dip.yaml:3:24: workloads.w.rate: rate expression is -`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := cascade(t, dir, tc.args...)
			noCrash(t, r)
			wantCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			if tc.want == refused && !strings.Contains(r.stderr, "--allow-huge") {
				t.Errorf("no hint naming --allow-huge:\n%s", r.stderr)
			}
		})
	}
}

// The progress line shows the events so far against the estimate, so a
// slow run says at once why; counts past a peta print as powers of ten.
func TestProgressShowsEstimate(t *testing.T) {
	for _, tc := range []struct {
		expect float64
		events uint64
		want   string
	}{
		{28.5e6, 16_000_000, "(16.0M of ~28.5M events)"},
		{1.8e302, 2_000_000_000, "(2.0G of ~1.8e+302 events)"},
		{0, 1000, ""},
	} {
		var b bytes.Buffer
		p := newProgress(&b, "shop", 10*sim.Minute)
		p.expect = tc.expect
		p.start = time.Now().Add(-10 * time.Second)
		p.last = time.Time{}
		p.update(2*sim.Minute, tc.events)
		line := b.String()
		if tc.want == "" {
			if strings.Contains(line, " of ~") {
				t.Errorf("no estimate, yet the line says %q", line)
			}
		} else if !strings.Contains(line, tc.want) {
			t.Errorf("progress line %q lacks %q", line, tc.want)
		}
	}
}
