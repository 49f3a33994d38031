package scenarios

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
	"cascade/sim/dist"
)

// workloadInfo is a decoded workload plus what later checks need: where it
// was written and its compiled rate expression, if any.
type workloadInfo struct {
	key  *yaml.Node
	spec models.WorkloadSpec
	rate *rateExpr // nil for a constant rate or a closed loop
	// rateAt is where rate: is written (its value node) and its path, for
	// problems with the expression's values, found at load or run time.
	rateAt   *yaml.Node
	ratePath string
	scan     rateScan // the expression evaluated over the run
	// loadAt is rate: or users: (the value), where the event estimate
	// points when this workload dominates it.
	loadAt    *yaml.Node
	loadPath  string
	clientsAt *yaml.Node // clients:, where the object limit points
}

var workloadKeys = append([]string{"to", "rate", "arrivals", "requests", "timeout", "users", "think", "priority", "keys", "clients"}, policyKeys...)

var arrivalNames = []string{"poisson", "constant"}

// rateLiteralRE matches what a user writing a plain rate would type — a
// number, maybe "/unit" — so "800" or "800/sec" get a units error with a
// hint instead of being compiled as an expression.
var rateLiteralRE = regexp.MustCompile(`^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(/\s*([^\s\d.(][^\s()]*)?\s*)?$`)

func (l *loader) decodeWorkloads(n *yaml.Node) {
	fields, ok := l.mapping(n, "workloads", "a map of workload name to workload", nil)
	if !ok {
		return
	}
	if len(fields) == 0 {
		l.errorf(n, "workloads", "", "at least one workload is required")
	}
	for _, f := range fields {
		path := join("workloads", f.key.Value)
		l.checkName(f.key, path, "workload")
		if _, clash := l.svcByName[f.key.Value]; clash {
			l.errorf(f.key, path, "links name their caller, which must be unambiguous", "workload %q has the name of a service", f.key.Value)
		}
		w := l.decodeWorkload(f.key, f.val, path)
		l.workloads = append(l.workloads, w)
	}
}

func (l *loader) decodeWorkload(key, n *yaml.Node, path string) *workloadInfo {
	w := &workloadInfo{key: key, spec: models.WorkloadSpec{Name: key.Value}}
	fields, ok := l.mapping(n, path, "a workload (a map with to: and rate: or users:)", workloadKeys)
	if !ok {
		return w
	}
	get := func(k string) (*yaml.Node, *yaml.Node) {
		for _, f := range fields {
			if f.key.Value == k {
				return f.key, f.val
			}
		}
		return nil, nil
	}
	s := &w.spec

	if _, v := get("to"); v != nil {
		if target, ok := l.scalar(v, join(path, "to"), `a target "service.op" or "service"`); ok {
			s.Target, s.Op = l.addRef(deref(v), join(path, "to"), target, "", "")
		}
	} else if !misspelt(n, workloadKeys, "to") {
		l.errorf(key, path, `the service.op the requests go to, e.g. to: api.get_product`, "missing to:")
	}

	usersKey, usersVal := get("users")
	rateKey, rateVal := get("rate")
	closed := usersKey != nil
	if closed {
		w.loadAt, w.loadPath = deref(usersVal), join(path, "users")
	} else if rateVal != nil {
		w.loadAt, w.loadPath = deref(rateVal), join(path, "rate")
	}
	if closed {
		if v, ok := l.intField(usersVal, join(path, "users"), "workload.users"); ok {
			s.Users = int(v)
		}
		if rateKey != nil {
			l.errorf(rateKey, join(path, "rate"), "users: makes a closed loop whose rate follows from response and think time; remove one of them", "a closed-loop workload has no rate")
		}
		if k, _ := get("arrivals"); k != nil {
			l.errorf(k, join(path, "arrivals"), "", "arrivals applies only to open-loop workloads (rate:), not to users:")
		}
		if _, v := get("think"); v != nil {
			if d, ok := l.dist(v, join(path, "think")); ok {
				s.Think = d
			}
		} else {
			s.Think, _ = dist.NewConstant(0) // no think time: each user sends again at once
		}
	} else {
		if k, _ := get("think"); k != nil {
			l.errorf(k, join(path, "think"), "add users: for a closed loop", "think applies only to closed-loop workloads")
		}
		if rateVal != nil {
			l.rate(w, rateVal, join(path, "rate"))
		} else if !misspelt(n, workloadKeys, "rate") && !misspelt(n, workloadKeys, "users") {
			l.errorf(key, path, "an open-loop workload needs e.g. rate: 800/s; a closed loop has users: and think: instead", "missing rate:")
		}
		if _, v := get("arrivals"); v != nil {
			if i, ok := l.enum(v, join(path, "arrivals"), arrivalNames); ok {
				s.Arrivals = models.ArrivalKind(i)
			}
		}
	}
	if _, v := get("requests"); v != nil {
		if r, ok := l.intField(v, join(path, "requests"), "workload.requests"); ok {
			s.Limit = r
		}
	}
	if _, v := get("timeout"); v != nil {
		if d, ok := l.durationField(v, join(path, "timeout"), "workload.timeout"); ok {
			s.Timeout = d
		}
	}
	if _, v := get("priority"); v != nil {
		if i, ok := l.enum(v, join(path, "priority"), []string{"critical", "sheddable"}); ok {
			s.Sheddable = i == 1
		}
	}
	if _, v := get("keys"); v != nil {
		s.Keys, _ = l.decodeKeys(v, join(path, "keys"))
	}
	s.Policy, _ = l.decodePolicy(fields, path, true)
	if k, v := get("clients"); v != nil {
		if c, ok := l.intField(v, join(path, "clients"), "workload.clients"); ok {
			s.Clients = int(c)
			w.clientsAt = deref(v)
		}
		if s.Policy == nil {
			l.errorf(k, join(path, "clients"), "add the policy each client keeps, e.g. breaker: or retry:", "clients: splits the workload's policy state, and it has none")
		}
	}
	return w
}

// rate reads a plain rate ("800/s") into Rate, or compiles anything else as
// an expression of t for RateFunc.
func (l *loader) rate(w *workloadInfo, n *yaml.Node, path string) {
	s, ok := l.scalar(n, path, `a rate such as 800/s, or an expression such as "100 + 50*sin(2*pi*t/5m)"`)
	if !ok {
		return
	}
	n = deref(n)
	r, err := units.ParseRate(s)
	if neg, isNeg := strings.CutPrefix(strings.TrimSpace(s), "-"); isNeg && err != nil {
		// "-5/s" would otherwise compile as the expression -5/s.
		if rn, nerr := units.ParseRate(neg); nerr == nil {
			r, err = -rn, nil
		}
	}
	if err == nil {
		if !l.checkField(n, path, "workload.rate", r, s) {
			return
		}
		w.spec.Rate = r
		return
	}
	// "1/t" and "100/m" divide by names an expression knows: those are
	// expressions, not misspelt rates.
	if m := rateLiteralRE.FindStringSubmatch(s); m != nil && !contains(rateNames, m[4]) {
		l.unitsProblem(n, path, err)
		return
	}
	e, xerr := compileRate(s)
	if xerr != nil {
		l.problem(n.Line, scalarCol(n, xerr.Offset), path, xerr.Hint, "%s", xerr.Msg)
		return
	}
	w.rate, w.rateAt, w.ratePath = e, n, path
}

// checkRates evaluates every rate expression over the run (see scan) and
// reports the first instant at which one is no rate.
func (l *loader) checkRates() {
	for _, w := range l.workloads {
		if w.rate == nil {
			continue
		}
		w.scan = w.rate.scan(l.sc.Duration, w.spec.Limit)
		if w.scan.bad {
			p := l.rateProblem(w, w.scan.badT, w.scan.badV)
			l.problems = append(l.problems, p)
		}
	}
}

// rateProblem is the problem of workload w's rate expression giving v at t.
func (l *loader) rateProblem(w *workloadInfo, t sim.Time, v float64) Problem {
	n := w.rateAt
	return Problem{File: l.file, Line: max(n.Line, 1), Col: max(scalarCol(n, 0), 1), Path: w.ratePath, Msg: rateValueMsg(t, v), Hint: rateHint}
}
