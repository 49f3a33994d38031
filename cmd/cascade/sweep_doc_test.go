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
	if len(blocks) != 3 {
		t.Fatalf("want the workflow, the shard Job and the merge Job in separate blocks (files), got %d blocks", len(blocks))
	}
	job := blocks[1][1]
	if !bytes.Contains(job, []byte("completionMode: Indexed")) || !bytes.Contains(job, []byte("--shard $((JOB_COMPLETION_INDEX + 1))/8")) {
		t.Error("the Kubernetes example must be an Indexed Job mapping the completion index to a shard")
	}
	// GOMAXPROCS follows the CPU limit, not the request.
	var shardJob struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Resources struct {
							Limits map[string]string `yaml:"limits"`
						} `yaml:"resources"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(job, &shardJob); err != nil || len(shardJob.Spec.Template.Spec.Containers) == 0 ||
		shardJob.Spec.Template.Spec.Containers[0].Resources.Limits["cpu"] == "" {
		t.Errorf("the shard Job needs a CPU limit (Go reads GOMAXPROCS from it): %v", err)
	}
	if bytes.Contains(job, []byte("shop-sweep-merge")) || !bytes.Contains(blocks[2][1], []byte("shop-sweep-merge")) {
		t.Error("the merge Job must be a manifest of its own, applied after the shards complete")
	}
	// The Job runs /bin/sh, so the image's final stage must have one.
	docker := regexp.MustCompile("(?s)```dockerfile\n(.*?)```").FindSubmatch(data)
	if docker == nil {
		t.Fatal("no Dockerfile")
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllSubmatch(docker[1], -1)
	if final := string(froms[len(froms)-1][1]); !strings.HasPrefix(final, "alpine") {
		t.Errorf("the Dockerfile's final stage is %s; the Job needs /bin/sh", final)
	}
	// Shards and merge must run one binary: built once, passed on.
	var wf struct {
		Jobs map[string]struct {
			Needs any `yaml:"needs"`
			Steps []struct {
				Uses string         `yaml:"uses"`
				Run  string         `yaml:"run"`
				With map[string]any `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(blocks[0][1], &wf); err != nil {
		t.Fatal(err)
	}
	for name, j := range wf.Jobs {
		builds, gets := false, false
		for _, st := range j.Steps {
			builds = builds || strings.Contains(st.Run, "go build")
			gets = gets || strings.HasPrefix(st.Uses, "actions/download-artifact") && st.With["name"] == "cascade-binary"
		}
		switch {
		case name == "build" && !builds:
			t.Error("the build job does not build cascade")
		case name != "build" && (builds || !gets):
			t.Errorf("job %s must download the one cascade binary, not build its own", name)
		}
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
