package models

// Outcome is how a request ended. Every request ends with exactly one.
type Outcome uint8

const (
	// OK: the operation completed and its reply reached the caller in time.
	OK Outcome = iota
	// Error: the operation failed (a Fail step, or a downstream call that did
	// not succeed).
	Error
	// Timeout: the caller stopped waiting (the server may still be working),
	// or a server dropped or aborted work whose deadline had passed.
	Timeout
	// Rejected: no room in the chosen instance's queue.
	Rejected
	// Throttled: a rate limiter turned the request away (HTTP 429, with a
	// Retry-After the caller's retry policy may honour).
	Throttled
	// Shed: load shedding dropped the request: a queue-time limit, CoDel,
	// or priority shedding of sheddable traffic.
	Shed
	// BreakerOpen: the caller's circuit breaker refused the call without
	// sending it (resilience4j CallNotPermitted, gobreaker ErrOpenState).
	BreakerOpen
	// BulkheadFull: the caller's bulkhead had no free permit within its
	// wait (resilience4j BulkheadFullException).
	BulkheadFull

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
	case Throttled:
		return "throttled"
	case Shed:
		return "shed"
	case BreakerOpen:
		return "breaker_open"
	case BulkheadFull:
		return "bulkhead_full"
	}
	return "unknown"
}

// Outcomes lists every outcome in report order.
func Outcomes() []Outcome {
	return []Outcome{OK, Error, Timeout, Rejected, Throttled, Shed, BreakerOpen, BulkheadFull}
}

// ParseOutcome is the outcome named s ("ok", "error", ...).
func ParseOutcome(s string) (Outcome, bool) {
	for _, o := range Outcomes() {
		if o.String() == s {
			return o, true
		}
	}
	return 0, false
}

// OutcomeSet is a set of outcomes, e.g. the ones a retry policy retries.
type OutcomeSet uint16

// Has reports whether o is in the set.
func (s OutcomeSet) Has(o Outcome) bool { return s&(1<<o) != 0 }

// With returns the set with o added.
func (s OutcomeSet) With(o Outcome) OutcomeSet { return s | 1<<o }
