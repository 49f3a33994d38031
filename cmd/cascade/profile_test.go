package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestRunProfiles checks that --cpuprofile and --memprofile leave files that
// are pprof's format (gzip-compressed protocol buffers), and that a profile
// path in a missing directory is refused before anything is simulated.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	r := cascade(t, dir, "run", "theory-mm1", "--duration", "20s", "--quiet", "--cpuprofile", "cpu.prof", "--memprofile", "mem.prof")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"cpu.prof", "mem.prof"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s is not a pprof profile: %v", name, err)
		}
		if raw, err := io.ReadAll(z); err != nil || len(raw) == 0 {
			t.Fatalf("%s: empty or corrupt profile (%v)", name, err)
		}
	}
	r = cascade(t, dir, "run", "theory-mm1", "--cpuprofile", "no/such/dir/cpu.prof")
	if r.code != exitUsage || !bytes.Contains([]byte(r.stderr), []byte("--cpuprofile")) {
		t.Fatalf("bad profile path: exit %d, stderr %q", r.code, r.stderr)
	}
}
