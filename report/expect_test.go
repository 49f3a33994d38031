package report

import (
	"bytes"
	"math"
	"testing"

	"cascade/scenarios"
)

// verdicts are one passing and one failing expectation over three runs.
func verdicts() []scenarios.Verdict {
	return []scenarios.Verdict{
		{Expect: `p99("api") < 250ms`, Line: 40, Col: 5, Pass: true, Runs: 3, Passed: 3,
			Measured: []scenarios.Measured{{Src: `p99("api")`, Value: 0.1824, HalfCI: 0.011, Unit: "s", Text: "182.4ms ± 11.0ms"}}},
		{Expect: `recovered("browse", within: 2m) && slo("avail").budget_remaining > 0.5`, Line: 41, Col: 5, Runs: 3, Passed: 1,
			Measured: []scenarios.Measured{
				{Src: `recovered("browse", within: 2m)`, Value: 0, Unit: "bool", Text: "false", Failures: 2,
					Detail: "goodput 12.0/s from 2m after the last fault < 90% of the 400.0/s before it"},
				{Src: `slo("avail").budget_remaining`, Value: math.NaN(), Unit: "ratio", Text: "no data"}}},
	}
}

func TestJUnitGolden(t *testing.T) {
	var buf bytes.Buffer
	meta := Meta{Scenario: "retry-storm", Source: "scenarios/retry-storm.yaml", Version: "test", Seed: 7, Runs: 3, Expect: verdicts()}
	empty := Meta{Scenario: "shop", Source: "builtin:shop", Version: "test", Seed: 1}
	if err := JUnit(&buf, []JUnitSuite{{Meta: meta, WallSeconds: 1.25}, {Meta: empty}}); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.xml.golden", buf.Bytes())
}

func TestExpectationsText(t *testing.T) {
	var buf bytes.Buffer
	Expectations(&buf, verdicts())
	buf.WriteString("---\n")
	Failures(&buf, "scenarios/retry-storm.yaml", verdicts())
	golden(t, "expect.golden", buf.Bytes())
	if Failed(verdicts()) != 1 {
		t.Error("Failed miscounts")
	}
}
