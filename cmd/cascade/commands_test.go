package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cascade/scenarios"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good, ok := scenarios.Builtin("theory-mm1")
	if !ok {
		t.Fatal("no built-in theory-mm1")
	}
	broken := `name: broken
duration: 10x
workloads:
  users: { to: nowhere, rate: 10/s }
services:
  api:
    workerz: 3
    ops:
      get:
        - work: 1ms
`
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.yaml", string(good))
	write("broken.yaml", broken)

	r := cascade(t, dir, "validate", "good.yaml")
	wantCode(t, r, exitOK)
	if r.stdout != "good.yaml: ok\n" {
		t.Errorf("stdout %q", r.stdout)
	}

	r = cascade(t, dir, "validate", "good.yaml", "broken.yaml")
	wantCode(t, r, exitUsage)
	noCrash(t, r)
	if r.stdout != "good.yaml: ok\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) < 3 {
		t.Errorf("expected at least three problems, got:\n%s", r.stderr)
	}
	pos := regexp.MustCompile(`^broken\.yaml:\d+:\d+: `)
	for _, line := range lines {
		if strings.Contains(line, ": warning: ") {
			continue // good.yaml's warnings (theory-mm1 has no timeouts); they do not fail validate
		}
		if !pos.MatchString(line) {
			t.Errorf("problem line %q does not start with file:line:col", line)
		}
	}

	r = cascade(t, dir, "validate")
	wantCode(t, r, exitUsage)

	r = cascade(t, dir, "run", "broken.yaml")
	wantCode(t, r, exitUsage)
	noCrash(t, r)
	if r.stdout != "" || !pos.MatchString(r.stderr) {
		t.Errorf("run of an invalid file:\nstdout %q\nstderr %q", r.stdout, r.stderr)
	}
}

func TestList(t *testing.T) {
	r := cascade(t, "", "list")
	wantCode(t, r, exitOK)
	if !regexp.MustCompile(`(?m)^shop \(default\) +\S`).MatchString(r.stdout) {
		t.Errorf("list does not show shop as the default:\n%s", r.stdout)
	}
	names := builtins(t)
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("not sorted: %q before %q", names[i-1], names[i])
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := cascade(t, "", args...)
		wantCode(t, r, exitOK)
		if !regexp.MustCompile(`^cascade \S+( \(.+\))?\n$`).MatchString(r.stdout) {
			t.Errorf("%q printed %q", args, r.stdout)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	r := cascade(t, "", "rnu")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, `did you mean "run"?`) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q", r.stderr)
	}
	r = cascade(t, "", "--frobnicate")
	wantCode(t, r, exitUsage)
	r = cascade(t, "")
	wantCode(t, r, exitUsage)
	if !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("no usage without a command: %q", r.stderr)
	}
}

// Every way of asking for help prints usage with examples to stdout and
// succeeds.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"--help"}, {"-h"},
		{"help", "run"}, {"run", "--help"}, {"run", "-h"}, {"run", "shop", "--help"},
		{"validate", "--help"}, {"list", "--help"}, {"selftest", "--help"}, {"version", "--help"},
	} {
		r := cascade(t, "", args...)
		wantCode(t, r, exitOK)
		if !strings.Contains(r.stdout, "Usage") || !strings.Contains(r.stdout, "Example") || r.stderr != "" {
			t.Errorf("%q: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
	r := cascade(t, "", "help", "rnu")
	wantCode(t, r, exitUsage)
}

func TestSelftest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every theory scenario several times")
	}
	r := cascade(t, "", "selftest", "--replications", "3")
	noCrash(t, r)
	m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\n\z`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no final count line (exit %d):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	want := exitOK
	if m[2] != "0" {
		want = exitFailed
	}
	wantCode(t, r, want)
	if !strings.Contains(r.stdout, "M/M/1") {
		t.Errorf("no M/M/1 row:\n%s", r.stdout)
	}

	r = cascade(t, "", "selftest", "--replications", "1")
	wantCode(t, r, exitUsage)
}
