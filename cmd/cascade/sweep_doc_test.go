package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSweepDocExamples keeps docs/sweeps.md honest: its GitHub Actions
// workflow and Kubernetes manifests are valid YAML, and the sweep they run
// is one cascade accepts (its --set values parse, its shard is a shard).
func TestSweepDocExamples(t *testing.T) {
	data, err := os.ReadFile("../../docs/sweeps.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(data, -1)
	if len(blocks) < 2 {
		t.Fatalf("want the workflow and the Job manifests, found %d yaml blocks", len(blocks))
	}
	kinds := map[string]int{}
	for _, b := range blocks {
		dec := yaml.NewDecoder(bytes.NewReader(b[1]))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("invalid YAML: %v\n%s", err, b[1])
			}
			if k, ok := doc["kind"].(string); ok {
				kinds[k]++
			}
			if _, ok := doc["jobs"]; ok {
				kinds["workflow"]++
			}
		}
	}
	if kinds["workflow"] != 1 || kinds["Job"] != 2 {
		t.Errorf("want one workflow and two Jobs, got %v", kinds)
	}
	job := blocks[1][1]
	if !bytes.Contains(job, []byte("completionMode: Indexed")) || !bytes.Contains(job, []byte("--shard $((JOB_COMPLETION_INDEX + 1))/8")) {
		t.Error("the Kubernetes example must be an Indexed Job mapping the completion index to a shard")
	}
	for _, set := range regexp.MustCompile(`--set (\S+)`).FindAllSubmatch(data, -1) {
		arg := strings.Trim(string(set[1]), `'"`)
		if strings.Contains(arg, "VALUES") || strings.Contains(arg, "PATH") {
			continue
		}
		if _, err := parseAxis(arg); err != nil {
			t.Errorf("docs/sweeps.md: --set %s: %v", arg, err)
		}
	}
}
