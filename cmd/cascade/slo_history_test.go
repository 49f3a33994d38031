package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workbookOutage is the SRE workbook's full-outage case as a scenario: a
// 99.9% / 30-day SLO on 10 requests per real second, one simulated second
// standing for ten real minutes, every request failing from 1 h to 2 h of
// the SLO's clock (6 s to 12 s simulated), then 6 h of clean traffic.
const workbookOutage = `name: workbook-outage
description: The SRE workbook's full outage, 99.9% over 30 days.
seed: 1
duration: 49s
workloads:
  users: { to: api, rate: 6000/s, arrivals: constant }
services:
  api: { service_time: 10us, workers: unlimited }
faults:
  - { errors: 100%, on: api, at: 6s, for: 6s }
slos:
HISTORY  availability: { workload: users, objective: 99.9%, scale: 1s = 10m }
`

// TestRunSLOHistoryClean runs the workbook's outage with history: clean
// through the binary and reads the alert instants from the JSON result:
// the pages fire 51.84 s and 2.16 min into the outage and the ticket 4.32
// min in, and they resolve 295.68 s, 29.82 min and 359.64 min after it
// (theory-and-slo.md 1.2), to the 1 s evaluation grid. With the default,
// elapsed, the 6h and 3d windows are one hour long at the outage and their
// rules fire after 21.7 s and 3.6 s.
func TestRunSLOHistoryClean(t *testing.T) {
	type alert struct {
		At       float64 `json:"at"`
		Severity string  `json:"severity"`
		Long     float64 `json:"long"`
		Firing   bool    `json:"firing"`
	}
	const scale, from, to = 600.0, 6.0, 12.0 // real seconds per simulated one; the outage, simulated
	longs := []float64{3600, 21600, 259200}
	for _, c := range []struct {
		history, want string
		fire, resolve []float64 // real seconds after the outage starts; after it ends
	}{
		{"  history: clean\n", "clean", []float64{51.84, 129.6, 259.2}, []float64{295.68, 1789.2, 21578.4}},
		{"", "elapsed", []float64{51.84, 3600 * 0.006 / 0.994, 3600 * 0.001 / 0.999}, nil},
	} {
		dir := t.TempDir()
		yaml := strings.Replace(workbookOutage, "HISTORY", c.history, 1)
		if err := os.WriteFile(filepath.Join(dir, "outage.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cascade(t, dir, "run", "outage.yaml", "--json", "out.json")
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "objective 99.900%, history "+c.want) {
			t.Errorf("%s: the summary does not name the history:\n%s", c.want, r.stdout)
		}
		data, err := os.ReadFile(filepath.Join(dir, "out.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			SLOs []struct {
				History  string  `json:"history"`
				Consumed float64 `json:"budget_consumed"`
				Alerts   []alert `json:"alerts"`
			} `json:"slos"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || len(doc.SLOs) != 1 {
			t.Fatalf("%s: %v\n%s", c.want, err, data)
		}
		s := doc.SLOs[0]
		if s.History != c.want {
			t.Errorf("JSON history %q, want %q", s.History, c.want)
		}
		// A 1 h full outage spends 1/(720 × 0.001) of a 30-day budget.
		if want := 1 / 0.72; math.Abs(s.Consumed-want) > 0.005 {
			t.Errorf("%s: consumed %.4f, want %.4f", c.want, s.Consumed, want)
		}
		for i, long := range longs {
			fired, resolved := math.NaN(), math.NaN()
			for _, a := range s.Alerts {
				if a.Long != long {
					continue
				}
				if a.Firing && math.IsNaN(fired) {
					fired = (a.At - from) * scale
				} else if !a.Firing {
					resolved = (a.At - to) * scale
				}
			}
			if !(math.Abs(fired-c.fire[i]) <= 1) {
				t.Errorf("%s: the %gs-window rule fired %.2f s into the outage, want %.2f", c.want, long, fired, c.fire[i])
			}
			if c.resolve != nil && !(math.Abs(resolved-c.resolve[i]) <= 1) {
				t.Errorf("%s: the %gs-window rule resolved %.2f s after the outage, want %.2f", c.want, long, resolved, c.resolve[i])
			}
		}
	}
}
