package tui

import (
	"bytes"
	"context"
	"flag"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"cascade/models"
	"cascade/report"
	"cascade/scenarios"
	"cascade/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var ansi = regexp.MustCompile("\x1b\\[[0-9;:?<=>]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(\x07|\x1b\\\\)")

func strip(s string) string { return ansi.ReplaceAllString(s, "") }

func load(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// singleThreaded is why a test that takes seconds is skipped under -short:
// it starts no goroutines, so the race pass (go test -race -short) can find
// nothing in it that the plain pass does not check.
const singleThreaded = "-short: single-threaded and slow; the plain go test runs it"

// loadCut is load, but under -short the scenario's duration line says d
// instead: for the tests that run a scenario to its end to compare two
// ways of getting there, which holds at any length, and which the race
// detector makes ten times slower. The text is cut, not the parsed value,
// so that a session saved from it replays the same length.
func loadCut(t testing.TB, name, d string) *scenarios.Scenario {
	t.Helper()
	if !testing.Short() {
		return load(t, name)
	}
	data, ok := scenarios.Builtin(name)
	if !ok {
		var err error
		if data, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
	}
	cut := regexp.MustCompile(`(?m)^duration: .*$`)
	if !cut.Match(data) {
		t.Fatalf("%s has no duration line to cut", name)
	}
	s, err := scenarios.Parse(filepath.Base(name), cut.ReplaceAll(data, []byte("duration: "+d)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// harness is a UI model wired straight to a runner, with no goroutines:
// every action is applied at once and a snapshot fed back, which is what
// the real program does through channels, minus the timing.
type harness struct {
	t   testing.TB
	r   *Runner
	m   Model
	dir string
}

func newHarness(t testing.TB, name string, w, h int) *harness {
	t.Helper()
	s := load(t, name)
	r, err := NewRunner(s, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return wire(t, s, r, w, h)
}

// wire is a harness on runner r of scenario s, sized w x h.
func wire(t testing.TB, s *scenarios.Scenario, r *Runner, w, h int) *harness {
	hs := &harness{t: t, r: r, dir: t.TempDir()}
	hs.m = New(s, r.Topology(), Options{Send: func(a Action) { r.Apply(a) }, Dir: hs.dir, NoColor: true, Dark: true})
	hs.msg(tea.WindowSizeMsg{Width: w, Height: h})
	hs.feed()
	return hs
}

func (h *harness) msg(msg tea.Msg) tea.Cmd {
	nm, cmd := h.m.Update(msg)
	h.m = nm.(Model)
	return cmd
}

func (h *harness) feed() { h.msg(SnapshotMsg(h.r.Snapshot())) }

// press sends keys; each is a key name as KeyPressMsg.String() gives it,
// or text to type.
func (h *harness) press(keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = h.msg(keyMsg(k))
		h.feed()
	}
	return cmd
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// typeText types s one key at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.press(string(r))
	}
}

// choose moves a palette list until the highlighted row is want.
func (h *harness) choose(want string) {
	h.t.Helper()
	for range 64 {
		p := h.m.pal
		var cur string
		switch p.step {
		case 0:
			cur = p.current().String()
		case 1:
			cur = p.targets[p.target].label
		}
		if cur == want {
			h.press("enter")
			return
		}
		h.press("down")
	}
	h.t.Fatalf("palette has no %q", want)
}

// setField replaces a palette field's value.
func (h *harness) setField(label, value string) {
	h.t.Helper()
	for range len(h.m.pal.fields) {
		if h.m.pal.fields[h.m.pal.focus].label == label {
			h.press("ctrl+u")
			h.typeText(value)
			return
		}
		h.press("down")
	}
	h.t.Fatalf("no field %q", label)
}

// stepTo steps (paused) until simulated time t.
func (h *harness) stepTo(t sim.Time) {
	if !h.m.snap.Paused {
		h.press("space")
	}
	for h.r.eng.Now()+h.r.StepSize <= t && !h.r.m.Finished() {
		h.press(".")
	}
	if d := t - h.r.eng.Now(); d > 0 {
		old := h.r.StepSize
		h.r.StepSize = d
		h.press(".")
		h.r.StepSize = old
	}
}

func (h *harness) view() string { return strip(h.m.render()) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from %s (go test ./tui -run %s -update rewrites it):\n%s", t.Name(), path, t.Name(), got)
	}
}

// partitionAt is the partition scenario paused 10 s into its partition,
// with a live fault injected through the palette.
func partitionAt(t testing.TB, w, h int) *harness {
	// A copy of the built-in, so that editing the library leaves these
	// screens alone.
	hs := newHarness(t, "testdata/partition.yaml", w, h)
	hs.r.StepSize = 10 * sim.Second
	hs.stepTo(3*sim.Minute + 50*sim.Second)
	hs.press("f")
	hs.choose("slow")
	hs.choose("gateway")
	hs.setField("for", "1m")
	hs.press("enter")
	hs.stepTo(4*sim.Minute + 10*sim.Second)
	hs.m.status = ""
	return hs
}

func TestTUIGoldenViews(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		hs := partitionAt(t, sz[0], sz[1])
		got := hs.view()
		for i, row := range strings.Split(got, "\n") {
			if n := len([]rune(row)); n != sz[0] {
				t.Errorf("%dx%d: row %d is %d cells wide", sz[0], sz[1], i, n)
			}
		}
		if n := strings.Count(got, "\n") + 1; n != sz[1] {
			t.Errorf("%dx%d: %d rows", sz[0], sz[1], n)
		}
		golden(t, "partition-"+strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), got)
	}
}

func TestTUIGoldenOverlays(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	hs := partitionAt(t, 80, 24)
	hs.press("f")
	golden(t, "palette-verbs-80x24", hs.view())
	hs.choose("partition")
	golden(t, "palette-targets-80x24", hs.view())
	hs.press("enter")
	golden(t, "palette-params-80x24", hs.view())
	hs.press("esc", "esc", "esc")
	if hs.m.pal != nil {
		t.Fatal("esc did not close the palette")
	}
	hs.press("x")
	golden(t, "clear-80x24", hs.view())
	hs.press("esc")
	hs.msg(tea.WindowSizeMsg{Width: 120, Height: 40})
	hs.press("?")
	golden(t, "help-120x40", hs.view())
}

func TestTUISmallTerminal(t *testing.T) {
	hs := newHarness(t, "shop", 40, 10)
	got := hs.view()
	if !strings.Contains(got, "make the window larger") {
		t.Errorf("no message at 40x10:\n%s", got)
	}
	golden(t, "small-40x10", got)
	// A resize back brings the UI back.
	hs.msg(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := hs.view(); !strings.Contains(v, "Topology") {
		t.Errorf("no topology at 80x24:\n%s", v)
	}
}

func TestTUIKeys(t *testing.T) {
	hs := newHarness(t, "shop", 100, 30)
	var sent []Action
	send := hs.m.opt.Send
	hs.m.opt.Send = func(a Action) { sent = append(sent, a); send(a) }

	hs.press("space")
	if !hs.r.paused || !hs.m.snap.Paused {
		t.Error("space did not pause")
	}
	hs.press("+", "+")
	if hs.r.speed != 5 {
		t.Errorf("speed %v after two +, want 5", hs.r.speed)
	}
	for range 20 {
		hs.press("+")
	}
	if hs.r.speed != 0 || !strings.Contains(hs.view(), "max") {
		t.Errorf("speed %v at the top, want 0 (max)", hs.r.speed)
	}
	for range 30 {
		hs.press("-")
	}
	if hs.r.speed != 0.1 {
		t.Errorf("speed %v at the bottom, want 0.1", hs.r.speed)
	}
	before := hs.r.eng.Now()
	hs.press(".")
	if hs.r.eng.Now() != before+hs.r.StepSize {
		t.Errorf("step moved %v to %v", before, hs.r.eng.Now())
	}
	// Selection: tab walks every component and comes back.
	first := hs.m.sel
	for range len(hs.m.g.nodes) {
		hs.press("tab")
	}
	if hs.m.sel != first {
		t.Errorf("tab did not cycle back: %d, want %d", hs.m.sel, first)
	}
	hs.press("right")
	if c, _ := hs.m.g.position(hs.m.sel); c != hs.m.g.nodes[first].depth+1 {
		t.Errorf("right went to column %d", c)
	}
	// A click on a node selects it.
	cells := hs.m.nodeCells(hs.m.screen().topo)
	target := hs.m.g.byName["db"]
	c := cells[target]
	hs.msg(tea.MouseClickMsg{X: c.x + 1, Y: c.y})
	if hs.m.sel != target {
		t.Errorf("click at %v selected %s", c, hs.m.g.nodes[hs.m.sel].name)
	}
	// Nothing to save yet.
	// (The command returned is only the status message's expiry.)
	hs.press("s")
	if files, _ := os.ReadDir(hs.dir); len(files) > 0 || !hs.m.statusBad {
		t.Error("s saved an empty session")
	}
	// A bad parameter is reported in the palette, not applied.
	hs.press("f")
	hs.choose("latency")
	hs.choose("api->db")
	hs.setField("add", "fast")
	hs.press("enter")
	if hs.m.pal == nil || hs.m.pal.err == "" {
		t.Fatal("bad latency accepted")
	}
	hs.setField("add", "50ms")
	hs.press("enter")
	if hs.m.pal != nil || len(hs.r.session.Faults) != 1 {
		t.Fatalf("fault not injected: %+v", hs.r.session)
	}
	f := hs.r.session.Faults[0]
	if f.Verb != models.FaultLatency || f.Target.From != "api" || f.Target.To != "db" || f.Latency.String() != "const(50ms)" || f.Start != hs.r.eng.Now() {
		t.Errorf("injected %+v at %v", f, hs.r.eng.Now())
	}
	// Quitting with an unsaved session asks first.
	if cmd := hs.press("q"); cmd != nil || hs.m.confirm != "quit" {
		t.Fatal("q quit without asking")
	}
	if !strings.Contains(hs.view(), "discard the unsaved session") {
		t.Error("no question shown")
	}
	hs.press("n")
	if hs.m.confirm != "" {
		t.Error("n did not cancel")
	}
	// r asks too, and y restarts from zero with no live faults.
	hs.press("r", "y")
	if hs.r.eng.Now() != 0 || len(hs.r.session.Faults) != 0 || hs.m.unsaved() {
		t.Errorf("restart: now %v, %d faults", hs.r.eng.Now(), len(hs.r.session.Faults))
	}
	if cmd := hs.press("q"); cmd == nil {
		t.Error("q with nothing unsaved did not quit")
	}
}

// The session recorded through the UI — live faults injected with the
// palette, a timeline fault and a live one cleared by hand — is saved,
// loaded back and run headless with the same seed: the JSON result is
// identical, byte for byte, to the live run's.
func TestTUISessionReplaysHeadless(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	hs := newHarness(t, "partition", 120, 40)
	hs.r.StepSize = 7*sim.Second + 3*sim.Millisecond // odd slices on purpose
	hs.stepTo(95 * sim.Second)

	hs.press("f") // crash one api instance, no end
	hs.choose("crash")
	hs.choose("api")
	hs.setField("instances", "one")
	hs.press("enter")
	hs.stepTo(2 * sim.Minute)

	hs.press("f") // cut the gateway off from api for 20 s
	hs.choose("partition")
	hs.choose("gateway | api")
	hs.setField("for", "20s")
	hs.press("enter")
	hs.stepTo(3 * sim.Minute)

	hs.press("f") // a traffic spike, cleared by hand later
	hs.choose("spike")
	hs.choose("browse")
	hs.setField("factor", "2.5x")
	hs.press("enter")
	hs.stepTo(4*sim.Minute + 10*sim.Second)

	// Clear the file's partition 10 s into it, then the spike.
	clearNamed := func(name string) {
		t.Helper()
		hs.press("x")
		for range len(hs.m.clr.ids) {
			if hs.m.snap.Result.Faults[hs.m.clr.ids[hs.m.clr.at]].Name == name {
				hs.press("enter")
				return
			}
			hs.press("down")
		}
		t.Fatalf("no active fault %q", name)
	}
	clearNamed("db-partition")
	hs.stepTo(4*sim.Minute + 40*sim.Second)
	clearNamed("spike browse")
	hs.stepTo(10 * sim.Minute)
	if !hs.r.m.Finished() {
		t.Fatal("live run not finished")
	}
	live := hs.r.m.Result(false)

	cmd := hs.press("s")
	if cmd == nil {
		t.Fatal("s gave no save command")
	}
	saved := cmd().(savedMsg)
	if saved.err != nil {
		t.Fatal(saved.err)
	}
	hs.msg(saved)
	if hs.m.unsaved() || !strings.Contains(hs.m.status, "cascade run") {
		t.Errorf("after save: unsaved %v, status %q", hs.m.unsaved(), hs.m.status)
	}
	if filepath.Dir(saved.path) != hs.dir || filepath.Base(saved.path) != "partition-session-1.yaml" {
		t.Errorf("saved to %s", saved.path)
	}
	data, _ := os.ReadFile(saved.path)

	s2, err := scenarios.Load(saved.path)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	eng := sim.NewEngine(s2.Seed)
	m2, err := models.New(eng, s2.Topology(), models.Options{Until: s2.Duration, Warmup: s2.Warmup})
	if err != nil {
		t.Fatal(err)
	}
	m2.Start()
	for !m2.Advance(sim.Minute) {
	}
	replay := m2.Result(false)

	js := func(r models.Result, events uint64) string {
		var b bytes.Buffer
		meta := report.Meta{Scenario: s2.Name, Source: "session", Seed: s2.Seed, Duration: s2.Duration, Warmup: s2.Warmup, Events: events}
		if err := report.JSON(&b, meta, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := js(live, hs.r.eng.Fired()), js(replay, eng.Fired())
	if a != b {
		t.Errorf("replay differs from the live run\nsaved file:\n%s\nlive:\n%s\nreplay:\n%s", data, a, b)
	}
	if len(live.Faults) != 4 || live.Faults[0].End == 0 {
		t.Errorf("faults: %+v", live.Faults)
	}
	for _, want := range []string{"crash: api", "instances: one", "partition: [[gateway], [api]]", "for: 20s", "spike: 2.5x", "# A network partition"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("saved file lacks %q:\n%s", want, data)
		}
	}
	// A second save never overwrites the first.
	hs.m.saved = 0
	if p, err := SaveSession(hs.m.sc, hs.m.snap.Session, hs.dir); err != nil || filepath.Base(p) != "partition-session-2.yaml" {
		t.Errorf("second save: %s %v", p, err)
	}
}

// The runner's frames follow the wall clock, yet slicing never changes
// the numbers: a run driven by Frame equals one stepped by hand.
func TestTUIRunnerFramesAreDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	s := load(t, "gc-pause")
	a, _ := NewRunner(s, 3)
	a.Apply(Action{Kind: ActSpeed, Speed: 0})
	for !a.m.Finished() {
		a.Frame(0)
		_ = a.Snapshot()
	}
	b, _ := NewRunner(s, 3)
	b.StepSize = 5 * sim.Minute
	for !b.m.Finished() {
		b.Apply(Action{Kind: ActStep})
	}
	ra, rb := a.m.Result(false), b.m.Result(false)
	if ra.Workloads[0].Counts != rb.Workloads[0].Counts || ra.Workloads[0].Latency != rb.Workloads[0].Latency {
		t.Errorf("frames %+v\nsteps %+v", ra.Workloads[0], rb.Workloads[0])
	}
}

// A busy runner publishes through the one-slot channel while a reader
// takes snapshots and sends actions: run with -race.
func TestTUIRunnerConcurrent(t *testing.T) {
	s := load(t, "shop")
	r, err := NewRunner(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Budget = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	actions := make(chan Action, 8)
	out := make(chan Snapshot, 1)
	done := make(chan struct{})
	go func() { r.Run(ctx, actions, out); close(done) }()
	actions <- Action{Kind: ActSpeed, Speed: 50}
	var last Snapshot
	for i := 0; i < 20; i++ {
		last = <-out
		if i == 5 {
			actions <- Action{Kind: ActInject, Fault: models.Fault{Verb: models.FaultSlow, Factor: 2, Target: models.Target{Component: "db"}}}
		}
	}
	cancel()
	<-done
	if last.Now == 0 || len(last.Result.Services) == 0 {
		t.Errorf("no progress: %+v", last.Now)
	}
}

func TestTUIPicker(t *testing.T) {
	p := picker{th: newTheme(true, true), noColor: true, entries: []scenarios.Entry{
		{Name: "gc-pause", Description: "A 1.5 s GC pause on one of four busy instances behind round robin."},
		{Name: "shop", Description: "Online shop: gateway -> api -> catalog and reviews in parallel -> database, plus a closed-loop checkout through a payment provider; all services healthy at 40-75% utilization."},
		{Name: "theory-mm1", Description: "M/M/1 at rho = 0.8 (Poisson 80/s, one FIFO server, exp(10ms) service)."},
	}, at: 1, notes: []string{"", headerComment([]byte("# The default scenario: a healthy online shop.\n#\n# Break it and watch.\nname: shop\n")), ""}}
	if p.notes[1] != "The default scenario: a healthy online shop.\n\nBreak it and watch." {
		t.Errorf("header comment %q", p.notes[1])
	}
	step := func(msg tea.Msg) tea.Cmd {
		nm, cmd := p.Update(msg)
		p = nm.(picker)
		return cmd
	}
	step(tea.WindowSizeMsg{Width: 80, Height: 24})
	golden(t, "picker-80x24", strip(p.render()))
	step(keyMsg("down"))
	want := p.entries[p.at].Name
	if cmd := step(keyMsg("enter")); cmd == nil || p.chosen != want {
		t.Errorf("enter chose %q, want %q", p.chosen, want)
	}
}

// A light terminal gets its own palette, and nothing else changes.
func TestTUILightBackground(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	hs := partitionAt(t, 100, 30)
	plain := hs.view()
	hs.m.opt.NoColor = false
	hs.msg(tea.BackgroundColorMsg{Color: color.White})
	light := hs.m.render()
	if hs.m.dark || strip(light) != plain || light == plain {
		t.Errorf("dark %v; light view differs in text or has no colour", hs.m.dark)
	}
}

// The real loop: the runner on its goroutine, frames following the wall
// clock at full speed, actions arriving whenever they arrive. The session
// it records still replays to the live run's numbers.
func TestTUIRunLoopSessionReplays(t *testing.T) {
	s := loadCut(t, "gc-pause", "2m30s")
	r, err := NewRunner(s, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	actions := make(chan Action, 8)
	out := make(chan Snapshot, 1)
	done := make(chan struct{})
	go func() { r.Run(ctx, actions, out); close(done) }()
	svc := r.Topology().Services[0].Name
	wl := r.Topology().Workloads[0].Name
	actions <- Action{Kind: ActSpeed, Speed: 0}
	plan := []struct {
		at sim.Time
		a  Action
	}{
		{40 * sim.Second, Action{Kind: ActInject, Fault: models.Fault{Verb: models.FaultSlow, Factor: 2, Target: models.Target{Component: svc}}}},
		{70 * sim.Second, Action{Kind: ActInject, Fault: models.Fault{Verb: models.FaultSpike, Factor: 1.5, Duration: 20 * sim.Second, Target: models.Target{Component: wl}}}},
		{100 * sim.Second, Action{Kind: ActClear, ID: -1}}, // the slow one
	}
	var last Snapshot
	for last = range out {
		if len(plan) > 0 && last.Now >= plan[0].at {
			a := plan[0].a
			if a.Kind == ActClear {
				a.ID = last.Timeline
			}
			actions <- a
			plan = plan[1:]
		}
		if last.Finished && len(plan) == 0 {
			break
		}
	}
	cancel()
	<-done
	live := r.m.Result(false)
	if len(live.Faults) != last.Timeline+2 || live.Faults[last.Timeline].State != models.FaultEnded {
		t.Fatalf("faults %+v", live.Faults)
	}
	data, err := scenarios.SaveSession(s, last.Session)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := scenarios.Parse("session.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	eng := sim.NewEngine(s2.Seed)
	m2, _ := models.New(eng, s2.Topology(), models.Options{Until: s2.Duration, Warmup: s2.Warmup})
	m2.Start()
	for !m2.Advance(sim.Minute) {
	}
	var a, b bytes.Buffer
	meta := report.Meta{Scenario: s.Name, Seed: s.Seed}
	report.JSON(&a, meta, live)
	report.JSON(&b, meta, m2.Result(false))
	if a.String() != b.String() || r.eng.Fired() != eng.Fired() {
		t.Errorf("replay differs (events %d vs %d)\n%s", r.eng.Fired(), eng.Fired(), data)
	}
}

// Constant arrivals land on exact milliseconds, so a fault injected at a
// slice boundary of whole seconds would tie with an arrival: live it would
// act after the arrival, replayed before it. The runner injects and clears
// at the next instant with nothing due instead, and the replay matches.
func TestTUIInjectionAvoidsTies(t *testing.T) {
	src := `name: ties
duration: 30s
workloads:
  w: { to: svc, rate: 1000/s, arrivals: constant }
services:
  svc:
    instances: 2
    workers: 4
    ops: { get: [ work: 1ms ] }
`
	s, err := scenarios.Parse("ties.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.StepSize = 10 * sim.Second
	r.Apply(Action{Kind: ActStep})
	r.Apply(Action{Kind: ActInject, Fault: models.Fault{Verb: models.FaultCrash, Target: models.Target{Component: "svc", Instances: models.Instances{Mode: models.SelectOne}}}})
	if got := r.session.Faults[0].Start; got == 10*sim.Second {
		t.Errorf("injected at %v, on a tie with an arrival", got)
	}
	r.Apply(Action{Kind: ActStep})
	r.Apply(Action{Kind: ActClear, ID: 0})
	for !r.m.Finished() {
		r.Apply(Action{Kind: ActStep})
	}
	data, _ := scenarios.SaveSession(s, r.Snapshot().Session)
	s2, err := scenarios.Parse("ties-session.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	eng := sim.NewEngine(1)
	m2, _ := models.New(eng, s2.Topology(), models.Options{Until: s2.Duration})
	m2.Start()
	m2.Advance(s2.Duration)
	live, replay := r.m.Result(false), m2.Result(false)
	if live.Workloads[0].Counts != replay.Workloads[0].Counts || live.Services[0].Refused != replay.Services[0].Refused || r.eng.Fired() != eng.Fired() {
		t.Errorf("live %+v refused %d events %d\nreplay %+v refused %d events %d\n%s", live.Workloads[0].Counts, live.Services[0].Refused, r.eng.Fired(),
			replay.Workloads[0].Counts, replay.Services[0].Refused, eng.Fired(), data)
	}
}

func TestTUISpeedLadder(t *testing.T) {
	for _, c := range []struct {
		cur  float64
		up   bool
		want float64
	}{{1, true, 2}, {1, false, 0.5}, {3, true, 5}, {3, false, 2}, {1000, true, 0}, {0, true, 0}, {0, false, 1000}, {0.1, false, 0.1}, {0.15, false, 0.1}} {
		if got := nextSpeed(c.cur, c.up); got != c.want {
			t.Errorf("nextSpeed(%v, %v) = %v, want %v", c.cur, c.up, got, c.want)
		}
	}
}

// Every size draws exactly its cells, panels, overlays and help alike.
func TestTUIEverySize(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	hs := partitionAt(t, 80, 24)
	check := func(what string) {
		for w := 1; w <= 150; w += 7 {
			for h := 1; h <= 52; h += 3 {
				hs.msg(tea.WindowSizeMsg{Width: w, Height: h})
				rows := strings.Split(hs.view(), "\n")
				if len(rows) != h {
					t.Fatalf("%s %dx%d: %d rows", what, w, h, len(rows))
				}
				if w < minWidth || h < minHeight {
					continue
				}
				for i, r := range rows {
					if n := len([]rune(r)); n != w {
						t.Fatalf("%s %dx%d: row %d is %d wide: %q", what, w, h, i, n, r)
					}
				}
			}
		}
	}
	check("main")
	hs.press("f")
	check("palette")
	hs.press("esc", "x")
	check("clear")
	hs.press("esc", "?")
	check("help")
}

// Instance faults show on the node: how many instances are down or paused.
func TestTUIInstanceMarks(t *testing.T) {
	hs := newHarness(t, "shop", 200, 60)
	hs.r.StepSize = 5 * sim.Second
	hs.press("space", ".")
	crash := models.Fault{Verb: models.FaultCrash, Restart: 10 * sim.Second, Target: models.Target{Component: "api", Instances: models.Instances{Mode: models.SelectOne, N: 1}}}
	pause := models.Fault{Verb: models.FaultPause, Target: models.Target{Component: "api", Instances: models.Instances{Mode: models.SelectPercent, N: 50}}}
	hs.r.Apply(Action{Kind: ActInject, Fault: crash})
	hs.r.Apply(Action{Kind: ActInject, Fault: pause})
	hs.press(".")
	api := hs.m.stats[hs.m.g.byName["api"]]
	if api.crashed != 1 || api.paused != 2 || api.down {
		t.Errorf("crashed %d paused %d down %v", api.crashed, api.paused, api.down)
	}
	if v := hs.view(); !strings.Contains(v, "1/3 down") || !strings.Contains(v, "2 paused") {
		t.Errorf("no marks:\n%s", v)
	}
	hs.press(".", ".") // past the restart
	if api := hs.m.stats[hs.m.g.byName["api"]]; api.crashed != 0 {
		t.Errorf("still %d down after the restart", api.crashed)
	}
}

// Breakers show where an instructor looks: on the edge, on the caller,
// in the detail and in the event log.
func TestTUIBreakers(t *testing.T) {
	hs := newHarness(t, "testdata/breaker.yaml", 120, 40)
	hs.r.StepSize = 10 * sim.Second
	hs.stepTo(4*sim.Minute + 10*sim.Second)
	hs.m.sel = hs.m.g.byName["api"]
	got := hs.view()
	for _, want := range []string{"→db", " open", "breaker→db open", "breaker api->db#0 closed→open", "breaker open"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q:\n%s", want, got)
		}
	}
	if h := hs.m.stats[hs.m.sel].health; h < healthDegraded {
		t.Errorf("api with open breakers is %s", healthName[h])
	}
	golden(t, "breaker-120x40", got)
}

// Retries and breakers schedule timers of their own; a session over them
// still replays exactly.
func TestTUIBreakerSessionReplays(t *testing.T) {
	if testing.Short() {
		t.Skip(singleThreaded)
	}
	s := load(t, "testdata/breaker.yaml")
	r, err := NewRunner(s, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	r.StepSize = 13*sim.Second + 7
	for r.eng.Now() < 100*sim.Second {
		r.Apply(Action{Kind: ActStep})
	}
	r.Apply(Action{Kind: ActInject, Fault: models.Fault{Verb: models.FaultErrors, P: 0.6, Target: models.Target{Component: "db"}}})
	for r.eng.Now() < 150*sim.Second {
		r.Apply(Action{Kind: ActStep})
	}
	r.Apply(Action{Kind: ActClear, ID: len(r.topo.Faults)})
	for !r.m.Finished() {
		r.Apply(Action{Kind: ActStep})
	}
	data, err := scenarios.SaveSession(s, r.Snapshot().Session)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := scenarios.Parse("session.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	eng := sim.NewEngine(s2.Seed)
	m2, _ := models.New(eng, s2.Topology(), models.Options{Until: s2.Duration, Warmup: s2.Warmup})
	m2.Start()
	m2.Advance(s2.Duration)
	var a, b bytes.Buffer
	meta := report.Meta{Scenario: s.Name, Seed: s.Seed}
	report.JSON(&a, meta, r.m.Result(false))
	report.JSON(&b, meta, m2.Result(false))
	if a.String() != b.String() || r.eng.Fired() != eng.Fired() {
		t.Errorf("replay differs (events %d vs %d)\n%s", r.eng.Fired(), eng.Fired(), data)
	}
	if !strings.Contains(a.String(), "open") {
		t.Error("no breaker opened: the fixture no longer exercises breakers")
	}
}
