package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cascade/scenarios"
)

// TestReportAndSweepDocSnippetsLoad keeps the YAML that docs/reports.md
// and docs/sweeps.md show people to copy loadable: the variants: example
// as a scenario's variants, and every inline flow-map value ({ attempts:
// 3, … }) as a workload's retry.
func TestReportAndSweepDocSnippetsLoad(t *testing.T) {
	dir := t.TempDir()
	base := reviewScenario[:strings.Index(reviewScenario, "variants:\n")]
	found := 0
	for _, doc := range []string{"reports.md", "sweeps.md"} {
		data, err := os.ReadFile(filepath.Join("../../docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
			if !strings.HasPrefix(b[1], "variants:") {
				continue
			}
			found++
			path := filepath.Join(dir, "v.yaml")
			if err := os.WriteFile(path, []byte(base+b[1]), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenarios.Load(path)
			if err != nil {
				t.Fatalf("%s: the variants example: %v", doc, err)
			}
			if _, err := s.Variants(); err != nil {
				t.Errorf("%s: the variants example does not load:\n%v", doc, err)
			}
		}
		s, err := scenarios.Parse("review.yaml", []byte(base))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("`(\\{ attempts:[^`]*)`").FindAllStringSubmatch(string(data), -1) {
			found++
			o, err := scenarios.ParseSet("workloads.browse.retry=" + m[1])
			if err == nil {
				_, err = s.Override([]scenarios.Override{o})
			}
			if err != nil {
				t.Errorf("%s: retry value %s does not load: %v", doc, m[1], err)
			}
		}
	}
	if found < 3 {
		t.Errorf("found %d snippets; the test looks for the variants example and the retry flow maps", found)
	}
}
