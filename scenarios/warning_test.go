package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestWarningsGolden: testdata/warnings/probably-wrong.yaml has one of each
// warning on purpose; its golden file is the reviewed output (-update).
func TestWarningsGolden(t *testing.T) {
	const file = "testdata/warnings/probably-wrong.yaml"
	s, err := Load(file)
	if err != nil {
		t.Fatalf("the file must load (warnings are not problems): %v", err)
	}
	var b strings.Builder
	for _, w := range s.Warnings() {
		b.WriteString(w.String() + "\n")
	}
	golden := strings.TrimSuffix(file, ".yaml") + ".golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("warnings differ from %s (go test -update, then review the diff):\n%s", golden, b.String())
	}
}

// TestWarnings checks each warning fires exactly where it should, and not
// on the correct spelling of the same thing.
func TestWarnings(t *testing.T) {
	const svc = "services:\n  api:\n    instances: 1\n    workers: 4\n    ops:\n      get:\n        - work: 10ms\n        - call: db\n%s  db: {workers: 8, service_time: 1ms}\n"
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings, one warning each, in order
	}{
		{"objective as percent", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s, timeout: 1s}\n" + strings.Replace(svc, "%s", "", 1) +
			"slos:\n  s: {workload: w, objective: 99.9%}\n", nil},
		{"objective as fraction", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s, timeout: 1s}\n" + strings.Replace(svc, "%s", "", 1) +
			"slos:\n  s: {workload: w, objective: 0.99}\n", []string{"14:31: warning: slos.s.objective: objective 0.99 is read as the fraction 99%, not as 0.99%"}},
		{"timeout within the run", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s, timeout: 60s}\n" + strings.Replace(svc, "%s", "", 1), nil},
		{"timeout past the run", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s, deadline: 61s}\n" + strings.Replace(svc, "%s", "", 1),
			[]string{"3:38: warning: workloads.w.deadline: deadline 61s is longer than the run", "11:11: warning: services.api.ops.get[1]: no timeout anywhere on the path workload w -> api.get -> db.default"}},
		{"no duration: no timeout is too long", "workloads:\n  w: {to: api, rate: 10/s, timeout: 10h, requests: 10}\n" + strings.Replace(svc, "%s", "", 1), nil},
		{"call timeout covers the path", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s}\n" + strings.Replace(strings.Replace(svc, "- call: db\n", "- call: db\n          timeout: 50ms\n", 1), "%s", "", 1),
			nil},
		{"load just under capacity", "duration: 1m\nworkloads:\n  w: {to: api, rate: 399/s, timeout: 1s}\n" + strings.Replace(svc, "%s", "", 1), nil},
		{"load over capacity", "duration: 1m\nworkloads:\n  w: {to: api, rate: 401/s, timeout: 1s}\n" + strings.Replace(svc, "%s", "", 1),
			[]string{"5:3: warning: services.api: offered load at t=0 needs 4.01 busy workers, more than its 4"}},
		{"load over capacity through repeats", "duration: 1m\nworkloads:\n  w: {to: api, rate: 10/s, timeout: 1s}\n" +
			strings.Replace(strings.Replace(svc, "- call: db\n", "- call: db\n          repeat: 900\n", 1), "%s", "", 1),
			[]string{"services.db: offered load at t=0 needs 9 busy workers, more than its 8"}},
		{"closed loop is never over capacity", "duration: 1m\nworkloads:\n  w: {to: api, users: 10000, timeout: 1s}\n" + strings.Replace(svc, "%s", "", 1), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("w.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			ws := s.Warnings()
			if len(ws) != len(tc.want) {
				t.Fatalf("got %d warnings, want %d: %v", len(ws), len(tc.want), ws)
			}
			for i, w := range ws {
				if !strings.Contains(w.String(), tc.want[i]) {
					t.Errorf("warning %d = %s, want it to contain %q", i, w, tc.want[i])
				}
			}
		})
	}
}

// TestWarningsCapPaths: a fan-out with many unprotected paths gives a
// bounded number of warnings and says how many were left out.
func TestWarningsCapPaths(t *testing.T) {
	var b strings.Builder
	b.WriteString("duration: 1m\nworkloads:\n  w: {to: api, rate: 1/s}\nservices:\n  api:\n    ops:\n      get:\n")
	for i := 0; i < maxPathWarnings+5; i++ {
		b.WriteString("        - call: s" + string(rune('a'+i)) + "\n")
	}
	for i := 0; i < maxPathWarnings+5; i++ {
		b.WriteString("  s" + string(rune('a'+i)) + ": {service_time: 1ms}\n")
	}
	s, err := Parse("w.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ws := s.Warnings()
	if len(ws) != maxPathWarnings+1 || !strings.Contains(ws[0].Msg, "and 5 more call paths") {
		t.Fatalf("got %d warnings, want %d with the count of the rest first (it points at workloads:): %v", len(ws), maxPathWarnings+1, ws)
	}
}
