package scenarios

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
)

// faultKeys are the keys a fault item may have besides its verb.
var faultKeys = append([]string{"name", "at", "for", "on", "between", "instances", "instance", "restart", "after", "keys", "over", "direction", "when", "key"}, deployKeys...)

// faultVerbs maps each verb key to its models verb.
func faultVerbs() map[string]models.Verb {
	out := map[string]models.Verb{}
	for _, v := range models.Verbs() {
		out[v.String()] = v
	}
	return out
}

func verbNames() []string {
	var out []string
	for _, v := range models.Verbs() {
		out = append(out, v.String())
	}
	return out
}

// faultDraft is a decoded fault whose target names are checked once every
// workload and service is known.
type faultDraft struct {
	f        models.Fault
	path     string
	refs     []faultRef
	instNode *yaml.Node // instances: or instance:, for range problems
	// factorNode is a spike or ramp's factor, where the event estimate
	// points when the fault dominates it.
	factorNode *yaml.Node
	factorPath string

	breakerOn *yaml.Node // a breaker or pool_leak fault's on:, checked against the calls with one
	poolLeak  bool

	when     string // when: as written
	whenNode *yaml.Node
	whenPath string
	cond     *condition // when: compiled, once names are known
}

// faultRef is one name a fault refers to and what it must be.
type faultRef struct {
	node *yaml.Node
	col  int // column of the name within the node (link and group forms)
	name string
	want string // "service", "workload" or "component"
}

// decodeFaults reads the faults: timeline. Each item has exactly one verb
// key, whose value is the verb's main parameter (latency: 200ms) or its
// target (crash: api).
func (l *loader) decodeFaults(n *yaml.Node) {
	items, ok := l.sequence(n, "faults", "a list of faults")
	if !ok {
		return
	}
	for i, item := range items {
		if d := l.decodeFaultItem(item, index("faults", i)); d != nil {
			l.faults = append(l.faults, d)
		}
	}
}

// decodeFaultItem reads one fault map (a faults: item, a lesson step's
// inject:); nil when it has problems, which are recorded.
func (l *loader) decodeFaultItem(item *yaml.Node, path string) *faultDraft {
	verbs := faultVerbs()
	allowed := append(verbNames(), faultKeys...)
	fields, ok := l.mapping(item, path, "a fault such as {at: 3m, for: 2m, latency: 200ms, on: api->db}", allowed)
	if !ok {
		return nil
	}
	byKey := map[string]field{}
	var verbKey *field
	for j := range fields {
		f := fields[j]
		byKey[f.key.Value] = f
		if _, isVerb := verbs[f.key.Value]; isVerb {
			if verbKey != nil {
				l.errorf(f.key, path, "split them into two faults", "one verb per fault, got %s and %s", verbKey.key.Value, f.key.Value)
				continue
			}
			verbKey = &fields[j]
		}
	}
	if verbKey == nil {
		misspeltVerb := false
		for _, v := range verbNames() {
			misspeltVerb = misspeltVerb || misspelt(item, allowed, v)
		}
		if !misspeltVerb {
			l.errorf(item, path, "verbs: "+strings.Join(verbNames(), ", "), "missing the fault's verb")
		}
		return nil
	}
	d := &faultDraft{path: path}
	d.f.Verb = verbs[verbKey.key.Value]
	if !l.decodeFault(d, verbKey, byKey) {
		return nil
	}
	return d
}

// onlyFor says which verb each verb-specific key belongs to.
var onlyFor = map[string]models.Verb{
	"restart": models.FaultCrash, "after": models.FaultBlackhole, "keys": models.FaultErrors,
	"over": models.FaultRamp, "direction": models.FaultPartition, "key": models.FaultHotKey,
}

func init() {
	for _, k := range deployKeys {
		onlyFor[k] = models.FaultDeploy
	}
}

func (l *loader) decodeFault(d *faultDraft, verb *field, by map[string]field) bool {
	f, path := &d.f, d.path
	v := f.Verb
	ok := true
	for _, k := range append([]string{"restart", "after", "keys", "over", "direction", "key"}, deployKeys...) {
		if fl, has := by[k]; has && onlyFor[k] != v {
			l.errorf(fl.key, join(path, k), "", "%s: applies only to %s faults, not %s", k, onlyFor[k], v)
			ok = false
		}
	}
	if fl, has := by["name"]; has {
		if s, sok := l.scalar(fl.val, join(path, "name"), "a name"); sok {
			f.Name = s
		}
	}
	if fl, has := by["at"]; has {
		if t, tok := l.durationField(fl.val, join(path, "at"), "fault.at"); tok && t >= 0 {
			f.Start = t
			if l.sc.Duration > 0 && t >= l.sc.Duration {
				l.errorf(fl.val, join(path, "at"), "the run ends at "+l.sc.Duration.String(), "the fault would start after the run ends")
				ok = false
			}
		} else {
			ok = false
		}
	}
	if fl, has := by["for"]; has && v.Instant() {
		l.errorf(fl.key, join(path, "for"), "it happens at once; drop for:", "%s has no duration", verb.key.Value)
		ok = false
	} else if has {
		if t, tok := l.durationField(fl.val, join(path, "for"), "fault.for"); tok {
			f.Duration = t
		} else {
			ok = false
		}
	}
	if fl, has := by["when"]; has && !l.decodeWhen(d, fl.val, join(path, "when")) {
		ok = false
	}
	vpath := join(path, verb.key.Value)
	// The verb's value: a parameter, or the target.
	switch v {
	case models.FaultLatency:
		if f.Latency, ok = l.dist(verb.val, vpath); !ok {
			return false
		}
	case models.FaultLoss, models.FaultErrors:
		p, pok := l.probabilityField(verb.val, vpath, "fault."+verb.key.Value)
		if !pok {
			return false
		}
		f.P = p
	case models.FaultSlow, models.FaultSpike, models.FaultRamp:
		s, sok := l.scalar(verb.val, vpath, "a factor such as 3x")
		if !sok {
			return false
		}
		k, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
		if err != nil || math.IsNaN(k) {
			l.errorf(verb.val, vpath, "e.g. 3x, or 0.5x to halve", "expected a factor > 0, got %q", s)
			return false
		}
		if !l.checkField(verb.val, vpath, "fault."+verb.key.Value, k, s) {
			return false
		}
		f.Factor = k
		d.factorNode, d.factorPath = deref(verb.val), vpath
	case models.FaultPartition:
		if !l.groups(d, verb.val, vpath) {
			return false
		}
	case models.FaultCrash, models.FaultPause, models.FaultDeploy:
		s, sok := l.scalar(verb.val, vpath, "a service name")
		if !sok {
			return false
		}
		f.Target.Component = s
		d.refs = append(d.refs, faultRef{node: deref(verb.val), name: s, want: "service"})
	case models.FaultZoneOutage, models.FaultZonePartition:
		s, sok := l.scalar(verb.val, vpath, "a zone name")
		if !sok {
			return false
		}
		f.Target.Zone = s
		d.refs = append(d.refs, faultRef{node: deref(verb.val), name: s, want: "zone"})
	case models.FaultBlackhole:
		if !l.linkOrService(d, verb.val, vpath) {
			return false
		}
	case models.FaultFailover:
		s, sok := l.scalar(verb.val, vpath, "a database service")
		if !sok {
			return false
		}
		f.Target.Component = s
		d.refs = append(d.refs, faultRef{node: deref(verb.val), name: s, want: "database"})
	case models.FaultReplicaLag:
		if nd := deref(verb.val); nd != nil && nd.Kind == yaml.ScalarNode && nd.Value == "stop" {
			f.Stop = true
		} else if f.Latency, ok = l.dist(verb.val, vpath); !ok {
			return false
		}
	case models.FaultFlush:
		s, sok := l.scalar(verb.val, vpath, "a cache service")
		if !sok {
			return false
		}
		f.Target.Component = s
		d.refs = append(d.refs, faultRef{node: deref(verb.val), name: s, want: "cache"})
	case models.FaultMassExpiry, models.FaultHotKey, models.FaultPoolLeak, models.FaultPoison:
		p, pok := l.probabilityField(verb.val, vpath, "fault."+verb.key.Value)
		if !pok {
			return false
		}
		f.P = p
	case models.FaultBreaker:
		i, eok := l.enum(verb.val, vpath, []string{models.BreakerForcedOpen, models.BreakerDisabled})
		if !eok {
			return false
		}
		f.Mode = []string{models.BreakerForcedOpen, models.BreakerDisabled}[i]
	}
	// The target, for verbs whose value was a parameter.
	on, hasOn := by["on"]
	between, hasBetween := by["between"]
	switch {
	case v.Network() && v != models.FaultPartition && v != models.FaultBlackhole:
		switch {
		case hasOn && hasBetween:
			l.errorf(between.key, join(path, "between"), "", "give on: or between:, not both")
			return false
		case hasOn:
			if !l.link(d, on.val, join(path, "on")) {
				return false
			}
		case hasBetween:
			if !l.groups(d, between.val, join(path, "between")) {
				return false
			}
		default:
			l.errorf(verb.key, path, "e.g. on: api->db, or between: [[api], [db]]", "missing on: (a link) or between: (two groups)")
			return false
		}
	case v == models.FaultMassExpiry || v == models.FaultHotKey || v == models.FaultReplicaLag || v == models.FaultPoison:
		want := "cache"
		switch v {
		case models.FaultPoison:
			want = "queue"
		case models.FaultHotKey:
			want = "workload"
		case models.FaultReplicaLag:
			want = "database"
		}
		if !hasOn {
			l.errorf(verb.key, path, "", "missing on: (a %s)", want)
			return false
		}
		s, sok := l.scalar(on.val, join(path, "on"), "a name")
		if !sok {
			return false
		}
		f.Target.Component = s
		d.refs = append(d.refs, faultRef{node: deref(on.val), name: s, want: want})
	case v.Policy():
		if hasBetween {
			l.errorf(between.key, join(path, "between"), "a breaker belongs to the calls from one component to one service", "unexpected between:")
			return false
		}
		if !hasOn {
			l.errorf(verb.key, path, "e.g. on: api->payments", "missing on: (the calls from->to whose breakers to hold)")
			return false
		}
		if !l.link(d, on.val, join(path, "on")) {
			return false
		}
		d.breakerOn = deref(on.val)
		d.poolLeak = v == models.FaultPoolLeak
	case v == models.FaultSlow || v == models.FaultErrors || v == models.FaultSpike || v == models.FaultRamp:
		if hasBetween {
			l.errorf(between.key, join(path, "between"), "between: is for network faults", "unexpected between:")
			ok = false
		}
		if !hasOn {
			want := "a service"
			if v.Traffic() {
				want = "a workload"
			}
			l.errorf(verb.key, path, "", "missing on: (%s)", want)
			return false
		}
		s, sok := l.scalar(on.val, join(path, "on"), "a name")
		if !sok {
			return false
		}
		f.Target.Component = s
		want := "service"
		if v.Traffic() {
			want = "workload"
		}
		d.refs = append(d.refs, faultRef{node: deref(on.val), name: s, want: want})
	default:
		for _, k := range []string{"on", "between"} {
			if fl, has := by[k]; has {
				l.errorf(fl.key, join(path, k), "the target is the verb's value: "+verb.key.Value+": NAME", "unexpected %s: for a %s fault", k, v)
				ok = false
			}
		}
	}
	// Instance selection.
	inst, hasInst := by["instances"]
	one, hasOne := by["instance"]
	switch {
	case (hasInst || hasOne) && !v.Instance() && v != models.FaultReplicaLag:
		k := inst
		if hasOne {
			k = one
		}
		l.errorf(k.key, join(path, k.key.Value), "", "%s: applies only to crash, pause, slow and errors faults", k.key.Value)
		ok = false
	case hasInst && hasOne:
		l.errorf(one.key, join(path, "instance"), "", "give instances: or instance:, not both")
		ok = false
	case hasOne:
		d.instNode = one.val
		i, iok := l.intField(one.val, join(path, "instance"), "fault.instance")
		if !iok {
			return false
		}
		f.Target.Instances = models.Instances{Mode: models.SelectOne, N: float64(i)}
		d.refs[len(d.refs)-1].want = "service instance " + strconv.FormatInt(i, 10)
	case hasInst:
		d.instNode = inst.val
		if !l.instances(f, inst.val, join(path, "instances")) {
			return false
		}
	}
	// Verb-specific options.
	if v == models.FaultDeploy && !l.decodeDeploy(f, verb, by, path) {
		return false
	}
	if fl, has := by["restart"]; has && v == models.FaultCrash {
		if f.Restart, ok = l.durationField(fl.val, join(path, "restart"), "fault.restart"); !ok {
			return false
		}
	}
	if fl, has := by["after"]; has && v == models.FaultBlackhole {
		if f.After, ok = l.durationField(fl.val, join(path, "after"), "fault.after"); !ok {
			return false
		}
	}
	if fl, has := by["keys"]; has && v == models.FaultErrors {
		if f.Keys, ok = l.probabilityField(fl.val, join(path, "keys"), "fault.keys"); !ok {
			return false
		}
	}
	if fl, has := by["over"]; has && v == models.FaultRamp {
		if f.Over, ok = l.durationField(fl.val, join(path, "over"), "fault.over"); !ok {
			return false
		}
		if f.Duration > 0 && f.Over > f.Duration {
			l.errorf(fl.val, join(path, "over"), "", "the ramp (%s) is longer than the fault (%s)", f.Over, f.Duration)
			return false
		}
	}
	if fl, has := by["key"]; has && v == models.FaultHotKey {
		k, kok := l.intField(fl.val, join(path, "key"), "fault.key")
		if !kok {
			return false
		}
		f.Key = int(k)
	}
	if fl, has := by["direction"]; has && v == models.FaultPartition {
		i, eok := l.enum(fl.val, join(path, "direction"), []string{"both", "one_way"})
		if !eok {
			return false
		}
		f.OneWay = i == 1
	}
	return ok
}

// instances reads all, one, a count or a percentage.
func (l *loader) instances(f *models.Fault, n *yaml.Node, path string) bool {
	s, ok := l.scalar(n, path, "all, one, a count or a percentage")
	if !ok {
		return false
	}
	switch {
	case s == "all":
		f.Target.Instances = models.Instances{Mode: models.SelectAll}
	case s == "one" && f.Verb == models.FaultReplicaLag:
		// Instance 0 of a database is its primary: one replica is the first.
		f.Target.Instances = models.Instances{Mode: models.SelectOne, N: 1}
	case s == "one":
		f.Target.Instances = models.Instances{Mode: models.SelectOne}
	case strings.HasSuffix(s, "%"):
		p, err := units.ParsePercent(s)
		if err != nil || !(p > 0 && p <= 1) {
			l.errorf(n, path, rangeIndex["fault.instances"].rangeHint(), "expected a percentage in (0%%, 100%%], got %q", s)
			return false
		}
		f.Target.Instances = models.Instances{Mode: models.SelectPercent, N: 100 * p}
	default:
		k, err := strconv.Atoi(s)
		if err == nil && !rangeIndex["fault.instances"].Contains(float64(k)) {
			l.outOfRange(n, path, rangeIndex["fault.instances"], s, float64(k))
			return false
		}
		if err != nil {
			l.errorf(n, path, "all, one, a count such as 2, or a percentage such as 50%", "expected an instance selection, got %q", s)
			return false
		}
		f.Target.Instances = models.Instances{Mode: models.SelectCount, N: float64(k)}
	}
	return true
}

// link reads "from->to".
func (l *loader) link(d *faultDraft, n *yaml.Node, path string) bool {
	s, ok := l.scalar(n, path, `a link "from->to"`)
	if !ok {
		return false
	}
	from, to, found := strings.Cut(s, "->")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !found || from == "" || to == "" {
		l.errorf(n, path, "for example api->db", `expected a link "from->to", got %q`, s)
		return false
	}
	d.f.Target.From, d.f.Target.To = from, to
	nd := deref(n)
	d.refs = append(d.refs, faultRef{node: nd, col: scalarCol(nd, strings.Index(s, from)), name: from, want: "component"},
		faultRef{node: nd, col: scalarCol(nd, strings.LastIndex(s, to)), name: to, want: "service"})
	return true
}

// linkOrService reads a blackhole's target: a link, or a service (all its
// callers).
func (l *loader) linkOrService(d *faultDraft, n *yaml.Node, path string) bool {
	if nd := deref(n); nd != nil && nd.Kind == yaml.ScalarNode && !strings.Contains(nd.Value, "->") {
		d.f.Target.To = strings.TrimSpace(nd.Value)
		d.refs = append(d.refs, faultRef{node: nd, name: d.f.Target.To, want: "service"})
		return true
	}
	return l.link(d, n, path)
}

// groups reads two groups of component names: [[a, b], [c]].
func (l *loader) groups(d *faultDraft, n *yaml.Node, path string) bool {
	items, ok := l.sequence(n, path, "two groups, e.g. [[gateway], [api, db]]")
	if !ok {
		return false
	}
	if len(items) != 2 {
		l.errorf(n, path, "e.g. [[gateway], [api, db]]", "expected two groups, got %d", len(items))
		return false
	}
	seen := map[string]bool{}
	for g, item := range items {
		names, ok := l.sequence(item, index(path, g), "a list of workload and service names")
		if !ok {
			return false
		}
		if len(names) == 0 {
			l.errorf(item, index(path, g), "", "empty group")
			return false
		}
		for j, nn := range names {
			s, sok := l.scalar(nn, index(index(path, g), j), "a name")
			if !sok {
				return false
			}
			if seen[s] {
				l.errorf(nn, index(index(path, g), j), "", "%q is in both groups", s)
				return false
			}
			seen[s] = true
			d.f.Target.Groups[g] = append(d.f.Target.Groups[g], s)
			d.refs = append(d.refs, faultRef{node: deref(nn), name: s, want: "component"})
		}
	}
	return true
}

// checkFaults checks the names faults refer to, once every component is
// known.
func (l *loader) checkFaults() {
	var workloads, services, all []string
	for _, w := range l.workloads {
		workloads = append(workloads, w.spec.Name)
	}
	for _, s := range l.services {
		services = append(services, s.spec.Name)
	}
	all = append(append(all, services...), workloads...)
	kept := l.faults[:0]
	for _, d := range l.faults {
		ok := true
		for _, r := range d.refs {
			known, label := all, "workload or service"
			var caches []string
			for _, s := range l.services {
				if s.spec.Cache != nil {
					caches = append(caches, s.spec.Name)
				}
			}
			var dbs, queues []string
			for _, s := range l.services {
				if s.spec.Database != nil {
					dbs = append(dbs, s.spec.Name)
				}
				if s.spec.Topic != nil {
					queues = append(queues, s.spec.Name)
				}
			}
			switch {
			case r.want == "cache":
				known, label = caches, "cache"
			case r.want == "database":
				known, label = dbs, "database"
			case r.want == "queue":
				known, label = queues, "queue"
			case r.want == "service" || strings.HasPrefix(r.want, "service instance"):
				known, label = services, "service"
			case r.want == "workload":
				known, label = workloads, "workload"
			case r.want == "zone":
				known, label = l.zoneNames(), "zone"
			}
			if !contains(known, r.name) {
				col := r.col
				if col == 0 && r.node != nil {
					col = r.node.Column
				}
				line := 1
				if r.node != nil {
					line = r.node.Line
				}
				hint := hintFor(r.name, known, "known")
				if r.want == "zone" && len(known) == 0 {
					hint = "the scenario declares no zones: add zones: {names: [a, b, c]} and services' zones:"
				}
				l.problem(line, col, d.path, hint, "unknown %s %q", label, r.name)
				ok = false
				continue
			}
			if strings.HasPrefix(r.want, "service instance") {
				s := l.svcByName[r.name]
				if s != nil && int(d.f.Target.Instances.N) >= s.spec.Instances {
					l.errorf(d.instNode, join(d.path, "instance"), "instances are numbered from 0", "%s has %d instances, there is no instance %d", r.name, s.spec.Instances, int(d.f.Target.Instances.N))
					ok = false
				}
			}
		}
		if in := d.f.Target.Instances; ok && d.f.Verb == models.FaultReplicaLag {
			if s := l.svcByName[d.f.Target.Component]; s != nil {
				reps := s.spec.Instances - 1
				switch {
				case reps < 1:
					on := d.instNode
					for _, r := range d.refs {
						if r.want == "database" && r.node != nil {
							on = r.node
						}
					}
					l.errorf(on, join(d.path, "on"), "give the database replicas: 1 or more", "%s has no replicas to lag", s.spec.Name)
					ok = false
				case in.Mode == models.SelectOne && (in.N < 1 || int(in.N) > reps):
					l.errorf(d.instNode, join(d.path, "instance"), "instance 0 is the primary; the replicas are 1.."+strconv.Itoa(reps),
						"%s has no replica %d", s.spec.Name, int(in.N))
					ok = false
				case in.Mode == models.SelectCount && int(in.N) > reps:
					l.errorf(d.instNode, join(d.path, "instances"), "", "%s has %d replicas, fewer than %d", s.spec.Name, reps, int(in.N))
					ok = false
				}
			}
		}
		if in := d.f.Target.Instances; ok && in.Mode == models.SelectCount {
			if s := l.svcByName[d.f.Target.Component]; s != nil && int(in.N) > s.spec.Instances {
				l.errorf(d.instNode, join(d.path, "instances"), "", "%s has %d instances, fewer than %d", s.spec.Name, s.spec.Instances, int(in.N))
				ok = false
			}
		}
		if ok && d.breakerOn != nil {
			t := d.f.Target
			var pairs []string
			found := false
			what := "breaker"
			edges := l.breakerEdges()
			if d.poolLeak {
				what, edges = "pool", l.poolEdges()
			}
			for _, e := range edges {
				found = found || e == [2]string{t.From, t.To}
				pairs = append(pairs, e[0]+"->"+e[1])
			}
			if !found {
				hint := "add " + what + ": to a call first"
				if len(pairs) > 0 {
					hint = "calls with a " + what + ": " + strings.Join(pairs, ", ")
				}
				l.errorf(d.breakerOn, join(d.path, "on"), hint, "no call from %s to %s has a %s", t.From, t.To, what)
				ok = false
			}
		}
		if ok {
			kept = append(kept, d)
		}
	}
	l.faults = kept
}

// breakerEdges are the (caller, service) pairs with a breaker on some call.
func (l *loader) breakerEdges() [][2]string {
	return l.policyEdges(func(p *models.CallPolicy) bool { return p.Breaker != nil })
}

// poolEdges are the (caller, service) pairs with a connection pool.
func (l *loader) poolEdges() [][2]string {
	return l.policyEdges(func(p *models.CallPolicy) bool { return p.Bulkhead != nil && p.Bulkhead.Pool })
}

// policyEdges are the (caller, service) pairs with a policy that has.
func (l *loader) policyEdges(has func(*models.CallPolicy) bool) [][2]string {
	var out [][2]string
	add := func(from, to string) {
		for _, e := range out {
			if e == [2]string{from, to} {
				return
			}
		}
		out = append(out, [2]string{from, to})
	}
	for _, w := range l.workloads {
		if w.spec.Policy != nil && has(w.spec.Policy) {
			add(w.spec.Name, w.spec.Target)
		}
	}
	var walk func(from string, steps []models.Step)
	walk = func(from string, steps []models.Step) {
		for _, st := range steps {
			if st.Kind == models.Call && st.Policy != nil && has(st.Policy) {
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
	return out
}
