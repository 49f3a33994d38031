package scenarios

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/sim/dist"
)

// linkDraft is a decoded link whose endpoint names are checked once every
// workload and service is known.
type linkDraft struct {
	key      *yaml.Node
	path     string
	from, to string
	latency  dist.Dist
}

var linkKeys = []string{"latency"}

func (l *loader) decodeLinks(n *yaml.Node) {
	fields, ok := l.mapping(n, "links", `a map of "from->to" to a latency`, nil)
	if !ok {
		return
	}
	for _, f := range fields {
		path := join("links", f.key.Value)
		from, to, found := strings.Cut(f.key.Value, "->")
		if !found || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			l.errorf(f.key, path, "for example api->db: 1ms", `a link key must be "from->to"`)
			continue
		}
		d := linkDraft{key: f.key, path: path, from: strings.TrimSpace(from), to: strings.TrimSpace(to)}
		v := deref(f.val)
		if v != nil && v.Kind == yaml.MappingNode && !hasKey(v, "dist") {
			fields, ok := l.mapping(v, path, "a latency", linkKeys)
			if !ok {
				continue
			}
			if len(fields) == 0 {
				l.errorf(v, path, "e.g. {latency: 1ms}", "missing latency:")
				continue
			}
			v = fields[0].val
			path = join(path, "latency")
		}
		var dok bool
		if d.latency, dok = l.dist(v, path); dok {
			l.links = append(l.links, d)
		}
	}
}

// hasKey reports whether mapping n has key k.
func hasKey(n *yaml.Node, k string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if kn := deref(n.Content[i]); kn != nil && kn.Value == k {
			return true
		}
	}
	return false
}

// checkLinks checks link endpoints: from is a workload or a service, to a
// service, and each pair is linked once.
func (l *loader) checkLinks() {
	var callers, services []string
	for _, w := range l.workloads {
		callers = append(callers, w.spec.Name)
	}
	for _, s := range l.services {
		callers = append(callers, s.spec.Name)
		services = append(services, s.spec.Name)
	}
	seen := map[[2]string]*yaml.Node{}
	kept := l.links[:0]
	for _, d := range l.links {
		k := d.key
		ok := true
		if !contains(callers, d.from) {
			l.problem(k.Line, scalarCol(k, strings.Index(k.Value, d.from)), d.path, hintFor(d.from, callers, "known"), "unknown workload or service %q", d.from)
			ok = false
		}
		if !contains(services, d.to) {
			arrow := strings.Index(k.Value, "->") + 2
			l.problem(k.Line, scalarCol(k, arrow+strings.Index(k.Value[arrow:], d.to)), d.path, hintFor(d.to, services, "known"), "unknown service %q", d.to)
			ok = false
		}
		pair := [2]string{d.from, d.to}
		if first, dup := seen[pair]; dup && ok {
			l.errorf(k, d.path, "", "link %s->%s is already defined at line %d", d.from, d.to, first.Line)
			ok = false
		}
		if ok {
			seen[pair] = k
			kept = append(kept, d)
		}
	}
	l.links = kept
}

// linkSpecs converts the checked links to models values.
func (l *loader) linkSpecs() []models.LinkSpec {
	if len(l.links) == 0 {
		return nil
	}
	out := make([]models.LinkSpec, len(l.links))
	for i, d := range l.links {
		out[i] = models.LinkSpec{From: d.from, To: d.to, Latency: d.latency}
	}
	return out
}
