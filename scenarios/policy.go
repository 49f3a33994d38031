package scenarios

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/models/policy"
	"cascade/scenarios/units"
	"cascade/sim"
)

// The resilience options of a call edge (a call step or a workload) and of
// a service, read from YAML into models.CallPolicy and models.Admission.
// Names follow the libraries they copy, in snake case: resilience4j's
// slidingWindowSize is window:, minimumNumberOfCalls is min_calls:, gRPC's
// maxAttempts is attempts:, Envoy's consecutive_5xx stays consecutive_5xx:.

// policyKeys are the keys of a call edge's policy.
var policyKeys = []string{"deadline", "retry", "hedge", "breaker", "bulkhead", "pool", "rate_limit", "throttle", "scope"}

// admissionKeys are the keys of a service's server-side protection.
var admissionKeys = []string{"rate_limit", "shed", "deadlines", "outlier"}

var retryKeys = []string{"attempts", "on", "backoff", "base", "cap", "multiplier", "jitter", "spread", "retry_after", "budget"}

var budgetKeys = []string{"ratio", "min_per_sec", "ttl", "tokens", "token_ratio", "concurrency", "min"}

var breakerKeys = []string{"preset", "kind", "wait", "automatic", "max_requests", "interval", "trip_after",
	"window", "bucket", "min_calls", "failure_rate", "slow_rate", "slow_call", "half_open_calls", "max_half_open_wait", "record_stale"}

var limiterKeys = []string{"algorithm", "rate", "burst", "interval", "per"}

var shedKeys = []string{"queue_timeout", "codel", "lifo_above", "sheddable_above"}

var outlierKeys = []string{"consecutive_5xx", "interval", "base_ejection", "max_ejection", "max_percent", "always_eject_one", "success_rate"}

var limiterNames = []string{"token_bucket", "interval_bucket", "gcra", "leaky_queue", "fixed_window", "sliding_window"}

var backoffNames = []string{"none", "fixed", "exponential", "decorrelated"}

var jitterNames = []string{"none", "full", "equal", "proportional"}

var pushbackNames = []string{"at_least", "replace", "ignore"}

var breakerKinds = []string{"consecutive", "count_window", "time_window"}

// decodePolicy reads the policy keys among fields (a call step's or a
// workload's); nil when there are none. ok is false after a problem.
func (l *loader) decodePolicy(fields []field, path string, workload bool) (*models.CallPolicy, bool) {
	var p models.CallPolicy
	seen, ok := false, true
	var retryKey, hedgeKey, bulkKey, poolKey *yaml.Node
	for _, f := range fields {
		if !contains(policyKeys, f.key.Value) {
			continue
		}
		seen = true
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "deadline":
			d, dok := l.durationField(f.val, k, "policy.deadline")
			p.Deadline, ok = d, ok && dok
		case "retry":
			retryKey = f.key
			r, rok := l.decodeRetry(f.val, k)
			p.Retry, ok = r, ok && rok
		case "hedge":
			hedgeKey = f.key
			h, hok := l.decodeHedge(f.val, k)
			p.Hedge, ok = h, ok && hok
		case "breaker":
			b, bok := l.decodeBreaker(f.val, k)
			p.Breaker, ok = b, ok && bok
		case "bulkhead":
			if poolKey != nil {
				l.errorf(f.key, k, "a pool is a bulkhead of connections: give one of them", "bulkhead: and pool: exclude each other")
				ok = false
				continue
			}
			bulkKey = f.key
			b, bok := l.decodeBulkhead(f.val, k)
			p.Bulkhead, ok = b, ok && bok
		case "pool":
			if bulkKey != nil {
				l.errorf(f.key, k, "a pool is a bulkhead of connections: give one of them", "bulkhead: and pool: exclude each other")
				ok = false
				continue
			}
			poolKey = f.key
			b, bok := l.decodePool(f.val, k)
			p.Bulkhead, ok = b, ok && bok
		case "rate_limit":
			r, rok := l.decodeLimiter(f.val, k, false)
			p.Limiter, ok = r, ok && rok
		case "throttle":
			t, tok := l.decodeThrottle(f.val, k)
			p.Throttle, ok = t, ok && tok
		case "scope":
			i, sok := l.enum(f.val, k, []string{"instance", "shared"})
			p.Shared, ok = i == 1, ok && sok
			if workload && sok {
				l.errorf(f.key, k, "a workload is one client: its policy state is always shared", "scope: applies to calls made by services")
				ok = false
			}
		}
	}
	if retryKey != nil && hedgeKey != nil {
		l.errorf(hedgeKey, join(path, "hedge"), "gRPC allows a retryPolicy or a hedgingPolicy, not both", "hedge: and retry: exclude each other")
		ok = false
	}
	if !seen {
		return nil, ok
	}
	return &p, ok
}

func (l *loader) decodeRetry(n *yaml.Node, path string) (*models.RetrySpec, bool) {
	r := &models.RetrySpec{On: models.DefaultRetryOn()}
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		// retry: 3 is three attempts in all, at once, on any failure.
		a, ok := l.intField(n, path, "retry.attempts")
		r.Attempts = int(a)
		return r, ok
	}
	fields, ok := l.mapping(n, path, "a retry policy such as {attempts: 3, backoff: exponential, base: 50ms}", retryKeys)
	if !ok {
		return nil, false
	}
	hasAttempts := false
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "attempts":
			var a int64
			a, fok = l.intField(f.val, k, "retry.attempts")
			r.Attempts, hasAttempts = int(a), true
		case "on":
			r.On, fok = l.outcomeSet(f.val, k)
		case "backoff":
			var i int
			i, fok = l.enum(f.val, k, backoffNames)
			r.Backoff.Kind = policy.BackoffKind(i)
		case "base":
			r.Backoff.Base, fok = l.durationField(f.val, k, "retry.base")
		case "cap":
			r.Backoff.Cap, fok = l.durationField(f.val, k, "retry.cap")
		case "multiplier":
			r.Backoff.Multiplier, fok = l.numberField(f.val, k, "retry.multiplier")
		case "jitter":
			var i int
			i, fok = l.enum(f.val, k, jitterNames)
			r.Backoff.Jitter = policy.Jitter(i)
		case "spread":
			r.Backoff.Spread, fok = l.probabilityField(f.val, k, "retry.spread")
		case "retry_after":
			var i int
			i, fok = l.enum(f.val, k, pushbackNames)
			r.Backoff.Pushback = policy.Pushback(i)
		case "budget":
			r.Budget, fok = l.decodeBudget(f.val, k)
		}
		ok = ok && fok
	}
	if !hasAttempts {
		l.errorf(n, path, "attempts count the first one: attempts: 3 is two retries", "missing attempts:")
		return nil, false
	}
	b := &r.Backoff
	if b.Kind == policy.NoBackoff && b.Base > 0 {
		b.Kind = policy.Exponential // base: without backoff: means exponential
	}
	// Settings the chosen backoff would not use are mistakes, not no-ops.
	for _, f := range fields {
		k := f.key.Value
		var why string
		switch {
		case b.Kind == policy.NoBackoff && contains([]string{"cap", "multiplier", "jitter", "spread"}, k):
			why = "without backoff:, retries go at once"
		case b.Kind == policy.Fixed && (k == "cap" || k == "multiplier"):
			why = "a fixed backoff waits base: every time"
		case b.Kind == policy.Decorrelated && (k == "multiplier" || k == "jitter" || k == "spread"):
			why = "decorrelated jitter draws its own delay between base and 3x the previous"
		case k == "spread" && b.Jitter != policy.Proportional:
			why = "spread: is the width of jitter: proportional"
		}
		if why != "" {
			l.errorf(f.key, join(path, k), why, "%s: does not apply with backoff %s", k, b.Kind)
			ok = false
		}
	}
	if b.Kind != policy.NoBackoff && b.Base == 0 {
		l.errorf(n, path, "e.g. base: 50ms", "backoff %s needs base:", b.Kind)
		return nil, false
	}
	if err := b.Validate(); err != nil && ok {
		l.errorf(n, path, "", "%s", strings.TrimPrefix(err.Error(), "backoff: "))
		return nil, false
	}
	return r, ok
}

// outcomeSet reads a list of outcome names.
func (l *loader) outcomeSet(n *yaml.Node, path string) (models.OutcomeSet, bool) {
	items, ok := l.sequence(n, path, "a list of outcomes, e.g. [error, timeout]")
	if !ok {
		return 0, false
	}
	var names []string
	for _, o := range models.Outcomes() {
		names = append(names, o.String())
	}
	var set models.OutcomeSet
	for i, item := range items {
		j, eok := l.enum(item, index(path, i), names)
		if !eok {
			ok = false
			continue
		}
		if models.Outcome(j) == models.OK {
			l.errorf(item, index(path, i), "", "ok is not a failure to retry")
			ok = false
			continue
		}
		set = set.With(models.Outcome(j))
	}
	return set, ok
}

// decodeBudget reads a retry budget: finagle or envoy by name, or a map
// whose keys say the kind: ratio: (Finagle), tokens: (gRPC throttling),
// concurrency: (Envoy).
func (l *loader) decodeBudget(n *yaml.Node, path string) (*policy.BudgetConfig, bool) {
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		i, ok := l.enum(n, path, []string{"finagle", "envoy"})
		if !ok {
			return nil, false
		}
		b := policy.FinagleBudget()
		if i == 1 {
			b = policy.EnvoyBudget()
		}
		return &b, true
	}
	fields, ok := l.mapping(n, path, "a retry budget: finagle, envoy, {ratio: 20%}, {tokens: 100, token_ratio: 0.1} or {concurrency: 20%}", budgetKeys)
	if !ok {
		return nil, false
	}
	by := map[string]field{}
	for _, f := range fields {
		by[f.key.Value] = f
	}
	kinds := 0
	for _, k := range []string{"ratio", "tokens", "concurrency"} {
		if _, has := by[k]; has {
			kinds++
		}
	}
	if kinds != 1 {
		l.errorf(n, path, "ratio: (Finagle), tokens: (gRPC throttling) or concurrency: (Envoy)", "a budget needs exactly one of ratio:, tokens:, concurrency:")
		return nil, false
	}
	only := func(kind string, keys ...string) bool {
		for _, f := range fields {
			if f.key.Value != kind && !contains(keys, f.key.Value) {
				l.errorf(f.key, join(path, f.key.Value), "", "%s: does not apply to a %s: budget", f.key.Value, kind)
				return false
			}
		}
		return true
	}
	var b policy.BudgetConfig
	switch {
	case by["ratio"].key != nil:
		b = policy.FinagleBudget()
		ok = only("ratio", "min_per_sec", "ttl")
		if p, pok := l.percentField(by["ratio"].val, join(path, "ratio"), "budget.ratio"); pok { // Finagle: percentCanRetry up to 1000
			b.Percent = p / 100
		} else {
			ok = false
		}
		if f, has := by["min_per_sec"]; has {
			v, vok := l.intField(f.val, join(path, "min_per_sec"), "budget.min_per_sec")
			b.MinPerSec, ok = int(v), ok && vok
		}
		if f, has := by["ttl"]; has {
			d, dok := l.durationField(f.val, join(path, "ttl"), "budget.ttl")
			b.TTL, ok = d, ok && dok
		}
	case by["tokens"].key != nil:
		ok = only("tokens", "token_ratio")
		t, tok := l.numberField(by["tokens"].val, join(path, "tokens"), "budget.tokens")
		f, has := by["token_ratio"]
		if !has {
			l.errorf(by["tokens"].key, path, "gRPC retryThrottling has no defaults: e.g. {tokens: 10, token_ratio: 0.1}", "missing token_ratio:")
			return nil, false
		}
		r, rok := l.numberField(f.val, join(path, "token_ratio"), "budget.token_ratio")
		b, ok = policy.GRPCThrottling(t, r), ok && tok && rok
	default:
		b = policy.EnvoyBudget()
		ok = only("concurrency", "min")
		if p, pok := l.percentField(by["concurrency"].val, join(path, "concurrency"), "budget.concurrency"); pok {
			b.BudgetPercent = p
		} else {
			ok = false
		}
		if f, has := by["min"]; has {
			v, vok := l.intField(f.val, join(path, "min"), "budget.min")
			b.MinConcurrency, ok = int(v), ok && vok
		}
	}
	return &b, ok
}

func (l *loader) decodeHedge(n *yaml.Node, path string) (*models.HedgeSpec, bool) {
	fields, ok := l.mapping(n, path, "a hedging policy such as {delay: 50ms, max: 3}", []string{"delay", "max"})
	if !ok {
		return nil, false
	}
	h := &models.HedgeSpec{}
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "delay":
			h.Delay, fok = l.durationField(f.val, k, "hedge.delay")
		case "max":
			var v int64
			v, fok = l.intField(f.val, k, "hedge.max") // gRPC clamps maxAttempts to 5
			h.Max = int(v)
		}
		ok = ok && fok
	}
	if ok && (h.Delay == 0 || h.Max == 0) {
		l.errorf(n, path, "e.g. {delay: 50ms, max: 3}", "a hedge needs delay: and max: (copies in all)")
		return nil, false
	}
	return h, ok
}

// decodeBreaker reads a circuit breaker: a preset name, or a map of
// settings over a preset (resilience4j when none is named).
func (l *loader) decodeBreaker(n *yaml.Node, path string) (*policy.BreakerConfig, bool) {
	presets := []string{"resilience4j", "hystrix", "gobreaker"}
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		i, ok := l.enum(n, path, presets)
		if !ok {
			return nil, false
		}
		c, _ := policy.BreakerPreset(presets[i])
		return &c, true
	}
	fields, ok := l.mapping(n, path, "a breaker: resilience4j, hystrix, gobreaker, or a map such as {preset: resilience4j, window: 20, min_calls: 10}", breakerKeys)
	if !ok {
		return nil, false
	}
	// Unset settings take the defaults of the library the breaker is
	// modelled on: the preset's, or else the kind's (gobreaker for
	// consecutive, resilience4j for the windows).
	c := policy.Resilience4j()
	hasPreset := false
	for _, f := range fields {
		if f.key.Value == "preset" {
			i, pok := l.enum(f.val, join(path, "preset"), presets)
			if !pok {
				return nil, false
			}
			c, _ = policy.BreakerPreset(presets[i])
			hasPreset = true
		}
	}
	for _, f := range fields {
		if f.key.Value == "kind" && !hasPreset {
			if i, kok := l.enum(f.val, join(path, "kind"), breakerKinds); kok && policy.BreakerKind(i) == policy.Consecutive {
				c = policy.GoBreaker()
			}
		}
	}
	for _, f := range fields {
		k := join(path, f.key.Value)
		fok := true
		switch f.key.Value {
		case "kind":
			var i int
			i, fok = l.enum(f.val, k, breakerKinds)
			c.Kind = policy.BreakerKind(i)
		case "wait":
			c.OpenFor, fok = l.durationField(f.val, k, "breaker.wait")
		case "automatic":
			c.AutoHalfOpen, fok = l.boolean(f.val, k)
		case "max_requests":
			var v int64
			v, fok = l.intField(f.val, k, "breaker.max_requests")
			c.MaxRequests = uint32(v)
		case "interval":
			c.Interval, fok = l.durationField(f.val, k, "breaker.interval")
		case "trip_after":
			var v int64
			v, fok = l.intField(f.val, k, "breaker.trip_after")
			c.TripAfter = uint32(v)
		case "window":
			var v int64
			v, fok = l.intField(f.val, k, "breaker.window")
			c.WindowSize = int(v)
		case "bucket":
			c.BucketWidth, fok = l.durationField(f.val, k, "breaker.bucket")
		case "min_calls":
			var v int64
			v, fok = l.intField(f.val, k, "breaker.min_calls")
			c.MinCalls = int(v)
		case "failure_rate":
			c.FailureRate, fok = l.percentField(f.val, k, "breaker.failure_rate")
		case "slow_rate":
			c.SlowRate, fok = l.percentField(f.val, k, "breaker.slow_rate")
		case "slow_call":
			c.SlowCall, fok = l.durationField(f.val, k, "breaker.slow_call")
		case "half_open_calls":
			var v int64
			v, fok = l.intField(f.val, k, "breaker.half_open_calls")
			c.HalfOpenPermits = int(v)
		case "max_half_open_wait":
			c.MaxHalfOpenWait, fok = l.durationField(f.val, k, "breaker.max_half_open_wait")
		case "record_stale":
			c.RecordStale, fok = l.boolean(f.val, k)
		}
		ok = ok && fok
	}
	consecutiveOnly := []string{"max_requests", "interval", "trip_after"}
	windowOnly := []string{"automatic", "window", "bucket", "min_calls", "failure_rate", "slow_rate", "slow_call", "half_open_calls", "max_half_open_wait"}
	for _, f := range fields {
		k := f.key.Value
		switch {
		case c.Kind == policy.Consecutive && contains(windowOnly, k):
			l.errorf(f.key, join(path, k), "set kind: count_window or time_window, or preset: resilience4j", "%s: applies to window breakers, not consecutive (gobreaker) ones", k)
			ok = false
		case c.Kind != policy.Consecutive && contains(consecutiveOnly, k):
			l.errorf(f.key, join(path, k), "set kind: consecutive, or preset: gobreaker", "%s: applies to consecutive (gobreaker) breakers, not %s ones", k, breakerKinds[c.Kind])
			ok = false
		case k == "bucket" && c.Kind != policy.TimeWindow:
			l.errorf(f.key, join(path, k), "", "bucket: applies to time_window breakers")
			ok = false
		}
	}
	return &c, ok
}

func (l *loader) decodeBulkhead(n *yaml.Node, path string) (*models.BulkheadSpec, bool) {
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		m, ok := l.intField(n, path, "bulkhead.max")
		return &models.BulkheadSpec{Max: int(m)}, ok
	}
	fields, ok := l.mapping(n, path, "a bulkhead such as {max: 10, wait: 50ms}", []string{"max", "wait"})
	if !ok {
		return nil, false
	}
	b := &models.BulkheadSpec{Max: 25} // resilience4j maxConcurrentCalls
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "max":
			var v int64
			v, fok = l.intField(f.val, k, "bulkhead.max")
			b.Max = int(v)
		case "wait":
			b.Wait, fok = l.durationField(f.val, k, "bulkhead.wait")
			if fok && b.Wait < 0 {
				l.errorf(f.val, k, "", "must be >= 0")
				fok = false
			}
		}
		ok = ok && fok
	}
	return b, ok
}

// decodePool reads a connection pool: a bulkhead whose permits are
// connections (HikariCP's names where they exist: maximumPoolSize,
// connectionTimeout, maxLifetime).
func (l *loader) decodePool(n *yaml.Node, path string) (*models.BulkheadSpec, bool) {
	fields, ok := l.mapping(n, path, "a connection pool such as {size: 10, acquire_timeout: 1s}",
		[]string{"size", "acquire_timeout", "waiters", "setup", "max_lifetime"})
	if !ok {
		return nil, false
	}
	// HikariCP defaults: 10 connections, 30 s connection timeout, 30 min
	// max lifetime; waiters unbounded.
	b := &models.BulkheadSpec{Pool: true, Max: 10, Wait: 30 * sim.Second, Lifetime: 30 * sim.Minute}
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "size":
			var v int64
			v, fok = l.intField(f.val, k, "pool.size")
			b.Max = int(v)
		case "acquire_timeout":
			b.Wait, fok = l.durationField(f.val, k, "pool.acquire_timeout")
			if fok && b.Wait < 0 {
				l.errorf(f.val, k, "", "must be >= 0")
				fok = false
			}
		case "waiters":
			var v int64
			if vv := deref(f.val); vv != nil && vv.Kind == yaml.ScalarNode && vv.Value == "unbounded" {
				v, fok = 0, true
			} else {
				v, fok = l.intField(f.val, k, "pool.waiters")
			}
			b.Queue = int(v)
		case "setup":
			b.Setup, fok = l.dist(f.val, k)
		case "max_lifetime":
			b.Lifetime, fok = l.durationField(f.val, k, "pool.max_lifetime")
			if fok && b.Lifetime < 0 {
				l.errorf(f.val, k, "", "must be >= 0 (0: connections live forever)")
				fok = false
			}
		}
		ok = ok && fok
	}
	if ok && b.Wait == 0 && b.Queue > 0 {
		for _, f := range fields {
			if f.key.Value == "waiters" {
				l.errorf(f.key, join(path, "waiters"), "give acquire_timeout: a time to wait, or drop waiters:",
					"waiters bounds the callers waiting for a connection, but acquire_timeout: 0 lets none wait")
				ok = false
			}
		}
	}
	return b, ok
}

// decodeLimiter reads a rate limiter; server says whether per: (service or
// instance) may be given.
func (l *loader) decodeLimiter(n *yaml.Node, path string, server bool) (*models.LimiterSpec, bool) {
	fields, ok := l.mapping(n, path, "a rate limit such as {rate: 100/s, burst: 20}", limiterKeys)
	if !ok {
		return nil, false
	}
	s := &models.LimiterSpec{Interval: sim.Second}
	var rateKey *yaml.Node
	burstSet := false
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "algorithm":
			var i int
			i, fok = l.enum(f.val, k, limiterNames)
			s.Kind = models.LimiterKind(i)
		case "rate":
			rateKey = f.key
			var txt string
			if txt, fok = l.scalar(f.val, k, "a rate such as 100/s"); fok {
				r, err := units.ParseRate(txt)
				if err != nil {
					l.unitsProblem(deref(f.val), k, err)
					fok = false
				} else if !l.checkField(f.val, k, "limiter.rate", r, txt) {
					fok = false
				}
				s.Rate = r
			}
		case "burst":
			s.Burst, fok = l.intField(f.val, k, "limiter.burst")
			burstSet = true
		case "interval":
			s.Interval, fok = l.durationField(f.val, k, "limiter.interval")
		case "per":
			var i int
			i, fok = l.enum(f.val, k, []string{"service", "instance"})
			s.PerInstance = i == 1
			if !server && fok {
				l.errorf(f.key, k, "a client's limiter is per caller instance unless scope: shared", "per: applies to a service's rate_limit")
				fok = false
			}
		}
		ok = ok && fok
	}
	if rateKey == nil {
		l.errorf(n, path, "e.g. rate: 100/s", "missing rate:")
		return nil, false
	}
	for _, f := range fields {
		k := f.key.Value
		var why string
		switch {
		case k == "interval" && (s.Kind == models.TokenBucket || s.Kind == models.GCRA || s.Kind == models.LeakyQueue):
			why = "this algorithm refills continuously at rate:"
		case k == "burst" && (s.Kind == models.FixedWindow || s.Kind == models.SlidingWindow):
			why = "a window admits rate x interval requests per interval"
		case k == "algorithm" && s.Kind == models.LeakyQueue && !server:
			l.errorf(f.val, join(path, k), "a client does not queue its own calls: use token_bucket or gcra", "leaky_queue is for a service's rate_limit")
			ok = false
			continue
		}
		if why != "" {
			l.errorf(f.key, join(path, k), why, "%s: does not apply to %s", k, s.Kind)
			ok = false
		}
	}
	if s.Kind == models.IntervalBucket && burstSet {
		if fill := int64(math.Round(s.Rate * s.Interval.Seconds())); s.Burst < fill {
			l.errorf(n, path, "burst: is the bucket's size, which must hold one interval's tokens", "burst %d is less than rate x interval (%d)", s.Burst, fill)
			ok = false
		}
	}
	if !burstSet && (s.Kind == models.TokenBucket || s.Kind == models.GCRA) {
		s.Burst = 1 // x/time/rate needs a burst of at least one; say more with burst:
	}
	return s, ok
}

func (l *loader) decodeThrottle(n *yaml.Node, path string) (*models.ThrottleSpec, bool) {
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		if _, ok := l.enum(n, path, []string{"adaptive"}); !ok {
			return nil, false
		}
		return &models.ThrottleSpec{}, true
	}
	fields, ok := l.mapping(n, path, "adaptive, or {k: 2, window: 2m}", []string{"k", "window"})
	if !ok {
		return nil, false
	}
	t := &models.ThrottleSpec{}
	for _, f := range fields {
		k := join(path, f.key.Value)
		var fok bool
		switch f.key.Value {
		case "k":
			t.K, fok = l.numberField(f.val, k, "throttle.k")
		case "window":
			t.Window, fok = l.durationField(f.val, k, "throttle.window")
			if fok && t.Window < 120*sim.Millisecond {
				l.errorf(f.val, k, "", "must be at least 120ms (the window has 120 buckets)")
				fok = false
			}
		}
		ok = ok && fok
	}
	return t, ok
}

// decodeAdmission reads a service's rate_limit:, shed:, deadlines: and
// outlier: keys among fields.
func (l *loader) decodeAdmission(fields []field, path string, adm *models.Admission) {
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "rate_limit":
			adm.RateLimit, _ = l.decodeLimiter(f.val, k, true)
		case "shed":
			l.decodeShed(f.val, k, adm)
		case "deadlines":
			if i, ok := l.enum(f.val, k, []string{"ignore", "drop", "abort"}); ok {
				adm.Deadlines = models.DeadlineMode(i)
			}
		case "outlier":
			adm.Outlier, _ = l.decodeOutlier(f.val, k)
		}
	}
}

func (l *loader) decodeShed(n *yaml.Node, path string, adm *models.Admission) {
	fields, ok := l.mapping(n, path, "load shedding such as {queue_timeout: 100ms, codel: true}", shedKeys)
	if !ok {
		return
	}
	for _, f := range fields {
		k := join(path, f.key.Value)
		switch f.key.Value {
		case "queue_timeout":
			adm.QueueTimeout, _ = l.durationField(f.val, k, "shed.queue_timeout")
		case "codel":
			l.decodeCoDel(f.val, k, adm)
		case "lifo_above":
			v, _ := l.intField(f.val, k, "shed.lifo_above")
			adm.LIFOAbove = int(v)
		case "sheddable_above":
			v, _ := l.intField(f.val, k, "shed.sheddable_above")
			adm.ShedAbove = int(v)
		}
	}
}

func (l *loader) decodeCoDel(n *yaml.Node, path string, adm *models.Admission) {
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		if b, ok := l.boolean(n, path); ok && b {
			adm.CoDel = &[2]sim.Time{5 * sim.Millisecond, 100 * sim.Millisecond}
		}
		return
	}
	fields, ok := l.mapping(n, path, "true, or {target: 5ms, interval: 100ms}", []string{"target", "interval"})
	if !ok {
		return
	}
	cd := [2]sim.Time{5 * sim.Millisecond, 100 * sim.Millisecond}
	for _, f := range fields {
		k := join(path, f.key.Value)
		d, dok := l.durationField(f.val, k, "codel."+f.key.Value)
		if !dok {
			continue
		}
		if f.key.Value == "target" {
			cd[0] = d
		} else {
			cd[1] = d
		}
	}
	adm.CoDel = &cd
}

func (l *loader) decodeOutlier(n *yaml.Node, path string) (*policy.EjectionConfig, bool) {
	c := policy.EnvoyOutlier()
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		_, ok := l.enum(n, path, []string{"envoy"})
		return &c, ok
	}
	fields, ok := l.mapping(n, path, "envoy, or a map such as {consecutive_5xx: 5, base_ejection: 30s}", outlierKeys)
	if !ok {
		return nil, false
	}
	for _, f := range fields {
		k := join(path, f.key.Value)
		fok := true
		switch f.key.Value {
		case "consecutive_5xx":
			var v int64
			v, fok = l.intField(f.val, k, "outlier.consecutive_5xx")
			c.Consecutive5xx = int(v)
		case "interval":
			c.Interval, fok = l.durationField(f.val, k, "outlier.interval")
		case "base_ejection":
			c.BaseEjection, fok = l.durationField(f.val, k, "outlier.base_ejection")
		case "max_ejection":
			c.MaxEjection, fok = l.durationField(f.val, k, "outlier.max_ejection")
		case "max_percent":
			var p float64
			p, fok = l.percentField(f.val, k, "outlier.max_percent")
			c.MaxEjectionPercent = int(math.Round(p))
		case "always_eject_one":
			c.AlwaysEjectOne, fok = l.boolean(f.val, k)
		case "success_rate":
			c.SuccessRate, fok = l.boolean(f.val, k)
		}
		ok = ok && fok
	}
	return &c, ok
}

// plainNumber reads a plain number (underscores allowed, NaN refused) and
// returns it with the text it was written as, for range messages.
func (l *loader) plainNumber(n *yaml.Node, path string) (string, float64, bool) {
	s, ok := l.scalar(n, path, "a number")
	if !ok {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || math.IsNaN(v) {
		l.errorf(n, path, "", "expected a number, got %q", s)
		return "", 0, false
	}
	return s, v, true
}

// number reads a plain number within [lo, hi].
func (l *loader) number(n *yaml.Node, path string, lo, hi float64) (float64, bool) {
	s, v, ok := l.plainNumber(n, path)
	if !ok {
		return 0, false
	}
	if v < lo || v > hi {
		l.errorf(n, path, "", "must be between %g and %g, got %s", lo, hi, s)
		return 0, false
	}
	return v, true
}

// percentNumber reads a percentage ("50%") and returns it in percent
// (50), within [lo, hi] percent.
func (l *loader) percentNumber(n *yaml.Node, path string, lo, hi float64) (float64, bool) {
	s, ok := l.scalar(n, path, "a percentage such as 50%")
	if !ok {
		return 0, false
	}
	if !strings.HasSuffix(strings.TrimSpace(s), "%") {
		l.errorf(n, path, "write it as a percentage, e.g. "+s+"%", "expected a percentage, got %q", s)
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || math.IsNaN(v) {
		l.errorf(n, path, "", "expected a percentage such as 50%%, got %q", s)
		return 0, false
	}
	if v < lo || v > hi {
		if lo > 0 && lo < 0.01 {
			l.errorf(n, path, "", "must be above 0%% and at most %g%%, got %s", hi, s)
		} else {
			l.errorf(n, path, "", "must be between %g%% and %g%%, got %s", lo, hi, s)
		}
		return 0, false
	}
	return v, true
}

// boolean reads true or false.
func (l *loader) boolean(n *yaml.Node, path string) (bool, bool) {
	i, ok := l.enum(n, path, []string{"false", "true"})
	return i == 1, ok
}
