package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCIDocWorkflow keeps docs/ci.md honest: its GitHub Actions workflow
// is valid YAML, and the cascade command it runs, pointed at a directory
// with one passing and one failing scenario, fails with exit status 1 and
// writes the JUnit file the reporter step reads.
func TestCIDocWorkflow(t *testing.T) {
	data, err := os.ReadFile("../../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("docs/ci.md has no workflow")
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run  string         `yaml:"run"`
				With map[string]any `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(m[1], &wf); err != nil {
		t.Fatalf("the workflow is not valid YAML: %v", err)
	}
	var command, report string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if strings.Contains(s.Run, "cascade\" run") {
				command = s.Run
			}
			if p, ok := s.With["report_paths"].(string); ok {
				report = p
			}
		}
	}
	if command == "" || report == "" {
		t.Fatalf("no cascade run step or no JUnit report step in the workflow")
	}
	args := strings.Fields(command)[1:] // drop the binary
	dir := t.TempDir()
	scen := filepath.Join(dir, args[1])
	if err := os.MkdirAll(scen, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScenario(t, scen, "a.yaml", "100ms")
	writeScenario(t, scen, "b.yaml", "5ms")
	r := cascade(t, dir, append(args, "--quiet")...)
	wantCode(t, r, exitFailed)
	if _, err := os.Stat(filepath.Join(dir, report)); err != nil {
		t.Errorf("the reporter reads %s, which the command did not write: %v", report, err)
	}
}
