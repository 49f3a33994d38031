// Package theory holds the exact steady-state results of classical queueing
// theory that the simulator is validated against: Erlang B and C, M/M/1,
// M/M/c, the finite-room M/M/1/K and M/M/c/K, and Pollaczek–Khinchine for
// M/G/1 (M/D/1 included).
//
// The formulas are the textbook ones, as in L. Kleinrock, Queueing Systems
// Vol. 1: Theory (Wiley, 1975), ch. 3 (birth–death queues) and ch. 5
// (M/G/1), and M. Harchol-Balter, Performance Modeling and Design of
// Computer Systems (CUP, 2013), ch. 13–15 (M/M/1, M/M/k, Erlang) and ch. 23
// (M/G/1). They are collected, with reference tables, in section 6 of the
// project's theory-and-slo.md and in bench/analytic/queueing.py, which this
// package follows step by step so that the two can be compared digit for
// digit (see the tests).
//
// Conventions, the same everywhere: λ (lambda) is the arrival rate, μ (mu)
// the service rate of one server, c the number of servers, A = λ/μ the
// offered load in Erlangs and ρ = λ/(cμ) the per-server utilisation. Rates
// and times may use any unit as long as it is the same one (per second and
// seconds, or per millisecond and milliseconds). Service is FIFO
// (first-come first-served) and servers are work-conserving.
//
// Arguments that make no sense (c < 1, a negative rate, μ ≤ 0, p outside
// (0, 1)) give NaN, as the math package does, rather than a panic: callers
// compute parameters from user scenarios and print the result. A stable
// parameter set is not required: an open queue with ρ ≥ 1 has no steady
// state, and its waiting time and queue length are +Inf.
package theory

import "math"

// Metrics are the steady-state means of one queue. Times are in the unit of
// 1/λ; all waiting and response figures are for admitted customers only
// (in a loss system the blocked ones never wait and never leave a sojourn
// time).
type Metrics struct {
	Lambda    float64 // offered arrival rate λ
	LambdaEff float64 // admitted arrival rate λ(1 − PBlock)
	Rho       float64 // offered utilisation per server, λ/(cμ)
	PBlock    float64 // probability an arrival is turned away (finite room only)
	PWait     float64 // probability an admitted customer has to queue
	Wq        float64 // mean wait in queue
	W         float64 // mean response (sojourn) time, Wq + E[S]
	Lq        float64 // time-average number waiting, λ_eff·Wq (Little)
	L         float64 // time-average number in the system, λ_eff·W (Little)
}

// nan is what every function returns for parameters that make no sense.
func nanMetrics() Metrics {
	n := math.NaN()
	return Metrics{n, n, n, n, n, n, n, n, n}
}

func badRates(lambda, mu float64) bool {
	return !(lambda >= 0) || !(mu > 0) || math.IsInf(lambda, 0) || math.IsInf(mu, 0)
}

func badP(p float64) bool { return !(p > 0 && p < 1) }

// ErlangB is the blocking probability of c servers with no waiting room
// offered A = λ/μ Erlangs (the M/M/c/c loss system; by insensitivity it holds
// for M/G/c/c too). It uses the recursion
//
//	B(0, A) = 1,  B(k, A) = A·B(k−1, A) / (k + A·B(k−1, A))
//
// (Kleinrock 1975, §3.7; Harchol-Balter 2013, ch. 14), which never forms
// Aᶜ/c! and so stays accurate for thousands of servers.
func ErlangB(c int, a float64) float64 {
	if c < 0 || !(a >= 0) || math.IsInf(a, 0) {
		return math.NaN()
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC is the probability that an arrival has to wait in an M/M/c queue
// offered A = λ/μ Erlangs, from Erlang B:
//
//	C(c, A) = B / (1 − ρ(1 − B)),  ρ = A/c
//
// (Kleinrock 1975, §3.5, rewritten in terms of B; Harchol-Balter 2013,
// ch. 14).
// With ρ ≥ 1 every arrival eventually waits, and the result is 1.
func ErlangC(c int, a float64) float64 {
	if c < 1 || !(a >= 0) || math.IsInf(a, 0) {
		return math.NaN()
	}
	rho := a / float64(c)
	if rho >= 1 {
		return 1
	}
	b := ErlangB(c, a)
	return b / (1 - rho*(1-b))
}

// MM1 gives the M/M/1 means: ρ = λ/μ, P(wait) = ρ, W = 1/(μ−λ),
// Wq = ρ/(μ−λ), L = ρ/(1−ρ), Lq = ρ²/(1−ρ) (Kleinrock 1975, §3.2;
// Harchol-Balter 2013, ch. 13).
func MM1(lambda, mu float64) Metrics {
	return MMc(1, lambda, mu)
}

// MM1ResponseQuantile is the p-quantile of the M/M/1 FIFO response time,
// which is exponential with rate μ−λ (Kleinrock 1975, §3.2):
// −ln(1−p)/(μ−λ). It is +Inf when λ ≥ μ.
func MM1ResponseQuantile(p, lambda, mu float64) float64 {
	if badP(p) || badRates(lambda, mu) {
		return math.NaN()
	}
	if lambda >= mu {
		return math.Inf(1)
	}
	return -math.Log1p(-p) / (mu - lambda)
}

// MM1WaitQuantile is the p-quantile of the M/M/1 FIFO wait in queue: zero
// with probability 1−ρ, otherwise exponential with rate μ−λ, so
// P(Wq > t) = ρ·e^{−(μ−λ)t} and the quantile is max(0, ln(ρ/(1−p))/(μ−λ)).
func MM1WaitQuantile(p, lambda, mu float64) float64 {
	return MMcWaitQuantile(p, 1, lambda, mu)
}

// MMc gives the M/M/c means from Erlang C (Kleinrock 1975, §3.5;
// Harchol-Balter 2013, ch. 14):
//
//	C = ErlangC(c, λ/μ),  Wq = C/(cμ − λ),  W = Wq + 1/μ,
//	Lq = λ·Wq,  L = λ·W.
//
// With ρ ≥ 1 the queue grows without bound: Wq, W, Lq and L are +Inf.
func MMc(c int, lambda, mu float64) Metrics {
	if c < 1 || badRates(lambda, mu) {
		return nanMetrics()
	}
	a := lambda / mu
	m := Metrics{Lambda: lambda, LambdaEff: lambda, Rho: a / float64(c), PWait: ErlangC(c, a)}
	if m.Rho >= 1 {
		inf := math.Inf(1)
		m.Wq, m.W, m.Lq, m.L = inf, inf, inf, inf
		return m
	}
	m.Wq = m.PWait / (float64(c)*mu - lambda)
	m.W = m.Wq + 1/mu
	m.Lq = lambda * m.Wq
	m.L = lambda * m.W
	return m
}

// MMcResponseSurvival is P(T > t) for the response time T of an M/M/c FIFO
// queue. T = S + Wq with S ~ Exp(μ) independent of the wait, and the wait is
// 0 with probability 1−C and Exp(a), a = cμ − λ, otherwise (Kleinrock 1975,
// §3.5; Harchol-Balter 2013, ch. 14), so
//
//	P(T > t) = (1−C)·e^{−μt} + C·(a·e^{−μt} − μ·e^{−at})/(a − μ)
//
// with the limit C·e^{−μt}(1 + μt) + (1−C)·e^{−μt} when a = μ. This is the
// formula of bench/analytic/queueing.py (mmc_resp_survival).
func MMcResponseSurvival(t float64, c int, lambda, mu float64) float64 {
	if c < 1 || badRates(lambda, mu) || math.IsNaN(t) {
		return math.NaN()
	}
	if t <= 0 {
		return 1
	}
	a := float64(c)*mu - lambda
	if a <= 0 {
		return 1 // unstable: the wait is unbounded
	}
	C := ErlangC(c, lambda/mu)
	var hypo float64
	if math.Abs(a-mu) <= 1e-12*mu {
		hypo = math.Exp(-mu*t) * (1 + mu*t)
	} else {
		hypo = (a*math.Exp(-mu*t) - mu*math.Exp(-a*t)) / (a - mu)
	}
	return (1-C)*math.Exp(-mu*t) + C*hypo
}

// MMcResponseQuantile is the p-quantile of the M/M/c FIFO response time: the
// smallest t with P(T > t) ≤ 1−p, found by bisection on the exact survival
// function MMcResponseSurvival (it has no closed-form inverse for c > 1).
// The bracket doubles from 1/μ until it holds the answer, then is halved
// until its width is below 1e-13 relative, exactly as queueing.py does.
// It is +Inf when ρ ≥ 1.
func MMcResponseQuantile(p float64, c int, lambda, mu float64) float64 {
	if badP(p) || c < 1 || badRates(lambda, mu) {
		return math.NaN()
	}
	if lambda >= float64(c)*mu {
		return math.Inf(1)
	}
	surv := func(t float64) float64 { return MMcResponseSurvival(t, c, lambda, mu) }
	return bisect(surv, 1-p, 1/mu)
}

// MMcWaitQuantile is the p-quantile of the M/M/c FIFO wait in queue:
// P(Wq > t) = C·e^{−(cμ−λ)t}, so it is 0 when p ≤ 1−C and
// ln(C/(1−p))/(cμ−λ) otherwise.
func MMcWaitQuantile(p float64, c int, lambda, mu float64) float64 {
	if badP(p) || c < 1 || badRates(lambda, mu) {
		return math.NaN()
	}
	gap := float64(c)*mu - lambda
	if gap <= 0 {
		return math.Inf(1)
	}
	C := ErlangC(c, lambda/mu)
	if C <= 1-p {
		return 0
	}
	return math.Log(C/(1-p)) / gap
}

// bisect returns the smallest t ≥ 0 with surv(t) ≤ target for a
// non-increasing survival function, starting the bracket at [0, hi].
func bisect(surv func(float64) float64, target, hi float64) float64 {
	lo := 0.0
	for surv(hi) > target {
		lo = hi
		hi *= 2
	}
	for range 400 {
		mid := 0.5 * (lo + hi)
		if surv(mid) > target {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-13*max(1, hi) {
			break
		}
	}
	return hi
}

// MM1K gives the M/M/1/K means, K being the most customers in the system
// (one in service plus K−1 waiting). With ρ = λ/μ the stationary law is
// truncated geometric, p_n = (1−ρ)ρⁿ/(1−ρ^{K+1}) for n = 0..K (uniform
// 1/(K+1) at ρ = 1), so (Kleinrock 1975, §3.6):
//
//	PBlock = p_K = (1−ρ)ρᴷ/(1−ρ^{K+1}),
//	L = ρ/(1−ρ) − (K+1)ρ^{K+1}/(1−ρ^{K+1})   (K/2 at ρ = 1),
//	Lq = L − (1 − p_0),  W = L/λ_eff,  Wq = Lq/λ_eff,  λ_eff = λ(1 − p_K).
//
// The queue is stable at any ρ because arrivals beyond K are turned away.
func MM1K(k int, lambda, mu float64) Metrics {
	if k < 1 || badRates(lambda, mu) {
		return nanMetrics()
	}
	rho := lambda / mu
	K := float64(k)
	var p0, pK, L float64
	if math.Abs(rho-1) < 1e-9 {
		p0, pK, L = 1/(K+1), 1/(K+1), K/2
	} else {
		den := 1 - math.Pow(rho, K+1)
		p0 = (1 - rho) / den
		pK = (1 - rho) * math.Pow(rho, K) / den
		L = rho/(1-rho) - (K+1)*math.Pow(rho, K+1)/den
	}
	m := Metrics{Lambda: lambda, LambdaEff: lambda * (1 - pK), Rho: rho, PBlock: pK}
	m.L = L
	m.Lq = L - (1 - p0)
	if m.LambdaEff > 0 {
		m.W = m.L / m.LambdaEff
		m.Wq = m.Lq / m.LambdaEff
		m.PWait = (1 - p0 - pK) / (1 - pK) // PASTA: an admitted arrival finds 1..K−1 present
	} else {
		m.W, m.Wq = 1/mu, 0
	}
	return m
}

// MMcK gives the M/M/c/K means, K ≥ c being the most customers in the
// system (c in service plus K−c waiting; K = c is the Erlang loss system).
// The stationary law of the birth–death chain (Kleinrock 1975, §3.1, with
// the M/M/c rates of §3.5 truncated at K as in §3.6 and §3.7) is
//
//	p_n ∝ Aⁿ/n!              for n ≤ c,
//	p_n ∝ Aᶜ/c! · (A/c)^{n−c} for c < n ≤ K,
//
// with A = λ/μ. PBlock = p_K (PASTA), λ_eff = λ(1 − p_K), and W = L/λ_eff,
// Wq = Lq/λ_eff by Little's law. The terms are summed in logarithms so that
// large c does not overflow, as queueing.py (mmck) does.
func MMcK(c, k int, lambda, mu float64) Metrics {
	if c < 1 || k < c || badRates(lambda, mu) {
		return nanMetrics()
	}
	a := lambda / mu
	if a == 0 {
		return Metrics{Rho: 0, W: 1 / mu}
	}
	logp := make([]float64, k+1)
	la, lc := math.Log(a), math.Log(a/float64(c))
	lgc, _ := math.Lgamma(float64(c) + 1)
	top := math.Inf(-1)
	for n := 0; n <= k; n++ {
		if n <= c {
			lg, _ := math.Lgamma(float64(n) + 1)
			logp[n] = float64(n)*la - lg
		} else {
			logp[n] = float64(c)*la - lgc + float64(n-c)*lc
		}
		top = max(top, logp[n])
	}
	var z, L, Lq, waitMass float64
	p := make([]float64, k+1)
	for n := range p {
		p[n] = math.Exp(logp[n] - top)
		z += p[n]
	}
	for n := range p {
		p[n] /= z
		L += float64(n) * p[n]
		if n > c {
			Lq += float64(n-c) * p[n]
		}
		if n >= c && n < k {
			waitMass += p[n]
		}
	}
	m := Metrics{Lambda: lambda, Rho: a / float64(c), PBlock: p[k], L: L, Lq: Lq}
	m.LambdaEff = lambda * (1 - m.PBlock)
	m.W = L / m.LambdaEff
	m.Wq = Lq / m.LambdaEff
	m.PWait = waitMass / (1 - m.PBlock)
	return m
}

// PollaczekKhinchine is the mean wait in queue of an M/G/1 FIFO queue with
// service time S, the P–K mean-value formula (Kleinrock 1975, ch. 5;
// Harchol-Balter 2013, ch. 23):
//
//	Wq = λ·E[S²] / (2(1 − ρ)),  ρ = λ·E[S],
//
// equivalently ρ(1 + cs²)E[S]/(2(1−ρ)) with cs² the squared coefficient of
// variation of S. Only the first two moments of S matter: M/D/1 (cs² = 0)
// waits half as long as M/M/1 (cs² = 1). It is +Inf when ρ ≥ 1.
func PollaczekKhinchine(lambda, es, es2 float64) float64 {
	if !(lambda >= 0) || !(es > 0) || !(es2 >= es*es*(1-1e-12)) || math.IsInf(es2, 0) {
		return math.NaN()
	}
	rho := lambda * es
	if rho >= 1 {
		return math.Inf(1)
	}
	return lambda * es2 / (2 * (1 - rho))
}

// MG1 gives the M/G/1 means from Pollaczek–Khinchine: P(wait) = ρ (PASTA:
// the server is busy a fraction ρ of the time), Wq from
// PollaczekKhinchine, W = Wq + E[S], Lq = λWq, L = λW.
func MG1(lambda, es, es2 float64) Metrics {
	wq := PollaczekKhinchine(lambda, es, es2)
	if math.IsNaN(wq) {
		return nanMetrics()
	}
	rho := lambda * es
	return Metrics{Lambda: lambda, LambdaEff: lambda, Rho: rho, PWait: min(rho, 1),
		Wq: wq, W: wq + es, Lq: lambda * wq, L: lambda * (wq + es)}
}

// MD1 is MG1 with a constant service time d (E[S²] = d²).
func MD1(lambda, d float64) Metrics { return MG1(lambda, d, d*d) }
