package scenarios

import (
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"cascade/models"
)

// condition is a fault's when: expression, compiled once at load time. It
// reads live metrics through models.Probe while the run goes, so "start the
// fault when the api queue passes 500" is one line of YAML.
type condition struct {
	src     string
	program *vm.Program
}

// probeFuncs are the functions of when:, one per models.ProbeMetrics entry.
func probeFuncs() []checkFunc {
	target := map[string]string{"queue": "service", "busy": "service", "utilization": "service"}
	var out []checkFunc
	for _, m := range models.ProbeMetrics() {
		t := target[m[0]]
		if t == "" {
			t = "component"
		}
		out = append(out, checkFunc{name: m[0], target: t, doc: m[1]})
	}
	return out
}

func lookupProbeFunc(name string) (checkFunc, bool) {
	for _, f := range probeFuncs() {
		if f.name == name {
			return f, true
		}
	}
	return checkFunc{}, false
}

// probeEnv is the environment of when: expressions: t, the simulated time
// in seconds, and one function per live metric.
type probeEnv struct {
	T          float64              `expr:"t"`
	Queue      func(string) float64 `expr:"queue"`
	InFlight   func(string) float64 `expr:"in_flight"`
	Busy       func(string) float64 `expr:"busy"`
	Util       func(string) float64 `expr:"utilization"`
	Rate       func(string) float64 `expr:"rate"`
	Goodput    func(string) float64 `expr:"goodput"`
	ErrorRate  func(string) float64 `expr:"error_rate"`
	P99        func(string) float64 `expr:"p99"`
	probe      models.Probe         // set for each check
	metricFunc func(string) func(string) float64
}

// compileCondition compiles a when: expression against the live metrics.
func compileCondition(src string, names knownNames) (*condition, []exprError) {
	rewritten, pos := rewriteCheck(src)
	program, err := expr.Compile(rewritten, expr.Env(probeEnv{}), expr.AsBool(), expr.DisableAllBuiltins())
	if err != nil {
		e := compileError(err, src, pos)
		e.Msg = "expression: " + strings.TrimPrefix(e.Msg, "rate expression: ")
		var funcs []string
		for _, f := range probeFuncs() {
			funcs = append(funcs, f.name)
		}
		if name, ok := strings.CutPrefix(e.Msg, "expression: unknown name "); ok {
			e.Hint = hintFor(name, append(funcs, "t"), "known")
			if names.has(name) {
				e.Hint = quoteHint(name)
			}
		}
		return nil, []exprError{*e}
	}
	var probs []exprError
	var ms []measure
	root := program.Node()
	ast.Walk(&root, &callVisitor{src: src, pos: pos, names: names, out: &ms, probs: &probs, funcs: lookupProbeFunc})
	if len(probs) > 0 {
		return nil, probs
	}
	return &condition{src: src, program: program}, nil
}

// Func returns a fresh condition for one engine: its own VM and
// environment, so copies of a topology can run in parallel.
func (c *condition) Func() func(models.Probe) bool {
	env := &probeEnv{}
	read := func(metric string) func(string) float64 {
		return func(component string) float64 { return env.probe.Value(component, metric) }
	}
	env.Queue, env.InFlight, env.Busy, env.Util = read("queue"), read("in_flight"), read("busy"), read("utilization")
	env.Rate, env.Goodput, env.ErrorRate, env.P99 = read("rate"), read("goodput"), read("error_rate"), read("p99")
	var machine vm.VM
	program := c.program
	return func(p models.Probe) bool {
		env.probe = p
		env.T = p.Now().Seconds()
		out, err := machine.Run(program, env)
		if err != nil {
			return false
		}
		b, _ := out.(bool)
		return b
	}
}

// decodeWhen reads a fault's when: for checking once every name is known.
func (l *loader) decodeWhen(d *faultDraft, n *yaml.Node, path string) bool {
	s, ok := l.scalar(n, path, `a condition such as queue("api") > 500`)
	if !ok {
		return false
	}
	d.when, d.whenNode, d.whenPath = s, deref(n), path
	return true
}

// checkWhen compiles the conditions of the faults that have one.
func (l *loader) checkWhen() {
	names := l.knownNames()
	kept := l.faults[:0]
	for _, d := range l.faults {
		if d.when != "" {
			c, probs := compileCondition(d.when, names)
			for _, p := range probs {
				l.problem(d.whenNode.Line, scalarCol(d.whenNode, p.Offset), d.whenPath, p.Hint, "%s", p.Msg)
			}
			if c == nil {
				continue
			}
			d.cond = c
		}
		kept = append(kept, d)
	}
	l.faults = kept
}
