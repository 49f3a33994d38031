package policy

import (
	"fmt"
	"math"

	"cascade/sim"
)

// BudgetKind selects a retry budget.
type BudgetKind uint8

const (
	// Ratio is Finagle's RetryBudget (TokenRetryBudget; theory 3.7, ref
	// 1.2): each request deposits, each retry withdraws, deposits and
	// withdrawals expire after TTL, and a reserve of MinPerSec x TTL retries
	// is always there. tower's TpsBudget is the same construction.
	Ratio BudgetKind = iota
	// Token is gRPC retry throttling (gRFC A6; theory 3.5): token_count
	// starts at MaxTokens, each failed attempt takes 1, each successful RPC
	// gives back TokenRatio (capped at MaxTokens), and retries and hedges go
	// out only while token_count > MaxTokens/2.
	Token
	// Concurrency is Envoy's retry_budget (theory 3.6): a retry may start
	// while active retries < max(MinConcurrency, Percent % of active
	// requests).
	Concurrency
)

func (k BudgetKind) String() string {
	switch k {
	case Ratio:
		return "ratio"
	case Token:
		return "token"
	case Concurrency:
		return "concurrency"
	}
	return fmt.Sprintf("BudgetKind(%d)", uint8(k))
}

// BudgetConfig configures a retry budget. Fields mean what they say, zero
// included (a MinPerSec of 0 is a real Finagle setting); the functions
// FinagleBudget, GRPCThrottling and EnvoyBudget return the documented
// defaults.
type BudgetConfig struct {
	Kind BudgetKind

	// Ratio (Finagle): TTL in [1 s, 60 s], MinPerSec >= 0, Percent in
	// [0, 1000] as a fraction (0.2 = 20 %; 2.0 = two retries per request).
	TTL       sim.Time
	MinPerSec int
	Percent   float64

	// Token (gRPC A6): MaxTokens in (0, 1000], TokenRatio > 0; both keep
	// three decimals, as grpc-java does (it scales them by 1000 to integers,
	// so 4 + 10 x 0.1 is exactly 5; grpc-go keeps float64 tokens).
	MaxTokens, TokenRatio float64

	// Concurrency (Envoy): BudgetPercent of active requests (default 20),
	// never below MinConcurrency (default 3).
	BudgetPercent  float64
	MinConcurrency int
}

// FinagleBudget returns RetryBudget()'s defaults: ttl 10 s, minRetriesPerSec
// 10, percentCanRetry 20 % (theory 3.7).
func FinagleBudget() BudgetConfig {
	return BudgetConfig{Kind: Ratio, TTL: 10 * sim.Second, MinPerSec: 10, Percent: 0.2}
}

// GRPCThrottling returns a gRPC retryThrottling policy. gRPC has no
// defaults: both values are required in the service config (gRFC A6).
func GRPCThrottling(maxTokens, tokenRatio float64) BudgetConfig {
	return BudgetConfig{Kind: Token, MaxTokens: maxTokens, TokenRatio: tokenRatio}
}

// EnvoyBudget returns retry_budget's defaults: budget_percent 20 %,
// min_retry_concurrency 3 (theory 3.6).
func EnvoyBudget() BudgetConfig {
	return BudgetConfig{Kind: Concurrency, BudgetPercent: 20, MinConcurrency: 3}
}

// finagleScale is Finagle's TokenRetryBudget.ScaleFactor: a deposit is 1000
// units and a withdrawal 1000/percentCanRetry, so fractional percentages
// stay integral.
const finagleScale = 1000.0

// tokenScale is gRPC's three-decimal scaling of maxTokens and tokenRatio.
const tokenScale = 1000

// budgetSlices is how many slices Finagle's WindowedAdder splits the TTL
// into.
const budgetSlices = 10

// Budget is a retry budget of one of the three kinds, behind one protocol:
//
//	b.Attempt(now)              // a first attempt goes out
//	if b.Retry(now) { send }    // may a retry (or hedge) go out? yes counts it as sent
//	b.Done(now, retry, outcome) // an attempt finished
//
// Each kind uses the calls it needs: Finagle deposits on Attempt and
// withdraws on Retry; gRPC moves tokens on Done (a failure before the retry
// decision, as gRPC decrements then checks) and checks on Retry; Envoy
// counts active attempts between Attempt/Retry and Done. A caller may call
// all three regardless of kind. Successful retries never refund the budget
// beyond what the library does: Finagle credits only requests, Envoy only
// concurrency, and gRPC credits one TokenRatio per successful RPC (grpc-go
// calls successfulRPC once per RPC, at its end), so a retry that succeeds
// earns what a first attempt that succeeds earns, no more.
type Budget struct {
	cfg BudgetConfig

	// Ratio: a WindowedAdder of budgetSlices slices over TTL, in Finagle's
	// scaled units.
	slices   [budgetSlices]int64
	sum      int64
	head     int
	epoch    int64
	width    sim.Time
	deposit  int64
	withdraw int64
	reserve  int64

	// Token, in thousandths.
	tokens, maxTokens, threshold, ratio int64

	// Concurrency.
	active, activeRetries int

	ctr BudgetCounters
}

// Outcome is how an attempt ended, as a retry budget counts it.
type Outcome uint8

const (
	Succeeded Outcome = iota
	// Failed is a failure the budget counts: for gRPC a qualified failure
	// (a retryable or non-fatal status, or a pushback saying not to retry).
	Failed
	// Neutral ended the attempt without being either (a non-retryable
	// error): gRPC moves no tokens; Envoy still frees the attempt's slot.
	Neutral
)

func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Neutral:
		return "neutral"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// BudgetCounters are run totals.
type BudgetCounters struct {
	Attempts   uint64 // first attempts
	Retries    uint64 // retries allowed
	Suppressed uint64 // retries refused by the budget
}

// NewBudget returns a budget created at now.
func NewBudget(cfg BudgetConfig, now sim.Time) (*Budget, error) {
	b := &Budget{cfg: cfg}
	switch cfg.Kind {
	case Ratio:
		if cfg.TTL < sim.Second || cfg.TTL > 60*sim.Second {
			return nil, fmt.Errorf("retry budget: ttl %v outside [1s, 60s]", cfg.TTL)
		}
		if cfg.MinPerSec < 0 {
			return nil, fmt.Errorf("retry budget: min retries per second %d is negative", cfg.MinPerSec)
		}
		if !(cfg.Percent >= 0 && cfg.Percent <= 1000) {
			return nil, fmt.Errorf("retry budget: percent can retry %v outside [0, 1000]", cfg.Percent)
		}
		// TokenRetryBudget.apply: deposit 1000, withdrawal 1000/percent
		// (truncated), reserve minRetriesPerSec x ttl.inSeconds x withdrawal.
		b.deposit, b.withdraw = int64(finagleScale), int64(finagleScale/cfg.Percent)
		if cfg.Percent == 0 {
			b.deposit, b.withdraw = 0, 1
		}
		b.reserve = int64(cfg.MinPerSec) * int64(cfg.TTL/sim.Second) * b.withdraw
		b.width = cfg.TTL / budgetSlices
		b.epoch = int64(now / b.width)
	case Token:
		if !(cfg.MaxTokens > 0 && cfg.MaxTokens <= 1000) {
			return nil, fmt.Errorf("retry throttling: maxTokens %v outside (0, 1000]", cfg.MaxTokens)
		}
		if !(cfg.TokenRatio > 0) {
			return nil, fmt.Errorf("retry throttling: tokenRatio %v must be > 0", cfg.TokenRatio)
		}
		b.maxTokens = int64(math.Round(cfg.MaxTokens * tokenScale))
		b.ratio = int64(math.Round(cfg.TokenRatio * tokenScale))
		if b.ratio == 0 {
			return nil, fmt.Errorf("retry throttling: tokenRatio %v rounds to 0 at three decimals", cfg.TokenRatio)
		}
		b.threshold = b.maxTokens / 2
		b.tokens = b.maxTokens
	case Concurrency:
		if !(cfg.BudgetPercent >= 0 && cfg.BudgetPercent <= 100) {
			return nil, fmt.Errorf("retry budget: budget percent %v outside [0, 100]", cfg.BudgetPercent)
		}
		if cfg.MinConcurrency < 0 {
			return nil, fmt.Errorf("retry budget: min retry concurrency %d is negative", cfg.MinConcurrency)
		}
	default:
		return nil, fmt.Errorf("retry budget: unknown kind %d", cfg.Kind)
	}
	return b, nil
}

// Config returns the configuration.
func (b *Budget) Config() BudgetConfig { return b.cfg }

// Counters returns the run totals.
func (b *Budget) Counters() BudgetCounters { return b.ctr }

// Attempt records a first attempt going out at now.
func (b *Budget) Attempt(now sim.Time) {
	b.ctr.Attempts++
	switch b.cfg.Kind {
	case Ratio:
		b.add(now, b.deposit)
	case Concurrency:
		b.active++
	}
}

// Retry reports whether a retry (or a hedge) may go out at now; when it
// may, the retry is counted as sent and, for Concurrency, as active until
// its Done.
func (b *Budget) Retry(now sim.Time) bool {
	ok := false
	switch b.cfg.Kind {
	case Ratio:
		// TokenBucket.newLeakyBucket.tryGet: count >= n, then put(-n).
		if b.count(now) >= b.withdraw {
			b.add(now, -b.withdraw)
			ok = true
		}
	case Token:
		ok = b.tokens > b.threshold
	case Concurrency:
		if b.activeRetries < b.maxRetries() {
			b.active++
			b.activeRetries++
			ok = true
		}
	}
	if ok {
		b.ctr.Retries++
	} else {
		b.ctr.Suppressed++
	}
	return ok
}

// Done records that an attempt (a retry if retry) ended at now. Every
// attempt that went out (Attempt, or Retry returning true) must end in
// exactly one Done.
func (b *Budget) Done(now sim.Time, retry bool, o Outcome) {
	switch b.cfg.Kind {
	case Token:
		switch o {
		case Failed:
			b.tokens = max(b.tokens-tokenScale, 0)
		case Succeeded:
			b.tokens = min(b.tokens+b.ratio, b.maxTokens)
		}
	case Concurrency:
		b.active = max(b.active-1, 0)
		if retry {
			b.activeRetries = max(b.activeRetries-1, 0)
		}
	}
}

// Level is the budget's level for metrics: Ratio, the retries available now
// (Finagle's balance, truncated); Token, token_count; Concurrency, retries
// that could start now (max - active retries, not below 0).
func (b *Budget) Level(now sim.Time) float64 {
	switch b.cfg.Kind {
	case Ratio:
		return float64(b.count(now) / b.withdraw)
	case Token:
		return float64(b.tokens) / tokenScale
	case Concurrency:
		return float64(max(b.maxRetries()-b.activeRetries, 0))
	}
	return 0
}

// Active returns the attempts in flight (Concurrency).
func (b *Budget) Active() int { return b.active }

// maxRetries is Envoy's RetryBudget max(): the percentage of active
// requests, truncated to an integer, never below the minimum.
func (b *Budget) maxRetries() int {
	return max(int(b.cfg.BudgetPercent/100*float64(b.active)), b.cfg.MinConcurrency)
}

// count is the leaky bucket's count: the window's sum plus the reserve.
func (b *Budget) count(now sim.Time) int64 {
	b.moveTo(now)
	return b.sum + b.reserve
}

func (b *Budget) add(now sim.Time, n int64) {
	b.moveTo(now)
	b.slices[b.head] += n
	b.sum += n
}

// moveTo expires slices older than the TTL. Slices are aligned to multiples
// of TTL/10 from time 0 (Finagle aligns them to the budget's creation); the
// window is the current slice and the nine before it, so an entry lives
// between 0.9 and 1.0 TTL.
func (b *Budget) moveTo(now sim.Time) {
	e := int64(now / b.width)
	if e <= b.epoch {
		return
	}
	steps := e - b.epoch
	if steps >= budgetSlices {
		b.slices = [budgetSlices]int64{}
		b.sum = 0
	} else {
		for i := int64(0); i < steps; i++ {
			b.head = (b.head + 1) % budgetSlices
			b.sum -= b.slices[b.head]
			b.slices[b.head] = 0
		}
	}
	b.epoch = e
}
