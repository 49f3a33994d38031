package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
