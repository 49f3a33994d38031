package tui

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
)

// palette is the fault dialog: pick a verb, then a target, then fill in
// the parameters (in the scenario files' notation) and apply.
type palette struct {
	step    int // 0 verb, 1 target, 2 parameters
	verbs   []models.Verb
	verb    int
	targets []choice
	target  int
	fields  []field
	focus   int
	err     string
	sel     int // the selected component when the palette opened
}

// choice is one target a verb can act on.
type choice struct {
	label string
	t     models.Target
	node  int // the component it is about, for preselection
}

// field is one parameter being edited.
type field struct {
	key, label, value, hint string
	typed                   bool // false: the first key typed replaces the value
}

// verbHelp says in a few words what each verb does.
var verbHelp = map[models.Verb]string{
	models.FaultLatency:       "add network latency to calls",
	models.FaultLoss:          "drop a fraction of messages",
	models.FaultPartition:     "cut the network between groups",
	models.FaultBlackhole:     "accept requests, never answer",
	models.FaultCrash:         "take instances down",
	models.FaultPause:         "stop the world (GC pause)",
	models.FaultSlow:          "multiply service time",
	models.FaultErrors:        "fail a fraction of requests",
	models.FaultSpike:         "multiply a workload's rate",
	models.FaultRamp:          "ramp a workload's rate up",
	models.FaultBreaker:       "hold a circuit breaker open or disabled",
	models.FaultPoolLeak:      "leak pool connections",
	models.FaultFlush:         "empty a cache",
	models.FaultMassExpiry:    "expire a fraction of a cache at once",
	models.FaultHotKey:        "send a share of a workload to one key",
	models.FaultReplicaLag:    "delay or stop a database's replication",
	models.FaultFailover:      "kill a database's primary, promote a replica",
	models.FaultPoison:        "make new messages of a queue poison",
	models.FaultDeploy:        "rolling restart, one instance a wave",
	models.FaultZoneOutage:    "lose a zone: its instances crash, leave rotation",
	models.FaultZonePartition: "cut a zone off from the other zones",
}

// newPalette opens on the first verb, listing only the verbs that have a
// target in this scenario: a verb that can do nothing here is noise in
// front of a room.
func newPalette(g *graph, sel int) *palette {
	p := &palette{sel: sel}
	for _, v := range models.Verbs() {
		if len(targetsFor(g, v)) > 0 {
			p.verbs = append(p.verbs, v)
		}
	}
	return p
}

func (p *palette) current() models.Verb { return p.verbs[p.verb] }

// targetsFor lists what verb v can act on, in topology order.
func targetsFor(g *graph, v models.Verb) []choice {
	var out []choice
	services := func() {
		for i, n := range g.nodes {
			if !n.workload {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	}
	links := func(groups bool) {
		for _, e := range g.edges() {
			a, b := g.nodes[e[0]].name, g.nodes[e[1]].name
			c := choice{label: a + "->" + b, t: models.Target{From: a, To: b}, node: e[1]}
			if groups {
				c.label = a + " | " + b
				c.t = models.Target{Groups: [2][]string{{a}, {b}}}
			}
			out = append(out, c)
		}
	}
	// A service cut off from all its callers at once: partitioning a tier.
	tiers := func() {
		for i, n := range g.nodes {
			if n.workload || len(n.callers) < 2 {
				continue
			}
			var callers []string
			for _, c := range n.callers {
				callers = append(callers, g.nodes[c].name)
			}
			out = append(out, choice{label: "{" + strings.Join(callers, ",") + "} | " + n.name,
				t: models.Target{Groups: [2][]string{callers, {n.name}}}, node: i})
		}
	}
	switch {
	case v.Zone():
		for _, z := range g.zones {
			node := -1
			for i, n := range g.nodes {
				if node < 0 && !n.workload && slices.Contains(n.spec.Zones, z) {
					node = i
				}
			}
			out = append(out, choice{label: "zone " + z, t: models.Target{Zone: z}, node: node})
		}
	case v == models.FaultPartition:
		tiers()
		links(true)
	case v == models.FaultBlackhole:
		for i, n := range g.nodes {
			if !n.workload {
				out = append(out, choice{label: n.name + " (every caller)", t: models.Target{To: n.name}, node: i})
			}
		}
		links(false)
	case v.Network():
		links(false)
		tiers()
	case v == models.FaultDeploy:
		// Deploys roll stateless services; the model refuses a database,
		// cache or topic, so the palette does not offer them.
		for i, n := range g.nodes {
			if !n.workload && n.spec.Database == nil && n.spec.Cache == nil && n.spec.Topic == nil {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	case v.Instance():
		services()
	case v.Traffic():
		for i, n := range g.nodes {
			if n.workload {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	case v == models.FaultPoolLeak:
		for _, e := range g.pools {
			a, b := g.nodes[e[0]].name, g.nodes[e[1]].name
			out = append(out, choice{label: a + "->" + b, t: models.Target{From: a, To: b}, node: e[0]})
		}
	case v.Policy():
		for _, e := range g.breakers {
			a, b := g.nodes[e[0]].name, g.nodes[e[1]].name
			out = append(out, choice{label: a + "->" + b, t: models.Target{From: a, To: b}, node: e[0]})
		}
	case v == models.FaultPoison:
		for i, n := range g.nodes {
			if !n.workload && n.spec.Topic != nil {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	case v.Database():
		for i, n := range g.nodes {
			if !n.workload && n.spec.Database != nil {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	case v == models.FaultHotKey:
		for i, n := range g.nodes {
			if n.workload {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	case v.Data():
		for i, n := range g.nodes {
			if !n.workload && n.spec.Cache != nil {
				out = append(out, choice{label: n.name, t: models.Target{Component: n.name}, node: i})
			}
		}
	}
	return out
}

// fieldsFor lists the parameters of verb v with their defaults.
func fieldsFor(v models.Verb) []field {
	forField := field{key: "for", label: "for", hint: "a duration; empty: until cleared (x)"}
	inst := field{key: "instances", label: "instances", value: "all", hint: "all, one, a count, a percentage, or #N for instance N"}
	switch v {
	case models.FaultLatency:
		return []field{{key: "latency", label: "add", value: "200ms", hint: "round trip: a duration or distribution, e.g. exp(100ms)"}, forField}
	case models.FaultLoss:
		return []field{{key: "p", label: "loss", value: "10%", hint: "each message lost with this probability"}, forField}
	case models.FaultPartition:
		return []field{{key: "direction", label: "direction", value: "both", hint: "both, or one_way (first group -> second only)"}, forField}
	case models.FaultBlackhole:
		return []field{{key: "after", label: "close after", hint: "empty: hang; or fail with an error after this"}, forField}
	case models.FaultCrash:
		return []field{inst, {key: "restart", label: "restart after", hint: "empty: when the fault ends"}, forField}
	case models.FaultPause:
		f := forField
		f.value = "2s"
		return []field{inst, f}
	case models.FaultSlow:
		return []field{{key: "factor", label: "factor", value: "3x", hint: "service time multiplied by this"}, inst, forField}
	case models.FaultErrors:
		return []field{{key: "p", label: "errors", value: "20%", hint: "fraction of requests failing fast"}, inst,
			{key: "keys", label: "keys", hint: "empty: every key; or a fraction of the key space"}, forField}
	case models.FaultSpike:
		return []field{{key: "factor", label: "factor", value: "3x", hint: "rate multiplied by this"}, forField}
	case models.FaultRamp:
		return []field{{key: "factor", label: "to", value: "2x", hint: "rate multiplier reached"}, {key: "over", label: "over", value: "1m", hint: "time to reach it"}, forField}
	case models.FaultBreaker:
		return []field{{key: "mode", label: "mode", value: models.BreakerForcedOpen, hint: "forced_open (reject every call) or disabled (let every call through)"}, forField}
	case models.FaultPoolLeak:
		return []field{{key: "p", label: "leak", value: "20%", hint: "each connection returned is kept with this probability"}, forField}
	case models.FaultFlush, models.FaultFailover:
		return nil
	case models.FaultZoneOutage, models.FaultZonePartition:
		return []field{forField}
	case models.FaultPoison:
		return []field{{key: "p", label: "poison", value: "1%", hint: "fraction of new messages every consumer fails on"}, forField}
	case models.FaultReplicaLag:
		return []field{{key: "lag", label: "add", value: "5s", hint: "replication delay added, or stop"}, forField}
	case models.FaultMassExpiry:
		return []field{{key: "p", label: "expire", value: "100%", hint: "fraction of the entries that expire now"}}
	case models.FaultHotKey:
		return []field{{key: "p", label: "share", value: "50%", hint: "share of the requests that go to the key"},
			{key: "key", label: "key", value: "0", hint: "the key (0 is the most popular)"}, forField}
	}
	return nil
}

// build turns the palette's choices into a fault; Start is set by the
// runner when it applies it.
func (p *palette) build() (models.Fault, error) {
	f := models.Fault{Verb: p.current(), Target: p.targets[p.target].t}
	for i, g := range f.Target.Groups {
		if len(g) > 0 {
			f.Target.Groups[i] = slices.Clone(g)
		}
	}
	dur := func(s string, what string) (sim.Time, error) {
		t, err := units.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", what, err)
		}
		if t <= 0 {
			return 0, fmt.Errorf("%s: must be > 0", what)
		}
		return t, nil
	}
	for _, fl := range p.fields {
		v := strings.TrimSpace(fl.value)
		if v == "" {
			continue
		}
		var err error
		switch fl.key {
		case "for":
			f.Duration, err = dur(v, "for")
		case "latency":
			f.Latency, err = units.ParseDist(v)
		case "lag":
			if v == "stop" {
				f.Stop = true
			} else {
				f.Latency, err = units.ParseDist(v)
			}
		case "p", "keys":
			var x float64
			x, err = units.ParsePercent(v)
			if err == nil && !(x > 0 && x <= 1) {
				err = fmt.Errorf("must be in (0%%, 100%%]")
			}
			if fl.key == "p" {
				f.P = x
			} else {
				f.Keys = x
			}
		case "factor":
			var k float64
			k, err = strconv.ParseFloat(strings.TrimSuffix(v, "x"), 64)
			if err != nil || !(k > 0) || math.IsInf(k, 0) {
				err = fmt.Errorf("expected a factor > 0 such as 3x")
			}
			f.Factor = k
		case "over":
			f.Over, err = dur(v, "over")
		case "restart":
			f.Restart, err = dur(v, "restart")
		case "after":
			f.After, err = dur(v, "close after")
		case "direction":
			switch v {
			case "both":
			case "one_way", "one-way", "oneway":
				f.OneWay = true
			default:
				err = fmt.Errorf("both or one_way")
			}
		case "instances":
			f.Target.Instances, err = parseInstances(v)
		case "key":
			var k int
			k, err = strconv.Atoi(v)
			if err != nil || k < 0 {
				err = fmt.Errorf("a key number >= 0")
			}
			f.Key = k
		case "mode":
			if v != models.BreakerForcedOpen && v != models.BreakerDisabled {
				err = fmt.Errorf("%s or %s", models.BreakerForcedOpen, models.BreakerDisabled)
			}
			f.Mode = v
		}
		if err != nil {
			return f, fmt.Errorf("%s: %v", fl.label, err)
		}
	}
	if f.Verb == models.FaultLatency && f.Latency == nil {
		return f, fmt.Errorf("add: give a latency")
	}
	if (f.Verb == models.FaultLoss || f.Verb == models.FaultErrors || f.Verb == models.FaultPoolLeak ||
		f.Verb == models.FaultMassExpiry || f.Verb == models.FaultHotKey || f.Verb == models.FaultPoison) && f.P == 0 {
		return f, fmt.Errorf("give a probability > 0%%")
	}
	if f.Verb == models.FaultRamp && f.Duration > 0 && f.Over > f.Duration {
		return f, fmt.Errorf("the ramp is longer than the fault")
	}
	return f, nil
}

// parseInstances reads an instance selection as the files write it, plus
// #N for one instance by index.
func parseInstances(s string) (models.Instances, error) {
	switch {
	case s == "all":
		return models.Instances{Mode: models.SelectAll}, nil
	case s == "one":
		return models.Instances{Mode: models.SelectOne}, nil
	case strings.HasPrefix(s, "#"):
		i, err := strconv.Atoi(s[1:])
		if err != nil || i < 0 {
			return models.Instances{}, fmt.Errorf("#N, N an instance index from 0")
		}
		return models.Instances{Mode: models.SelectOne, N: float64(i)}, nil
	case strings.HasSuffix(s, "%"):
		p, err := units.ParsePercent(s)
		if err != nil || !(p > 0 && p <= 1) {
			return models.Instances{}, fmt.Errorf("a percentage in (0%%, 100%%]")
		}
		return models.Instances{Mode: models.SelectPercent, N: 100 * p}, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 1 {
		return models.Instances{}, fmt.Errorf("all, one, a count, a percentage or #N")
	}
	return models.Instances{Mode: models.SelectCount, N: float64(k)}, nil
}

func (m Model) paletteKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	p := *m.pal
	m.pal = &p
	s := k.String()
	p.err = ""
	move := func(i *int, n, d int) {
		if n > 0 {
			*i = (*i + d + n) % n
		}
	}
	switch p.step {
	case 0, 1:
		n := len(p.verbs)
		idx := &p.verb
		if p.step == 1 {
			n, idx = len(p.targets), &p.target
		}
		switch s {
		case "esc", "q":
			if p.step == 0 {
				m.pal = nil
			} else {
				p.step--
			}
		case "up", "k", "shift+tab":
			move(idx, n, -1)
		case "down", "j", "tab":
			move(idx, n, 1)
		case "home", "g":
			*idx = 0
		case "end", "G":
			*idx = max(n-1, 0)
		case "pgup":
			*idx = max(*idx-10, 0)
		case "pgdown":
			*idx = max(min(*idx+10, n-1), 0)
		case "left", "backspace", "h":
			if p.step > 0 {
				p.step--
			}
		case "enter", "right", "l":
			if n == 0 {
				return m, nil
			}
			if p.step == 0 {
				p.targets = targetsFor(m.g, p.current())
				p.target = 0
				for i, c := range p.targets {
					if c.node == p.sel {
						p.target = i
						break
					}
				}
				if len(p.targets) == 0 {
					p.err = "nothing in this scenario for " + p.current().String()
					return m, nil
				}
				p.fields = fieldsFor(p.current())
				p.focus = 0
			}
			if p.step == 1 && len(p.fields) == 0 {
				// Nothing to fill in (flush, failover): apply at once.
				return m.applyPalette(&p)
			}
			p.step++
		default:
			// Digits jump to a row.
			if len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
				if i := int(s[0] - '1'); i < n {
					*idx = i
				}
			}
		}
	case 2:
		if len(p.fields) == 0 { // never shown: a verb without fields applies from step 1
			if s == "esc" {
				p.step = 1
				return m, nil
			}
			return m.applyPalette(&p)
		}
		p.fields = slices.Clone(p.fields)
		p.focus = min(max(p.focus, 0), len(p.fields)-1)
		fl := &p.fields[p.focus]
		switch s {
		case "esc":
			p.step = 1
		case "up", "shift+tab":
			fl.typed = false
			move(&p.focus, len(p.fields), -1)
		case "down", "tab":
			fl.typed = false
			move(&p.focus, len(p.fields), 1)
		case "backspace":
			if !fl.typed {
				fl.value, fl.typed = "", true
			} else if r := []rune(fl.value); len(r) > 0 {
				fl.value = string(r[:len(r)-1])
			}
		case "ctrl+u":
			fl.value, fl.typed = "", true
		case "enter":
			return m.applyPalette(&p)
		default:
			if t := k.Key().Text; t != "" {
				if !fl.typed {
					fl.value, fl.typed = "", true
				}
				fl.value += t
			}
		}
	}
	return m, nil
}

// applyPalette injects the palette's fault, or keeps the palette open with
// the reason it cannot. A form filled in while the run ended is kept: the
// run is over, and f after a restart (r) brings it back as it was.
func (m Model) applyPalette(p *palette) (tea.Model, tea.Cmd) {
	f, err := p.build()
	if err != nil {
		p.err = err.Error()
		m.pal = p
		return m, nil
	}
	if m.snap.Finished {
		p.err = "the run is over: esc, r restarts it, then f brings this form back"
		m.kept = p
		m.pal = p
		return m, nil
	}
	m.opt.Send(Action{Kind: ActInject, Fault: f})
	m.pal, m.kept = nil, nil
	return m, nil
}

// clearList picks an active fault to clear.
type clearList struct {
	ids []int
	at  int
}

func newClearList(s *Snapshot) *clearList {
	c := &clearList{}
	for _, r := range s.Result.Faults {
		if r.State == models.FaultActive {
			c.ids = append(c.ids, r.ID)
		}
	}
	return c
}

func (m Model) clearKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	c := *m.clr
	m.clr = &c
	switch k.String() {
	case "esc", "q", "x":
		m.clr = nil
	case "up", "k", "shift+tab":
		c.at = (c.at - 1 + len(c.ids)) % len(c.ids)
	case "down", "j", "tab":
		c.at = (c.at + 1) % len(c.ids)
	case "enter":
		m.opt.Send(Action{Kind: ActClear, ID: c.ids[c.at]})
		m.clr = nil
	}
	return m, nil
}
