package scenarios

import (
	"cmp"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// Call cycles are load errors: with a worker held for the whole operation, a
// request that calls back into an operation on its own path either deadlocks
// the pool or recurses without end. The graph has one node per operation
// ("service.op") and one edge per distinct call, nested calls included.
const (
	// maxCycleEdges bounds the strongly connected components handed to
	// Johnson's algorithm, whose output can grow exponentially with density;
	// a denser component gets one example cycle instead of all of them.
	maxCycleEdges = 40
	// maxCyclesPerSCC bounds the problems one tangle of calls produces.
	maxCyclesPerSCC = 10
)

// opEdge is a call from one operation to another, with its first call site.
type opEdge struct {
	from, to int64
	site     *callRef
}

func (l *loader) checkCycles() {
	// Node IDs in document order, so everything derived is deterministic.
	ids := map[string]int64{}
	var names []string
	for _, s := range l.services {
		for _, op := range s.ops {
			key := s.spec.Name + "." + op
			if _, ok := ids[key]; !ok {
				ids[key] = int64(len(names))
				names = append(names, key)
			}
		}
	}
	edges := map[[2]int64]*opEdge{}
	var order []*opEdge
	for i := range l.refs {
		r := &l.refs[i]
		if !r.valid || r.from == "" {
			continue
		}
		from, ok1 := ids[r.from+"."+r.fromOp]
		to, ok2 := ids[r.svc+"."+r.resolvedOp]
		if !ok1 || !ok2 {
			continue
		}
		k := [2]int64{from, to}
		if e, ok := edges[k]; ok {
			if before(r, e.site) {
				e.site = r
			}
			continue
		}
		e := &opEdge{from: from, to: to, site: r}
		edges[k] = e
		order = append(order, e)
	}

	g := simple.NewDirectedGraph()
	for id := range names {
		g.AddNode(simple.Node(id))
	}
	for _, e := range order {
		if e.from == e.to {
			l.reportCycle([]int64{e.from, e.from}, edges, names)
			continue
		}
		g.SetEdge(g.NewEdge(simple.Node(e.from), simple.Node(e.to)))
	}

	for _, scc := range topo.TarjanSCC(g) {
		if len(scc) < 2 {
			continue
		}
		in := map[int64]bool{}
		for _, n := range scc {
			in[n.ID()] = true
		}
		sub := simple.NewDirectedGraph()
		var subEdges []*opEdge
		for _, e := range order {
			if e.from != e.to && in[e.from] && in[e.to] {
				subEdges = append(subEdges, e)
				sub.SetEdge(sub.NewEdge(simple.Node(e.from), simple.Node(e.to)))
			}
		}
		var cycles [][]int64
		if len(subEdges) <= maxCycleEdges {
			for _, c := range topo.DirectedCyclesIn(sub) {
				cycles = append(cycles, nodeIDs(c))
			}
		} else {
			cycles = [][]int64{exampleCycle(subEdges)}
		}
		for i := range cycles {
			cycles[i] = rotate(cycles[i], edges)
		}
		slices.SortFunc(cycles, func(a, b []int64) int {
			sa, sb := edges[[2]int64{a[0], a[1]}].site, edges[[2]int64{b[0], b[1]}].site
			if c := cmp.Compare(sa.node.Line, sb.node.Line); c != 0 {
				return c
			}
			if c := cmp.Compare(sa.node.Column, sb.node.Column); c != 0 {
				return c
			}
			return slices.Compare(a, b)
		})
		for i, c := range cycles {
			if i == maxCyclesPerSCC {
				first := edges[[2]int64{cycles[0][0], cycles[0][1]}].site
				var members []string
				for _, id := range sortedIDs(in) {
					members = append(members, names[id])
				}
				l.errorf(first.node, first.path, "", "%d more call cycles among %s", len(cycles)-i, strings.Join(members, ", "))
				break
			}
			l.reportCycle(c, edges, names)
		}
	}
}

// reportCycle reports cycle c (closed: first == last, already rotated) at the
// call site of its first edge.
func (l *loader) reportCycle(c []int64, edges map[[2]int64]*opEdge, names []string) {
	site := edges[[2]int64{c[0], c[1]}].site
	parts := make([]string, len(c))
	for i, id := range c {
		parts[i] = names[id]
	}
	l.errorf(site.node, site.path, "", "call cycle: %s", strings.Join(parts, " -> "))
}

// rotate turns closed cycle c so that it starts with the edge whose call site
// comes first in the file: the place a reader meets the cycle first.
func rotate(c []int64, edges map[[2]int64]*opEdge) []int64 {
	open := c[:len(c)-1]
	best := 0
	for i := range open {
		e := edges[[2]int64{open[i], open[(i+1)%len(open)]}]
		b := edges[[2]int64{open[best], open[(best+1)%len(open)]}]
		// An alias can make one call site serve several edges: break ties
		// by the edge itself, so the output never depends on the order in
		// which the cycle was found.
		if before(e.site, b.site) || !before(b.site, e.site) && (e.from < b.from || e.from == b.from && e.to < b.to) {
			best = i
		}
	}
	out := make([]int64, 0, len(c))
	out = append(out, open[best:]...)
	out = append(out, open[:best]...)
	return append(out, out[0])
}

// exampleCycle finds one cycle through the first edge of a strongly
// connected component: a breadth-first path from its target back to its
// source, closed by the edge itself.
func exampleCycle(es []*opEdge) []int64 {
	start := es[0]
	succ := map[int64][]int64{}
	for _, e := range es {
		succ[e.from] = append(succ[e.from], e.to)
	}
	prev := map[int64]int64{start.to: start.to}
	queue := []int64{start.to}
	for len(queue) > 0 && !has(prev, start.from) {
		n := queue[0]
		queue = queue[1:]
		for _, m := range succ[n] {
			if !has(prev, m) {
				prev[m] = n
				queue = append(queue, m)
			}
		}
	}
	// In a strongly connected component the source is always reachable.
	path := []int64{start.from}
	for n := start.from; n != start.to; n = prev[n] {
		path = append(path, prev[n])
	}
	path = append(path, start.from)
	slices.Reverse(path[1 : len(path)-1])
	return path
}

func has(m map[int64]int64, k int64) bool { _, ok := m[k]; return ok }

// before orders call sites by position in the file.
func before(a, b *callRef) bool {
	if a.node.Line != b.node.Line {
		return a.node.Line < b.node.Line
	}
	return a.node.Column < b.node.Column
}

func nodeIDs(ns []graph.Node) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.ID()
	}
	return out
}

func sortedIDs(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
