package tui

import (
	"cmp"
	"slices"

	"cascade/models"
)

// node is one component of the topology as the UI lays it out.
type node struct {
	name     string
	workload bool
	index    int // into Result.Workloads or Result.Services
	depth    int // call depth: workloads 0, what they call 1, ...
	spec     models.ServiceSpec
	callees  []int // node indices, in first-call order
	callers  []int
}

// graph is the static shape of the system: nodes (workloads first, then
// services, in file order) and who calls whom.
type graph struct {
	nodes    []node
	byName   map[string]int
	columns  [][]int  // node indices by depth
	breakers [][2]int // caller -> callee pairs with a circuit breaker on some call
	pools    [][2]int // caller -> callee pairs with a connection pool
	zones    []string // declared zones, in order; nil without
}

func newGraph(t models.Topology) *graph {
	g := &graph{byName: map[string]int{}}
	if t.Zones != nil {
		g.zones = t.Zones.Names
	}
	for i, w := range t.Workloads {
		g.byName[w.Name] = len(g.nodes)
		g.nodes = append(g.nodes, node{name: w.Name, workload: true, index: i})
	}
	for i, s := range t.Services {
		g.byName[s.Name] = len(g.nodes)
		g.nodes = append(g.nodes, node{name: s.Name, index: i, spec: s})
	}
	edge := func(from int, to string) {
		j, ok := g.byName[to]
		if !ok || slices.Contains(g.nodes[from].callees, j) {
			return
		}
		g.nodes[from].callees = append(g.nodes[from].callees, j)
		g.nodes[j].callers = append(g.nodes[j].callers, from)
	}
	breaker := func(from int, to string) {
		j, ok := g.byName[to]
		if ok && !slices.Contains(g.breakers, [2]int{from, j}) {
			g.breakers = append(g.breakers, [2]int{from, j})
		}
	}
	pool := func(from int, to string, p *models.CallPolicy) {
		j, ok := g.byName[to]
		if ok && p != nil && p.Bulkhead != nil && p.Bulkhead.Pool && !slices.Contains(g.pools, [2]int{from, j}) {
			g.pools = append(g.pools, [2]int{from, j})
		}
	}
	for i, w := range t.Workloads {
		edge(i, w.Target)
		if w.Policy != nil && w.Policy.Breaker != nil {
			breaker(i, w.Target)
		}
		pool(i, w.Target, w.Policy)
	}
	var walk func(from int, steps []models.Step)
	walk = func(from int, steps []models.Step) {
		for _, st := range steps {
			if st.Kind == models.Call {
				edge(from, st.Target)
				if st.Policy != nil && st.Policy.Breaker != nil {
					breaker(from, st.Target)
				}
				pool(from, st.Target, st.Policy)
			}
			if st.Kind == models.Publish {
				edge(from, st.Target)
			}
			for _, a := range st.Saga {
				walk(from, []models.Step{a.Do})
				if a.Undo != nil {
					walk(from, []models.Step{*a.Undo})
				}
			}
			if st.Kind == models.Cache {
				edge(from, st.Target)
			}
			walk(from, st.Children)
			for _, b := range st.Branches {
				walk(from, b.Steps)
			}
		}
	}
	for i, s := range t.Services {
		for _, o := range s.Ops {
			walk(len(t.Workloads)+i, o.Steps)
		}
		if s.Topic != nil {
			for _, g := range s.Topic.Groups {
				edge(len(t.Workloads)+i, g.Target) // the queue delivers to its consumers
			}
		}
		if s.Cache != nil && s.Cache.OriginSvc != "" {
			edge(len(t.Workloads)+i, s.Cache.OriginSvc)
		}
	}
	// Longest path from a workload; the loader rejects call cycles, and the
	// bound below keeps a hand-built cyclic topology from looping.
	for i := range g.nodes {
		if !g.nodes[i].workload && len(g.nodes[i].callers) == 0 {
			g.nodes[i].depth = 1
		}
	}
	for range g.nodes {
		changed := false
		for i := range g.nodes {
			for _, j := range g.nodes[i].callees {
				if d := g.nodes[i].depth + 1; d > g.nodes[j].depth && d <= len(g.nodes) {
					g.nodes[j].depth, changed = d, true
				}
			}
		}
		if !changed {
			break
		}
	}
	for i, n := range g.nodes {
		for len(g.columns) <= n.depth {
			g.columns = append(g.columns, nil)
		}
		g.columns[n.depth] = append(g.columns[n.depth], i)
	}
	g.orderColumns()
	return g
}

// orderColumns puts each node next to its callers: column by column, nodes
// are sorted by the mean row of their callers in the column before
// (barycentre ordering, the usual first step of layered graph drawing),
// ties and nodes without such callers kept in file order. It keeps the
// connectors between columns short and apart, so one lane of calls does
// not cross another.
func (g *graph) orderColumns() {
	for c := 1; c < len(g.columns); c++ {
		pos := map[int]int{}
		for k, i := range g.columns[c-1] {
			pos[i] = k
		}
		key := make(map[int]float64, len(g.columns[c]))
		for k, i := range g.columns[c] {
			sum, n := 0.0, 0
			for _, j := range g.nodes[i].callers {
				if p, ok := pos[j]; ok {
					sum, n = sum+float64(p), n+1
				}
			}
			key[i] = float64(k) / float64(len(g.columns[c])) * float64(len(g.columns[c-1]))
			if n > 0 {
				key[i] = sum / float64(n)
			}
		}
		slices.SortStableFunc(g.columns[c], func(a, b int) int { return cmp.Compare(key[a], key[b]) })
	}
}

// order is the tab order: column by column, top to bottom.
func (g *graph) order() []int {
	var out []int
	for _, c := range g.columns {
		out = append(out, c...)
	}
	return out
}

// position finds node i's column and row.
func (g *graph) position(i int) (col, row int) {
	for c, ids := range g.columns {
		if r := slices.Index(ids, i); r >= 0 {
			return c, r
		}
	}
	return 0, 0
}

// edges are every caller -> callee pair, callers in node order.
func (g *graph) edges() [][2]int {
	var out [][2]int
	for i, n := range g.nodes {
		for _, j := range n.callees {
			out = append(out, [2]int{i, j})
		}
	}
	return out
}
