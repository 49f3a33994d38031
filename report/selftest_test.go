package report

import (
	"bytes"
	"math"
	"testing"

	"cascade/scenarios/selftest"
)

func TestSelftestTableGolden(t *testing.T) {
	rows := []selftest.Row{
		{Model: "M/M/1 rho=0.8", Metric: "mean response", Unit: "ms", Theory: 50, Mean: 50.3, Half: 1.1, RelErr: 0.006, Pass: true},
		{Model: "M/M/1 rho=0.8", Metric: "utilization", Unit: "%", Theory: 80, Mean: 79.91, Half: 0.4, RelErr: 0.001125, Pass: true},
		{Model: "M/M/c c=4", Metric: "mean queue Lq", Unit: "", Theory: 2.3857, Mean: 2.9, Half: 0.1, RelErr: 0.2156, Pass: false},
		{Model: "M/D/1", Metric: "throughput", Unit: "/s", Theory: 12000, Mean: 11999.4, Half: 3.2, RelErr: 0.00005, Pass: true},
		{Model: "M/G/1", Metric: "Little L vs lambda W", Unit: "", Theory: 0.000123, Mean: 0.0001231, Half: math.NaN(), RelErr: 0.0008, Pass: true},
	}
	var b bytes.Buffer
	SelftestTable(&b, rows)
	golden(t, "selftest.golden", b.Bytes())
}

func TestSelftestTableEmpty(t *testing.T) {
	var b bytes.Buffer
	SelftestTable(&b, nil)
	if got := b.String(); got != "0 passed, 0 failed\n" {
		t.Errorf("got %q", got)
	}
}
