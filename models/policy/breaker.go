package policy

import (
	"fmt"

	"cascade/sim"
)

// State is a circuit breaker's state.
type State uint8

// Breaker states. Closed, Open and HalfOpen are the automatic ones;
// ForcedOpen and Disabled are manual (resilience4j FORCED_OPEN and DISABLED,
// ref 1.1) and are left only by Reset.
const (
	Closed State = iota
	Open
	HalfOpen
	ForcedOpen // always reject, record nothing
	Disabled   // always allow, record nothing
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	case ForcedOpen:
		return "forced-open"
	case Disabled:
		return "disabled"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Kind selects how a breaker decides to trip.
type BreakerKind uint8

const (
	// Consecutive is sony/gobreaker (ref 1.1): Counts of requests and
	// (consecutive) successes and failures, ReadyToTrip on each failure in
	// closed, MaxRequests probes in half-open that must all succeed, any
	// half-open failure re-opens.
	Consecutive BreakerKind = iota
	// CountWindow is resilience4j COUNT_BASED (ref 1.1, theory 4.1): the
	// last WindowSize calls.
	CountWindow
	// TimeWindow is resilience4j TIME_BASED: WindowSize buckets of
	// BucketWidth (one epoch second each in resilience4j). The Hystrix preset
	// is a TimeWindow of 10 x 1 s with a single half-open trial.
	TimeWindow
)

func (k BreakerKind) String() string {
	switch k {
	case Consecutive:
		return "consecutive"
	case CountWindow:
		return "count_window"
	case TimeWindow:
		return "time_window"
	}
	return fmt.Sprintf("BreakerKind(%d)", uint8(k))
}

// Reason says why a breaker changed state.
type Reason uint8

const (
	ReasonTripped         Reason = iota // closed -> open: thresholds reached
	ReasonWaitElapsed                   // open -> half-open
	ReasonProbesFailed                  // half-open -> open
	ReasonProbesPassed                  // half-open -> closed
	ReasonHalfOpenTimeout               // half-open -> open after MaxHalfOpenWait
	ReasonManual                        // ForceOpen, Disable, Reset
)

func (r Reason) String() string {
	switch r {
	case ReasonTripped:
		return "tripped"
	case ReasonWaitElapsed:
		return "wait elapsed"
	case ReasonProbesFailed:
		return "probes failed"
	case ReasonProbesPassed:
		return "probes passed"
	case ReasonHalfOpenTimeout:
		return "half-open timeout"
	case ReasonManual:
		return "manual"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Transition is one state change, stamped with the instant it took effect in
// the library being modelled — for a timed change, the instant it was due,
// however late a call observed it.
type Transition struct {
	At       sim.Time
	From, To State
	Reason   Reason
}

// Counts is gobreaker's Counts, cleared at every generation (state change,
// and every Interval in closed).
type Counts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// BreakerCounters are run totals for metrics; Reset does not clear them.
type BreakerCounters struct {
	Permitted uint64 // Allow said yes
	Rejected  uint64 // Allow said no (CallNotPermitted / ErrOpenState / ErrTooManyRequests)
	Successes uint64 // results reported (stale ones included)
	Failures  uint64
	Slow      uint64 // results slower than SlowCall (window kinds)
	Stale     uint64 // results from an older generation that were ignored
	Released  uint64 // permits given back unused (Release)
}

// BreakerConfig configures a Breaker. Zero fields take the defaults of the library
// the Kind models (gobreaker for Consecutive, resilience4j for the windows),
// so BreakerConfig{Kind: CountWindow} is resilience4j's default breaker (but for
// RecordStale, whose zero value is gobreaker's choice); the presets
// GoBreaker, Resilience4j and Hystrix spell the defaults out.
type BreakerConfig struct {
	Kind BreakerKind

	// OpenFor is how long the breaker stays open: gobreaker Timeout (60 s),
	// resilience4j waitDurationInOpenState (60 s), Hystrix
	// sleepWindowInMilliseconds (5 s).
	OpenFor sim.Time
	// AutoHalfOpen (window kinds) is resilience4j
	// automaticTransitionFromOpenToHalfOpenEnabled: true moves to half-open
	// at exactly opened+OpenFor (a timer); false (the default, and Hystrix)
	// moves on the first Allow strictly after opened+OpenFor (resilience4j
	// Instant.isAfter, Hystrix currentTime > openedAt + sleepWindow), so
	// no probe goes out until traffic arrives. Consecutive ignores it:
	// gobreaker's State() itself moves to half-open at the first instant
	// after the expiry (time.Before), i.e. opened+OpenFor+1ns.
	AutoHalfOpen bool

	// MaxRequests (Consecutive) is gobreaker MaxRequests: the requests let
	// through in half-open and the consecutive successes that close it;
	// 0 means 1.
	MaxRequests uint32
	// Interval (Consecutive) is gobreaker Interval: the cyclic period after
	// which closed-state Counts are cleared (a new generation); 0 = never.
	// As in gobreaker the next period starts when the expiry is observed.
	Interval sim.Time
	// TripAfter (Consecutive): the default ReadyToTrip trips when
	// ConsecutiveFailures > TripAfter; 0 means 5 (gobreaker's default).
	TripAfter uint32
	// ReadyToTrip, when set, replaces TripAfter; it is called with the
	// Counts after each failure in closed.
	ReadyToTrip func(Counts) bool

	// WindowSize is resilience4j slidingWindowSize: calls (CountWindow) or
	// buckets (TimeWindow); 0 means 100.
	WindowSize int
	// BucketWidth (TimeWindow) is one bucket; 0 means 1 s. Buckets are
	// aligned to multiples of the width from time 0 (resilience4j uses epoch
	// seconds).
	BucketWidth sim.Time
	// MinCalls is minimumNumberOfCalls (Hystrix requestVolumeThreshold):
	// no rate is evaluated with fewer calls in the window; 0 means 100. In a
	// CountWindow it is capped at WindowSize, as resilience4j does.
	MinCalls int
	// FailureRate and SlowRate are percentages; the breaker trips when either
	// rate is >= its threshold. 0 means 50 and 100.
	FailureRate, SlowRate float64
	// SlowCall is slowCallDurationThreshold: a call whose duration is
	// strictly greater is slow (whether it failed or not); 0 means 60 s.
	// sim.Forever disables slow calls (the Hystrix preset).
	SlowCall sim.Time
	// HalfOpenPermits is permittedNumberOfCallsInHalfOpenState; 0 means 10.
	// Half-open decides once that many results are in, with the same
	// thresholds (resilience4j forHalfOpen metrics: a count window of this
	// size whose minimum is its size).
	HalfOpenPermits int
	// MaxHalfOpenWait is maxWaitDurationInHalfOpenState: after this long in
	// half-open the breaker re-opens (a timer, at exactly entry+wait);
	// 0 = wait forever.
	MaxHalfOpenWait sim.Time

	// RecordStale records results of calls permitted in an older generation
	// into the current state, as resilience4j and Hystrix do (they keep no
	// generation). false ignores them, as gobreaker does, and counts them in
	// BreakerCounters.Stale.
	RecordStale bool
	// LogSize bounds the transition log; 0 means 64. When full the oldest
	// entry is dropped (see Breaker.Dropped).
	LogSize int
}

// GoBreaker returns sony/gobreaker's default Settings (ref 1.1): MaxRequests
// 1, Interval 0, Timeout 60 s, ReadyToTrip ConsecutiveFailures > 5, results
// of older generations ignored.
func GoBreaker() BreakerConfig {
	return BreakerConfig{Kind: Consecutive, OpenFor: 60 * sim.Second, MaxRequests: 1, TripAfter: 5}
}

// Resilience4j returns resilience4j's default CircuitBreakerConfig (theory
// 4.1): COUNT_BASED, 100 calls, minimum 100, failure 50 %, slow 100 % above
// 60 s, open 60 s, 10 half-open calls, lazy half-open, no half-open max wait.
func Resilience4j() BreakerConfig {
	return BreakerConfig{Kind: CountWindow, OpenFor: 60 * sim.Second, WindowSize: 100, MinCalls: 100,
		FailureRate: 50, SlowRate: 100, SlowCall: 60 * sim.Second, HalfOpenPermits: 10, RecordStale: true}
}

// Hystrix returns Netflix Hystrix's defaults (theory 4.2): a 10 s rolling
// window in 10 buckets, requestVolumeThreshold 20, errorThresholdPercentage
// 50, sleep window 5 s, then a single trial request: success closes (fresh
// statistics), failure re-opens for another sleep window. Hystrix's error
// percentage is an integer (truncated); with an integer threshold, truncated
// >= threshold is the same test as exact >= threshold, so it is exact here.
// Not modelled: Hystrix recomputes the health snapshot at most every 500 ms,
// so its trips lag by up to that much; here the window is evaluated on every
// result, like resilience4j.
func Hystrix() BreakerConfig {
	return BreakerConfig{Kind: TimeWindow, OpenFor: 5 * sim.Second, WindowSize: 10, BucketWidth: sim.Second,
		MinCalls: 20, FailureRate: 50, SlowRate: 100, SlowCall: sim.Forever, HalfOpenPermits: 1, RecordStale: true}
}

// BreakerPreset returns the named preset: "gobreaker", "resilience4j" or "hystrix".
func BreakerPreset(name string) (BreakerConfig, bool) {
	switch name {
	case "gobreaker":
		return GoBreaker(), true
	case "resilience4j":
		return Resilience4j(), true
	case "hystrix":
		return Hystrix(), true
	}
	return BreakerConfig{}, false
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.OpenFor == 0 {
		c.OpenFor = 60 * sim.Second
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = 1
	}
	if c.TripAfter == 0 {
		c.TripAfter = 5
	}
	if c.WindowSize == 0 {
		c.WindowSize = 100
	}
	if c.BucketWidth == 0 {
		c.BucketWidth = sim.Second
	}
	if c.MinCalls == 0 {
		c.MinCalls = 100
	}
	if c.FailureRate == 0 {
		c.FailureRate = 50
	}
	if c.SlowRate == 0 {
		c.SlowRate = 100
	}
	if c.SlowCall == 0 {
		c.SlowCall = 60 * sim.Second
	}
	if c.HalfOpenPermits == 0 {
		c.HalfOpenPermits = 10
	}
	if c.LogSize == 0 {
		c.LogSize = 64
	}
	return c
}

func (c BreakerConfig) validate() error {
	switch {
	case c.Kind > TimeWindow:
		return fmt.Errorf("breaker: unknown kind %d", c.Kind)
	case c.OpenFor < 0, c.Interval < 0, c.BucketWidth < 0, c.SlowCall < 0, c.MaxHalfOpenWait < 0:
		return fmt.Errorf("breaker: durations must not be negative")
	case c.WindowSize < 0, c.MinCalls < 0, c.HalfOpenPermits < 0, c.LogSize < 0:
		return fmt.Errorf("breaker: sizes must not be negative")
	case !(c.FailureRate >= 0 && c.FailureRate <= 100), !(c.SlowRate >= 0 && c.SlowRate <= 100):
		return fmt.Errorf("breaker: rate thresholds are percentages in (0, 100]")
	}
	return nil
}

// Permit is what Allow hands out and Done takes back: the generation the
// call was permitted in, so a late result from before a state change can be
// told apart (gobreaker's generation, ref 1.1).
type Permit struct{ gen uint64 }

// Breaker is one circuit breaker. Create it with NewBreaker; it is not safe
// for concurrent use (nothing in a simulation is).
type Breaker struct {
	cfg   BreakerConfig
	state State
	gen   uint64
	since sim.Time // when the current state was entered (open: the trip instant)

	// Consecutive
	counts Counts
	expiry sim.Time // closed: end of the Interval (0 = none); open: end of OpenFor

	// window kinds
	win      window // closed-state metrics
	probes   window // half-open metrics, HalfOpenPermits long
	permits  int    // half-open permits left
	minCalls int

	log     []Transition // ring
	logHead int
	logLen  int
	dropped uint64

	ctr BreakerCounters
}

// NewBreaker returns a closed breaker created at now.
func NewBreaker(cfg BreakerConfig, now sim.Time) (*Breaker, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	b := &Breaker{cfg: cfg, log: make([]Transition, cfg.LogSize)}
	switch cfg.Kind {
	case CountWindow:
		b.win = newWindow(cfg.WindowSize, 0)
		b.minCalls = min(cfg.MinCalls, cfg.WindowSize)
	case TimeWindow:
		b.win = newWindow(cfg.WindowSize, cfg.BucketWidth)
		b.minCalls = cfg.MinCalls
	}
	if cfg.Kind != Consecutive {
		b.probes = newWindow(cfg.HalfOpenPermits, 0)
	}
	b.enter(now, Closed)
	return b, nil
}

// Config returns the configuration in use, defaults filled in.
func (b *Breaker) Config() BreakerConfig { return b.cfg }

// State returns the state at now, applying any timed transition due by now.
func (b *Breaker) State(now sim.Time) State {
	b.advance(now)
	return b.state
}

// Generation returns the current generation (it changes at every state
// change and every gobreaker Interval reset).
func (b *Breaker) Generation() uint64 { return b.gen }

// Counts returns gobreaker's Counts of the current generation (Consecutive).
func (b *Breaker) Counts() Counts { return b.counts }

// Counters returns the run totals.
func (b *Breaker) Counters() BreakerCounters { return b.ctr }

// Allow asks to send a call at now. When ok, the caller must report the
// call's result with Done(permit); when not, the call is rejected
// (CallNotPermitted) and nothing more is owed.
func (b *Breaker) Allow(now sim.Time) (permit Permit, ok bool) {
	b.advance(now)
	switch b.state {
	case Closed, Disabled:
		ok = true
	case ForcedOpen:
	case Open:
		if b.cfg.Kind != Consecutive && !b.cfg.AutoHalfOpen && now > b.since+b.cfg.OpenFor {
			b.transition(now, HalfOpen, ReasonWaitElapsed)
			ok = b.takePermit()
		}
	case HalfOpen:
		ok = b.takePermit()
	}
	if !ok {
		b.ctr.Rejected++
		return Permit{}, false
	}
	if b.cfg.Kind == Consecutive {
		b.counts.Requests++
	}
	b.ctr.Permitted++
	return Permit{gen: b.gen}, true
}

func (b *Breaker) takePermit() bool {
	if b.cfg.Kind == Consecutive {
		return b.counts.Requests < b.cfg.MaxRequests
	}
	if b.permits > 0 {
		b.permits--
		return true
	}
	return false
}

// Release gives back a permit whose call was cancelled before it had a
// result (a hedge that lost, a request that ended first), recording
// nothing: resilience4j's releasePermission. Without it a half-open
// breaker would wait forever for results that never come. A permit from an
// older generation has nothing to give back.
func (b *Breaker) Release(now sim.Time, p Permit) {
	b.advance(now)
	if p.gen != b.gen {
		return
	}
	b.ctr.Released++
	if b.cfg.Kind == Consecutive {
		if b.counts.Requests > 0 {
			b.counts.Requests--
		}
		return
	}
	if b.state == HalfOpen {
		b.permits++
	}
}

// Done reports the result of a permitted call at now: whether it failed and
// how long it took (for the slow-call rate).
func (b *Breaker) Done(now sim.Time, p Permit, failed bool, duration sim.Time) {
	b.advance(now)
	slow := b.cfg.Kind != Consecutive && duration > b.cfg.SlowCall
	if failed {
		b.ctr.Failures++
	} else {
		b.ctr.Successes++
	}
	if slow {
		b.ctr.Slow++
	}
	if p.gen != b.gen && !b.cfg.RecordStale {
		b.ctr.Stale++
		return
	}
	if b.state == Disabled || b.state == ForcedOpen {
		return
	}
	if b.cfg.Kind == Consecutive {
		b.doneConsecutive(now, failed)
		return
	}
	switch b.state {
	case Closed:
		b.win.record(now, failed, slow)
		if b.above(&b.win, b.minCalls) {
			b.transition(now, Open, ReasonTripped)
		}
	case HalfOpen:
		b.probes.record(now, failed, slow)
		if b.probes.sum.total >= uint32(b.cfg.HalfOpenPermits) {
			if b.above(&b.probes, b.cfg.HalfOpenPermits) {
				b.transition(now, Open, ReasonProbesFailed)
			} else {
				b.transition(now, Closed, ReasonProbesPassed)
			}
		}
	}
	// Open: resilience4j records into the open state's metrics, which are
	// thrown away at the next transition: nothing to do.
}

// doneConsecutive is gobreaker's onSuccess/onFailure.
func (b *Breaker) doneConsecutive(now sim.Time, failed bool) {
	c := &b.counts
	if failed {
		c.TotalFailures++
		c.ConsecutiveFailures++
		c.ConsecutiveSuccesses = 0
		switch b.state {
		case Closed:
			trip := c.ConsecutiveFailures > b.cfg.TripAfter
			if b.cfg.ReadyToTrip != nil {
				trip = b.cfg.ReadyToTrip(*c)
			}
			if trip {
				b.transition(now, Open, ReasonTripped)
			}
		case HalfOpen:
			b.transition(now, Open, ReasonProbesFailed)
		}
		return
	}
	c.TotalSuccesses++
	c.ConsecutiveSuccesses++
	c.ConsecutiveFailures = 0
	if b.state == HalfOpen && c.ConsecutiveSuccesses >= b.cfg.MaxRequests {
		b.transition(now, Closed, ReasonProbesPassed)
	}
}

// above reports whether w holds at least minCalls calls and its failure or
// slow rate is at or above the threshold. The comparison is exact:
// failed·100 >= threshold·total.
func (b *Breaker) above(w *window, minCalls int) bool {
	t := w.sum.total
	if t == 0 || t < uint32(minCalls) {
		return false
	}
	total := float64(t)
	return float64(w.sum.failed)*100 >= b.cfg.FailureRate*total ||
		float64(w.sum.slow)*100 >= b.cfg.SlowRate*total
}

// NextChange returns the instant of the next timed transition after the
// state at now, or sim.Forever when none is due without a call (a lazy
// breaker, closed, forced or disabled). A caller that wants a state timeline
// schedules an event there and calls State.
func (b *Breaker) NextChange(now sim.Time) sim.Time {
	b.advance(now)
	if due, ok := b.due(); ok {
		return due
	}
	return sim.Forever
}

// due returns the instant the current state changes by itself.
func (b *Breaker) due() (sim.Time, bool) {
	switch b.state {
	case Open:
		if b.cfg.Kind == Consecutive {
			return b.expiry + 1, true
		}
		if b.cfg.AutoHalfOpen {
			return b.since + b.cfg.OpenFor, true
		}
	case HalfOpen:
		if b.cfg.Kind != Consecutive && b.cfg.MaxHalfOpenWait > 0 {
			return b.since + b.cfg.MaxHalfOpenWait, true
		}
	}
	return 0, false
}

// advance applies every timed change due by now, each at its own instant.
func (b *Breaker) advance(now sim.Time) {
	for {
		if b.cfg.Kind == Consecutive && b.state == Closed && b.expiry != 0 && now > b.expiry {
			// gobreaker: counts cleared, new generation, next interval from
			// the instant the expiry was noticed. Not a state change.
			b.gen++
			b.counts = Counts{}
			b.expiry = now + b.cfg.Interval
		}
		due, ok := b.due()
		if !ok || now < due {
			return
		}
		if b.state == Open {
			b.transition(due, HalfOpen, ReasonWaitElapsed)
		} else {
			b.transition(due, Open, ReasonHalfOpenTimeout)
		}
	}
}

// transition moves to state to at instant at and logs it.
func (b *Breaker) transition(at sim.Time, to State, why Reason) {
	from := b.state
	b.enter(at, to)
	if b.logLen == len(b.log) {
		b.logHead = (b.logHead + 1) % len(b.log)
		b.logLen--
		b.dropped++
	}
	b.log[(b.logHead+b.logLen)%len(b.log)] = Transition{At: at, From: from, To: to, Reason: why}
	b.logLen++
}

// enter sets up state s entered at instant at: a new generation with fresh
// counts and windows, as both gobreaker (toNewGeneration) and resilience4j
// (new state objects with new metrics) do.
func (b *Breaker) enter(at sim.Time, s State) {
	b.state = s
	b.since = at
	b.gen++
	b.counts = Counts{}
	b.expiry = 0
	switch s {
	case Closed:
		if b.cfg.Interval > 0 {
			b.expiry = at + b.cfg.Interval
		}
		b.win.reset()
	case Open:
		b.expiry = at + b.cfg.OpenFor
	case HalfOpen:
		b.probes.reset()
		b.permits = b.cfg.HalfOpenPermits
	}
}

// Transitions appends the logged transitions, oldest first, to dst, empties
// the log and returns dst. With a dst of enough capacity it does not
// allocate.
func (b *Breaker) Transitions(dst []Transition) []Transition {
	for i := 0; i < b.logLen; i++ {
		dst = append(dst, b.log[(b.logHead+i)%len(b.log)])
	}
	b.logHead, b.logLen = 0, 0
	return dst
}

// Dropped is how many transitions fell off a full log since creation.
func (b *Breaker) Dropped() uint64 { return b.dropped }

// ForceOpen holds the breaker open (rejecting everything) until Reset.
func (b *Breaker) ForceOpen(now sim.Time) { b.manual(now, ForcedOpen) }

// Disable lets everything through and records nothing until Reset.
func (b *Breaker) Disable(now sim.Time) { b.manual(now, Disabled) }

// Reset returns the breaker to closed with fresh statistics (resilience4j
// reset, gobreaker has none); calls in flight become stale.
func (b *Breaker) Reset(now sim.Time) { b.manual(now, Closed) }

func (b *Breaker) manual(now sim.Time, s State) {
	b.advance(now)
	b.transition(now, s, ReasonManual)
}

// window is a sliding window of call outcomes: a ring of n one-call slots
// (width 0: resilience4j FixedSizeSlidingWindowMetrics) or of n time
// buckets of the given width (SlidingTimeWindowMetrics), with a running sum
// updated by subtract-on-evict so a snapshot is O(1).
type window struct {
	slots []outcome
	width sim.Time
	head  int   // count: next slot to write; time: slot of the current bucket
	n     int   // count: slots in use
	epoch int64 // time: index of the current bucket
	sum   outcome
}

type outcome struct{ total, failed, slow uint32 }

func newWindow(n int, width sim.Time) window {
	return window{slots: make([]outcome, n), width: width}
}

func (w *window) reset() {
	clear(w.slots)
	w.head, w.n, w.epoch, w.sum = 0, 0, 0, outcome{}
}

func (w *window) record(now sim.Time, failed, slow bool) {
	o := outcome{total: 1}
	if failed {
		o.failed = 1
	}
	if slow {
		o.slow = 1
	}
	if w.width == 0 {
		if w.n == len(w.slots) {
			w.sum.sub(w.slots[w.head])
		} else {
			w.n++
		}
		w.slots[w.head] = o
		w.head = (w.head + 1) % len(w.slots)
		w.sum.add(o)
		return
	}
	w.moveTo(now)
	w.slots[w.head].add(o)
	w.sum.add(o)
}

// moveTo makes the bucket holding now current, evicting buckets that left
// the window.
func (w *window) moveTo(now sim.Time) {
	e := int64(now / w.width)
	if e <= w.epoch {
		return
	}
	steps := e - w.epoch
	if steps >= int64(len(w.slots)) {
		clear(w.slots)
		w.sum = outcome{}
		w.head = 0
	} else {
		for i := int64(0); i < steps; i++ {
			w.head = (w.head + 1) % len(w.slots)
			w.sum.sub(w.slots[w.head])
			w.slots[w.head] = outcome{}
		}
	}
	w.epoch = e
}

func (o *outcome) add(p outcome) { o.total += p.total; o.failed += p.failed; o.slow += p.slow }
func (o *outcome) sub(p outcome) { o.total -= p.total; o.failed -= p.failed; o.slow -= p.slow }
