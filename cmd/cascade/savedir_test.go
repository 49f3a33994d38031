package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSessionDir(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	sub := filepath.Join(repo, "designs")
	for _, d := range []string{filepath.Join(repo, ".git"), sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(repo)
	for _, tc := range []struct {
		name, source, named string
		set                 bool
		want                string
	}{
		{"a file: its own directory", filepath.Join(sub, "a.yaml"), "", false, sub},
		{"a file at a work tree's root: a subdirectory", filepath.Join(repo, "a.yaml"), "", false, filepath.Join(repo, "cascade-sessions")},
		{"a built-in from a work tree's root", "builtin:shop", "", false, "cascade-sessions"},
		{"named: as named, created", "builtin:shop", filepath.Join(root, "out", "s"), true, filepath.Join(root, "out", "s")},
		{"named the root itself: the user asked", "builtin:shop", repo, true, repo},
	} {
		got, err := sessionDir(tc.source, tc.named, tc.set)
		if err != nil || got != tc.want {
			t.Errorf("%s: sessionDir = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if tc.set {
			if fi, err := os.Stat(got); err != nil || !fi.IsDir() {
				t.Errorf("%s: %s not created", tc.name, got)
			}
		}
	}
	if _, err := sessionDir("builtin:shop", "", true); err == nil {
		t.Error("an empty --save-dir is accepted")
	}
}
