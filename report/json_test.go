package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONGolden(t *testing.T) {
	meta, r := fixture()
	var b bytes.Buffer
	if err := JSON(&b, meta, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "result.json.golden", b.Bytes())
}

// The document parses, carries its schema, turns NaN and Inf into null, and
// ends with a newline so that files written from it are proper text files.
func TestJSONShape(t *testing.T) {
	meta, r := fixture()
	meta.Duration = 0
	var b bytes.Buffer
	if err := JSON(&b, meta, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "}\n") {
		t.Error("document does not end with a newline")
	}
	var doc struct {
		Schema    string   `json:"schema"`
		Seed      uint64   `json:"seed"`
		Planned   *float64 `json:"planned"`
		Workloads []struct {
			Latency struct {
				P99 *float64 `json:"p99"`
			} `json:"latency"`
		} `json:"workloads"`
		Services []struct {
			Utilization *float64 `json:"utilization"`
			Little      struct {
				RelErr *float64 `json:"rel_err"`
			} `json:"little"`
		} `json:"services"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != Schema || doc.Seed != 42 {
		t.Errorf("schema %q seed %d", doc.Schema, doc.Seed)
	}
	if doc.Planned != nil {
		t.Errorf("planned = %v for a run that ends with its workloads, want null", *doc.Planned)
	}
	if doc.Workloads[1].Latency.P99 != nil {
		t.Error("NaN latency not encoded as null")
	}
	if doc.Services[0].Utilization != nil {
		t.Error("NaN utilization not encoded as null")
	}
	if doc.Services[2].Little.RelErr != nil {
		t.Error("infinite relative error not encoded as null")
	}
}

// Same input, same bytes: the property the CLI's determinism test relies on.
func TestJSONDeterministic(t *testing.T) {
	meta, r := fixture()
	var a, b bytes.Buffer
	if err := JSON(&a, meta, r); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&b, meta, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two encodings of one result differ")
	}
}

// An empty result still has arrays, not nulls, so consumers can iterate.
func TestJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, Meta{Scenario: "empty"}, modelsResultZero()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"workloads": []`, `"services": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %s in\n%s", want, b.String())
		}
	}
}

// The JSON says what the report says about attribution: a fault outside an
// SLO's call graph is marked and charged nothing.
func TestJSONAttributionByCause(t *testing.T) {
	rv := runReview(t, builtinDesigns(t, "retry-storm")[:1])
	var b bytes.Buffer
	if err := JSON(&b, rv.Runs[0].Meta, rv.Runs[0].Result); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SLOs []struct {
			Name        string `json:"name"`
			Attribution []struct {
				Fault   string  `json:"fault"`
				Outside bool    `json:"outside"`
				Bad     int64   `json:"bad"`
				Budget  float64 `json:"budget"`
			} `json:"attribution"`
			Shared []json.RawMessage `json:"shared"`
		} `json:"slos"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	own := map[string]string{"naive-availability": "slowdown-naive", "budgeted-availability": "slowdown-budget"}
	for _, s := range doc.SLOs {
		if s.Shared == nil {
			t.Errorf("%s: shared is missing (want [])", s.Name)
		}
		for _, a := range s.Attribution {
			mine := a.Fault == own[s.Name]
			if a.Outside == mine || (!mine && (a.Bad != 0 || a.Budget != 0)) || (mine && a.Bad == 0) {
				t.Errorf("%s: %+v", s.Name, a)
			}
		}
	}
}
