package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// Expectation is one line of a scenario's expect: list, compiled once at
// load time against a typed environment, so a misspelt function, an
// unknown component or a comparison of a number with a string is a load
// problem with a position, not a surprise after a ten-minute run.
type Expectation struct {
	Src       string // as written
	Line, Col int

	program  *vm.Program
	measures []measure // every function call in it, for "measured: ..." output
}

// unit says how a function's value reads, for printing measured values.
type unit int

const (
	unitNumber  unit = iota
	unitSeconds      // latencies, durations: printed as 182.4ms
	unitRatio        // fractions: printed as 0.6831
	unitRate         // per second
	unitCount
	unitBool
)

// checkFunc is a function expectations can call.
type checkFunc struct {
	name   string
	target string   // what the first argument names: "component", "service" or "slo"
	named  []string // the named arguments it takes
	unit   unit
	doc    string
}

// checkFuncs lists the functions of expect:, in the order docs list them.
func checkFuncs() []checkFunc {
	win := []string{"from", "to"}
	return []checkFunc{
		{"p50", "component", win, unitSeconds, "median latency of OK replies"},
		{"p90", "component", win, unitSeconds, "90th percentile latency of OK replies"},
		{"p99", "component", win, unitSeconds, "99th percentile latency of OK replies"},
		{"p999", "component", win, unitSeconds, "99.9th percentile latency of OK replies"},
		{"mean_latency", "component", win, unitSeconds, "mean latency of OK replies"},
		{"max_latency", "component", win, unitSeconds, "slowest OK reply"},
		{"goodput", "component", win, unitRate, "OK replies per second"},
		{"throughput", "component", win, unitRate, "replies per second, any outcome"},
		{"availability", "component", win, unitRatio, "OK replies / all replies (1 when there are none)"},
		{"error_rate", "component", win, unitRatio, "replies that were not OK / all replies (0 when there are none)"},
		{"requests", "component", win, unitCount, "requests that arrived"},
		{"ok", "component", win, unitCount, "OK replies"},
		{"errors", "component", win, unitCount, "error replies"},
		{"timeouts", "component", win, unitCount, "replies the caller gave up on"},
		{"rejected", "component", win, unitCount, "requests turned away by a full queue"},
		{"utilization", "service", nil, unitRatio, "busy workers / workers of the instances up, time-averaged"},
		{"mean_queue", "service", nil, unitNumber, "time-averaged waiting requests"},
		{"peak_queue", "service", nil, unitCount, "most requests ever waiting"},
		{"recovered", "component", []string{"within", "tolerance"}, unitBool, "goodput back to its pre-fault level within the given time after the last fault ended"},
		{"slo", "slo", nil, unitNumber, "an SLO's budget: .budget_remaining .budget_consumed .sli .total .bad .pages .tickets .time_to_exhaustion"},
		{"cache", "cache", nil, unitNumber, "a cache's counters: .hit_ratio .top_hit_ratio .lookups .hits .misses .stale_serves .coalesced .early_refreshes .origin_loads .evictions"},
		{"db", "database", nil, unitNumber, "a database's counters: .writes .reads .replica_reads .stale_reads .stale_ratio .redirected .lost_writes .failovers .max_lag .mean_lag .conflicts"},
		{"queue", "queue", nil, unitNumber, "a queue's counters over its consumer groups: .published .delivered .acked .redelivered .dead_lettered .duplicates .backlog .oldest_age .lost_events .outbox_published"},
		{"saga", "service", nil, unitNumber, "the sagas a service ran: .started .completed .compensated .undos .undo_failures"},
		{"autoscale", "service", nil, unitNumber, "an autoscaled service: .ready .provisioning .mean_ready .scale_outs .scale_ins"},
		{"zone", "zone", nil, unitNumber, "a zone: .instances .up .requests .cross_out .cross_in .cost (calls between zones it sent, priced)"},
		{"calls", "edge", nil, unitNumber, "the calls from one component to a service under a policy: .requests .attempts .amplification .retries .suppressed .breaker_rejected .bulkhead_rejected .throttled .opens .closes .open_at_end .pool_wait_mean .pool_wait_p99 .pool_peak .acquire_timeouts"},
	}
}

func checkFuncNames() []string {
	var out []string
	for _, f := range checkFuncs() {
		out = append(out, f.name)
	}
	return out
}

func lookupCheckFunc(name string) (checkFunc, bool) {
	for _, f := range checkFuncs() {
		if f.name == name {
			return f, true
		}
	}
	return checkFunc{}, false
}

// sloValue is what slo("name") gives an expectation.
type sloValue struct {
	Remaining  float64 `expr:"budget_remaining"`   // fraction of the budget left; negative when overspent
	Consumed   float64 `expr:"budget_consumed"`    // fraction spent
	SLI        float64 `expr:"sli"`                // good / all events
	Total      float64 `expr:"total"`              // events
	Bad        float64 `expr:"bad"`                // bad events
	Pages      float64 `expr:"pages"`              // times a page alert started firing
	Tickets    float64 `expr:"tickets"`            // times a ticket alert started firing
	Exhaustion float64 `expr:"time_to_exhaustion"` // seconds at the current burn; +Inf when not burning
}

// callsValue is what calls("caller", "service") gives an expectation:
// the edges from caller to service that have a policy, added up.
type callsValue struct {
	Requests         float64 `expr:"requests"`
	Attempts         float64 `expr:"attempts"`
	Amplification    float64 `expr:"amplification"` // attempts per request
	Retries          float64 `expr:"retries"`       // retries and hedges
	Suppressed       float64 `expr:"suppressed"`    // retries the budget refused
	BreakerRejected  float64 `expr:"breaker_rejected"`
	BulkheadRejected float64 `expr:"bulkhead_rejected"`
	Throttled        float64 `expr:"throttled"` // refused by the caller's own limiter or throttle
	Opens            float64 `expr:"opens"`     // breaker transitions to open
	Closes           float64 `expr:"closes"`    // breaker transitions to closed
	OpenAtEnd        float64 `expr:"open_at_end"`
	PoolWaitMean     float64 `expr:"pool_wait_mean"` // seconds, callers that waited for a connection
	PoolWaitP99      float64 `expr:"pool_wait_p99"`
	PoolPeak         float64 `expr:"pool_peak"` // most connections in use at once in one pool
	AcquireTimeouts  float64 `expr:"acquire_timeouts"`
}

// cacheValue is what cache("name") gives an expectation.
type cacheValue struct {
	HitRatio       float64 `expr:"hit_ratio"`
	TopHitRatio    float64 `expr:"top_hit_ratio"`
	Lookups        float64 `expr:"lookups"`
	Hits           float64 `expr:"hits"`
	Misses         float64 `expr:"misses"`
	StaleServes    float64 `expr:"stale_serves"`
	Coalesced      float64 `expr:"coalesced"`
	EarlyRefreshes float64 `expr:"early_refreshes"`
	OriginLoads    float64 `expr:"origin_loads"`
	Evictions      float64 `expr:"evictions"`
}

// dbValue is what db("name") gives an expectation.
type dbValue struct {
	Writes       float64 `expr:"writes"`
	Reads        float64 `expr:"reads"`
	ReplicaReads float64 `expr:"replica_reads"`
	StaleReads   float64 `expr:"stale_reads"`
	StaleRatio   float64 `expr:"stale_ratio"` // stale / replica reads
	Redirected   float64 `expr:"redirected"`
	LostWrites   float64 `expr:"lost_writes"`
	Failovers    float64 `expr:"failovers"`
	MaxLag       float64 `expr:"max_lag"`  // seconds, the worst replica's worst interval
	MeanLag      float64 `expr:"mean_lag"` // seconds, the worst replica's mean

	// Optimistic writes that lost their row.
	Conflicts float64 `expr:"conflicts"`
}

// queueValue is what queue("name") gives an expectation.
type queueValue struct {
	Published       float64 `expr:"published"`
	Delivered       float64 `expr:"delivered"`
	Acked           float64 `expr:"acked"`
	Redelivered     float64 `expr:"redelivered"`
	DeadLettered    float64 `expr:"dead_lettered"`
	Duplicates      float64 `expr:"duplicates"`
	Backlog         float64 `expr:"backlog"`
	OldestAge       float64 `expr:"oldest_age"` // seconds
	LostEvents      float64 `expr:"lost_events"`
	OutboxPublished float64 `expr:"outbox_published"`
}

// autoscaleValue is what autoscale("service") gives an expectation.
type autoscaleValue struct {
	Ready        float64 `expr:"ready"`        // instances serving at the end
	Provisioning float64 `expr:"provisioning"` // instances on their way at the end
	MeanReady    float64 `expr:"mean_ready"`   // time-average ready since the warm-up
	ScaleOuts    float64 `expr:"scale_outs"`   // decisions since the warm-up
	ScaleIns     float64 `expr:"scale_ins"`
}

// zoneValue is what zone("name") gives an expectation.
type zoneValue struct {
	Instances float64 `expr:"instances"` // placed there, every zoned service
	Up        float64 `expr:"up"`        // of them, up and in rotation at the end
	Requests  float64 `expr:"requests"`  // calls routed there since the warm-up
	CrossOut  float64 `expr:"cross_out"` // calls its instances sent to another zone
	CrossIn   float64 `expr:"cross_in"`  // calls it received from another zone
	Cost      float64 `expr:"cost"`      // the price of its cross_out calls
}

// sagaValue is what saga("service") gives an expectation.
type sagaValue struct {
	Started      float64 `expr:"started"`
	Completed    float64 `expr:"completed"`
	Compensated  float64 `expr:"compensated"`
	Undos        float64 `expr:"undos"`
	UndoFailures float64 `expr:"undo_failures"`
}

// fieldNames lists the expr names of a value type's fields, in order: the
// one list that filling a value, reading a field and hints share.
func fieldNames[T any]() []string {
	t := reflect.TypeFor[T]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("expr")
	}
	return out
}

// exprField is v's field with expr name name.
func exprField(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("expr") == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// sloFieldUnit says how an slo() field prints.
func sloFieldUnit(field string) unit {
	switch field {
	case "budget_remaining", "budget_consumed", "sli":
		return unitRatio
	case "time_to_exhaustion":
		return unitSeconds
	}
	return unitCount
}

// checkEnv is the environment expectations are compiled against and run
// in: one function field per checkFunc. The types are what expr checks
// calls against at load time; evaluation fills the fields with closures
// over the results.
type checkEnv struct {
	P50          func(string, ...any) float64    `expr:"p50"`
	P90          func(string, ...any) float64    `expr:"p90"`
	P99          func(string, ...any) float64    `expr:"p99"`
	P999         func(string, ...any) float64    `expr:"p999"`
	MeanLatency  func(string, ...any) float64    `expr:"mean_latency"`
	MaxLatency   func(string, ...any) float64    `expr:"max_latency"`
	Goodput      func(string, ...any) float64    `expr:"goodput"`
	Throughput   func(string, ...any) float64    `expr:"throughput"`
	Availability func(string, ...any) float64    `expr:"availability"`
	ErrorRate    func(string, ...any) float64    `expr:"error_rate"`
	Requests     func(string, ...any) float64    `expr:"requests"`
	OK           func(string, ...any) float64    `expr:"ok"`
	Errors       func(string, ...any) float64    `expr:"errors"`
	Timeouts     func(string, ...any) float64    `expr:"timeouts"`
	Rejected     func(string, ...any) float64    `expr:"rejected"`
	Utilization  func(string) float64            `expr:"utilization"`
	MeanQueue    func(string) float64            `expr:"mean_queue"`
	PeakQueue    func(string) float64            `expr:"peak_queue"`
	Recovered    func(string, ...any) bool       `expr:"recovered"`
	SLO          func(string) sloValue           `expr:"slo"`
	Calls        func(string, string) callsValue `expr:"calls"`
	Cache        func(string) cacheValue         `expr:"cache"`
	DB           func(string) dbValue            `expr:"db"`
	Queue        func(string) queueValue         `expr:"queue"`
	Saga         func(string) sagaValue          `expr:"saga"`

	Autoscale func(string) autoscaleValue `expr:"autoscale"`
	Zone      func(string) zoneValue      `expr:"zone"`
}

// measure is one function call of an expectation, resolved at load time:
// evaluating it in Go gives the "measured" value printed beside a result.
type measure struct {
	src   string // as written, e.g. p99("api", from: 8m)
	fn    string
	arg   string // the component or SLO name
	arg2  string // calls(): the service called
	field string // slo(), calls(): the field read
	args  callArgs
	unit  unit
}

// callArgs are a call's named arguments, parsed.
type callArgs struct {
	from, to  sim.Time
	window    bool // from: or to: given
	within    sim.Time
	tolerance float64
}

// defaultTolerance is how far below its pre-fault level goodput may stay
// and still count as recovered: Poisson noise over a few minutes of 1 s
// intervals is far smaller, a metastable collapse far larger.
const defaultTolerance = 0.1

// decodeExpect reads expect: a list of expressions, each a string.
func (l *loader) decodeExpect(n *yaml.Node) {
	items, ok := l.sequence(n, "expect", `a list of expressions, e.g. - slo("availability").budget_remaining > 0.5`)
	if !ok {
		return
	}
	for i, item := range items {
		path := index("expect", i)
		if nd := deref(item); nd != nil && nd.Kind == yaml.MappingNode {
			// `- p99("api", from: 8m) < 250ms` is a YAML map: ": " splits it.
			l.errorf(item, path, `YAML reads "name: value" as a map: quote the expression, or write named arguments as from=8m`,
				"expected an expression, got a map")
			continue
		}
		src, ok := l.scalar(item, path, "an expression that is true when the run is good")
		if !ok {
			continue
		}
		l.expects = append(l.expects, expectDraft{src: src, node: deref(item), path: path})
	}
}

// expectDraft is an expectation waiting for every name to be known.
type expectDraft struct {
	src  string
	node *yaml.Node
	path string
}

// checkExpect compiles every expectation once the components and SLOs are
// known.
func (l *loader) checkExpect() {
	names := l.knownNames()
	for _, d := range l.expects {
		e, probs := compileCheck(d.src, names)
		for _, p := range probs {
			l.problem(d.node.Line, scalarCol(d.node, p.Offset), d.path, p.Hint, "%s", p.Msg)
		}
		if e != nil {
			e.Line, e.Col = d.node.Line, d.node.Column
			l.sc.Expect = append(l.sc.Expect, *e)
		}
	}
}

// knownNames are the names expressions may refer to.
type knownNames struct {
	workloads, services, slos []string
	caches, databases, queues []string
	zones                     []string
	edges                     [][2]string // caller, service: calls under a policy
}

// has says whether name is a workload, service or SLO.
func (k knownNames) has(name string) bool {
	return contains(k.workloads, name) || contains(k.services, name) || contains(k.slos, name)
}

// quoteHint is the hint for a component name written without quotes.
func quoteHint(name string) string {
	return `names are quoted strings: write "` + name + `"`
}

func (l *loader) knownNames() knownNames {
	var k knownNames
	for _, w := range l.workloads {
		k.workloads = append(k.workloads, w.spec.Name)
	}
	for _, s := range l.services {
		k.services = append(k.services, s.spec.Name)
		if s.spec.Cache != nil {
			k.caches = append(k.caches, s.spec.Name)
		}
		if s.spec.Database != nil {
			k.databases = append(k.databases, s.spec.Name)
		}
		if s.spec.Topic != nil {
			k.queues = append(k.queues, s.spec.Name)
		}
	}
	for _, s := range l.slos {
		k.slos = append(k.slos, s.spec.Name)
	}
	k.zones = l.zoneNames()
	add := func(from, to string) {
		for _, e := range k.edges {
			if e == [2]string{from, to} {
				return
			}
		}
		k.edges = append(k.edges, [2]string{from, to})
	}
	for _, w := range l.workloads {
		if w.spec.Policy != nil {
			add(w.spec.Name, w.spec.Target)
		}
	}
	var walk func(from string, steps []models.Step)
	walk = func(from string, steps []models.Step) {
		for _, st := range steps {
			if st.Kind == models.Call && st.Policy != nil {
				add(from, st.Target)
			}
			walk(from, st.Children)
			for _, b := range st.Branches {
				walk(from, b.Steps)
			}
		}
	}
	for _, s := range l.services {
		for _, o := range s.spec.Ops {
			walk(s.spec.Name, o.Steps)
		}
	}
	return k
}

// compileCheck compiles one expectation and checks every call in it.
func compileCheck(src string, names knownNames) (*Expectation, []exprError) {
	rewritten, pos := rewriteCheck(src)
	opts := []expr.Option{expr.Env(checkEnv{}), expr.AsBool(), expr.DisableAllBuiltins()}
	program, err := expr.Compile(rewritten, opts...)
	if err != nil {
		e := compileError(err, src, pos)
		e.Msg = strings.Replace(e.Msg, "rate expression: ", "expression: ", 1)
		fixCheckMessage(e, checkFuncNames(), names)
		if strings.Contains(e.Msg, "expected bool") {
			e.Msg = "expression: the result must be true or false, e.g. p99(\"api\") < 250ms"
		}
		return nil, []exprError{*e}
	}
	e := &Expectation{Src: src, program: program}
	var probs []exprError
	root := program.Node()
	ast.Walk(&root, &callVisitor{src: src, pos: pos, names: names, out: &e.measures, probs: &probs, funcs: lookupCheckFunc})
	if len(probs) > 0 {
		return nil, probs
	}
	slices.SortStableFunc(e.measures, func(a, b measure) int { return strings.Index(src, a.src) - strings.Index(src, b.src) })
	return e, nil
}

// fixCheckMessage rewords expr's messages about the environment into the
// user's terms, with hints.
func fixCheckMessage(e *exprError, funcs []string, names knownNames) {
	if name, ok := strings.CutPrefix(e.Msg, "expression: unknown name "); ok {
		e.Hint = hintFor(name, funcs, "functions")
		if names.has(name) {
			e.Hint = quoteHint(name)
		}
		return
	}
	if name, ok := strings.CutPrefix(e.Msg, "expression: too many arguments to call "); ok {
		if f, ok := lookupCheckFunc(name); ok {
			e.Hint = namedHint(f)
		}
		return
	}
	if _, rest, ok := strings.Cut(e.Msg, "type scenarios.sloValue has no field "); ok {
		e.Msg = fmt.Sprintf("expression: slo() has no field %q", rest)
		e.Hint = hintFor(rest, fieldNames[sloValue](), "fields")
	}
	for typ, fields := range map[string][]string{"queueValue": fieldNames[queueValue](), "sagaValue": fieldNames[sagaValue](), "autoscaleValue": fieldNames[autoscaleValue](), "zoneValue": fieldNames[zoneValue]()} {
		if _, rest, ok := strings.Cut(e.Msg, "type scenarios."+typ+" has no field "); ok {
			e.Msg = fmt.Sprintf("expression: %s() has no field %q", strings.TrimSuffix(typ, "Value"), rest)
			e.Hint = hintFor(rest, fields, "fields")
		}
	}
	if _, rest, ok := strings.Cut(e.Msg, "type scenarios.dbValue has no field "); ok {
		e.Msg = fmt.Sprintf("expression: db() has no field %q", rest)
		e.Hint = hintFor(rest, fieldNames[dbValue](), "fields")
	}
	if _, rest, ok := strings.Cut(e.Msg, "type scenarios.cacheValue has no field "); ok {
		e.Msg = fmt.Sprintf("expression: cache() has no field %q", rest)
		e.Hint = hintFor(rest, fieldNames[cacheValue](), "fields")
	}
	if _, rest, ok := strings.Cut(e.Msg, "type scenarios.callsValue has no field "); ok {
		e.Msg = fmt.Sprintf("expression: calls() has no field %q", rest)
		e.Hint = hintFor(rest, fieldNames[callsValue](), "fields")
	}
}

// callVisitor checks every call of an expression against its checkFunc and
// collects the measures.
type callVisitor struct {
	src   string
	pos   []int
	names knownNames
	funcs func(string) (checkFunc, bool)
	out   *[]measure
	probs *[]exprError
	// fields are the slo() calls read through a member access, by node.
	fields map[*ast.CallNode]string
}

func (v *callVisitor) offset(n ast.Node) int {
	r := n.Location().From
	if r >= 0 && r < len(v.pos) {
		return v.pos[r]
	}
	return 0
}

func (v *callVisitor) fail(n ast.Node, hint, format string, args ...any) {
	*v.probs = append(*v.probs, exprError{Offset: v.offset(n), Msg: "expression: " + fmt.Sprintf(format, args...), Hint: hint})
}

// Visit sees children before parents, so a member access on slo() is seen
// after the call: the call records itself and the access fills its field.
func (v *callVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.MemberNode:
		call, ok := n.Node.(*ast.CallNode)
		if !ok {
			return
		}
		prop, ok := n.Property.(*ast.StringNode)
		if !ok {
			return
		}
		for i := range *v.out {
			m := &(*v.out)[i]
			if structFunc(m.fn) && m.field == "" && m.src == v.callSrc(call) {
				m.field = prop.Value
				m.src += "." + prop.Value
				m.unit = sloFieldUnit(prop.Value)
				if m.fn != "slo" {
					m.unit = unitCount
					switch prop.Value {
					case "amplification":
						m.unit = unitNumber
					case "hit_ratio", "top_hit_ratio":
						m.unit = unitRatio
					case "pool_wait_mean", "pool_wait_p99", "max_lag", "mean_lag", "oldest_age":
						m.unit = unitSeconds
					case "stale_ratio":
						m.unit = unitRatio
					}
				}
				break
			}
		}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			return
		}
		f, ok := v.funcs(id.Value)
		if !ok {
			return
		}
		m, ok := v.check(n, f)
		if ok {
			*v.out = append(*v.out, m)
		}
	}
}

// callSrc is a call's text as the user wrote it.
func (v *callVisitor) callSrc(n *ast.CallNode) string {
	from := v.offset(n)
	return strings.TrimSpace(v.src[from:callEnd(v.src, from)])
}

// check validates one call: its target names something that exists, and
// its named arguments are known constants. Names must be literal strings,
// so every reference is checked before the run.
func (v *callVisitor) check(n *ast.CallNode, f checkFunc) (measure, bool) {
	m := measure{src: v.callSrc(n), fn: f.name, unit: f.unit, args: callArgs{tolerance: defaultTolerance}}
	if len(n.Arguments) == 0 {
		v.fail(n, "", "%s() needs a %s name", f.name, f.target)
		return m, false
	}
	name, ok := n.Arguments[0].(*ast.StringNode)
	if !ok {
		v.fail(n.Arguments[0], `e.g. `+f.name+`("api")`, "%s(): the first argument must be a quoted %s name", f.name, f.target)
		return m, false
	}
	m.arg = name.Value
	if f.target == "edge" {
		return v.checkEdge(n, f, m)
	}
	var known []string
	label := f.target
	switch f.target {
	case "slo":
		known, label = v.names.slos, "SLO"
	case "cache":
		known = v.names.caches
	case "database":
		known = v.names.databases
	case "queue":
		known = v.names.queues
	case "zone":
		known = v.names.zones
	case "service":
		known = v.names.services
	default:
		known, label = append(slices.Clone(v.names.workloads), v.names.services...), "workload or service"
	}
	if !contains(known, m.arg) {
		v.fail(name, hintFor(m.arg, known, "known"), "%s(): unknown %s %q", f.name, label, m.arg)
		return m, false
	}
	rest := n.Arguments[1:]
	if len(rest)%2 != 0 {
		v.fail(n, namedHint(f), "%s(): after the name, only named arguments", f.name)
		return m, false
	}
	seen := map[string]bool{}
	for i := 0; i < len(rest); i += 2 {
		key, ok := rest[i].(*ast.StringNode)
		if !ok {
			v.fail(rest[i], namedHint(f), "%s(): after the name, only named arguments", f.name)
			return m, false
		}
		if !contains(f.named, key.Value) {
			v.fail(key, namedHint(f), "%s(): unknown argument %q", f.name, key.Value)
			return m, false
		}
		if seen[key.Value] {
			v.fail(key, "", "%s(): %s: given twice", f.name, key.Value)
			return m, false
		}
		seen[key.Value] = true
		val := rest[i+1]
		switch key.Value {
		case "from", "to", "within":
			d, ok := constDuration(val)
			if !ok || d < 0 {
				v.fail(val, "e.g. "+key.Value+": 8m", "%s(): %s: expected a duration >= 0", f.name, key.Value)
				return m, false
			}
			switch key.Value {
			case "from":
				m.args.from, m.args.window = d, true
			case "to":
				m.args.to, m.args.window = d, true
			default:
				m.args.within = d
			}
		case "tolerance":
			p, ok := constNumber(val)
			if !ok || p < 0 || p >= 1 {
				v.fail(val, "e.g. tolerance: 10%", "%s(): tolerance: expected a fraction in [0%%, 100%%)", f.name)
				return m, false
			}
			m.args.tolerance = p
		}
	}
	if m.args.window && m.args.to > 0 && m.args.to <= m.args.from {
		v.fail(n, "", "%s(): to: must be after from:", f.name)
		return m, false
	}
	return m, true
}

// structFunc says whether fn's value is a struct read through a field.
func structFunc(fn string) bool {
	switch fn {
	case "slo", "calls", "cache", "db", "queue", "saga", "autoscale", "zone":
		return true
	}
	return false
}

// checkEdge validates calls("caller", "service"): a pair that has a call
// under a policy.
func (v *callVisitor) checkEdge(n *ast.CallNode, f checkFunc, m measure) (measure, bool) {
	if len(n.Arguments) != 2 {
		v.fail(n, `e.g. calls("api", "payments")`, "calls() takes a caller and a service")
		return m, false
	}
	to, ok := n.Arguments[1].(*ast.StringNode)
	if !ok {
		v.fail(n.Arguments[1], `e.g. calls("api", "payments")`, "calls(): the second argument must be a quoted service name")
		return m, false
	}
	var pairs []string
	for _, e := range v.names.edges {
		if e[0] == m.arg && e[1] == to.Value {
			m.arg2 = to.Value
			return m, true
		}
		pairs = append(pairs, `"`+e[0]+`", "`+e[1]+`"`)
	}
	hint := "no call has a policy (retry:, breaker:, bulkhead: ...)"
	if len(pairs) > 0 {
		hint = "calls with a policy: " + strings.Join(pairs, "; ")
	}
	v.fail(n, hint, "calls(): no call from %q to %q has a policy", m.arg, to.Value)
	return m, false
}

func namedHint(f checkFunc) string {
	if len(f.named) == 0 {
		return f.name + "() takes only a name"
	}
	return "named arguments: " + strings.Join(f.named, ", ") + `, e.g. ` + f.name + `("api", ` + f.named[0] + `: 2m)`
}

// constDuration reads a literal duration: a number (seconds, which is what
// 8m became) or a string such as "8m".
func constDuration(n ast.Node) (sim.Time, bool) {
	if s, ok := n.(*ast.StringNode); ok {
		d, err := units.ParseDuration(s.Value)
		return d, err == nil
	}
	v, ok := constNumber(n)
	if !ok || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return sim.FromSeconds(v), true
}

func constNumber(n ast.Node) (float64, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		return float64(x.Value), true
	case *ast.FloatNode:
		return x.Value, true
	case *ast.UnaryNode:
		if x.Operator == "-" {
			v, ok := constNumber(x.Node)
			return -v, ok
		}
	}
	return 0, false
}

// Windows are the spans the expectations read with from:/to:, for
// models.Options.Windows: each is one histogram kept during the run.
func (s *Scenario) Windows() []models.WindowSpec {
	return appendWindows(nil, s.Expect)
}

// appendWindows adds the spans es read that out does not have yet.
func appendWindows(out []models.WindowSpec, es []Expectation) []models.WindowSpec {
	for _, e := range es {
		for _, m := range e.measures {
			if !m.args.window {
				continue
			}
			w := models.WindowSpec{Component: m.arg, From: m.args.from, To: m.args.to}
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// NeedsSeries says whether evaluating the expectations reads time series
// (recovered() does), so the run must keep every interval.
func (s *Scenario) NeedsSeries() bool {
	for _, e := range s.Expect {
		for _, m := range e.measures {
			if m.fn == "recovered" {
				return true
			}
		}
	}
	return false
}
