package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cascade/scenarios"
)

// Expectations writes the verdict of every expectation, one per line, with
// what was measured: the line a CI log shows when a build breaks.
func Expectations(w io.Writer, vs []scenarios.Verdict) {
	if len(vs) == 0 {
		return
	}
	fmt.Fprintln(w)
	failed := 0
	for _, v := range vs {
		if !v.Pass {
			failed++
		}
	}
	head := fmt.Sprintf("EXPECT     %d of %d hold", len(vs)-failed, len(vs))
	if vs[0].Runs > 1 {
		head += fmt.Sprintf(" (on the means of %d runs)", vs[0].Runs)
	}
	fmt.Fprintln(w, head)
	for _, v := range vs {
		mark := "PASS"
		if !v.Pass {
			mark = "FAIL"
		}
		line := fmt.Sprintf("  %s  %s", mark, v.Expect)
		if v.Runs > 1 {
			line += fmt.Sprintf("   [%d/%d runs passed]", v.Passed, v.Runs)
		}
		fmt.Fprintln(w, line)
		for _, l := range verdictDetails(v) {
			fmt.Fprintf(w, "        %s\n", l)
		}
	}
}

// Failures writes only the expectations that do not hold, each with its
// measured values and its position in the scenario file: what --quiet
// still prints on stderr.
func Failures(w io.Writer, source string, vs []scenarios.Verdict) {
	for _, v := range vs {
		if v.Pass {
			continue
		}
		line := fmt.Sprintf("%s:%d:%d: FAIL %s", source, v.Line, v.Col, v.Expect)
		if v.Runs > 1 {
			line += fmt.Sprintf("   [%d/%d runs passed]", v.Passed, v.Runs)
		}
		fmt.Fprintln(w, line)
		for _, l := range verdictDetails(v) {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// verdictDetails are the measured values behind a verdict, one per line.
func verdictDetails(v scenarios.Verdict) []string {
	var out []string
	if v.Err != "" {
		out = append(out, "error: "+v.Err)
	}
	for _, m := range v.Measured {
		s := m.Src + " = " + m.Text
		if m.Detail != "" {
			s += ": " + m.Detail
		}
		if v.Runs > 1 && m.Unit == "bool" && m.Failures > 0 {
			s += fmt.Sprintf(" (false in %d of %d runs)", m.Failures, v.Runs)
		}
		out = append(out, s)
	}
	return out
}

// Failed counts the expectations that do not hold.
func Failed(vs []scenarios.Verdict) int {
	n := 0
	for _, v := range vs {
		if !v.Pass {
			n++
		}
	}
	return n
}

type jsonExpect struct {
	Expect   string         `json:"expect"`
	Line     int            `json:"line"`
	Col      int            `json:"col"`
	Pass     bool           `json:"pass"`
	Runs     int            `json:"runs"`
	Passed   int            `json:"runs_passed"`
	Error    string         `json:"error,omitempty"`
	Measured []jsonMeasured `json:"measured"`
}

type jsonMeasured struct {
	Src    string `json:"src"`
	Value  number `json:"value"`   // null: no data; seconds for latencies
	HalfCI number `json:"half_ci"` // 95% interval half-width over runs; 0 for one run
	Unit   string `json:"unit"`
	Text   string `json:"text"`
	Detail string `json:"detail,omitempty"`
}

func jsonExpects(vs []scenarios.Verdict) []jsonExpect {
	out := []jsonExpect{}
	for _, v := range vs {
		je := jsonExpect{Expect: v.Expect, Line: v.Line, Col: v.Col, Pass: v.Pass, Runs: v.Runs, Passed: v.Passed,
			Error: v.Err, Measured: []jsonMeasured{}}
		for _, m := range v.Measured {
			je.Measured = append(je.Measured, jsonMeasured{Src: m.Src, Value: number(m.Value), HalfCI: number(m.HalfCI),
				Unit: m.Unit, Text: m.Text, Detail: m.Detail})
		}
		out = append(out, je)
	}
	return out
}

// JUnitSuite is one scenario's run for a JUnit report.
type JUnitSuite struct {
	Meta        Meta // Meta.Expect holds the verdicts
	WallSeconds float64
}

// JUnit writes expectations as a JUnit XML report, one test case per
// expectation in one suite per scenario, which CI systems (GitHub Actions
// reporters, GitLab, Jenkins) show natively. A scenario without
// expectations gives one passing case, "run", so a suite is never empty.
func JUnit(w io.Writer, runs []JUnitSuite) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type property struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	type testsuite struct {
		XMLName    xml.Name   `xml:"testsuite"`
		Name       string     `xml:"name,attr"`
		Tests      int        `xml:"tests,attr"`
		Failures   int        `xml:"failures,attr"`
		Errors     int        `xml:"errors,attr"`
		Time       string     `xml:"time,attr"`
		Properties []property `xml:"properties>property"`
		Cases      []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Suites  []testsuite `xml:"testsuite"`
	}
	var doc testsuites
	for _, run := range runs {
		meta, vs := run.Meta, run.Meta.Expect
		suite := testsuite{Name: meta.Scenario, Time: strconv.FormatFloat(run.WallSeconds, 'f', 3, 64),
			Properties: []property{{"source", meta.Source}, {"seed", strconv.FormatUint(meta.Seed, 10)},
				{"version", meta.Version}}}
		if meta.Runs > 1 {
			suite.Properties = append(suite.Properties, property{"replications", strconv.Itoa(meta.Runs)})
		}
		class := "cascade." + meta.Scenario
		for _, v := range vs {
			tc := testcase{Name: v.Expect, Classname: class, Time: "0.000", SystemOut: strings.Join(verdictDetails(v), "\n")}
			if v.Runs > 1 {
				tc.SystemOut += fmt.Sprintf("\n%d of %d runs passed", v.Passed, v.Runs)
			}
			if !v.Pass {
				suite.Failures++
				msg := "expectation does not hold"
				if d := verdictDetails(v); len(d) > 0 {
					msg += ": " + strings.Join(d, "; ")
				}
				tc.Failure = &failure{Message: msg, Type: "expectation",
					Text: fmt.Sprintf("%s:%d:%d: %s\n%s", meta.Source, v.Line, v.Col, v.Expect, tc.SystemOut)}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		if len(vs) == 0 && !meta.Interrupted {
			suite.Cases = append(suite.Cases, testcase{Name: "run", Classname: class, Time: suite.Time})
		}
		if meta.Interrupted {
			suite.Errors++
			suite.Cases = append(suite.Cases, testcase{Name: "run", Classname: class, Time: suite.Time,
				Failure: &failure{Message: "interrupted: results cover only part of the run", Type: "interrupted"}})
		}
		suite.Tests = len(suite.Cases)
		doc.Suites = append(doc.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
