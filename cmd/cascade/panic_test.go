package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// A panic that escapes a command — a bug — reaches the user as one line
// asking for a report, with exit status 3 and no stack trace. This runs
// cli in-process with a command that panics on purpose.
func TestPanicBecomesInternalError(t *testing.T) {
	t.Setenv("CASCADE_DEBUG", "")
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(commands[:len(commands):len(commands)], command{name: "boom", run: func([]string) int {
		var m map[string]int
		m["x"]++ // assignment to entry in nil map
		return exitOK
	}})

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	status := cli([]string{"boom"})
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)

	if status != exitInternal {
		t.Errorf("status %d, want %d", status, exitInternal)
	}
	msg := string(out)
	if !strings.HasPrefix(msg, "cascade: internal error: ") || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "goroutine") {
		t.Errorf("stderr %q, want one line without a stack trace", msg)
	}
}
