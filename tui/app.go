package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"cascade/scenarios"
)

// RunOptions configure a live session.
type RunOptions struct {
	Seed    uint64 // used when SeedSet; else the scenario's
	SeedSet bool
	Speed   float64 // starting speed; 0 = 1x
	Max     bool    // start as fast as the machine goes
	Dir     string  // where sessions are saved; "" = the current directory
	NoColor bool    // also set by the NO_COLOR environment variable
	Lesson  bool    // walk the scenario's lesson (lesson.go)
	Input   io.Reader
	Output  io.Writer
}

func (o RunOptions) program(m tea.Model) *tea.Program {
	var opts []tea.ProgramOption
	if o.Input != nil {
		opts = append(opts, tea.WithInput(o.Input))
	}
	if o.Output != nil {
		opts = append(opts, tea.WithOutput(o.Output))
	}
	return tea.NewProgram(m, opts...)
}

func noColor(o RunOptions) bool {
	return o.NoColor || os.Getenv("NO_COLOR") != ""
}

// Run opens scenario s in the terminal UI and returns when the user quits.
func Run(s *scenarios.Scenario, o RunOptions) error { return run(s, o, nil) }

// CrashError is what Run returns when the UI or the simulation panicked:
// the terminal has been restored, and the session — every fault injected
// so far — saved to Saved (empty when there was nothing to save, or saving
// failed too: SaveErr).
type CrashError struct {
	What    string // "the screen" or "the simulation"
	Panic   string
	Saved   string
	Changes int
	SaveErr error
}

func (e *CrashError) Error() string {
	msg := "cascade crashed in " + e.What + ": " + e.Panic
	switch {
	case e.Saved != "":
		msg += fmt.Sprintf("\nthe session (%d %s) is saved in %s — replay it with: cascade run %s", e.Changes, plural(e.Changes, "change", "changes"), e.Saved, e.Saved)
	case e.SaveErr != nil:
		msg += "\nthe session could not be saved: " + e.SaveErr.Error()
	default:
		msg += "\nnothing had been injected: no session to save"
	}
	return msg + "\nplease report this crash with the output above"
}

// run is Run with a hook wrapping the model (tests make it panic).
func run(s *scenarios.Scenario, o RunOptions, wrap func(tea.Model) tea.Model) error {
	seed := s.Seed
	if o.SeedSet {
		seed = o.Seed
	}
	newRunner := NewRunner
	if o.Lesson {
		newRunner = NewLessonRunner
	}
	r, err := newRunner(s, seed)
	if err != nil {
		return err
	}
	switch {
	case o.Max:
		r.Apply(Action{Kind: ActSpeed, Speed: 0})
	case o.Speed > 0:
		r.Apply(Action{Kind: ActSpeed, Speed: o.Speed})
	}
	ctx, cancel := context.WithCancel(context.Background())
	actions := make(chan Action, 64)
	snaps := make(chan Snapshot, 1)
	done := make(chan struct{})
	var prog *tea.Program
	var simPanic any
	ready := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				simPanic = fmt.Sprintf("%v\n%s", p, debug.Stack())
				<-ready
				prog.Kill() // restores the terminal
			}
		}()
		r.Run(ctx, actions, snaps)
	}()
	next := func() tea.Msg {
		select {
		case s := <-snaps:
			return SnapshotMsg(s)
		case <-ctx.Done():
			return nil
		}
	}
	send := func(a Action) {
		select {
		case actions <- a:
		case <-ctx.Done():
		}
	}
	var m tea.Model = New(s, r.Topology(), Options{Send: send, Next: next, Dir: o.Dir, NoColor: noColor(o), Dark: true})
	if wrap != nil {
		m = wrap(m)
	}
	prog = o.program(m)
	close(ready)
	_, err = prog.Run()
	cancel()
	<-done
	if simPanic == nil && !errors.Is(err, tea.ErrProgramPanic) {
		return err
	}
	// Bubble Tea has restored the terminal and printed the stack of a
	// panic in Update or View. Whatever happened, the faults injected so
	// far are kept: those still on their way to the runner are applied
	// (unless the simulation itself broke), then the session is saved.
	ce := &CrashError{What: "the screen", Panic: fmt.Sprint(err)}
	if simPanic != nil {
		ce.What, ce.Panic = "the simulation", fmt.Sprint(simPanic)
	} else {
	drain:
		for {
			select {
			case a := <-actions:
				if a.Kind == ActInject || a.Kind == ActClear {
					r.Apply(a)
				}
			default:
				break drain
			}
		}
	}
	ce.Changes = r.changes
	if r.changes > 0 {
		ce.Saved, ce.SaveErr = SaveSession(s, r.session, o.Dir) // r.session: plain values, sound even if the model broke
		if ce.SaveErr != nil {
			ce.Saved = ""
		}
	}
	return ce
}

// Pick shows the built-in scenarios and returns the one chosen, or "" when
// the user quit.
func Pick(o RunOptions) (string, error) {
	p := picker{entries: scenarios.Library(), th: newTheme(true, noColor(o)), noColor: noColor(o)}
	for _, e := range p.entries {
		data, _ := scenarios.Builtin(e.Name)
		p.notes = append(p.notes, headerComment(data))
	}
	for i, e := range p.entries {
		if e.Name == scenarios.Default {
			p.at = i
		}
	}
	out, err := o.program(p).Run()
	if err != nil {
		return "", err
	}
	return out.(picker).chosen, nil
}

// picker is the list of built-in scenarios shown by `cascade` alone.
type picker struct {
	entries []scenarios.Entry
	notes   []string // per entry: the file's opening comment, what it teaches
	at      int
	chosen  string
	w, h    int
	th      theme
	noColor bool

	filter    string // what / typed: entries whose name or description has it
	filtering bool   // typing a filter: letters go to it, not to the keys
}

// visible are the entries the filter lets through, by index.
func (p picker) visible() []int {
	var out []int
	f := strings.ToLower(p.filter)
	for i, e := range p.entries {
		if f == "" || strings.Contains(strings.ToLower(e.Name+" "+e.Description), f) {
			out = append(out, i)
		}
	}
	return out
}

// refilter keeps the highlight on a visible entry after the filter changed.
func (p *picker) refilter() {
	vis := p.visible()
	if len(vis) > 0 && !slices.Contains(vis, p.at) {
		p.at = vis[0]
	}
}

func (p picker) Init() tea.Cmd { return tea.RequestBackgroundColor }

func (p picker) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.w, p.h = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		if !p.noColor {
			p.th = newTheme(msg.IsDark(), false)
		}
	case tea.KeyPressMsg:
		k := msg.String()
		vis := p.visible()
		if p.filtering {
			switch {
			case k == "esc":
				p.filter, p.filtering = "", false
				p.refilter()
				return p, nil
			case k == "backspace":
				if r := []rune(p.filter); len(r) > 0 {
					p.filter = string(r[:len(r)-1])
				}
				p.refilter()
				return p, nil
			case msg.Text != "" && k != "enter" && k != "tab":
				p.filter += msg.Text
				p.refilter()
				return p, nil
			}
		}
		pos := slices.Index(vis, p.at)
		switch k {
		case "/":
			p.filtering = true
		case "q", "esc", "ctrl+c":
			if k == "esc" && p.filter != "" {
				p.filter, p.filtering = "", false
				return p, nil
			}
			return p, tea.Quit
		case "up", "k", "shift+tab":
			if len(vis) > 0 {
				p.at = vis[(pos-1+len(vis))%len(vis)]
			}
		case "down", "j", "tab":
			if len(vis) > 0 {
				p.at = vis[(pos+1)%len(vis)]
			}
		case "enter", "space":
			if len(vis) == 0 {
				return p, nil // nothing matches: keep typing or esc
			}
			p.chosen = p.entries[p.at].Name
			return p, tea.Quit
		}
	}
	return p, nil
}

func (p picker) View() tea.View {
	v := tea.NewView(p.render())
	v.AltScreen = true
	return v
}

func (p picker) render() string {
	if p.w == 0 || p.h == 0 {
		return ""
	}
	th := &p.th
	w := p.w
	head := []line{{sty(&th.title, " cascade "), txt("— pick a scenario to open live")}, nil}
	if p.filtering || p.filter != "" {
		vis := len(p.visible())
		f := line{sty(&th.key, " /"), txt(p.filter)}
		if p.filtering {
			f = append(f, txt("▏"))
		}
		f = append(f, sty(&th.dim, "  "+strconv.Itoa(vis)+" of "+strconv.Itoa(len(p.entries))+" · esc clears"))
		head[1] = f
	}
	foot := []line{nil, {sty(&th.dim, " ↑↓ choose · enter open · / filter · q quit · the same list: cascade list")}}
	nameW := 0
	for _, e := range p.entries {
		nameW = max(nameW, len(e.Name))
	}
	// One row per scenario; the chosen one shows its whole description.
	var rows []line
	cursor := 0
	for _, i := range p.visible() {
		e := p.entries[i]
		mark, st := "  ", &th.bold
		if i == p.at {
			mark, st, cursor = "▸ ", &th.sel, len(rows)
		}
		words := wrapWords(e.Description, max(w-nameW-6, 20))
		if len(words) == 0 {
			words = []string{""}
		}
		if i != p.at {
			words = []string{strings.Join(words, " ")} // cut to one row by render
		}
		rows = append(rows, line{sty(&th.key, mark), sty(st, padRight(e.Name, nameW)), txt("  "), sty(&th.dim, words[0])})
		for _, rest := range words[1:] {
			rows = append(rows, line{txt(repeat(" ", nameW+4)), sty(&th.plain, rest)})
		}
	}
	// What the chosen scenario teaches, from its file's opening comment,
	// in the rows the list leaves.
	var about []line
	if p.at < len(p.notes) && p.notes[p.at] != "" {
		about = append(about, nil, line{sty(&th.dim, "─ "), sty(&th.title, p.entries[p.at].Name), sty(&th.dim, " "+repeat("─", w-4-len(p.entries[p.at].Name)))})
		for _, para := range strings.Split(p.notes[p.at], "\n\n") {
			for _, l := range wrapWords(para, w-2) {
				about = append(about, line{txt(" " + l)})
			}
		}
	}
	if spare := p.h - len(head) - len(foot) - len(rows); spare < len(about) {
		about = about[:max(spare, 0)]
	}
	foot = append(about, foot...)
	room := max(p.h-len(head)-len(foot), 1)
	first := 0
	if len(rows) > room {
		first = min(max(cursor-room/3, 0), len(rows)-room)
	}
	all := append(append(head, rows[first:min(first+room, len(rows))]...), foot...)
	out := make([]string, 0, p.h)
	for i := 0; i < len(all) && len(out) < p.h; i++ {
		out = append(out, all[i].render(w))
	}
	return strings.Join(out, "\n")
}

// headerComment is the comment block a YAML file opens with, without the
// "#" marks; blank comment lines separate paragraphs ("\n\n").
func headerComment(data []byte) string {
	var paras []string
	var cur []string
	for _, l := range strings.Split(string(data), "\n") {
		t, ok := strings.CutPrefix(l, "#")
		if !ok {
			break
		}
		t = strings.TrimSpace(t)
		if t == "" {
			if len(cur) > 0 {
				paras = append(paras, strings.Join(cur, " "))
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		paras = append(paras, strings.Join(cur, " "))
	}
	return strings.Join(paras, "\n\n")
}

// wrapWords breaks s into lines of at most w runes, at spaces.
func wrapWords(s string, w int) []string {
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case len([]rune(cur))+1+len([]rune(word)) <= w:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = word
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
