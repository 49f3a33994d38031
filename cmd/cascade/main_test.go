package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The tests in this package run the real binary, as a user or a CI job
// would: what matters here is exit statuses, what goes to stdout versus
// stderr, and that nothing ever prints a stack trace.

var binary string // built once by TestMain

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cascade-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "cascade")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		// Stamping version-control information fails in some checkouts
		// (a detached worktree, a foreign owner); the tests do not need it.
		if out2, err2 := exec.Command("go", "build", "-buildvcs=false", "-o", binary, ".").CombinedOutput(); err2 != nil {
			fmt.Fprintf(os.Stderr, "building cascade: %v\n%s%s", err2, out, out2)
			return 1
		}
	}
	return m.Run()
}

// result is what one invocation of the binary did.
type result struct {
	stdout, stderr string
	code           int
}

// cascade runs the binary with args in dir ("" for a fresh temporary
// directory) and returns its output and exit status.
func cascade(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		r.code = exit.ExitCode()
	default:
		t.Fatalf("cascade %q: %v\nstderr:\n%s", args, err, r.stderr)
	}
	return r
}

// noCrash fails when output looks like a Go panic or stack trace: users
// must never see one, whatever they feed the binary.
func noCrash(t *testing.T, r result) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", "runtime/", ".go:"} {
		if bytes.Contains([]byte(r.stdout+r.stderr), []byte(bad)) {
			t.Errorf("output contains %q:\nstdout:\n%s\nstderr:\n%s", bad, r.stdout, r.stderr)
		}
	}
}

// wantCode fails unless r exited with code.
func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}
