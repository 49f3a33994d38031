package scenarios

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
)

// zoneKeys are the keys of the top-level zones: block.
var zoneKeys = []string{"names", "latency", "between", "cost_per_call", "cost_per_gb", "bytes"}

// zoneDraft is the zones: block as decoded, with where it was written.
type zoneDraft struct {
	spec  models.ZoneSpec
	key   *yaml.Node
	nodes map[string]*yaml.Node // zone name -> where it was declared
}

// svcZones is a service's zones: list, checked once zones: is known.
type svcZones struct {
	svc   string
	nodes []*yaml.Node
	aware *yaml.Node // zone_aware: true, when written
}

// decodeZones reads the zones: block.
func (l *loader) decodeZones(key, n *yaml.Node) {
	fields, ok := l.mapping(n, "zones", "a map with names: [a, b, c] and the cross-zone latency:", zoneKeys)
	if !ok {
		return
	}
	d := &zoneDraft{key: key, nodes: map[string]*yaml.Node{}}
	var between *field
	for i, f := range fields {
		p := join("zones", f.key.Value)
		switch f.key.Value {
		case "names":
			items, ok := l.sequence(f.val, p, "a list of zone names")
			if !ok {
				continue
			}
			for j, it := range items {
				s, ok := l.scalar(it, index(p, j), "a zone name")
				if !ok {
					continue
				}
				nd := deref(it)
				if !l.checkName(nd, index(p, j), "zone") {
					continue
				}
				if first, dup := d.nodes[s]; dup {
					l.errorf(nd, index(p, j), "", "zone %q twice (first at line %d)", s, first.Line)
					continue
				}
				d.nodes[s] = nd
				d.spec.Names = append(d.spec.Names, s)
			}
		case "latency":
			if v, ok := l.dist(f.val, p); ok {
				d.spec.Latency = v
			}
		case "between":
			between = &fields[i]
		case "cost_per_call":
			if v, ok := l.numberField(f.val, p, "zones.cost_per_call"); ok {
				d.spec.CostPerCall = v
			}
		case "cost_per_gb":
			if v, ok := l.numberField(f.val, p, "zones.cost_per_gb"); ok {
				d.spec.CostPerGB = v
			}
		case "bytes":
			if v, ok := l.bytes(f.val, p); ok {
				d.spec.Bytes = v
			}
		}
	}
	if _, has := byKeyOf(fields, "names"); !has {
		l.errorf(n, "zones", "e.g. names: [a, b, c]", "missing names:")
	} else if len(d.spec.Names) == 0 {
		l.errorf(n, "zones.names", "e.g. names: [a, b, c]", "at least one zone is required")
	}
	if f, has := byKeyOf(fields, "bytes"); has && d.spec.CostPerGB == 0 {
		l.errorf(f.key, "zones.bytes", "add cost_per_gb:, or drop bytes:", "bytes: only prices traffic with cost_per_gb:")
	}
	if f, has := byKeyOf(fields, "cost_per_gb"); has && d.spec.Bytes == 0 {
		if _, hasBytes := byKeyOf(fields, "bytes"); !hasBytes {
			l.errorf(f.key, "zones.cost_per_gb", "e.g. bytes: 20KB (request and reply together)", "cost_per_gb: needs bytes:, the size of one call")
		}
	}
	if between != nil {
		l.decodeZonePairs(d, between.val)
	}
	l.zones = d
}

// decodeZonePairs reads between: {a<->c: 4ms}: the latency of one pair of
// zones, both ways.
func (l *loader) decodeZonePairs(d *zoneDraft, n *yaml.Node) {
	fields, ok := l.mapping(n, "zones.between", `a map of "a<->b" to a latency`, nil)
	if !ok {
		return
	}
	seen := map[[2]string]bool{}
	for _, f := range fields {
		p := join("zones.between", f.key.Value)
		a, b, found := strings.Cut(f.key.Value, "<->")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if !found || a == "" || b == "" {
			l.errorf(f.key, p, "for example a<->c: 4ms", `a pair key must be "zone<->zone"`)
			continue
		}
		bad := false
		for i, z := range []string{a, b} {
			if _, ok := d.nodes[z]; !ok {
				col := f.key.Column
				if i == 1 {
					col += strings.Index(f.key.Value, "<->") + 3
				}
				l.problem(f.key.Line, col, p, hintFor(z, d.spec.Names, "zones"), "unknown zone %q", z)
				bad = true
			}
		}
		if bad {
			continue
		}
		if a == b {
			l.errorf(f.key, p, "latency within a zone is a link's", "a pair of two different zones, got %s twice", a)
			continue
		}
		k := [2]string{min(a, b), max(a, b)}
		if seen[k] {
			l.errorf(f.key, p, "", "the pair %s and %s is given twice", a, b)
			continue
		}
		seen[k] = true
		if v, ok := l.dist(f.val, p); ok {
			d.spec.Pairs = append(d.spec.Pairs, models.ZonePair{A: a, B: b, Latency: v})
		}
	}
}

// byKeyOf finds key k among fields.
func byKeyOf(fields []field, k string) (field, bool) {
	for _, f := range fields {
		if f.key.Value == k {
			return f, true
		}
	}
	return field{}, false
}

// bytes reads a size: a number of bytes, or with B, KB, MB or GB
// (decimal: 1 KB = 1000 bytes).
func (l *loader) bytes(n *yaml.Node, path string) (float64, bool) {
	s, ok := l.scalar(n, path, "a size such as 20KB")
	if !ok {
		return 0, false
	}
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		l.errorf(n, path, "e.g. 20KB, 1.5MB or 800 (bytes)", "expected a size, got %q", s)
		return 0, false
	}
	v *= mult
	if !l.checkField(n, path, "zones.bytes", v, s) {
		return 0, false
	}
	return v, true
}

// decodeServiceZones reads a service's zones: list.
func (l *loader) decodeServiceZones(s *serviceInfo, n *yaml.Node, path string) *svcZones {
	items, ok := l.sequence(n, path, "a list of zone names, e.g. [a, b, c]")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.errorf(n, path, "e.g. zones: [a, b, c], or leave zones: out", "an empty list of zones")
		return nil
	}
	z := &svcZones{svc: s.spec.Name}
	for j, it := range items {
		v, ok := l.scalar(it, index(path, j), "a zone name")
		if !ok {
			return nil
		}
		s.spec.Zones = append(s.spec.Zones, v)
		z.nodes = append(z.nodes, deref(it))
	}
	return z
}

// checkZones checks the zones services name against the zones: block.
func (l *loader) checkZones() {
	var names []string
	if l.zones != nil {
		names = l.zones.spec.Names
	}
	for _, z := range l.svcZones {
		s := l.svcByName[z.svc]
		path := join(join("services", z.svc), "zones")
		if l.zones == nil {
			l.errorf(z.nodes[0], path, "declare them at the top level: zones: {names: [a, b, c], latency: 1ms}", "no zones: block declares zone %q", s.spec.Zones[0])
			continue
		}
		for j, nd := range z.nodes {
			if !contains(names, s.spec.Zones[j]) {
				l.errorf(nd, index(path, j), hintFor(s.spec.Zones[j], names, "zones"), "unknown zone %q", s.spec.Zones[j])
			}
		}
		if s.spec.Database != nil || s.spec.Topic != nil {
			l.errorf(z.nodes[0], path, "place the services that call it in zones", "a database or topic is not placed in zones")
		}
	}
	for _, z := range l.zoneAware {
		if s := l.svcByName[z.svc]; s != nil && s.spec.ZoneAware && len(s.spec.Zones) == 0 {
			l.errorf(z.aware, join(join("services", z.svc), "zone_aware"), "place it in zones, e.g. zones: [a, b, c]", "zone_aware: needs the service's zones:")
		}
	}
}

// zoneNames are the declared zones (nil without a zones: block).
func (l *loader) zoneNames() []string {
	if l.zones == nil {
		return nil
	}
	return l.zones.spec.Names
}
