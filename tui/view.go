package tui

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"cascade/models"
	"cascade/models/slo"
	"cascade/sim"
)

// The smallest screen the UI draws on; below it says so instead.
const (
	minWidth  = 64
	minHeight = 18
)

type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// screen is where each panel goes at the current size.
type screen struct {
	small                  bool
	topo, detail, slo, log rect
	overlay                rect // where the palette, the clear list and help go
	wide                   bool
}

func (m Model) screen() screen {
	w, h := m.w, m.h
	if w < minWidth || h < minHeight {
		return screen{small: true}
	}
	body := h - 2 // header and footer
	var s screen
	if w >= 120 && h >= 30 {
		s.wide = true
		logH := min(max(body/4, 5), 12)
		top := body - logH
		sw := min(max(w/3, 46), 72)
		s.topo = rect{0, 1, w - sw - 1, top}
		detailH := min(top*3/5, 18)
		s.detail = rect{w - sw, 1, sw, detailH}
		s.slo = rect{w - sw, 1 + detailH, sw, top - detailH}
		s.log = rect{0, 1 + top, w, logH}
		s.overlay = rect{w - sw, 1, sw, top}
		return s
	}
	topoH := m.topoHeight(w, modeRows)
	if topoH > body*2/5 {
		topoH = min(m.topoHeight(w, modeLine), body*2/5)
	}
	rest := body - topoH
	logH := min(max(rest/4, 3), 8)
	mid := rest - logH
	half := w / 2
	s.topo = rect{0, 1, w, topoH}
	s.detail = rect{0, 1 + topoH, half, mid}
	s.slo = rect{half + 1, 1 + topoH, w - half - 1, mid}
	s.log = rect{0, 1 + topoH + mid, w, logH}
	s.overlay = rect{0, 1 + topoH, w, rest}
	return s
}

// The panels z zooms, in turn.
const (
	zoomNone = iota
	zoomTopology
	zoomDetail
	zoomSLO
	zoomEvents
	zoomPanels
)

// logRows is the height of the events panel as drawn now.
func (m Model) logRows() int {
	if m.zoom == zoomEvents {
		return m.h - 2
	}
	return m.screen().log.h
}

// View draws the screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "cascade · " + m.sc.Name
	return v
}

// render is the screen as text, one string per row joined by newlines.
func (m Model) render() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	s := m.screen()
	if s.small {
		msg := []string{"cascade: make the window larger", "(at least " + strconv.Itoa(minWidth) + "x" + strconv.Itoa(minHeight) +
			", now " + strconv.Itoa(m.w) + "x" + strconv.Itoa(m.h) + ")", "q quits"}
		rows := make([]string, m.h)
		for i := range rows {
			rows[i] = ""
		}
		for i, t := range msg {
			if y := m.h/2 - 1 + i; y >= 0 && y < m.h {
				rows[y] = line{txt(t)}.render(m.w)
			}
		}
		return strings.Join(rows, "\n")
	}
	grid := make([]string, m.h)
	rowsOf := make([][]string, m.h) // pieces per row, joined left to right
	put := func(r rect, ls []line) {
		for i := 0; i < r.h; i++ {
			var l line
			if i < len(ls) {
				l = ls[i]
			}
			rowsOf[r.y+i] = append(rowsOf[r.y+i], l.render(r.w))
		}
	}
	gap := func(r rect) {
		for i := 0; i < r.h; i++ {
			rowsOf[r.y+i] = append(rowsOf[r.y+i], m.th.dim.Render("│"))
		}
	}
	grid[0] = m.header().render(m.w)
	full := rect{0, 1, m.w, m.h - 2}
	switch {
	case m.showHelp:
		put(full, m.helpLines())
	case m.zoom != zoomNone && m.overlayLines(full.w, full.h) != nil:
		put(full, m.overlayLines(full.w, full.h))
	case m.zoom == zoomTopology:
		put(full, m.topology(full.w, full.h))
	case m.zoom == zoomDetail:
		put(full, m.detail(full.w, full.h))
	case m.zoom == zoomSLO:
		put(full, m.sloPanel(full.w, full.h))
	case m.zoom == zoomEvents:
		put(full, m.eventLog(full.w, full.h))
	case false:
		put(rect{0, 1, m.w, m.h - 2}, m.helpLines())
	case s.wide:
		put(s.topo, m.topology(s.topo.w, s.topo.h))
		gap(rect{s.topo.w, 1, 1, s.topo.h})
		if ov := m.overlayLines(s.overlay.w, s.overlay.h); ov != nil {
			// rows of the right column: overlay instead of detail and SLOs
			for i := 0; i < s.overlay.h; i++ {
				var l line
				if i < len(ov) {
					l = ov[i]
				}
				rowsOf[s.overlay.y+i] = append(rowsOf[s.overlay.y+i], l.render(s.overlay.w))
			}
		} else {
			put(s.detail, m.detailOrLesson(s.detail.w, s.detail.h)) // lesson.go: the step panel
			put(s.slo, m.sloPanel(s.slo.w, s.slo.h))
		}
		put(s.log, m.eventLog(s.log.w, s.log.h))
	default:
		put(s.topo, m.topology(s.topo.w, s.topo.h))
		if ov := m.overlayLines(s.overlay.w, s.overlay.h); ov != nil {
			put(s.overlay, ov)
		} else {
			put(s.detail, m.detailOrLesson(s.detail.w, s.detail.h)) // lesson.go: the step panel
			gap(rect{s.detail.w, s.detail.y, 1, s.detail.h})
			put(s.slo, m.sloPanel(s.slo.w, s.slo.h))
			put(s.log, m.eventLog(s.log.w, s.log.h))
		}
	}
	for y := 1; y < m.h-1; y++ {
		grid[y] = strings.Join(rowsOf[y], "")
	}
	grid[m.h-1] = m.footer().render(m.w)
	return strings.Join(grid, "\n")
}

func (m Model) header() line {
	th := &m.th
	sn := &m.snap
	l := line{sty(&th.title, " cascade "), sty(&th.bold, m.sc.Name), txt("  ")}
	end := "∞"
	if sn.End > 0 {
		end = clock(sn.End)
	}
	l = append(l, sty(&th.bold, clock(sn.Now)), sty(&th.dim, " / "+end), txt("  "))
	sp := speedText(sn.Speed)
	l = append(l, sty(&th.key, sp))
	if !sn.Paused && !sn.Finished && sn.Effective > 0 && (sn.Speed == 0 || sn.Behind) {
		l = append(l, sty(&th.dim, " ("+speedText(math.Round(sn.Effective*10)/10)+")"))
	}
	l = append(l, txt("  "), sty(&th.dim, "seed "), txt(strconv.FormatUint(sn.Seed, 10)), txt("  "))
	switch {
	case !m.have:
		l = append(l, sty(&th.dim, "starting"))
	case sn.Finished:
		l = append(l, sty(&th.bold, "■ finished"))
	case sn.Paused:
		l = append(l, sty(&th.warn, "❚❚ paused"))
	case m.warmingUp(): // running, and nothing counted yet: the SLO panel says so
		l = append(l, sty(&th.warn, "▶ warm-up"))
	default:
		l = append(l, sty(&th.good, "▶ running"))
	}
	if sn.Behind && !sn.Paused && !sn.Finished {
		l = append(l, txt("  "), sty(&th.bad, "⚠ can't keep up"))
	}
	if m.unsaved() {
		n := m.snap.Changes - m.savedChanges()
		l = append(l, txt("  "), sty(&th.warn, "✎ "+strconv.Itoa(n)+" unsaved"))
	}
	return l
}

func (m Model) footer() line {
	th := &m.th
	switch {
	case m.confirm == "quit":
		return line{sty(&th.warn, " Quit and discard the unsaved session? "), sty(&th.key, "y"), txt(" quit  "), sty(&th.key, "s"), txt(" save and quit  "), sty(&th.key, "n"), txt(" stay")}
	case m.confirm == "restart":
		return line{sty(&th.warn, " Restart and discard the unsaved session? "), sty(&th.key, "y"), txt(" restart  "), sty(&th.key, "n"), txt(" no")}
	case m.status != "":
		st := &th.good
		if m.statusBad {
			st = &th.bad
		}
		return line{txt(" "), sty(st, m.status)}
	}
	// Whole hints only, most needed first: ? shows the rest.
	var parts []line
	for i, kd := range [][2]string{{"space", "pause"}, {"f", "fault"}, {"x", "clear"}, {"?", "help"}, {"q", "quit"}, {"+/-", "speed"}, {"s", "save"}, {"z", "zoom"}, {"tab", "select"}, {"pgup", "events"}, {"r", "restart"}} {
		sep := " · "
		if i == 0 {
			sep = ""
		}
		parts = append(parts, line{sty(&th.dim, sep), sty(&th.key, kd[0]), sty(&th.dim, " "+kd[1])})
	}
	return fit(m.w, line{txt(" ")}, parts...)
}

// title is a panel's first row: a rule with its name.
func (m Model) title(name string, w int, extra ...seg) line {
	l := line{sty(&m.th.dim, "─ "), sty(&m.th.title, name), txt(" ")}
	l = append(l, extra...)
	return append(l, sty(&m.th.dim, repeat("─", w-l.width())))
}

// ---- topology -------------------------------------------------------------

// Node rendering modes, richest first: edges listed under each node, a
// three-row node, a one-row node.
const (
	modeFull = iota
	modeRows
	modeLine
)

func (m Model) columnWidth(w int) int {
	n := max(len(m.g.columns), 1)
	return min((w-2*(n-1))/n, 30)
}

// fit is base followed by as many of parts as fit in w cells, in order:
// a part that does not fit is left out whole, never cut, so what is shown
// is always a whole number with its unit (abbreviation by rule: the less
// telling parts go first).
func fit(w int, base line, parts ...line) line {
	out := base
	for _, p := range parts {
		if len(p) > 0 && out.width()+p.width() <= w {
			out = append(out, p...)
		}
	}
	return out
}

// nodeLines renders node i in mode, width w.
func (m Model) nodeLines(i, mode, w int) []line {
	th := &m.th
	n := m.g.nodes[i]
	st := m.stats[i]
	hs := &th.health[st.health]
	nameSt := &th.bold
	if i == m.sel {
		nameSt = &th.sel
	}
	var causeMark line
	if st.cause != "" {
		causeMark = line{sty(&th.bad, " ◎")}
	}
	var inst line
	if !n.workload && n.spec.Instances > 1 && mode != modeLine {
		inst = line{sty(&th.dim, " ×"+strconv.Itoa(n.spec.Instances))}
	}
	// Its zones, each in the colour of its instances: red with none up.
	var zl line
	if mode != modeLine {
		for k, z := range st.zones {
			zs := th.zoneStyle(z, &th.dim)
			sep := "·"
			if k == 0 {
				sep = " "
			}
			zl = append(zl, sty(&th.dim, sep), sty(zs, z.name))
		}
	}
	name := fit(w, line{sty(hs, healthGlyph[st.health]), txt(" "), sty(nameSt, n.name)}, causeMark, inst, zl)
	var errs line
	if st.errs > 0 {
		es := &th.dim
		if st.errs >= degradeErr {
			es = hs
		}
		errs = line{txt(" "), sty(es, "✗"+pct(st.errs))}
	}
	var hung line
	if st.hung.Calls > 0 {
		hung = line{txt(" "), sty(&th.bad, "hung "+count64(st.hung.Calls))}
	}
	if mode == modeLine {
		return []line{fit(w, name, line{txt(" " + rate(st.rate) + "/s")}, hung, errs)}
	}
	out := []line{name, fit(w, line{txt("  " + rate(st.rate) + "/s")}, hung, errs)}
	// Saturation: worker use and queue fill for services, p99 for workloads.
	var sat line
	if n.workload {
		sat = line{txt("  p99 " + secs(st.p99))}
	} else {
		var parts []line
		if finite(st.util) {
			us := &th.plain
			switch {
			case st.sat == "workers":
				us = &th.bad
			case st.util >= degradeUtil:
				us = &th.warn
			}
			parts = append(parts, line{sty(us, "u"+fixed(100*st.util, 0)+"%")})
		} else {
			parts = append(parts, line{txt("in " + fixed(st.inFlight, 1))})
		}
		if st.queueCap != 0 {
			q := "q" + count64(int64(math.Round(st.queue)))
			qs := &th.plain
			if st.sat == "queue full" || st.sat == "workers" {
				qs = &th.bad
			}
			full := q
			if st.queueCap > 0 {
				full += "/" + strconv.Itoa(st.queueCap)
			}
			// The room first, when it fits; the queue alone when not.
			if 2+parts[0].width()+1+len([]rune(full)) <= w {
				q = full
			}
			parts = append(parts, line{txt(" "), sty(qs, q)})
		}
		sat = fit(w, line{txt("  ")}, parts...)
	}
	out = append(out, sat)
	if mode == modeRows {
		return out
	}
	out = append(out, append(line{txt("  ")}, m.extras(st, w-2)...))
	for k, j := range n.callees {
		out = append(out, m.edgeLine(i, j, st, k == len(n.callees)-1, w))
	}
	return out
}

// count64 prints a count compactly: 950, 6.3k, 12k, 1.2M.
func count64(n int64) string {
	f := float64(n)
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 9_950:
		return fixed(f/1000, 1) + "k"
	case n < 999_500:
		return fixed(f/1000, 0) + "k"
	}
	return trim0(fixed(f/1e6, 1)) + "M"
}

// extras are a component's own marks: the root cause, hung calls, active
// faults and firing alerts, breaker state, cache hit ratio, pool use and
// replication lag.
func (m Model) extras(st nodeStats, w int) line {
	var out line
	for _, p := range m.marks(st) {
		if out.width()+(line{p}).width() <= w {
			out = append(out, p)
		}
	}
	return out
}

// zoneStyle is a zone's colour on a node: bad with none of its instances
// up, warn with some down or the zone cut off, else well.
func (th *theme) zoneStyle(z zoneUp, well *lipgloss.Style) *lipgloss.Style {
	switch {
	case z.up == 0:
		return &th.bad
	case z.up < z.placed || z.cut:
		return &th.warn
	}
	return well
}

// marks are the pieces of extras, most telling first, each ending in a
// space.
func (m Model) marks(st nodeStats) []seg {
	th := &m.th
	var l []seg
	hung := st.hung.Calls > 0
	if st.cause != "" {
		switch {
		case st.cause == "fault":
			l = append(l, sty(&th.bad, "◎ "))
		case st.cause == "hung" && hung:
			// The count that follows says it: "◎hung 40 for 8s".
			l = append(l, sty(&th.bad, "◎"))
		default:
			l = append(l, sty(&th.bad, "◎"+st.cause+" "))
		}
	}
	if hung {
		l = append(l, sty(&th.bad, "hung "+count64(st.hung.Calls)+" for "+span(st.hung.Oldest)+" "))
	}
	switch {
	case st.down:
		l = append(l, sty(&th.bad, "DOWN "))
	case st.crashed > 0:
		l = append(l, sty(&th.bad, strconv.Itoa(st.crashed)+"/"+strconv.Itoa(st.instances)+" down "))
	}
	if st.paused > 0 {
		l = append(l, sty(&th.warn, strconv.Itoa(st.paused)+" paused "))
	}
	for _, to := range st.openTo {
		l = append(l, sty(&th.bad, "breaker→"+to+" open "))
	}
	if finite(st.hitRatio) {
		hs := &th.dim
		if st.hitRatio < 0.5 {
			hs = &th.warn
		}
		l = append(l, sty(hs, "hit "+pct(st.hitRatio)+" "))
	}
	if finite(st.lag) && st.lag > 0.001 {
		ls := &th.dim
		if st.lag > 1 {
			ls = &th.warn
		}
		l = append(l, sty(ls, "lag "+fixed(st.lag, 1)+"s "))
	}
	if st.backlog > 0 {
		l = append(l, sty(&th.dim, "backlog "+strconv.FormatInt(st.backlog, 10)+" "))
	}
	for _, p := range st.pools {
		ps := &th.dim
		if st.poolFull {
			ps = &th.bad
		}
		l = append(l, sty(ps, "pool→"+p+" "))
	}
	for _, f := range st.faults {
		l = append(l, sty(&th.accent, "⚡"+f+" "))
	}
	var seen []string
	for _, a := range st.alerts {
		if !slices.Contains(seen, a) { // one mark per severity, however many SLOs
			seen = append(seen, a)
			l = append(l, sty(&th.bad, "⚑"+a+" "))
		}
	}
	if finite(st.sloRemain) && !m.warmingUp() {
		bs := &th.dim
		if st.sloRemain < 0.5 {
			bs = &th.warn
		}
		l = append(l, sty(bs, "budget "+pct(st.sloRemain)))
	}
	return l
}

// edgeLine is one call edge, drawn as a branch of its caller (├→ or, for
// the last, └→), in the edge's own health colour (edgeHealth: a partitioned
// edge is failing even while the idle callee is not), with its request
// rate and what is wrong with it. Parts are left out whole, least telling
// first, to fit w cells (fit). The fallbacks serve hand-built results
// without call counts.
func (m Model) edgeLine(from, to int, fromStats nodeStats, last bool, w int) line {
	th := &m.th
	callee := m.g.nodes[to]
	ts := m.stats[to]
	branch := " ├→"
	if last {
		branch = " └→"
	}
	if es, ok := m.edges[[2]int{from, to}]; ok { // derive keeps only edges with something to show
		eh := edgeHealth(es, ts.health)
		head := line{sty(&th.health[eh], branch), sty(&th.health[eh], callee.name)}
		// Most telling first: what is wrong with the edge, then its rate.
		var parts []line
		if es.fault != "" {
			fs := &th.warn
			if eh == healthFailing {
				fs = &th.bad
			}
			parts = append(parts, line{sty(fs, " "+es.fault)})
		}
		if es.hung.Calls > 0 {
			parts = append(parts, line{sty(&th.bad, " hung "+count64(es.hung.Calls)+" "+span(es.hung.Oldest))})
		}
		switch {
		case es.open > 0:
			o := line{sty(&th.bad, " open")}
			if es.breakers > 1 {
				o = append(o, sty(&th.bad, " "+strconv.Itoa(es.open)+"/"+strconv.Itoa(es.breakers)))
			}
			parts = append(parts, o)
		case es.half > 0:
			parts = append(parts, line{sty(&th.warn, " half-open")})
		}
		if es.errs >= degradeErr {
			parts = append(parts, line{sty(&th.health[eh], " ✗"+pct(es.errs))})
		}
		parts = append(parts, line{sty(&th.dim, " "+rate(es.rate)+"/s")})
		if finite(es.amp) && es.amp >= 1.05 {
			parts = append(parts, line{sty(&th.warn, " ×"+fixed(es.amp, 1))})
		}
		return fit(w, head, parts...)
	}
	head := line{sty(&th.dim, branch), sty(&th.health[ts.health], callee.name)}
	var r, e float64
	switch {
	case m.g.nodes[from].workload:
		r, e = fromStats.rate, fromStats.errs
	case len(callee.callers) == 1:
		r, e = ts.rate, ts.errs
	default:
		return head
	}
	var errs line
	if e >= degradeErr {
		errs = line{sty(&th.dim, " ✗"+pct(e))}
	}
	return fit(w, head, line{sty(&th.dim, " "+rate(r)+"/s")}, errs)
}

// layout places the nodes of every column in mode at column width cw: the
// first row of each node (start, by node index) and the rows the tallest
// column takes. Aligned, a node starts no higher than its first caller in
// the column before, so a call runs straight across or down and the
// connectors stay apart; unaligned, nodes are stacked (fewer rows, for
// when the aligned picture does not fit).
func (m Model) layout(mode, cw int, aligned bool) (start []int, rows int) {
	start = make([]int, len(m.g.nodes))
	placed := make([]bool, len(m.g.nodes))
	for c, ids := range m.g.columns {
		y := 0
		for k, i := range ids {
			if k > 0 && mode != modeLine {
				y++ // a blank row between nodes
			}
			if aligned && c > 0 {
				top := -1
				for _, j := range m.g.nodes[i].callers {
					if placed[j] && m.g.nodes[j].depth == c-1 && (top < 0 || start[j] < top) {
						top = start[j]
					}
				}
				y = max(y, top)
			}
			start[i], placed[i] = y, true
			y += len(m.nodeLines(i, mode, cw))
		}
		rows = max(rows, y)
	}
	return start, rows
}

// pickMode is the richest layout whose tallest column fits in h rows:
// each mode aligned, then stacked.
func (m Model) pickMode(w, h int) (mode int, aligned bool) {
	cw := m.columnWidth(w)
	for mode := modeFull; mode < modeLine; mode++ {
		for _, al := range []bool{true, false} {
			if _, rows := m.layout(mode, cw, al); rows <= h {
				return mode, al
			}
		}
	}
	if _, rows := m.layout(modeLine, cw, true); rows <= h {
		return modeLine, true
	}
	return modeLine, false
}

// topoHeight is the rows the topology takes at width w in mode, title
// included (narrow layout).
func (m Model) topoHeight(w, mode int) int {
	_, rows := m.layout(mode, m.columnWidth(w), true)
	return rows + 1
}

// nodeCells are the screen cells of each node's rows, for mouse clicks.
func (m Model) nodeCells(r rect) map[int]rect {
	cw := m.columnWidth(r.w)
	mode, aligned := m.pickMode(r.w, r.h-1)
	start, _ := m.layout(mode, cw, aligned)
	out := map[int]rect{}
	for c, ids := range m.g.columns {
		for _, i := range ids {
			out[i] = rect{r.x + c*(cw+2), r.y + 1 + start[i], cw, len(m.nodeLines(i, mode, cw))}
		}
	}
	return out
}

func (m Model) nodeAt(x, y int) (int, bool) {
	s := m.screen()
	if s.small || m.showHelp {
		return 0, false
	}
	for i, r := range m.nodeCells(s.topo) {
		if r.contains(x, y) {
			return i, true
		}
	}
	return 0, false
}

func (m Model) topology(w, h int) []line {
	th := &m.th
	legend := line{}
	for _, hh := range []health{healthOK, healthDegraded, healthFailing} {
		legend = append(legend, sty(&th.health[hh], healthGlyph[hh]), sty(&th.dim, healthName[hh]+" "))
	}
	legend = append(legend, sty(&th.bad, "◎"), sty(&th.dim, "root cause "))
	out := []line{m.title("Topology", w, legend...)}
	cw := m.columnWidth(w)
	mode, aligned := m.pickMode(w, h-1)
	nameRow, rows := m.layout(mode, cw, aligned)
	cols := make([][]line, len(m.g.columns))
	for c, ids := range m.g.columns {
		for _, i := range ids {
			for len(cols[c]) < nameRow[i] {
				cols[c] = append(cols[c], nil)
			}
			cols[c] = append(cols[c], m.nodeLines(i, mode, cw)...)
		}
	}
	gaps, leads := m.connectors(nameRow, rows)
	for y := 0; y < min(rows, h-1); y++ {
		var l line
		for c := range cols {
			if c > 0 {
				l = append(l, gaps[c-1][y][:]...)
			}
			var cell line
			if y < len(cols[c]) {
				cell = cols[c][y]
			}
			// Pad by hand so the next column starts where it should.
			cut := cell
			if cell.width() > cw {
				cut = line{txt(cell.plain())} // lose the styles only when cut
				cut = line{txt(string([]rune(cut.plain())[:max(cw-1, 0)]) + "…")}
			}
			l = append(l, cut...)
			if free := cw - cut.width(); c < len(gaps) && leads[c][y] && free > 1 {
				l = append(l, txt(" "), sty(&th.dim, repeat("─", free-1)))
			} else {
				l = append(l, txt(repeat(" ", free)))
			}
		}
		out = append(out, l)
	}
	if rows > h-1 && h > 1 {
		out[h-1] = line{sty(&th.dim, "  … "+strconv.Itoa(rows-(h-2))+" more rows: enlarge the window")}
	}
	return out
}

// boxGlyph is the line-drawing character that joins the given sides of a
// cell: up, down, left, right.
var boxGlyph = [16]string{
	" ", "╶", "╴", "─", "╷", "┌", "┐", "┬",
	"╵", "└", "┘", "┴", "│", "├", "┤", "┼",
}

// connectors draws the calls between neighbouring columns in the two-cell
// gap between them, so the room sees who calls whom at a glance: each
// caller's name row runs a line (leads) to a bus in the gap's first cell,
// the bus runs down or up to each callee's name row, and an arrow in the
// second cell points at the callee, coloured by the worst edge into it
// (edgeHealth: a partitioned edge shows red while the idle callee does
// not). Callers whose spans do not overlap get separate buses; callers
// whose spans overlap share one only when each calls every callee on it,
// and are otherwise left to their edge rows, so a line never suggests a
// call that is not there. Calls that skip a column are
// left to the edge rows under each node.
func (m Model) connectors(nameRow []int, rows int) (gaps [][][2]seg, leads [][]bool) {
	th := &m.th
	n := max(len(m.g.columns)-1, 0)
	gaps = make([][][2]seg, n)
	leads = make([][]bool, n)
	for c := range n {
		up, down := make([]bool, rows), make([]bool, rows)
		left, right := make([]bool, rows), make([]bool, rows)
		worst := make([]health, rows)
		// Each caller's span: its name row and its callees' in the next column.
		type span struct {
			caller, a, b int
			callees      []int
		}
		var spans []span
		for _, i := range m.g.columns[c] {
			s := span{caller: i, a: nameRow[i], b: nameRow[i]}
			for _, j := range m.g.nodes[i].callees {
				if slices.Contains(m.g.columns[c+1], j) {
					s.callees = append(s.callees, j)
					s.a, s.b = min(s.a, nameRow[j]), max(s.b, nameRow[j])
				}
			}
			if len(s.callees) > 0 {
				spans = append(spans, s)
			}
		}
		// Overlapping spans share the bus, which says every caller in the
		// group calls every callee in it: draw a group only when that holds.
		slices.SortStableFunc(spans, func(x, y span) int { return cmp.Compare(x.a, y.a) })
		for g0 := 0; g0 < len(spans); {
			g1, end := g0+1, spans[g0].b
			for g1 < len(spans) && spans[g1].a <= end {
				end = max(end, spans[g1].b)
				g1++
			}
			group := spans[g0:g1]
			g0 = g1
			var callees []int
			for _, s := range group {
				for _, j := range s.callees {
					if !slices.Contains(callees, j) {
						callees = append(callees, j)
					}
				}
			}
			complete := true
			for _, s := range group {
				complete = complete && len(s.callees) == len(callees)
			}
			if !complete {
				continue
			}
			for _, s := range group {
				left[nameRow[s.caller]] = true
				for _, j := range s.callees {
					r := nameRow[j]
					right[r] = true
					eh := m.stats[j].health
					if es, ok := m.edges[[2]int{s.caller, j}]; ok {
						eh = edgeHealth(es, eh)
					}
					worst[r] = max(worst[r], eh)
				}
				for r := s.a; r < s.b; r++ {
					down[r], up[r+1] = true, true
				}
			}
		}
		gaps[c] = make([][2]seg, rows)
		leads[c] = left
		for r := range rows {
			k := 0
			for bit, on := range []bool{right[r], left[r], down[r], up[r]} {
				if on {
					k |= 1 << bit
				}
			}
			arrow := txt(" ")
			if right[r] {
				arrow = sty(&th.health[worst[r]], "→")
			}
			gaps[c][r] = [2]seg{sty(&th.dim, boxGlyph[k]), arrow}
		}
	}
	return gaps, leads
}

// ---- detail ---------------------------------------------------------------

func (m Model) detail(w, h int) []line {
	th := &m.th
	n := m.g.nodes[m.sel]
	var sub string
	if n.workload {
		sub = "workload"
	} else {
		sub = strconv.Itoa(n.spec.Instances) + "×"
		if n.spec.Workers > 0 {
			sub += strconv.Itoa(n.spec.Workers) + " workers"
		} else {
			sub += "∞ workers"
		}
		switch {
		case n.spec.Queue < 0:
			sub += ", queue ∞"
		default:
			sub += ", queue " + strconv.Itoa(n.spec.Queue)
		}
		if len(n.spec.Zones) > 0 && n.spec.ZoneAware {
			sub += ", zone-aware"
		}
	}
	out := []line{m.title(n.name, w, sty(&th.dim, sub+" "))}
	st := m.stats[m.sel]
	series := seriesOf(&m.snap.Result, m.g, m.sel)
	sw := max(w-22, 4)
	val := func(f func(p models.Point) float64) []float64 {
		start := max(len(series)-sw, 0)
		out := make([]float64, 0, len(series)-start)
		for _, p := range series[start:] {
			out = append(out, f(p))
		}
		return out
	}
	done := func(p models.Point) float64 {
		var d int64
		for _, c := range p.Outcomes {
			d += c
		}
		return float64(d)
	}
	// Fractions of the replies of an interval; an interval with no reply
	// has no fraction (a gap, not a full bar of errors).
	frac := func(k int) func(p models.Point) float64 {
		return func(p models.Point) float64 {
			if d := done(p); d > 0 {
				return float64(p.Outcomes[k]) / d
			}
			return math.NaN()
		}
	}
	// Sparklines take the component's health colour, so a failing series
	// reads as failing from across the room.
	spark := &th.health[st.health]
	if st.health == healthIdle {
		spark = &th.dim
	}
	row := func(label string, vals []float64, value string, top float64) line {
		// A long label (a callee's name) takes cells from the sparkline,
		// never from the value.
		lw := max(10, len([]rune(label))+1)
		return line{txt(padRight(label, lw)), sty(spark, sparkline(vals, sw-(lw-10), top)), txt(" "), txt(padLeft(value, 10))}
	}
	sec := max(st.interval, 1)
	rows := []line{
		row("thru", val(func(p models.Point) float64 { return done(p) / sec }), rate(st.rate)+"/s", 0),
		row("errors", val(func(p models.Point) float64 { return 1 - frac(0)(p) }), pct(st.errs), 1),
	}
	// Errors by cause: every outcome but OK that occurred in the window
	// shown, so causes added to the model later appear by themselves.
	var causes []line
	for _, o := range models.Outcomes() {
		if o == models.OK {
			continue
		}
		vs := val(frac(int(o)))
		if len(vs) > 0 && slices.ContainsFunc(vs, func(v float64) bool { return v > 0 }) {
			causes = append(causes, row(" "+o.String(), vs, pct(vs[len(vs)-1]), 1))
		}
	}
	// Latency is of OK replies only: a timeout or a rejection has no
	// latency worth drawing, so when many replies were not OK the rows say
	// how many were left out.
	lat := []line{
		row("p50 ok", val(func(p models.Point) float64 { return p.P50 }), secs(lastOf(series, func(p models.Point) float64 { return p.P50 })), 0),
		row("p99 ok", val(func(p models.Point) float64 { return p.P99 }), secs(st.p99), 0),
	}
	if st.errs >= degradeErr {
		lat = append(lat, fit(w, line{sty(&th.dim, "          OK replies only")}, line{sty(&th.dim, "; "), sty(&th.health[st.health], pct(st.errs)+" not OK")}))
	}
	var sat []line
	if !n.workload {
		q := fixed(st.queue, 1)
		if st.queueCap > 0 {
			q += "/" + strconv.Itoa(st.queueCap)
		}
		sat = append(sat, row("queue", val(func(p models.Point) float64 { return p.Queue }), q, float64(max(st.queueCap, 0))))
		if st.workersAll > 0 {
			sat = append(sat, row("util", val(func(p models.Point) float64 { return p.Busy / float64(st.workersAll) }), pct(st.util), 1))
		}
		sat = append(sat, row("in flight", val(func(p models.Point) float64 { return p.InFlight }), fixed(st.inFlight, 1), 0))
	}
	// Zones: the service's instances up in each zone, and the traffic
	// between zones (every zoned service's) with its price.
	var zones []line
	if len(st.zones) > 0 {
		l := line{txt(padRight("zones", 10))}
		for _, z := range st.zones {
			zs := th.zoneStyle(z, &th.good)
			part := z.name + " " + strconv.Itoa(z.up) + "/" + strconv.Itoa(z.placed)
			if z.cut {
				part += " cut"
			}
			l = append(l, sty(zs, part), txt("  "))
		}
		zones = append(zones, l)
		c := m.snap.Result.CrossZone
		var calls int64
		for _, z := range m.snap.Result.Zones {
			calls += z.Requests
		}
		// The counter is the run's, not this node's: the row says so, and
		// what the share is of.
		cz := line{txt(padRight("cross-zone", 11)), txt(count64(c.Calls) + " in all")}
		var share line
		if calls > 0 {
			share = line{sty(&th.dim, " ("+pct(float64(c.Calls)/float64(calls))+" of calls)")}
		}
		zones = append(zones, fit(w, cz, line{txt("  cost " + costText(c.Cost))}, share))
	}
	// Call sites under a policy: requests per second over the edge, and
	// what its retries and breakers are doing.
	var calls []line
	for _, j := range n.callees {
		es, ok := m.edges[[2]int{m.sel, j}]
		if !ok {
			continue
		}
		v := rate(es.rate) + "/s"
		calls = append(calls, row("→"+m.g.nodes[j].name, es.series, v, 0))
		var info line
		switch {
		case es.open > 0 && es.open == es.breakers && (!finite(es.amp) || es.amp < 0.005):
			info = append(info, sty(&th.bad, " all refused"))
		case finite(es.amp):
			info = append(info, txt(" attempts ×"+fixed(es.amp, 2)))
		}
		if es.breakers > 0 {
			bs, state := &th.good, "closed"
			switch {
			case es.open > 0:
				bs, state = &th.bad, "open"
			case es.half > 0:
				bs, state = &th.warn, "half-open"
			}
			info = append(info, txt("  breaker "), sty(bs, state))
			if es.breakers > 1 && (es.open > 0 || es.half > 0) {
				info = append(info, sty(&th.dim, " "+strconv.Itoa(es.open+es.half)+"/"+strconv.Itoa(es.breakers)))
			}
		}
		if finite(es.budget) {
			info = append(info, txt("  retry budget "+pct(es.budget)))
		}
		if len(info) > 0 {
			calls = append(calls, append(line{txt(repeat(" ", 10))}, info...))
		}
	}
	// What fits, most important first: traffic, latency, saturation, then
	// call sites, errors by cause and the component's own marks.
	room := h - 1
	take := func(ls []line) {
		for _, l := range ls {
			if room > 0 {
				rows = append(rows, l)
				room--
			}
		}
	}
	room -= len(rows)
	take(lat)
	take(sat)
	take(zones)
	take(calls)
	take(causes)
	if ex := m.extras(st, w-10); len(ex) > 0 {
		take([]line{append(line{txt(padRight("marks", 10))}, ex...)})
	}
	return append(out, rows...)
}

// costText is a price with four significant digits.
func costText(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

func lastOf(series []models.Point, f func(models.Point) float64) float64 {
	if len(series) == 0 {
		return math.NaN()
	}
	return f(series[len(series)-1])
}

// ---- SLOs -----------------------------------------------------------------

// warmingUp says the run is still in its warm-up, whose statistics are
// thrown away: totals and SLOs start at its end.
func (m Model) warmingUp() bool { return m.sc.Warmup > 0 && m.snap.Now < m.sc.Warmup }

func (m Model) sloPanel(w, h int) []line {
	th := &m.th
	out := []line{m.title("SLOs", w)}
	if len(m.snap.Result.SLOs) == 0 {
		for _, l := range wrapWords("no SLOs in this scenario (see slos: in docs/scenario-format.md)", w-2) {
			out = append(out, line{sty(&th.dim, "  "+l)})
		}
		return out
	}
	for _, o := range m.snap.Result.SLOs {
		of := o.Workload + o.Service
		head := line{sty(&th.bold, o.Name), sty(&th.dim, " "+objective(o.Objective)+" of "+of)}
		if o.Threshold > 0 {
			head = append(head, sty(&th.dim, " ≤"+secs(o.Threshold.Seconds())))
		}
		if o.History.Virtual { // elapsed, the default, goes unsaid
			head = append(head, sty(&th.dim, " · history "+o.History.String()))
		}
		out = append(out, head)
		if m.warmingUp() {
			// Nothing is counted yet: a full budget and zero burns would
			// say the fault on screen costs nothing.
			out = append(out, line{sty(&th.warn, " counts after the "+span(m.sc.Warmup)+" warm-up")})
			continue
		}
		bw := min(max(w-34, 6), 30)
		full, empty := bar(o.Remaining, bw)
		bs := &th.good
		switch {
		case o.Remaining < 0.25:
			bs = &th.bad
		case o.Remaining < 0.5:
			bs = &th.warn
		}
		b := line{txt(" budget "), sty(bs, full), sty(&th.dim, empty)}
		if o.Remaining <= 0 {
			// Past empty: what was spent, never a negative "left".
			b = append(b, sty(&th.bad, " exhausted, "+fixed(100*o.Consumed, 0)+"% spent"))
		} else {
			b = append(b, txt(" "+fixed(100*o.Remaining, 0)+"% left"))
		}
		out = append(out, b)
		if o.Remaining > 0 && o.TimeToExhaustion != sim.Forever && o.TimeToExhaustion > 0 {
			// The budget's clock is the SLO's: with a scale, say both.
			e := line{sty(&th.warn, " empty in "+span(o.TimeToExhaustion))}
			if o.Scale != 1 && o.Scale > 0 {
				e = fit(w, e, line{sty(&th.dim, " of SLO time")},
					line{sty(&th.dim, " = "+span(sim.Time(float64(o.TimeToExhaustion)/o.Scale))+" simulated")})
			} else {
				e = append(e, sty(&th.dim, " at this burn"))
			}
			out = append(out, e)
		}
		if len(o.Rules) > 0 {
			out = append(out, line{sty(&th.dim, " "+padRight("alert", 7)+padRight("windows", 7)+" "+padRight("burn≥", 7)+padLeft("long", 6)+" "+padLeft("short", 6))})
		}
		firing := map[int]bool{}
		for _, e := range o.Alerts {
			firing[e.Rule] = e.Firing
		}
		for i, r := range o.Rules {
			lb, sb := burnOf(o.Burn, r.Long), burnOf(o.Burn, r.Short)
			l := line{txt(" " + padRight(r.Severity, 7)), sty(&th.dim, padRight(span(r.Long)+"/"+span(r.Short), 7)+" ≥"+padRight(trim0(fixed(r.Burn, 1))+"x", 6)),
				txt(padLeft(burnText(lb), 6) + " " + padLeft(burnText(sb), 6))}
			if firing[i] {
				l = append(l, txt(" "), sty(&th.bad, "⚑"))
			}
			out = append(out, l)
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

func burnOf(ws []slo.WindowBurn, w sim.Time) float64 {
	for _, b := range ws {
		if b.Window == w {
			return b.Burn
		}
	}
	return math.NaN()
}

// objective prints an SLO objective exactly as short as it is: 99.9%.
func objective(o float64) string {
	return strconv.FormatFloat(math.Round(o*1e6)/1e4, 'f', -1, 64) + "%"
}

func burnText(b float64) string {
	if !finite(b) {
		return "-"
	}
	if b >= 100 {
		return fixed(b, 0) + "x"
	}
	return fixed(b, 1) + "x"
}

// ---- event log ------------------------------------------------------------

type logEntry struct {
	at   sim.Time
	kind string
	text string
	bad  bool
}

// events lists what happened, in simulated time order: faults applied and
// ended, alerts firing and resolving.
func (m Model) events() []logEntry {
	var out []logEntry
	byHand := map[int]bool{}
	for _, id := range m.snap.Cleared {
		byHand[id] = true
	}
	for _, r := range m.snap.Result.Faults {
		if r.State == models.FaultPending {
			continue
		}
		src := "file"
		if r.ID >= m.snap.Timeline {
			src = "live"
		}
		out = append(out, logEntry{at: r.Start, kind: "fault", text: r.Name + " applied (" + src + ")", bad: true})
		if r.State == models.FaultEnded {
			how := "ended"
			if byHand[r.ID] {
				how = "cleared"
			}
			out = append(out, logEntry{at: r.End, kind: "fault", text: r.Name + " " + how})
		}
	}
	for _, o := range m.snap.Result.SLOs {
		for _, e := range o.Alerts {
			t := o.Name + " " + e.Severity
			if e.Rule >= 0 && e.Rule < len(o.Rules) {
				// Which rule: two pages differ only by their windows.
				r := o.Rules[e.Rule]
				t += " " + span(r.Long) + "/" + span(r.Short)
			}
			if e.Firing {
				t += " firing (burn " + burnText(e.LongBurn) + " / " + burnText(e.ShortBurn) + ")"
			} else {
				t += " resolved"
			}
			out = append(out, logEntry{at: e.At, kind: "alert", text: t, bad: e.Firing})
		}
	}
	for _, e := range m.snap.Result.Edges {
		for _, b := range e.Breakers {
			who := e.Caller + "->" + e.Target
			if len(e.Breakers) > 1 {
				who += "#" + strconv.Itoa(b.Instance)
			}
			for _, t := range b.Transitions {
				out = append(out, logEntry{at: t.At, kind: "breaker", text: who + " " + t.From + "→" + t.To + " (" + t.Reason + ")", bad: t.To == "open"})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b logEntry) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	return out
}

func (m Model) eventLog(w, h int) []line {
	th := &m.th
	ev := m.events()
	out := []line{m.title("Events", w, sty(&th.dim, strconv.Itoa(len(ev))+" "))}
	if len(ev) == 0 {
		return append(out, line{sty(&th.dim, "  nothing yet: press f to inject a fault")})
	}
	back := min(m.logBack, max(len(ev)-1, 0))
	if back > 0 {
		out[0] = m.title("Events", w, sty(&th.dim, strconv.Itoa(len(ev))+" "), sty(&th.warn, "scrolled back "+strconv.Itoa(back)+" · pgdn newer "))
	}
	end := len(ev) - back
	start := max(end-(h-1), 0)
	for _, e := range ev[start:end] {
		ks := &th.dim
		if e.bad {
			ks = &th.warn
		}
		out = append(out, line{txt(" "), sty(&th.dim, padLeft(clock(e.at), 10)), txt(" "), sty(ks, padRight(e.kind, 8)), txt(e.text)})
	}
	return out
}

// ---- overlays -------------------------------------------------------------

func (m Model) overlayLines(w, h int) []line {
	switch {
	case m.pal != nil:
		return m.paletteLines(w, h)
	case m.clr != nil:
		return m.clearLines(w, h)
	}
	return nil
}

func (m Model) paletteLines(w, h int) []line {
	th := &m.th
	p := m.pal
	steps := []string{"verb", "target", "parameters"}
	crumbs := line{}
	for i, s := range steps {
		st := &th.dim
		if i == p.step {
			st = &th.key
		}
		if i > 0 {
			crumbs = append(crumbs, sty(&th.dim, " › "))
		}
		crumbs = append(crumbs, sty(st, s))
	}
	out := []line{m.title("Inject a fault", w, append(crumbs, txt(" "))...)}
	list := func(items []line, at int) {
		room := h - len(out) - 2
		first := 0
		if at >= room {
			first = at - room + 1
		}
		for i := first; i < len(items) && i < first+room; i++ {
			mark := "  "
			if i == at {
				mark = "▸ "
			}
			l := append(line{sty(&th.key, mark)}, items[i]...)
			out = append(out, l)
		}
	}
	switch p.step {
	case 0:
		var items []line
		name := 0 // the help lines up after the longest verb
		for _, v := range p.verbs {
			name = max(name, len(v.String()))
		}
		for i, v := range p.verbs {
			st := &th.bold
			if i == p.verb {
				st = &th.sel
			}
			items = append(items, line{sty(st, padRight(v.String(), name)), sty(&th.dim, " "+verbHelp[v])})
		}
		list(items, p.verb)
	case 1:
		var items []line
		for i, c := range p.targets {
			st := &th.plain
			if i == p.target {
				st = &th.sel
			}
			items = append(items, line{sty(st, c.label)})
		}
		out = append(out, line{sty(&th.dim, " "+p.current().String()+" on:")})
		list(items, p.target)
	case 2:
		out = append(out, line{sty(&th.dim, " "+p.current().String()+" on "), sty(&th.bold, p.targets[p.target].label)})
		for i, f := range p.fields {
			mark := "  "
			vs := &th.plain
			if i == p.focus {
				mark, vs = "▸ ", &th.sel
			}
			v := f.value
			if i == p.focus {
				v += "▏"
			}
			out = append(out, line{sty(&th.key, mark), txt(padRight(f.label, 14)), sty(vs, v)})
		}
		if p.focus < len(p.fields) {
			// The hint wraps: cut, it would lose the example that helps.
			for _, l := range wrapWords(p.fields[p.focus].hint, w-4) {
				out = append(out, line{sty(&th.dim, "   "+l)})
			}
		}
	}
	if p.err != "" {
		out = append(out, line{sty(&th.bad, " "+p.err)})
	}
	hint := " ↑↓ choose · enter next · esc back"
	if p.step == 2 {
		hint = " type to replace · ↑↓ field · enter apply now · esc back"
	}
	for len(out) < h-1 {
		out = append(out, nil)
	}
	return append(out[:min(len(out), h-1)], line{sty(&th.dim, hint)})
}

func (m Model) clearLines(w, h int) []line {
	th := &m.th
	out := []line{m.title("Clear a fault", w)}
	for i, id := range m.clr.ids {
		if len(out) >= h-1 {
			break
		}
		if id >= len(m.snap.Result.Faults) {
			continue
		}
		r := m.snap.Result.Faults[id]
		mark, st := "  ", &th.plain
		if i == m.clr.at {
			mark, st = "▸ ", &th.sel
		}
		out = append(out, line{sty(&th.key, mark), sty(st, r.Name), sty(&th.dim, " since "+clock(r.Start))})
	}
	for len(out) < h-1 {
		out = append(out, nil)
	}
	return append(out, line{sty(&th.dim, " ↑↓ choose · enter clear now · esc back")})
}

func (m Model) helpLines() []line {
	th := &m.th
	out := []line{m.title("Help", m.w)}
	// The bubbles help view puts groups side by side: as many columns as
	// the width takes.
	var all []key.Binding
	for _, g := range m.keys.FullHelp() {
		all = append(all, g...)
	}
	var view string
	hm := m.help
	hm.SetWidth(1 << 20) // no truncation: the columns are chosen to fit
	// Plain text: rows here are measured in runes, so no escape codes.
	hm.Styles = help.Styles{}
	for cols := 4; cols >= 1; cols-- {
		per := (len(all) + cols - 1) / cols
		var groups [][]key.Binding
		for i := 0; i < len(all); i += per {
			groups = append(groups, all[i:min(i+per, len(all))])
		}
		view = hm.FullHelpView(groups)
		if lipgloss.Width(view) <= m.w-2 {
			break
		}
	}
	for _, l := range strings.Split(view, "\n") {
		out = append(out, line{txt(" "), txt(l)})
	}
	legend := line{txt(" ")}
	for hh := healthIdle; hh <= healthFailing; hh++ {
		legend = append(legend, sty(&th.health[hh], healthGlyph[hh]), txt(" "+healthName[hh]+"  "))
	}
	out = append(out, nil, legend)
	text := "Health is from the last second: failing when saturated (down, calls hung with no timeout, a queue ≥90% full, every worker busy with requests waiting, a pool exhausted), at ≥10% errors or a page alert; " +
		"degraded at ≥3% errors, ≥85% busy workers, a half-full queue or a ticket alert. ◎ marks the root cause: saturated or failing while nothing it calls is. " +
		"u = busy workers, q = waiting requests / queue room, ✗ = replies that were not OK, hung = calls in flight ≥1s that nothing will time out, " +
		"├→callee = a call edge in its own health colour (a partition is failing even if the callee looks idle), ⚡ = an active fault, ⚑ = a firing alert. " +
		"Latencies are of OK replies. z zooms a panel, PgUp/PgDn scroll the events. " +
		"s writes NAME-session-N.yaml (see --save-dir): the scenario plus every fault you injected, at its time; " +
		"'cascade run' on that file replays the session to the same numbers."
	for _, l := range wrapWords(text, m.w-2) {
		out = append(out, line{txt(" " + l)})
	}
	return append(out, nil, line{sty(&th.dim, " any key closes this help")})
}
