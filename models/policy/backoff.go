package policy

import (
	"fmt"
	"math"

	"cascade/sim"
)

// BackoffKind is the shape of the delay before the n-th retry.
type BackoffKind uint8

const (
	NoBackoff    BackoffKind = iota // retry at once
	Fixed                           // Base every time
	Exponential                     // min(Cap, Base·Multiplier^(n-1))
	Decorrelated                    // AWS: min(Cap, U[Base, 3·previous)), previous starting at Base
)

func (k BackoffKind) String() string {
	switch k {
	case NoBackoff:
		return "none"
	case Fixed:
		return "fixed"
	case Exponential:
		return "exponential"
	case Decorrelated:
		return "decorrelated"
	}
	return fmt.Sprintf("BackoffKind(%d)", uint8(k))
}

// Jitter randomises a Fixed or Exponential delay d. Decorrelated is its own
// jitter and ignores it.
type Jitter uint8

const (
	NoJitter     Jitter = iota // d
	FullJitter                 // U[0, d): mean d/2 (Brooker 2015; gRPC A6 retries)
	EqualJitter                // d/2 + U[0, d/2): mean 3d/4
	Proportional               // d·(1 + U[-Spread, Spread)): gRPC connection backoff uses ±20 %
)

func (j Jitter) String() string {
	switch j {
	case NoJitter:
		return "none"
	case FullJitter:
		return "full"
	case EqualJitter:
		return "equal"
	case Proportional:
		return "proportional"
	}
	return fmt.Sprintf("Jitter(%d)", uint8(j))
}

// Pushback says how a server-supplied delay (HTTP Retry-After, gRPC
// grpc-retry-pushback-ms) combines with the computed one.
type Pushback uint8

const (
	// PushbackAtLeast (the default) waits max(computed, server): never
	// sooner than the server asked, never sooner than our own backoff. The
	// reference leaves this open for HTTP; waiting at least as long as both
	// is the choice that cannot make a storm worse.
	PushbackAtLeast Pushback = iota
	// PushbackReplace uses the server's delay as is, shorter or not: gRPC
	// A6 pushback. gRPC also resets the backoff to its initial value after
	// a pushback retry; the caller does that by restarting n at 1.
	PushbackReplace
	// PushbackIgnore ignores the server.
	PushbackIgnore
)

// Backoff computes retry delays (ref 1.2, theory 3.1). It is a value with no
// state: the caller keeps the retry number n and, for Decorrelated, the
// previous delay, per request.
type Backoff struct {
	Kind       BackoffKind
	Base       sim.Time // first delay (Fixed: every delay)
	Cap        sim.Time // largest delay; 0 = no cap
	Multiplier float64  // Exponential; 0 means 2
	Jitter     Jitter
	Spread     float64 // Proportional: fraction in [0, 1], e.g. 0.2
	Pushback   Pushback
}

// GRPCRetryBackoff returns gRPC A6's retry backoff: the n-th retry waits
// U(0, min(initial·multiplier^(n-1), max)) (theory 3.5).
func GRPCRetryBackoff(initial, maxBackoff sim.Time, multiplier float64) Backoff {
	return Backoff{Kind: Exponential, Base: initial, Cap: maxBackoff, Multiplier: multiplier,
		Jitter: FullJitter, Pushback: PushbackReplace}
}

// Validate reports a configuration that cannot produce delays.
func (b Backoff) Validate() error {
	switch {
	case b.Kind > Decorrelated:
		return fmt.Errorf("backoff: unknown kind %d", b.Kind)
	case b.Jitter > Proportional:
		return fmt.Errorf("backoff: unknown jitter %d", b.Jitter)
	case b.Base < 0 || b.Cap < 0:
		return fmt.Errorf("backoff: negative duration")
	case b.Kind != NoBackoff && b.Base == 0:
		return fmt.Errorf("backoff: %v needs a base delay", b.Kind)
	case b.Cap != 0 && b.Cap < b.Base:
		return fmt.Errorf("backoff: cap %v below base %v", b.Cap, b.Base)
	case b.Multiplier < 0 || (b.Multiplier != 0 && b.Multiplier < 1):
		return fmt.Errorf("backoff: multiplier %v below 1", b.Multiplier)
	case b.Spread < 0 || b.Spread > 1:
		return fmt.Errorf("backoff: spread %v outside [0, 1]", b.Spread)
	}
	return nil
}

func (b Backoff) capOr() sim.Time {
	if b.Cap == 0 {
		return sim.Forever
	}
	return b.Cap
}

// Ceiling is the un-jittered delay before retry n (n >= 1): 0, Base, or
// min(Cap, Base·Multiplier^(n-1)). For Decorrelated it is the cap.
func (b Backoff) Ceiling(n int) sim.Time {
	switch b.Kind {
	case Fixed:
		return b.Base
	case Exponential:
		m := b.Multiplier
		if m == 0 {
			m = 2
		}
		d := float64(b.Base) * math.Pow(m, float64(max(n, 1)-1))
		if c := b.capOr(); d >= float64(c) {
			return c
		}
		return sim.Time(d)
	case Decorrelated:
		return b.capOr()
	}
	return 0
}

// Delay is the delay before retry n (n >= 1, counting from the first retry).
// prev is the previous delay this request waited (Decorrelated only; 0 or
// less than Base on the first retry means Base). Draws come from r, which
// may be nil when nothing is random.
func (b Backoff) Delay(n int, prev sim.Time, r *sim.Rand) sim.Time {
	if b.Kind == Decorrelated {
		prev = max(prev, b.Base)
		hi := prev
		if hi > sim.Forever/3 {
			hi = sim.Forever
		} else {
			hi *= 3
		}
		d := b.Base
		if hi > b.Base {
			d += sim.Time(r.Int64N(int64(hi - b.Base)))
		}
		return min(d, b.capOr())
	}
	d := b.Ceiling(n)
	if d <= 0 {
		return 0
	}
	switch b.Jitter {
	case FullJitter:
		return sim.Time(r.Int64N(int64(d)))
	case EqualJitter:
		half := d / 2
		return half + sim.Time(r.Int64N(int64(d-half)))
	case Proportional:
		spread := sim.Time(b.Spread * float64(d))
		if spread == 0 {
			return d
		}
		return d - spread + sim.Time(r.Int64N(int64(2*spread)))
	}
	return d
}

// Honour combines a computed delay with a server-supplied one according to
// Pushback; serverDelay < 0 means the server gave none.
func (b Backoff) Honour(computed, serverDelay sim.Time) sim.Time {
	if serverDelay < 0 || b.Pushback == PushbackIgnore {
		return computed
	}
	if b.Pushback == PushbackReplace {
		return serverDelay
	}
	return max(computed, serverDelay)
}
