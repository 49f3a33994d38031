package policy

import "testing"

// A transition table of reads and commits on two rows: a commit fails if
// its row was committed after the writer's snapshot, whoever committed
// other rows meanwhile.
func TestVersionsFirstCommitterWins(t *testing.T) {
	v := NewVersions()
	snaps := map[string]uint64{}
	steps := []struct {
		op     string // "read" or "commit"
		writer string
		row    uint32
		ok     bool
	}{
		{"read", "a", 1, true},
		{"read", "b", 1, true},
		{"read", "c", 2, true},
		{"commit", "a", 1, true},  // first on row 1
		{"commit", "b", 1, false}, // row 1 moved since b read
		{"commit", "c", 2, true},  // row 2 untouched: a's commit elsewhere does not matter
		{"read", "b", 1, true},    // b starts again
		{"commit", "b", 1, true},  // and wins this time
		{"read", "d", 1, true},
		{"read", "e", 2, true},
		{"commit", "e", 2, true},
		{"commit", "d", 1, true}, // row 2's commit after d's snapshot is not d's row
	}
	for i, s := range steps {
		switch s.op {
		case "read":
			snaps[s.writer] = v.Read()
		case "commit":
			if got := v.Commit(s.row, snaps[s.writer]); got != s.ok {
				t.Fatalf("step %d: %s commits row %d: %v, want %v", i, s.writer, s.row, got, s.ok)
			}
		}
	}
	if v.Commits != 5 || v.Conflicts != 1 {
		t.Errorf("commits %d conflicts %d, want 5 and 1", v.Commits, v.Conflicts)
	}
}

// Prune forgets only rows no open writer can conflict on: a writer holding
// an old snapshot still sees the commits after it.
func TestVersionsPrune(t *testing.T) {
	v := NewVersions()
	old := v.Read() // an open writer on row 3
	for row := uint32(0); row < 100; row++ {
		v.Commit(row, v.Read())
	}
	v.Prune(old)
	if v.Rows() != 100 {
		t.Fatalf("pruned to %d rows with a writer open at snapshot 0", v.Rows())
	}
	if v.Commit(3, old) {
		t.Fatal("row 3 committed after the snapshot, yet the old writer committed")
	}
	mid := v.Read()
	v.Prune(mid) // everything up to now is safe to forget
	if v.Rows() != 0 {
		t.Fatalf("%d rows left after pruning at the latest snapshot", v.Rows())
	}
	if !v.Commit(3, mid) {
		t.Fatal("a forgotten row conflicted")
	}
	late := v.Read()
	v.Commit(4, late)
	v.Prune(late) // row 4 committed after late: kept
	if v.Rows() != 1 || v.Commit(4, late) {
		t.Fatalf("rows %d: a commit after the oldest snapshot was forgotten", v.Rows())
	}
}
