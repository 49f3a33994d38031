package tui

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cascade/models"
	"cascade/scenarios"
)

// SnapshotMsg brings the runner's newest snapshot to Update.
type SnapshotMsg Snapshot

// savedMsg reports a session written to a file.
type savedMsg struct {
	path    string
	changes int
	gen     int
	err     error
	quit    bool
}

// speeds are the steps of + and -; 0 is as fast as the machine goes.
var speeds = []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 0}

// nextSpeed is the step of the ladder after cur (which may be off the
// ladder, from --speed), up or down.
func nextSpeed(cur float64, up bool) float64 {
	ladder := speeds[:len(speeds)-1] // without max
	switch {
	case up && cur == 0:
		return 0
	case up:
		for _, s := range ladder {
			if s > cur {
				return s
			}
		}
		return 0
	case cur == 0:
		return ladder[len(ladder)-1]
	}
	for i := len(ladder) - 1; i >= 0; i-- {
		if ladder[i] < cur {
			return ladder[i]
		}
	}
	return ladder[0]
}

// keyMap lists every binding, for the help view.
type keyMap struct {
	Pause, Faster, Slower, Step, Next, Prev, Move, Fault, Clear, Restart, Save, Help, Quit, Zoom, LogUp, LogDown key.Binding
}

func newKeys() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Pause:   b([]string{"space"}, "space", "pause/resume"),
		Faster:  b([]string{"+", "="}, "+", "faster"),
		Slower:  b([]string{"-", "_"}, "-", "slower"),
		Step:    b([]string{"."}, ".", "step 1s (paused)"),
		Next:    b([]string{"tab"}, "tab", "next component"),
		Prev:    b([]string{"shift+tab"}, "shift+tab", "previous"),
		Move:    b([]string{"up", "down", "left", "right", "k", "j", "h", "l"}, "←↑↓→/click", "select"),
		Fault:   b([]string{"f"}, "f", "inject fault"),
		Clear:   b([]string{"x"}, "x", "clear fault"),
		Restart: b([]string{"r"}, "r", "restart (same seed)"),
		Save:    b([]string{"s"}, "s", "save session"),
		Help:    b([]string{"?"}, "?", "help"),
		Quit:    b([]string{"q", "ctrl+c"}, "q", "quit"),
		Zoom:    b([]string{"z"}, "z", "zoom a panel (again: the next, then none)"),
		LogUp:   b([]string{"pgup"}, "pgup", "events: older"),
		LogDown: b([]string{"pgdown"}, "pgdn", "events: newer"),
	}
}

func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Faster, k.Slower, k.Fault, k.Clear, k.Save, k.Help, k.Quit}
}

func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Pause, k.Faster, k.Slower, k.Step},
		{k.Next, k.Prev, k.Move},
		{k.Fault, k.Clear, k.Restart, k.Save},
		{k.Zoom, k.LogUp, k.LogDown, k.Help, k.Quit},
	}
}

// Options wire a Model to the world.
type Options struct {
	// Send delivers an action to the runner. It must not block for long.
	Send func(Action)
	// Next waits for the runner's next snapshot (a SnapshotMsg); nil in
	// tests, which feed snapshots to Update themselves.
	Next tea.Cmd
	// Dir is where sessions are saved ("" = the current directory).
	Dir     string
	NoColor bool
	Dark    bool // until the terminal reports its background
}

// Model is the Bubble Tea model of a live run. Update never blocks and
// touches nothing but the model: the simulation lives in the runner.
type Model struct {
	sc    *scenarios.Scenario
	g     *graph
	opt   Options
	snap  Snapshot
	have  bool
	stats []nodeStats // per node, from snap
	edges map[[2]int]edgeStats

	w, h     int
	sel      int
	zoom     int // the panel filling the screen: zoomNone, zoomTopology, ...
	logBack  int // events scrolled back: how many of the newest are hidden
	th       theme
	dark     bool
	help     help.Model
	keys     keyMap
	showHelp bool

	pal     *palette
	kept    *palette // a form the end of the run kept from being applied
	clr     *clearList
	confirm string // "quit" or "restart" while asking

	status    string
	statusBad bool
	statusSeq int // counts status messages, so a stale expiry clears nothing
	saved     int // Changes written to a file in this generation
	savedGen  int
}

// New returns the UI for scenario s, whose runner built topology t.
func New(s *scenarios.Scenario, t models.Topology, opt Options) Model {
	if opt.Send == nil {
		opt.Send = func(Action) {}
	}
	m := Model{sc: s, g: newGraph(t), opt: opt, help: help.New(), keys: newKeys(), dark: opt.Dark}
	m.setTheme(opt.Dark)
	m.derive()
	if order := m.g.order(); len(order) > 0 {
		m.sel = order[0]
		// Start on the first service: that is where a cascade shows.
		for _, i := range order {
			if !m.g.nodes[i].workload {
				m.sel = i
				break
			}
		}
	}
	return m
}

// derive computes what the views show of each component and call edge,
// once per snapshot.
func (m *Model) derive() {
	m.stats = make([]nodeStats, len(m.g.nodes))
	m.edges = map[[2]int]edgeStats{}
	for _, e := range m.g.edges() {
		es := edgeStatsOf(&m.snap.Result, m.g.nodes[e[0]].name, m.g.nodes[e[1]].name, 200)
		es.fault = networkFault(&m.snap, m.g.nodes[e[0]].name, m.g.nodes[e[1]].name)
		if es.policy || es.counted || es.fault != "" {
			m.edges[e] = es
		}
	}
	for i := range m.g.nodes {
		st := statsOf(&m.snap, m.g, i)
		for _, j := range m.g.nodes[i].callees {
			if es, ok := m.edges[[2]int{i, j}]; ok && es.open > 0 {
				st.openTo = append(st.openTo, m.g.nodes[j].name)
			}
		}
		st.health = classify(st) // again: an open breaker degrades (statsOf set sat)
		m.stats[i] = st
	}
	m.causes()
}

// causes marks the root causes: a component saturated or failing none of
// whose callees is — the deepest point of the failure, where a room should
// look first. A callee only degraded (a few errors) does not explain a
// failing caller. When what it calls is cut off by a network fault, the
// cause is that edge, and it says so.
func (m *Model) causes() {
	severe := func(i int) bool { return m.stats[i].health == healthFailing || m.stats[i].sat != "" }
	for i := range m.g.nodes {
		if !severe(i) {
			continue
		}
		cause, edge := true, ""
		for _, j := range m.g.nodes[i].callees {
			es := m.edges[[2]int{i, j}]
			if severe(j) {
				cause = false
				break
			}
			if es.fault != "" && edgeHealth(es, m.stats[j].health) == healthFailing && edge == "" {
				edge = es.fault + "→" + m.g.nodes[j].name
			}
		}
		if !cause {
			continue
		}
		st := &m.stats[i]
		switch {
		case edge != "":
			st.cause = edge
		case st.sat != "":
			st.cause = st.sat
		case len(st.faults) > 0:
			st.cause = "fault" // its ⚡ marks say which
		case st.errs >= failErr:
			st.cause = "errors"
		default:
			st.cause = healthName[st.health]
		}
	}
}

func (m *Model) setTheme(dark bool) {
	m.dark = dark
	m.th = newTheme(dark, m.opt.NoColor)
	m.help.Styles = help.DefaultStyles(dark)
	if m.opt.NoColor {
		m.help.Styles = help.Styles{}
	}
}

// Init asks for the terminal's background and the first snapshot.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.opt.Next)
}

func (m Model) unsaved() bool {
	return m.snap.Changes > m.savedChanges()
}

func (m Model) savedChanges() int {
	if m.savedGen != m.snap.Gen {
		return 0
	}
	return m.saved
}

// Status messages stay this long (wall clock), then the key hints return:
// a room reads a note in a few seconds, and an error a little longer.
const (
	statusNoteTTL  = 4 * time.Second
	statusErrorTTL = 8 * time.Second
)

// statusExpiredMsg clears the status message numbered seq, if it is still
// the one shown.
type statusExpiredMsg struct{ seq int }

// Update handles one message. A new status message starts its own expiry.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if e, ok := msg.(statusExpiredMsg); ok {
		if e.seq == m.statusSeq {
			m.status, m.statusBad = "", false
		}
		return m, nil
	}
	before, beforeBad := m.status, m.statusBad
	next, cmd := m.update(msg)
	nm, ok := next.(Model)
	if !ok || nm.status == "" || (nm.status == before && nm.statusBad == beforeBad) {
		return next, cmd
	}
	nm.statusSeq++
	ttl, seq := statusNoteTTL, nm.statusSeq
	if nm.statusBad {
		ttl = statusErrorTTL
	}
	return nm, tea.Batch(cmd, tea.Tick(ttl, func(time.Time) tea.Msg { return statusExpiredMsg{seq} }))
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		prev := m.snap
		m.snap, m.have = Snapshot(msg), true
		m.derive()
		if msg.Err != "" && (msg.Err != prev.Err || msg.Changes != prev.Changes) {
			m.status, m.statusBad = msg.Err, true
		} else if msg.Note != "" && msg.Note != prev.Note {
			m.status, m.statusBad = msg.Note, false
		}
		return m, m.opt.Next
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return m, nil
	case tea.BackgroundColorMsg:
		m.setTheme(msg.IsDark())
		return m, nil
	case savedMsg:
		if msg.err != nil {
			m.status, m.statusBad = "save failed: "+msg.err.Error(), true
			return m, nil
		}
		if msg.gen == m.snap.Gen {
			m.saved, m.savedGen = msg.changes, msg.gen
		}
		m.status, m.statusBad = "saved "+msg.path+" — replay it with: cascade run "+msg.path, false
		if msg.quit {
			return m, tea.Quit
		}
		return m, nil
	case tea.MouseClickMsg:
		if m.pal == nil && m.clr == nil {
			if i, ok := m.nodeAt(msg.X, msg.Y); ok {
				m.sel = i
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	s := k.String()
	if s == "ctrl+c" && m.confirm == "" {
		if m.unsaved() {
			m.confirm = "quit"
			return m, nil
		}
		return m, tea.Quit
	}
	if m.confirm != "" {
		what := m.confirm
		m.confirm = ""
		switch s {
		case "y", "Y":
			if what == "quit" {
				return m, tea.Quit
			}
			m.opt.Send(Action{Kind: ActRestart})
			return m, nil
		case "s", "S":
			if what == "quit" {
				return m, m.saveCmd(true)
			}
		case "ctrl+c":
			return m, tea.Quit
		}
		m.status, m.statusBad = "", false
		return m, nil
	}
	if m.pal != nil {
		return m.paletteKey(k)
	}
	if m.clr != nil {
		return m.clearKey(k)
	}
	if m.showHelp && s != "?" && s != "q" {
		m.showHelp = false
		return m, nil
	}
	if m.snap.Lesson != nil { // lesson.go: n next step, b back
		if nm, ok := m.lessonKey(s); ok {
			return nm, nil
		}
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		if m.unsaved() {
			m.confirm = "quit"
			return m, nil
		}
		return m, tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
	case key.Matches(k, m.keys.Pause):
		if m.snap.Paused {
			m.opt.Send(Action{Kind: ActResume})
		} else {
			m.opt.Send(Action{Kind: ActPause})
		}
		m.snap.Paused = !m.snap.Paused
	case key.Matches(k, m.keys.Faster), key.Matches(k, m.keys.Slower):
		next := nextSpeed(m.snap.Speed, key.Matches(k, m.keys.Faster))
		m.snap.Speed = next
		m.opt.Send(Action{Kind: ActSpeed, Speed: next})
	case key.Matches(k, m.keys.Step):
		if !m.snap.Paused {
			m.opt.Send(Action{Kind: ActPause})
			m.snap.Paused = true
		}
		m.opt.Send(Action{Kind: ActStep})
	case key.Matches(k, m.keys.Next), key.Matches(k, m.keys.Prev):
		order := m.g.order()
		i := slices.Index(order, m.sel)
		if key.Matches(k, m.keys.Next) {
			i = (i + 1) % len(order)
		} else {
			i = (i - 1 + len(order)) % len(order)
		}
		m.sel = order[i]
	case key.Matches(k, m.keys.Move):
		m.move(s)
	case key.Matches(k, m.keys.Zoom):
		m.zoom = (m.zoom + 1) % zoomPanels
	case key.Matches(k, m.keys.LogUp), key.Matches(k, m.keys.LogDown):
		page := max(m.logRows()-2, 1)
		if key.Matches(k, m.keys.LogUp) {
			m.logBack = min(m.logBack+page, max(len(m.events())-1, 0))
		} else {
			m.logBack = max(m.logBack-page, 0)
		}
	case key.Matches(k, m.keys.Fault):
		if m.snap.Finished {
			m.status, m.statusBad = "the run is over: r restarts it", true
			return m, nil
		}
		if m.kept != nil {
			p := *m.kept
			p.err = ""
			m.pal = &p
			return m, nil
		}
		m.pal = newPalette(m.g, m.sel)
		if len(m.pal.verbs) == 0 {
			m.pal = nil
			m.status, m.statusBad = "no fault applies to this scenario", true
		}
	case key.Matches(k, m.keys.Clear):
		m.clr = newClearList(&m.snap)
		if len(m.clr.ids) == 0 {
			m.clr = nil
			m.status, m.statusBad = "no active fault to clear", true
		}
	case key.Matches(k, m.keys.Restart):
		if m.unsaved() {
			m.confirm = "restart"
			return m, nil
		}
		m.opt.Send(Action{Kind: ActRestart})
	case key.Matches(k, m.keys.Save):
		if m.snap.Changes == 0 {
			m.status, m.statusBad = "nothing to save yet: inject a fault with f", true
			return m, nil
		}
		return m, m.saveCmd(false)
	}
	return m, nil
}

// move selects the neighbour in a direction: another column, or up and
// down within one.
func (m *Model) move(dir string) {
	col, row := m.g.position(m.sel)
	cols := m.g.columns
	switch dir {
	case "up", "k":
		row--
	case "down", "j":
		row++
	case "left", "h":
		col--
	case "right", "l":
		col++
	}
	col = min(max(col, 0), len(cols)-1)
	if len(cols[col]) == 0 {
		return
	}
	row = min(max(row, 0), len(cols[col])-1)
	m.sel = cols[col][row]
}

// saveCmd writes the session in the background (file I/O stays out of
// Update) under a fresh name, never over an existing file.
func (m Model) saveCmd(quit bool) tea.Cmd {
	sc, sess, changes, gen, dir := m.sc, m.snap.Session, m.snap.Changes, m.snap.Gen, m.opt.Dir
	return func() tea.Msg {
		path, err := SaveSession(sc, sess, dir)
		return savedMsg{path: path, changes: changes, gen: gen, err: err, quit: quit}
	}
}

// SaveSession writes sess into a new file NAME-session-N.yaml in dir and
// returns its path.
func SaveSession(sc *scenarios.Scenario, sess scenarios.Session, dir string) (string, error) {
	data, err := scenarios.SaveSession(sc, sess)
	if err != nil {
		return "", err
	}
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for range 100 {
		path := scenarios.SessionName(dir, sc.Name)
		err = scenarios.WriteNew(path, data)
		if !errors.Is(err, fs.ErrExist) {
			return path, err
		}
	}
	return "", err
}
