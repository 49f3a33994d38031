package models

// Outcome is how a request ended. Every request ends with exactly one.
type Outcome uint8

const (
	// OK: the operation completed and its reply reached the caller in time.
	OK Outcome = iota
	// Error: the operation failed (a Fail step, or a downstream call that did
	// not succeed).
	Error
	// Timeout: the caller stopped waiting; the server may still be working.
	Timeout
	// Rejected: no room in the chosen instance's queue.
	Rejected

	numOutcomes
)

var outcomeNames = [numOutcomes]string{"ok", "error", "timeout", "rejected"}

func (o Outcome) String() string { return outcomeNames[o] }

// Outcomes lists every outcome in report order.
func Outcomes() []Outcome { return []Outcome{OK, Error, Timeout, Rejected} }
