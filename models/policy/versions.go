package policy

// Versions is a table of versioned rows under optimistic concurrency
// control, first committer wins: a writer reads the row's version
// (Read), does its work, and commits only if nobody committed the row
// since (Commit); otherwise it gets a conflict and must start again. This
// is a compare-and-set on a version column (UPDATE ... WHERE version = v,
// DynamoDB's condition expressions, etcd's mod_revision transactions), the
// contention the AWS "Exponential Backoff and Jitter" study simulates.
//
// Versions are one counter of commits for the whole table, not one per
// row: a snapshot is the number of commits when the writer read, and a
// row conflicts when its last commit is later than that. The difference
// matters for memory only: rows nobody can conflict on any more (last
// committed no later than the oldest open snapshot) are forgotten by
// Prune, so a key space too large to repeat does not grow the table
// without end. The caller knows which writes are still open and passes
// the oldest snapshot among them.
type Versions struct {
	seq  uint64            // commits so far
	last map[uint32]uint64 // row -> seq of its last commit, for rows committed after the last prune's oldest
	// Conflicts and Commits count Commit's answers since the table began
	// (the caller resets its own counters at the end of warm-up).
	Commits, Conflicts int64
}

// NewVersions returns an empty table: every row at version 0.
func NewVersions() *Versions { return &Versions{last: map[uint32]uint64{}} }

// Read is a writer reading the row it is about to change: the snapshot it
// must present to Commit. The row itself does not matter: the snapshot
// covers every row.
func (v *Versions) Read() uint64 { return v.seq }

// Commit is a writer that read at snapshot asking to commit row. It
// succeeds (and the row's version moves on) unless a commit to row came
// after snapshot.
func (v *Versions) Commit(row uint32, snapshot uint64) bool {
	if v.last[row] > snapshot {
		v.Conflicts++
		return false
	}
	v.seq++
	v.last[row] = v.seq
	v.Commits++
	return true
}

// Prune forgets rows last committed at or before oldest, the oldest
// snapshot a writer still holds (Read() when none is open): no open
// writer can conflict on them, and a row not in the table reads as never
// committed, which is what Commit needs of them.
func (v *Versions) Prune(oldest uint64) {
	for row, at := range v.last { // deletions only: order does not matter
		if at <= oldest {
			delete(v.last, row)
		}
	}
}

// Rows is how many rows the table remembers now.
func (v *Versions) Rows() int { return len(v.last) }
