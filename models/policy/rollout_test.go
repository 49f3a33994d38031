package policy

import "testing"

type rolloutStep struct {
	event          string // "start", "up", "ok", "bad"
	lo, hi         int    // the wave that starts, if any
	more           bool
	phase          RolloutPhase
	updated, waves int
}

func runRollout(t *testing.T, name string, r *Rollout, steps []rolloutStep) {
	t.Helper()
	for i, s := range steps {
		var lo, hi int
		var more bool
		var err error
		switch s.event {
		case "start":
			lo, hi, err = r.Start()
			more = true
		case "up":
			lo, hi, more, err = r.Up()
		case "ok", "bad":
			lo, hi, more, err = r.Checked(s.event == "ok")
		}
		if err != nil {
			t.Fatalf("%s step %d %s: %v", name, i, s.event, err)
		}
		if lo != s.lo || hi != s.hi || more != s.more || r.Phase() != s.phase || r.Updated() != s.updated || r.Wave() != s.waves {
			t.Fatalf("%s step %d %s: wave [%d,%d) more=%v %v updated %d waves %d; want [%d,%d) more=%v %v updated %d waves %d",
				name, i, s.event, lo, hi, more, r.Phase(), r.Updated(), r.Wave(), s.lo, s.hi, s.more, s.phase, s.updated, s.waves)
		}
	}
}

// 5 instances in waves of 2: [0,2), [2,4), [4,5), each checked after it bakes.
func TestRolloutHealthy(t *testing.T) {
	r, _ := NewRollout(5, 2, true)
	runRollout(t, "healthy", r, []rolloutStep{
		{"start", 0, 2, true, RolloutUpdating, 2, 1},
		{"up", 0, 0, false, RolloutBaking, 2, 1},
		{"ok", 2, 4, true, RolloutUpdating, 4, 2},
		{"up", 0, 0, false, RolloutBaking, 4, 2},
		{"ok", 4, 5, true, RolloutUpdating, 5, 3},
		{"up", 0, 0, false, RolloutBaking, 5, 3},
		{"ok", 0, 0, false, RolloutDone, 5, 3},
	})
}

// A bad version caught after the second wave: the 4 updated instances go
// back in waves of 2, unchecked, and the rollout ends rolled back.
func TestRolloutRollback(t *testing.T) {
	r, _ := NewRollout(6, 2, true)
	runRollout(t, "rollback", r, []rolloutStep{
		{"start", 0, 2, true, RolloutUpdating, 2, 1},
		{"up", 0, 0, false, RolloutBaking, 2, 1},
		{"ok", 2, 4, true, RolloutUpdating, 4, 2},
		{"up", 0, 0, false, RolloutBaking, 4, 2},
		{"bad", 0, 2, true, RolloutRollingBack, 4, 3},
		{"up", 2, 4, true, RolloutRollingBack, 2, 4},
		{"up", 0, 0, false, RolloutRolledBack, 0, 4},
	})
	// A check failing after the last wave rolls back everything too.
	r, _ = NewRollout(2, 5, true) // a batch above the instances is all at once
	runRollout(t, "all-at-once", r, []rolloutStep{
		{"start", 0, 2, true, RolloutUpdating, 2, 1},
		{"up", 0, 0, false, RolloutBaking, 2, 1},
		{"bad", 0, 2, true, RolloutRollingBack, 2, 2},
		{"up", 0, 0, false, RolloutRolledBack, 0, 2},
	})
}

// Without automatic rollback a failed check halts the rollout, the
// updated instances left on the new version.
func TestRolloutHalts(t *testing.T) {
	r, _ := NewRollout(4, 1, false)
	runRollout(t, "halt", r, []rolloutStep{
		{"start", 0, 1, true, RolloutUpdating, 1, 1},
		{"up", 0, 0, false, RolloutBaking, 1, 1},
		{"bad", 0, 0, false, RolloutHalted, 1, 1},
	})
}

// Events out of order are errors, not silent state changes.
func TestRolloutRejectsOutOfOrder(t *testing.T) {
	r, _ := NewRollout(3, 1, true)
	if _, _, _, err := r.Up(); err == nil {
		t.Error("up before start")
	}
	if _, _, _, err := r.Checked(true); err == nil {
		t.Error("check before start")
	}
	r.Start()
	if _, _, err := r.Start(); err == nil {
		t.Error("second start")
	}
	if _, _, _, err := r.Checked(true); err == nil {
		t.Error("check while the wave is restarting")
	}
	if _, err := NewRollout(0, 1, true); err == nil {
		t.Error("no instances")
	}
	if _, err := NewRollout(3, 0, true); err == nil {
		t.Error("batch 0")
	}
}
