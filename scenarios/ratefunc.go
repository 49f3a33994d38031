package scenarios

import (
	"math"

	"github.com/expr-lang/expr/ast"
)

// numFn and boolFn are a rate expression turned into Go closures.
//
// Why: expr's VM boxes every intermediate number in an interface, so a run
// of "100 + 50*sin(2*pi*t/5m)" costs about 9 allocations and 200ns, and a
// rate function may be evaluated for every arrival. The arithmetic subset
// rate expressions use — numbers, the environment's names, + - * / % ** ^,
// comparisons, and/or/not, ?: and the math functions — maps one to one onto
// closures that never allocate. expr still parses, type-checks and optimizes
// the expression (so errors and semantics are expr's own), and anything this
// translation does not know falls back to the VM. A test evaluates both on
// every expression it knows and compares.
type (
	numFn  func(*rateEnv) float64
	boolFn func(*rateEnv) bool
)

// closureFuncs are the functions the closures can call, by arity.
var closureFuncs1 = func() map[string]func(float64) float64 {
	m := make(map[string]func(float64) float64, len(unaryFuncs))
	for _, u := range unaryFuncs {
		m[u.name] = u.fn
	}
	return m
}()

// numClosure translates a numeric expression node; ok is false for anything
// outside the supported subset.
func numClosure(n ast.Node) (numFn, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		v := float64(n.Value)
		return func(*rateEnv) float64 { return v }, true
	case *ast.FloatNode:
		v := n.Value
		return func(*rateEnv) float64 { return v }, true
	case *ast.ConstantNode:
		switch v := n.Value.(type) {
		case int:
			f := float64(v)
			return func(*rateEnv) float64 { return f }, true
		case float64:
			return func(*rateEnv) float64 { return v }, true
		}
	case *ast.IdentifierNode:
		switch n.Value {
		case "t":
			return func(e *rateEnv) float64 { return e.T }, true
		case "pi":
			return func(*rateEnv) float64 { return math.Pi }, true
		case "e":
			return func(*rateEnv) float64 { return math.E }, true
		case "s":
			return func(*rateEnv) float64 { return 1 }, true
		case "ms":
			return func(*rateEnv) float64 { return 0.001 }, true
		case "m":
			return func(*rateEnv) float64 { return 60 }, true
		case "h":
			return func(*rateEnv) float64 { return 3600 }, true
		}
	case *ast.UnaryNode:
		x, ok := numClosure(n.Node)
		if !ok {
			return nil, false
		}
		switch n.Operator {
		case "-":
			return func(e *rateEnv) float64 { return -x(e) }, true
		case "+":
			return x, true
		}
	case *ast.BinaryNode:
		a, ok1 := numClosure(n.Left)
		b, ok2 := numClosure(n.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch n.Operator {
		case "+":
			return func(e *rateEnv) float64 { return a(e) + b(e) }, true
		case "-":
			return func(e *rateEnv) float64 { return a(e) - b(e) }, true
		case "*":
			return func(e *rateEnv) float64 { return a(e) * b(e) }, true
		case "/":
			return func(e *rateEnv) float64 { return a(e) / b(e) }, true
		case "%":
			// expr only allows % on integers; truncated like Go's.
			return func(e *rateEnv) float64 { return math.Mod(a(e), b(e)) }, true
		case "**", "^":
			return func(e *rateEnv) float64 { return math.Pow(a(e), b(e)) }, true
		}
	case *ast.ConditionalNode:
		c, ok := boolClosure(n.Cond)
		x, ok1 := numClosure(n.Exp1)
		y, ok2 := numClosure(n.Exp2)
		if ok && ok1 && ok2 {
			return func(e *rateEnv) float64 {
				if c(e) {
					return x(e)
				}
				return y(e)
			}, true
		}
	case *ast.CallNode:
		return callClosure(n)
	}
	return nil, false
}

func callClosure(n *ast.CallNode) (numFn, bool) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	args := make([]numFn, len(n.Arguments))
	for i, a := range n.Arguments {
		if args[i], ok = numClosure(a); !ok {
			return nil, false
		}
	}
	if f, ok := closureFuncs1[id.Value]; ok && len(args) == 1 {
		x := args[0]
		return func(e *rateEnv) float64 { return f(x(e)) }, true
	}
	switch {
	case id.Value == "pow" && len(args) == 2:
		x, y := args[0], args[1]
		return func(e *rateEnv) float64 { return math.Pow(x(e), y(e)) }, true
	case id.Value == "clamp" && len(args) == 3:
		x, lo, hi := args[0], args[1], args[2]
		return func(e *rateEnv) float64 { return math.Min(math.Max(x(e), lo(e)), hi(e)) }, true
	case (id.Value == "min" || id.Value == "max") && len(args) >= 2:
		pick := math.Max
		if id.Value == "min" {
			pick = math.Min
		}
		return func(e *rateEnv) float64 {
			m := args[0](e)
			for _, a := range args[1:] {
				m = pick(m, a(e))
			}
			return m
		}, true
	}
	return nil, false
}

// boolClosure translates a condition.
func boolClosure(n ast.Node) (boolFn, bool) {
	switch n := n.(type) {
	case *ast.BoolNode:
		v := n.Value
		return func(*rateEnv) bool { return v }, true
	case *ast.ConstantNode:
		if v, ok := n.Value.(bool); ok {
			return func(*rateEnv) bool { return v }, true
		}
	case *ast.UnaryNode:
		if n.Operator == "!" || n.Operator == "not" {
			if x, ok := boolClosure(n.Node); ok {
				return func(e *rateEnv) bool { return !x(e) }, true
			}
		}
	case *ast.ConditionalNode:
		c, ok := boolClosure(n.Cond)
		x, ok1 := boolClosure(n.Exp1)
		y, ok2 := boolClosure(n.Exp2)
		if ok && ok1 && ok2 {
			return func(e *rateEnv) bool {
				if c(e) {
					return x(e)
				}
				return y(e)
			}, true
		}
	case *ast.BinaryNode:
		switch n.Operator {
		case "and", "&&", "or", "||":
			a, ok1 := boolClosure(n.Left)
			b, ok2 := boolClosure(n.Right)
			if !ok1 || !ok2 {
				return nil, false
			}
			if n.Operator == "and" || n.Operator == "&&" {
				return func(e *rateEnv) bool { return a(e) && b(e) }, true
			}
			return func(e *rateEnv) bool { return a(e) || b(e) }, true
		}
		a, ok1 := numClosure(n.Left)
		b, ok2 := numClosure(n.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch n.Operator {
		case "<":
			return func(e *rateEnv) bool { return a(e) < b(e) }, true
		case "<=":
			return func(e *rateEnv) bool { return a(e) <= b(e) }, true
		case ">":
			return func(e *rateEnv) bool { return a(e) > b(e) }, true
		case ">=":
			return func(e *rateEnv) bool { return a(e) >= b(e) }, true
		case "==":
			return func(e *rateEnv) bool { return a(e) == b(e) }, true
		case "!=":
			return func(e *rateEnv) bool { return a(e) != b(e) }, true
		}
	}
	return nil, false
}
