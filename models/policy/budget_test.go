package policy

import (
	"testing"

	"cascade/sim"
)

func newBudget(t *testing.T, cfg BudgetConfig) *Budget {
	t.Helper()
	b, err := NewBudget(cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// retries counts how many retries in a row the budget allows at now.
func retries(b *Budget, now sim.Time) int {
	n := 0
	for b.Retry(now) {
		n++
		if n > 1_000_000 {
			panic("unbounded budget")
		}
	}
	return n
}

// Finagle defaults (theory 3.7): a fresh client may retry minRetriesPerSec x
// ttl = 100 times with no deposits; each request adds 1/percentCanRetry'th of
// a retry, so n requests add floor(n/5).
func TestFinagleBudgetExactCounts(t *testing.T) {
	tests := []struct {
		requests int
		want     int
	}{{0, 100}, {4, 100}, {5, 101}, {50, 110}, {1000, 300}}
	for _, tc := range tests {
		b := newBudget(t, FinagleBudget())
		for i := 0; i < tc.requests; i++ {
			b.Attempt(0)
		}
		if got := b.Level(0); got != float64(tc.want) {
			t.Fatalf("%d requests: level %v, want %d", tc.requests, got, tc.want)
		}
		if got := retries(b, 0); got != tc.want {
			t.Fatalf("%d requests: %d retries, want %d", tc.requests, got, tc.want)
		}
		c := b.Counters()
		if c.Retries != uint64(tc.want) || c.Suppressed != 1 || c.Attempts != uint64(tc.requests) {
			t.Fatalf("counters %+v", c)
		}
	}
}

// Deposits and withdrawals expire after the TTL (10 slices of 1 s with the
// defaults): the reserve comes back once the withdrawals have aged out.
func TestFinagleBudgetExpiry(t *testing.T) {
	b := newBudget(t, FinagleBudget())
	if got := retries(b, 0); got != 100 {
		t.Fatal(got)
	}
	if got := retries(b, 10*s-1); got != 0 {
		t.Fatalf("withdrawals expired early: %d", got)
	}
	if got := retries(b, 10*s); got != 100 {
		t.Fatalf("after the ttl: %d retries, want 100", got)
	}
	// Deposits expire too: 500 requests at 20 s are worth 100 retries
	// until 30 s, after which only the reserve is left.
	b = newBudget(t, FinagleBudget())
	for i := 0; i < 500; i++ {
		b.Attempt(20 * s)
	}
	if got := b.Level(29 * s); got != 200 {
		t.Fatalf("level %v", got)
	}
	if got := b.Level(30 * s); got != 100 {
		t.Fatalf("level after expiry %v", got)
	}
	// Steady state, [DERIVED] in theory 3.7: over a ttl a client sending
	// r requests/s may retry minRetriesPerSec + percent x r per second.
	b = newBudget(t, FinagleBudget())
	allowed := 0
	for ti := sim.Time(0); ti < 100*s; ti += 100 * ms { // 10 req/s
		b.Attempt(ti)
		if b.Retry(ti) {
			allowed++
		}
		for b.Retry(ti) { // retry as much as allowed: drain
			allowed++
		}
	}
	// 100 initial reserve, then the reserve refills as withdrawals expire:
	// 10 s x (10 + 0.2 x 10) = 120 per ttl once warmed up.
	if allowed < 1150 || allowed > 1250 {
		t.Fatalf("%d retries in 100 s at 10 req/s, want about 12/s", allowed)
	}
}

func TestFinagleBudgetEdges(t *testing.T) {
	none := newBudget(t, BudgetConfig{Kind: Ratio, TTL: s, MinPerSec: 0, Percent: 0})
	none.Attempt(0)
	if none.Retry(0) {
		t.Fatal("empty budget allowed a retry")
	}
	two := newBudget(t, BudgetConfig{Kind: Ratio, TTL: s, MinPerSec: 0, Percent: 2})
	two.Attempt(0)
	if got := retries(two, 0); got != 2 {
		t.Fatalf("percent 2.0: %d retries per deposit, want 2", got)
	}
	reserveOnly := newBudget(t, BudgetConfig{Kind: Ratio, TTL: 3 * s, MinPerSec: 4, Percent: 0})
	reserveOnly.Attempt(0)
	if got := retries(reserveOnly, 0); got != 12 {
		t.Fatalf("reserve only: %d, want 12", got)
	}
	for _, bad := range []BudgetConfig{
		{Kind: Ratio, TTL: 500 * ms, Percent: 0.2},
		{Kind: Ratio, TTL: 61 * s, Percent: 0.2},
		{Kind: Ratio, TTL: 10 * s, MinPerSec: -1},
		{Kind: Ratio, TTL: 10 * s, Percent: 1001},
		{Kind: Token, MaxTokens: 1001, TokenRatio: 0.1},
		{Kind: Token, MaxTokens: 10},
		{Kind: Concurrency, BudgetPercent: 120},
		{Kind: 9},
	} {
		if _, err := NewBudget(bad, 0); err == nil {
			t.Fatalf("%+v accepted", bad)
		}
	}
}

// gRPC A6 (theory 3.5): from a full bucket of 10 with ratio 0.1 the first 4
// failed attempts are followed by a retry, the 5th leaves 5 = max/2 and
// retries stop; one success lifts it to 5.1.
func TestGRPCThrottlingSmallBucket(t *testing.T) {
	b := newBudget(t, GRPCThrottling(10, 0.1))
	var got []bool
	for i := 0; i < 6; i++ {
		b.Done(0, i > 0, Failed)
		got = append(got, b.Retry(0))
	}
	want := []bool{true, true, true, true, false, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("retry after failure %d: %v, want %v", i+1, got, want)
		}
	}
	if b.Level(0) != 4 {
		t.Fatalf("tokens %v", b.Level(0))
	}
	for i := 0; i < 10; i++ {
		b.Done(0, false, Succeeded)
	} // 4 + 10 x 0.1 = 5.0: still not above 5
	if b.Retry(0) {
		t.Fatalf("retry allowed at tokens %v", b.Level(0))
	}
	b.Done(0, false, Succeeded) // 5.1
	if !b.Retry(0) {
		t.Fatalf("retry refused at tokens %v", b.Level(0))
	}
	b.Done(0, true, Neutral) // a non-retryable status moves no tokens
	if b.Level(0) != 5.1 {
		t.Fatalf("neutral outcome moved tokens: %v", b.Level(0))
	}
}

// gRPC with maxTokens 1000 and ratio 0.1: 499 consecutive failures each
// still allow a retry, the 500th (tokens = 500 = max/2) stops them. Tokens
// never go below 0 or above maxTokens.
func TestGRPCThrottlingExactBoundary(t *testing.T) {
	b := newBudget(t, GRPCThrottling(1000, 0.1))
	for i := 1; i <= 499; i++ {
		b.Done(0, false, Failed)
		if !b.Retry(0) {
			t.Fatalf("retry refused after %d failures", i)
		}
	}
	b.Done(0, false, Failed)
	if b.Retry(0) {
		t.Fatal("retry allowed after 500 failures")
	}
	if b.Level(0) != 500 {
		t.Fatalf("tokens %v", b.Level(0))
	}
	for i := 0; i < 2000; i++ {
		b.Done(0, false, Failed)
	}
	if b.Level(0) != 0 {
		t.Fatalf("tokens below zero: %v", b.Level(0))
	}
	for i := 0; i < 20000; i++ {
		b.Done(0, false, Succeeded)
	}
	if b.Level(0) != 1000 {
		t.Fatalf("tokens above max: %v", b.Level(0))
	}
	c := b.Counters()
	if c.Retries != 499 || c.Suppressed != 1 {
		t.Fatalf("counters %+v", c)
	}
}

// Envoy retry_budget (theory 3.6): concurrent retries < max(3, 20 % of
// active requests, truncated); the active count includes the retries.
func TestEnvoyRetryBudget(t *testing.T) {
	b := newBudget(t, EnvoyBudget())
	if got := retries(b, 0); got != 3 {
		t.Fatalf("idle: %d concurrent retries, want min_retry_concurrency 3", got)
	}
	b.Done(0, true, Failed)
	if !b.Retry(0) {
		t.Fatal("a finished retry did not free its slot")
	}
	b = newBudget(t, EnvoyBudget())
	for i := 0; i < 20; i++ {
		b.Attempt(0)
	}
	// 20 active: max 4. After 3 retries, 23 active: floor(4.6) = 4, so a
	// 4th; then 24 active: floor(4.8) = 4 = active retries: refused.
	if got := retries(b, 0); got != 4 {
		t.Fatalf("20 active: %d retries, want 4", got)
	}
	if b.Level(0) != 0 || b.Active() != 24 {
		t.Fatalf("level %v active %d", b.Level(0), b.Active())
	}
	b.Attempt(0) // 25 active: floor(5.0) = 5
	if !b.Retry(0) {
		t.Fatal("refused at 25 active with 4 retries")
	}
	for i := 0; i < 5; i++ {
		b.Done(0, true, Succeeded)
	}
	// 21 active, no retries: max(floor(4.2), 3) = 4.
	if got, want := b.Level(0), 4.0; got != want {
		t.Fatalf("level %v, want %v", got, want)
	}
}

func TestBudgetDoesNotAllocate(t *testing.T) {
	for _, cfg := range []BudgetConfig{FinagleBudget(), GRPCThrottling(100, 0.5), EnvoyBudget()} {
		b := newBudget(t, cfg)
		now := sim.Time(0)
		allocs := testing.AllocsPerRun(1000, func() {
			now += 3 * ms
			b.Attempt(now)
			o := Succeeded
			if now%(9*ms) == 0 {
				o = Failed
			}
			b.Done(now, false, o)
			if b.Retry(now) {
				b.Done(now, true, Neutral)
			}
			b.Level(now)
		})
		if allocs != 0 {
			t.Fatalf("%v: %v allocations", cfg.Kind, allocs)
		}
	}
}
