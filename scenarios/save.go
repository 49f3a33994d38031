package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cascade/models"
	"cascade/scenarios/units"
	"cascade/sim"
	"cascade/sim/dist"
)

// Session is what a live session adds to a scenario: faults injected by
// hand, each at the simulated instant it took effect, and timeline faults
// that were cleared by hand before their end.
type Session struct {
	// Seed is the seed the session ran with; when it differs from the
	// scenario's it is written as the file's seed.
	Seed uint64
	// Faults are appended to the faults: timeline in this order, which must
	// be the order they were injected in (fault ids and random streams
	// follow it). Start is when each took effect; Duration its planned span,
	// or the span it actually lived when it was cleared by hand.
	Faults []models.Fault
	// Shortened maps the index of a timeline fault (in the scenario's
	// faults: list) to the span it actually lived, for timeline faults
	// cleared by hand.
	Shortened map[int]sim.Time
}

// SaveSession returns s's file with the session written into it: every
// comment and value the user wrote is kept, the live faults are appended to
// the faults: sequence (created when absent) in the syntax the loader reads,
// with durations printed exactly, so that loading the result and running it
// with the same seed replays the session to the same numbers.
func SaveSession(s *Scenario, sess Session) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", s.Source, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping", s.Source)
	}
	root := doc.Content[0]
	if sess.Seed != s.Seed {
		setKey(root, "seed", scalar(strconv.FormatUint(sess.Seed, 10)))
	}
	faults := valueOf(root, "faults")
	if faults != nil && faults.Kind == yaml.AliasNode {
		faults = faults.Alias
	}
	if faults == nil || (faults.Kind == yaml.ScalarNode && faults.Tag == "!!null") {
		if len(sess.Faults) == 0 && len(sess.Shortened) == 0 {
			return encode(&doc)
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		setKey(root, "faults", seq)
		faults = seq
	}
	if faults.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: faults: is not a list", s.Source)
	}
	for i, d := range sess.Shortened {
		if i < 0 || i >= len(faults.Content) {
			return nil, fmt.Errorf("timeline fault %d: the file has %d", i, len(faults.Content))
		}
		item := faults.Content[i]
		if item.Kind == yaml.AliasNode {
			return nil, fmt.Errorf("timeline fault %d is an alias; cannot shorten it", i)
		}
		setKey(item, "for", scalar(dist.FormatDuration(d)))
	}
	for _, f := range sess.Faults {
		n, err := FaultNode(f)
		if err != nil {
			return nil, err
		}
		faults.Content = append(faults.Content, n)
	}
	return encode(&doc)
}

func encode(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FaultNode writes one fault as a faults: item in flow style, e.g.
// {at: 3m12.5s, for: 30s, partition: [[api], [db]]}. Conditional faults
// (When) cannot be written: a Go function has no YAML form.
func FaultNode(f models.Fault) (*yaml.Node, error) {
	if f.When != nil {
		return nil, fmt.Errorf("fault %q: a condition cannot be written to a file", f.Name)
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	add := func(k string, v *yaml.Node) { m.Content = append(m.Content, scalar(k), v) }
	if f.Name != "" {
		add("name", scalar(f.Name))
	}
	add("at", scalar(dist.FormatDuration(f.Start)))
	if f.Duration > 0 {
		add("for", scalar(dist.FormatDuration(f.Duration)))
	}
	t := f.Target
	groups := len(t.Groups[0]) > 0 || len(t.Groups[1]) > 0
	link := func() (*yaml.Node, error) {
		if t.From == "" || t.To == "" {
			return nil, fmt.Errorf("%s fault: no link", f.Verb)
		}
		return scalar(t.From + "->" + t.To), nil
	}
	networkTarget := func() error {
		if groups {
			add("between", groupsNode(t.Groups))
			return nil
		}
		n, err := link()
		if err != nil {
			return err
		}
		add("on", n)
		return nil
	}
	v := f.Verb
	switch v {
	case models.FaultLatency:
		if f.Latency == nil {
			return nil, fmt.Errorf("latency fault without a latency")
		}
		add("latency", scalar(f.Latency.String()))
		if err := networkTarget(); err != nil {
			return nil, err
		}
	case models.FaultLoss:
		add("loss", scalar(formatProbability(f.P)))
		if err := networkTarget(); err != nil {
			return nil, err
		}
	case models.FaultPartition:
		if !groups {
			if t.From == "" || t.To == "" {
				return nil, fmt.Errorf("partition fault without groups")
			}
			t.Groups = [2][]string{{t.From}, {t.To}}
		}
		add("partition", groupsNode(t.Groups))
		if f.OneWay {
			add("direction", scalar("one_way"))
		}
	case models.FaultBlackhole:
		switch {
		case groups:
			return nil, fmt.Errorf("blackhole between groups has no file syntax")
		case t.From == "":
			add("blackhole", scalar(t.To))
		default:
			n, err := link()
			if err != nil {
				return nil, err
			}
			add("blackhole", n)
		}
		if f.After > 0 {
			add("after", scalar(dist.FormatDuration(f.After)))
		}
	case models.FaultCrash, models.FaultPause:
		add(v.String(), scalar(t.Component))
	case models.FaultSlow, models.FaultSpike, models.FaultRamp:
		add(v.String(), scalar(strconv.FormatFloat(f.Factor, 'g', -1, 64)+"x"))
		add("on", scalar(t.Component))
	case models.FaultErrors:
		add("errors", scalar(formatProbability(f.P)))
		add("on", scalar(t.Component))
		if f.Keys > 0 {
			add("keys", scalar(formatProbability(f.Keys)))
		}
	case models.FaultPoolLeak:
		add("pool_leak", scalar(formatProbability(f.P)))
		n, err := link()
		if err != nil {
			return nil, err
		}
		add("on", n)
	case models.FaultPoison:
		add("poison", scalar(formatProbability(f.P)))
		add("on", scalar(t.Component))
	case models.FaultFailover:
		add("failover", scalar(t.Component))
	case models.FaultReplicaLag:
		if f.Stop {
			add("replica_lag", scalar("stop"))
		} else {
			if f.Latency == nil {
				return nil, fmt.Errorf("replica_lag fault without a delay")
			}
			add("replica_lag", scalar(f.Latency.String()))
		}
		add("on", scalar(t.Component))
	case models.FaultFlush:
		add("flush", scalar(t.Component))
	case models.FaultMassExpiry:
		add("mass_expiry", scalar(formatProbability(f.P)))
		add("on", scalar(t.Component))
	case models.FaultHotKey:
		add("hot_key", scalar(formatProbability(f.P)))
		add("on", scalar(t.Component))
		if f.Key != 0 {
			add("key", scalar(strconv.Itoa(f.Key)))
		}
	case models.FaultDeploy:
		deployFields(add, f)
	case models.FaultZoneOutage, models.FaultZonePartition:
		add(v.String(), scalar(t.Zone))
	case models.FaultBreaker:
		add("breaker", scalar(f.Mode))
		n, err := link()
		if err != nil {
			return nil, err
		}
		add("on", n)
	default:
		return nil, fmt.Errorf("unknown fault verb %d", v)
	}
	if v.Instance() || v == models.FaultReplicaLag {
		switch in := t.Instances; in.Mode {
		case models.SelectOne:
			if in.N == 0 {
				add("instances", scalar("one"))
			} else {
				add("instance", scalar(strconv.Itoa(int(in.N))))
			}
		case models.SelectCount:
			add("instances", scalar(strconv.Itoa(int(in.N))))
		case models.SelectPercent:
			add("instances", scalar(formatPercent(in.N/100)))
		}
	}
	if v == models.FaultCrash && f.Restart > 0 {
		add("restart", scalar(dist.FormatDuration(f.Restart)))
	}
	if v == models.FaultRamp && f.Over > 0 {
		add("over", scalar(dist.FormatDuration(f.Over)))
	}
	return m, nil
}

// formatProbability writes p as a percentage when that reads back exactly,
// else as the shortest fraction that does.
func formatProbability(p float64) string {
	if s := formatPercent(p); s != "" {
		return s
	}
	return strconv.FormatFloat(p, 'g', -1, 64)
}

// formatPercent writes p (a fraction) as "N%" when that parses back to
// exactly p, else "".
func formatPercent(p float64) string {
	for prec := 0; prec <= 15; prec++ {
		s := strconv.FormatFloat(p*100, 'f', prec, 64) + "%"
		if q, err := units.ParsePercent(s); err == nil && q == p {
			return s
		}
	}
	if !math.IsNaN(p) {
		s := strconv.FormatFloat(p, 'g', -1, 64)
		if q, err := units.ParsePercent(s); err == nil && q == p {
			return s
		}
	}
	return ""
}

func groupsNode(g [2][]string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, names := range g {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, n := range names {
			seq.Content = append(seq.Content, scalar(n))
		}
		out.Content = append(out.Content, seq)
	}
	return out
}

// scalar is a string scalar; the encoder quotes it when plain style would
// not read back as the same string (commas in a flow mapping, say).
func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setKey replaces key's value in mapping m, or appends the pair. A
// replaced value keeps the comments of the one it replaces.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			old := m.Content[i+1]
			v.LineComment, v.HeadComment, v.FootComment = old.LineComment, old.HeadComment, old.FootComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// SessionName is a file name in dir for a session of scenario name that
// does not exist yet: NAME-session-1.yaml, NAME-session-2.yaml, ...
func SessionName(dir, name string) string {
	base := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == os.PathSeparator || r < ' ' {
			return '-'
		}
		return r
	}, name)
	if base == "" {
		base = "scenario"
	}
	for i := 1; ; i++ {
		p := filepath.Join(dir, base+"-session-"+strconv.Itoa(i)+".yaml")
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
}

// WriteNew writes data to path, refusing to replace an existing file.
func WriteNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
