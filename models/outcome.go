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

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Error:
		return "error"
	case Timeout:
		return "timeout"
	case Rejected:
		return "rejected"
	}
	return "unknown"
}

// Outcomes lists every outcome in report order.
func Outcomes() []Outcome { return []Outcome{OK, Error, Timeout, Rejected} }
