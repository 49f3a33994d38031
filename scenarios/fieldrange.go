package scenarios

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/sim"
)

// FieldRange is the range one numeric field of a scenario file accepts.
//
// Why a table: the loader used to carry each bound as literal arguments at
// its call site, so nobody could list them, the docs drifted from them, and
// a missing check (a negative rate) was invisible. Every numeric field now
// names its entry here; the readers below take the bound from the entry, the
// docs print the table (docs/scenario-format.md, "Ranges", generated and
// checked by TestRangeTableInDocs), and TestEveryRangeIsUsed fails when an
// entry and the loader's calls disagree in either direction.
//
// The shape is plain data so other generators (the JSON Schema) can read
// it: Block names the map the field sits in, spelt like the loader's key
// table for it (retryKeys -> "retry"), and Key is the field's key there.
type FieldRange struct {
	Block, Key string
	Kind       FieldKind
	// Min and Max are in the kind's base unit: a count, seconds, requests
	// per second, a fraction (probability: 0.25 for 25%), percent points
	// (percent: 25 for 25%), a multiplier. Max is +Inf when there is no
	// upper bound.
	Min, Max float64
	// MinOpen and MaxOpen make a bound exclusive: > Min, < Max.
	MinOpen, MaxOpen bool
	// Why says where a bound comes from when it is not simply "what the
	// model can mean", e.g. the library the setting copies.
	Why string
}

// FieldKind is how a numeric field is written.
type FieldKind int

const (
	Integer     FieldKind = iota // a whole number: 10
	Duration                     // a duration with its unit: 250ms
	Rate                         // a rate with its unit: 800/s
	Probability                  // a fraction written 25% or 0.25
	Percent                      // a percentage that must carry its %: 25%
	Factor                       // a multiplier written 3x
	Number                       // a plain decimal number: 1.5
)

var kindNames = [...]string{"integer", "duration", "rate", "probability", "percent", "factor", "number"}

func (k FieldKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

var inf = math.Inf(1)

// fieldRanges is every numeric field's range, by block in the order the
// docs describe them.
var fieldRanges = []FieldRange{
	{Block: "top", Key: "seed", Kind: Integer, Min: 0, Max: math.MaxUint64, Why: "any unsigned 64-bit whole number"},
	{Block: "top", Key: "duration", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "top", Key: "warmup", Kind: Duration, Min: 0, Max: inf, Why: "and shorter than duration"},

	{Block: "workload", Key: "rate", Kind: Rate, Min: 0, Max: inf, Why: "an expression must stay in range at every 10 ms of the run"},
	{Block: "workload", Key: "clients", Kind: Integer, Min: 1, Max: 1e6, Why: "each client keeps its own breaker and retry state"},
	{Block: "workload", Key: "requests", Kind: Integer, Min: 1, Max: math.MaxInt64},
	{Block: "workload", Key: "timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "workload", Key: "users", Kind: Integer, Min: 1, Max: math.MaxInt32},

	{Block: "keys", Key: "n", Kind: Integer, Min: 1, Max: 1 << 20, Why: "inside uniform(n=...), zipf(n=...), hot(n=...)"},
	{Block: "keys", Key: "s", Kind: Number, Min: 0, Max: 10, Why: "inside zipf(s=...)"},
	{Block: "keys", Key: "share", Kind: Probability, Min: 0, Max: 1, Why: "inside hot(share=...)"},

	{Block: "service", Key: "instances", Kind: Integer, Min: 1, Max: math.MaxInt32},
	{Block: "service", Key: "workers", Kind: Integer, Min: 0, Max: math.MaxInt32, Why: "or unlimited"},
	{Block: "service", Key: "queue", Kind: Integer, Min: 0, Max: math.MaxInt32, Why: "or unbounded"},
	{Block: "service", Key: "choices", Kind: Integer, Min: 2, Max: math.MaxInt32, Why: "p2c samples this many instances"},
	{Block: "service", Key: "refresh", Kind: Duration, Min: 0, MinOpen: true, Max: math.Inf(1)},

	{Block: "zones", Key: "cost_per_call", Kind: Number, Min: 0, Max: inf, Why: "any currency: the report adds it up"},
	{Block: "zones", Key: "cost_per_gb", Kind: Number, Min: 0, Max: inf, Why: "per 10^9 bytes crossing, with bytes:"},
	{Block: "zones", Key: "bytes", Kind: Number, Min: 0, MinOpen: true, Max: 1e12, Why: "one call's request and reply; B, KB, MB, GB (decimal)"},

	{Block: "step", Key: "timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "step", Key: "repeat", Kind: Integer, Min: 1, Max: math.MaxInt32},
	{Block: "step", Key: "fail", Kind: Probability, Min: 0, Max: 1},
	{Block: "arm", Key: "p", Kind: Probability, Min: 0, Max: 1},

	{Block: "policy", Key: "deadline", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "retry", Key: "attempts", Kind: Integer, Min: 2, Max: 100, Why: "attempts count the first one"},
	{Block: "retry", Key: "base", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "retry", Key: "cap", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "retry", Key: "multiplier", Kind: Number, Min: 1, Max: 100},
	{Block: "retry", Key: "spread", Kind: Probability, Min: 0, Max: 1},
	{Block: "budget", Key: "ratio", Kind: Percent, Min: 0, Max: 100000, Why: "Finagle's percentCanRetry goes up to 1000"},
	{Block: "budget", Key: "min_per_sec", Kind: Integer, Min: 0, Max: 1 << 30},
	{Block: "budget", Key: "ttl", Kind: Duration, Min: 1, Max: 60, Why: "Finagle allows 1s to 60s"},
	{Block: "budget", Key: "tokens", Kind: Number, Min: 0.001, Max: 1000, Why: "gRPC retryThrottling"},
	{Block: "budget", Key: "token_ratio", Kind: Number, Min: 0.001, Max: 1000, Why: "gRPC retryThrottling"},
	{Block: "budget", Key: "concurrency", Kind: Percent, Min: 0, Max: 100},
	{Block: "budget", Key: "min", Kind: Integer, Min: 0, Max: 1 << 30},
	{Block: "hedge", Key: "delay", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "hedge", Key: "max", Kind: Integer, Min: 2, Max: 5, Why: "gRPC clamps maxAttempts to 5"},
	{Block: "breaker", Key: "wait", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "breaker", Key: "max_requests", Kind: Integer, Min: 1, Max: math.MaxUint32},
	{Block: "breaker", Key: "interval", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "breaker", Key: "trip_after", Kind: Integer, Min: 1, Max: math.MaxUint32},
	{Block: "breaker", Key: "window", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "breaker", Key: "bucket", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "breaker", Key: "min_calls", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "breaker", Key: "failure_rate", Kind: Percent, Min: 0, MinOpen: true, Max: 100},
	{Block: "breaker", Key: "slow_rate", Kind: Percent, Min: 0, MinOpen: true, Max: 100},
	{Block: "breaker", Key: "slow_call", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "breaker", Key: "half_open_calls", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "breaker", Key: "max_half_open_wait", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "bulkhead", Key: "max", Kind: Integer, Min: 1, Max: 1 << 30, Why: "also bulkhead: N"},
	{Block: "bulkhead", Key: "wait", Kind: Duration, Min: 0, Max: inf},
	{Block: "pool", Key: "size", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "pool", Key: "acquire_timeout", Kind: Duration, Min: 0, Max: inf},
	{Block: "pool", Key: "waiters", Kind: Integer, Min: 1, Max: 1 << 30, Why: "or unbounded"},
	{Block: "pool", Key: "max_lifetime", Kind: Duration, Min: 0, Max: inf, Why: "0: connections live forever"},
	{Block: "limiter", Key: "rate", Kind: Rate, Min: 0, MinOpen: true, Max: inf},
	{Block: "limiter", Key: "burst", Kind: Integer, Min: 0, Max: 1 << 30},
	{Block: "limiter", Key: "interval", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "throttle", Key: "k", Kind: Number, Min: 1, Max: 100},
	{Block: "throttle", Key: "window", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "shed", Key: "queue_timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "shed", Key: "lifo_above", Kind: Integer, Min: 1, Max: 1 << 30},
	{Block: "shed", Key: "sheddable_above", Kind: Integer, Min: 1, Max: 1 << 30},
	{Block: "codel", Key: "target", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "codel", Key: "interval", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "outlier", Key: "consecutive_5xx", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "outlier", Key: "interval", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "outlier", Key: "base_ejection", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "outlier", Key: "max_ejection", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "outlier", Key: "max_percent", Kind: Percent, Min: 0, Max: 100},

	{Block: "cache", Key: "capacity", Kind: Integer, Min: 1, Max: 1 << 24},
	{Block: "cache", Key: "ttl", Kind: Duration, Min: 0, Max: inf},
	{Block: "cache", Key: "ttl_jitter", Kind: Probability, Min: 0, Max: 1, MaxOpen: true},
	{Block: "cache", Key: "negative_ttl", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "origin_timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "write_back_delay", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "lock_timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "lease", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "stale_while_revalidate", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "stale_if_error", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "cache", Key: "xfetch", Kind: Number, Min: 0.01, Max: 100},
	{Block: "database", Key: "replicas", Kind: Integer, Min: 0, Max: 64},
	{Block: "database", Key: "max_staleness", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "database", Key: "promotion", Kind: Duration, Min: 0, Max: inf},
	{Block: "queue", Key: "partitions", Kind: Integer, Min: 1, Max: 4096},
	{Block: "queue", Key: "visibility_timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "queue", Key: "max_deliveries", Kind: Integer, Min: 1, Max: 1000},
	{Block: "queue", Key: "outbox_poll", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "queue", Key: "outbox_batch", Kind: Integer, Min: 1, Max: 1 << 20},
	{Block: "consumer", Key: "concurrency", Kind: Integer, Min: 1, Max: 1 << 16},
	{Block: "consumer", Key: "timeout", Kind: Duration, Min: 0, MinOpen: true, Max: inf},

	{Block: "fault", Key: "at", Kind: Duration, Min: 0, Max: inf, Why: "and before the end of the run"},
	{Block: "fault", Key: "for", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "fault", Key: "loss", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "errors", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "slow", Kind: Factor, Min: 0, MinOpen: true, Max: 1e6, Why: "a million times the service time is past anything a run can show"},
	{Block: "fault", Key: "spike", Kind: Factor, Min: 0, MinOpen: true, Max: 1e6, Why: "a million times the traffic; the event limit applies too"},
	{Block: "fault", Key: "ramp", Kind: Factor, Min: 0, MinOpen: true, Max: 1e6, Why: "as spike"},
	{Block: "fault", Key: "mass_expiry", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "hot_key", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "pool_leak", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "poison", Kind: Probability, Min: 0, MinOpen: true, Max: 1},
	{Block: "fault", Key: "instance", Kind: Integer, Min: 0, Max: 1 << 20},
	{Block: "fault", Key: "instances", Kind: Integer, Min: 1, Max: math.MaxInt32, Why: "or all, one, or a percentage in (0%, 100%]"},
	{Block: "fault", Key: "restart", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "fault", Key: "after", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "fault", Key: "keys", Kind: Probability, Min: 0, Max: 1},
	{Block: "fault", Key: "over", Kind: Duration, Min: 0, MinOpen: true, Max: inf, Why: "and at most the fault's for:"},
	{Block: "fault", Key: "key", Kind: Integer, Min: 0, Max: 1 << 20},

	{Block: "slo", Key: "objective", Kind: Probability, Min: 0, MinOpen: true, Max: 1, MaxOpen: true},
	{Block: "slo", Key: "latency", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "slo", Key: "period", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "slo", Key: "scale", Kind: Number, Min: 0, MinOpen: true, Max: inf, Why: `or "SIMULATED = REAL", two durations > 0`},
	{Block: "slo", Key: "min_events", Kind: Integer, Min: 1, Max: 1 << 31},
	{Block: "history", Key: "burned", Kind: Probability, Min: 0, Max: 1, Why: "the share of the budget spent before the start"},
	{Block: "rule", Key: "long", Kind: Duration, Min: 0, MinOpen: true, Max: inf},
	{Block: "rule", Key: "short", Kind: Duration, Min: 0, MinOpen: true, Max: inf, Why: "and shorter than long"},
	{Block: "rule", Key: "for", Kind: Duration, Min: 0, Max: inf},
	{Block: "rule", Key: "burn", Kind: Number, Min: 0, MinOpen: true, Max: inf},
}

// rangeIndex finds an entry by "block.key".
var rangeIndex = func() map[string]*FieldRange {
	m := make(map[string]*FieldRange, len(fieldRanges))
	for i := range fieldRanges {
		r := &fieldRanges[i]
		m[r.Block+"."+r.Key] = r
	}
	return m
}()

// FieldRanges returns a copy of the table, for generators outside the
// package.
func FieldRanges() []FieldRange { return append([]FieldRange(nil), fieldRanges...) }

// rangeOf returns the entry for "block.key". A name missing from the table
// is a bug in the loader, not in the input; TestEveryRangeIsUsed finds it
// before it ships, and the loader then reports it as a problem rather than
// panicking.
func rangeOf(name string) (*FieldRange, bool) {
	r, ok := rangeIndex[name]
	return r, ok
}

// Contains says whether v is inside the range. NaN never is.
func (r *FieldRange) Contains(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if v < r.Min || r.MinOpen && v == r.Min {
		return false
	}
	if v > r.Max || r.MaxOpen && v == r.Max {
		return false
	}
	return true
}

// Text says the range in the words the docs and problems use: "> 0",
// "2 to 100", "0% to 100%".
func (r *FieldRange) Text() string {
	lo, hi := r.format(r.Min), r.format(r.Max)
	switch {
	case math.IsInf(r.Max, 1) && r.MinOpen:
		return "> " + lo
	case math.IsInf(r.Max, 1):
		return ">= " + lo
	case r.MinOpen && r.MaxOpen:
		return "between " + lo + " and " + hi + ", exclusive"
	case r.MinOpen:
		return "> " + lo + ", up to " + hi
	case r.MaxOpen:
		return lo + " up to, not including, " + hi
	}
	return lo + " to " + hi
}

// format writes a bound as a value of the field would be written.
func (r *FieldRange) format(v float64) string {
	switch r.Kind {
	case Integer:
		return formatCount(v)
	case Duration:
		if v == 0 {
			return "0s"
		}
		return sim.FromSeconds(v).String()
	case Rate:
		return formatNumber(v) + "/s"
	case Probability:
		return formatNumber(100*v) + "%"
	case Percent:
		return formatNumber(v) + "%"
	case Factor:
		return formatNumber(v) + "x"
	}
	return formatNumber(v)
}

// formatNumber writes v as a user would, without an exponent.
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatCount writes powers of two and the largest values of Go's integer
// types as 2^k or 2^k-1, which is how the limits were chosen.
func formatCount(v float64) string {
	switch v {
	case math.MaxInt64: // as a float64, 2^63
		return "2^63-1"
	case math.MaxUint64:
		return "2^64-1"
	}
	if v >= 1<<16 && v < 1<<63 {
		for _, off := range []float64{0, 1} {
			if u := uint64(v + off); float64(u) == v+off && bits.OnesCount64(u) == 1 {
				s := "2^" + strconv.Itoa(bits.TrailingZeros64(u))
				if off == 1 {
					s += "-1"
				}
				return s
			}
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// rangeHint is the hint of a value outside its range: where the bound
// comes from, or else where every range is listed.
func (r *FieldRange) rangeHint() string {
	if r.Why != "" {
		return r.Key + " takes " + r.Text() + ", " + r.Why
	}
	return "every field's range: docs/scenario-format.md, Ranges"
}

// outOfRange records that the value s of node n is outside r. The message
// names the bound that was crossed ("must be >= 1, got 0"); the hint, or
// the docs, give the whole range.
func (l *loader) outOfRange(n *yaml.Node, path string, r *FieldRange, s string, v float64) {
	l.errorf(n, path, r.rangeHint(), "must be %s, got %s", r.violated(v), s)
}

// violated says the bound v is on the wrong side of.
func (r *FieldRange) violated(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(r.Max, 1):
		return r.Text()
	case v < r.Min || v == r.Min && r.MinOpen:
		if r.MinOpen {
			return "> " + r.format(r.Min)
		}
		return ">= " + r.format(r.Min)
	case r.MaxOpen:
		return "< " + r.format(r.Max)
	}
	return "<= " + r.format(r.Max)
}

// lookupRange finds name's range, recording a problem when the loader asks
// for one the table lacks.
func (l *loader) lookupRange(n *yaml.Node, path, name string) (*FieldRange, bool) {
	r, ok := rangeOf(name)
	if !ok {
		l.errorf(n, path, "", "internal error: no range for %s", name)
	}
	return r, ok
}

// intField reads a whole number in the range of name ("block.key").
func (l *loader) intField(n *yaml.Node, path, name string) (int64, bool) {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return 0, false
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if r.Min > math.MinInt64 {
		lo = int64(r.Min)
		if r.MinOpen {
			lo++
		}
	}
	if r.Max < math.MaxInt64 {
		hi = int64(r.Max)
		if r.MaxOpen {
			hi--
		}
	}
	s, ok := l.scalar(n, path, "a whole number")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err == nil && (v < lo || v > hi) {
		l.outOfRange(n, path, r, s, float64(v))
		return 0, false
	}
	return l.integer(n, path, lo, hi)
}

// durationField reads a duration in the range of name.
func (l *loader) durationField(n *yaml.Node, path, name string) (sim.Time, bool) {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return 0, false
	}
	d, ok := l.duration(n, path)
	if ok && !r.Contains(d.Seconds()) {
		l.outOfRange(n, path, r, deref(n).Value, d.Seconds())
		return 0, false
	}
	return d, ok
}

// probabilityField reads a probability in the range of name.
func (l *loader) probabilityField(n *yaml.Node, path, name string) (float64, bool) {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return 0, false
	}
	p, ok := l.probability(n, path)
	if ok && !r.Contains(p) {
		l.outOfRange(n, path, r, deref(n).Value, p)
		return 0, false
	}
	return p, ok
}

// numberField reads a plain number in the range of name.
func (l *loader) numberField(n *yaml.Node, path, name string) (float64, bool) {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return 0, false
	}
	s, v, ok := l.plainNumber(n, path)
	if !ok {
		return 0, false
	}
	if !r.Contains(v) {
		l.outOfRange(n, path, r, s, v)
		return 0, false
	}
	return v, true
}

// percentField reads a percentage ("50%") in the range of name, returned
// in percent points.
func (l *loader) percentField(n *yaml.Node, path, name string) (float64, bool) {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return 0, false
	}
	v, ok := l.percentNumber(n, path, -inf, inf)
	if ok && !r.Contains(v) {
		l.outOfRange(n, path, r, deref(n).Value, v)
		return 0, false
	}
	return v, ok
}

// checkField records a problem when v, read by custom code from node n as
// s, is outside the range of name.
func (l *loader) checkField(n *yaml.Node, path, name string, v float64, s string) bool {
	r, ok := l.lookupRange(n, path, name)
	if !ok {
		return false
	}
	if !r.Contains(v) {
		l.outOfRange(n, path, r, s, v)
		return false
	}
	return true
}

// rangeTable renders the table as the Markdown docs/scenario-format.md
// prints between its "ranges" markers.
func rangeTable() string {
	var b strings.Builder
	b.WriteString("| field | kind | range | note |\n|---|---|---|---|\n")
	for i := range fieldRanges {
		r := &fieldRanges[i]
		fmt.Fprintf(&b, "| `%s.%s` | %s | %s | %s |\n", r.Block, r.Key, r.Kind, strings.ReplaceAll(r.Text(), "|", `\|`), strings.ReplaceAll(r.Why, "|", `\|`))
	}
	return b.String()
}
