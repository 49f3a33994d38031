package tui

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"cascade/sim"
)

// theme holds every style the UI uses. Colours are picked for the
// terminal's background (light or dark); with NO_COLOR set every style is
// plain, and health is still readable from its glyph.
type theme struct {
	plain, dim, bold, title, key, warn, bad, good, sel, accent lipgloss.Style
	health                                                     [4]lipgloss.Style
}

func newTheme(dark, noColor bool) theme {
	if noColor {
		p := lipgloss.NewStyle()
		b := p.Bold(true)
		return theme{plain: p, dim: p, bold: b, title: b, key: b, warn: b, bad: b, good: p, sel: p.Reverse(true), accent: b,
			health: [4]lipgloss.Style{p, p, b, b}}
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	p := lipgloss.NewStyle()
	t := theme{
		plain:  p,
		dim:    p.Foreground(c("#767676", "#8a8a8a")),
		bold:   p.Bold(true),
		title:  p.Bold(true).Foreground(c("#005f87", "#5fafff")),
		key:    p.Bold(true).Foreground(c("#875f00", "#ffd75f")),
		warn:   p.Bold(true).Foreground(c("#af5f00", "#ffaf00")),
		bad:    p.Bold(true).Foreground(c("#d70000", "#ff5f5f")),
		good:   p.Foreground(c("#008700", "#5fd75f")),
		sel:    p.Reverse(true).Bold(true),
		accent: p.Foreground(c("#5f00af", "#d787ff")),
	}
	t.health = [4]lipgloss.Style{t.dim, t.good, t.warn, t.bad}
	return t
}

// healthGlyph marks health without colour.
var healthGlyph = [4]string{"○", "●", "▲", "✖"}

var healthName = [4]string{"idle", "ok", "degraded", "failing"}

// seg is a piece of text in one style; a line is a row of them. Lines are
// measured and cut on their plain text, then styled, so a view is laid
// out exactly whatever the colour profile. Every glyph used is one cell.
type seg struct {
	text string
	st   *lipgloss.Style
}

type line []seg

func (l line) width() int {
	n := 0
	for _, s := range l {
		n += utf8.RuneCountInString(s.text)
	}
	return n
}

func (l line) plain() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.text)
	}
	return b.String()
}

// render cuts the line to w cells (with … when cut) and pads it to w.
func (l line) render(w int) string {
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	left := w
	cut := l.width() > w
	for _, s := range l {
		if left <= 0 {
			break
		}
		t := s.text
		if n := utf8.RuneCountInString(t); n > left || (cut && n == left) {
			r := []rune(t)
			keep := left
			if cut {
				keep = left - 1
			}
			t = string(r[:max(keep, 0)])
			if cut {
				t += "…"
			}
			left = 0
		} else {
			left -= n
		}
		if s.st != nil && t != "" {
			b.WriteString(s.st.Render(t))
		} else {
			b.WriteString(t)
		}
	}
	if left > 0 {
		b.WriteString(strings.Repeat(" ", left))
	}
	return b.String()
}

func txt(s string) seg                     { return seg{text: s} }
func sty(st *lipgloss.Style, s string) seg { return seg{text: s, st: st} }
func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}
func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s))) + s
}
func repeat(s string, n int) string         { return strings.Repeat(s, max(n, 0)) }
func fixed(f float64, prec int) string      { return strconv.FormatFloat(f, 'f', prec, 64) }
func finite(f float64) bool                 { return !math.IsNaN(f) && !math.IsInf(f, 0) }
func plural(n int, one, many string) string { return map[bool]string{true: one, false: many}[n == 1] }

// clock prints a simulated instant as m:ss.mmm (h:mm:ss past an hour).
func clock(t sim.Time) string {
	ms := int64(t / sim.Millisecond)
	s, ms := ms/1000, ms%1000
	m, s := s/60, s%60
	if m >= 60 {
		return strconv.FormatInt(m/60, 10) + ":" + pad2(m%60) + ":" + pad2(s)
	}
	return strconv.FormatInt(m, 10) + ":" + pad2(s) + "." + pad3(ms)
}

func pad2(n int64) string { return padLeftZero(n, 2) }
func pad3(n int64) string { return padLeftZero(n, 3) }
func padLeftZero(n int64, w int) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// rate prints requests per second compactly: 912, 1.2k, 35k.
func rate(r float64) string {
	switch {
	case !finite(r):
		return "-"
	case r >= 99_950:
		return fixed(r/1000, 0) + "k"
	case r >= 9_995:
		return fixed(r/1000, 1) + "k"
	case r >= 100:
		return fixed(r, 0)
	case r >= 10:
		return fixed(r, 1)
	}
	return fixed(r, 2)
}

// pct prints a fraction as a percentage with sensible digits.
func pct(f float64) string {
	switch {
	case !finite(f):
		return "-"
	case f == 0:
		return "0%"
	case f >= 0.995 || f <= -0.995:
		return fixed(100*f, 0) + "%"
	case f >= 0.0995 || f <= -0.0995:
		return fixed(100*f, 1) + "%"
	}
	return fixed(100*f, 2) + "%"
}

// secs prints a latency in seconds as 850µs, 12ms, 1.4s.
func secs(s float64) string {
	switch {
	case !finite(s):
		return "-"
	case s >= 10:
		return fixed(s, 0) + "s"
	case s >= 1:
		return fixed(s, 1) + "s"
	case s >= 0.01:
		return fixed(s*1000, 0) + "ms"
	case s >= 0.001:
		return fixed(s*1000, 1) + "ms"
	}
	return fixed(s*1e6, 0) + "µs"
}

// span prints a (real) duration coarsely: 45s, 12m, 3.5h, 2.1d.
func span(t sim.Time) string {
	s := t.Seconds()
	switch {
	case t == sim.Forever || !finite(s):
		return "∞"
	case s < 60:
		return fixed(s, 0) + "s"
	case s < 3600:
		return fixed(s/60, 0) + "m"
	case s < 86400:
		return trim0(fixed(s/3600, 1)) + "h"
	}
	return trim0(fixed(s/86400, 1)) + "d"
}

func trim0(s string) string { return strings.TrimSuffix(s, ".0") }

// speed prints a speed multiplier.
func speedText(x float64) string {
	switch {
	case x == 0:
		return "max"
	case x < 1:
		return fixed(x, 1) + "x"
	}
	return strconv.FormatFloat(x, 'f', -1, 64) + "x"
}

// sparkline draws values (NaN: a gap) from 0 up to top (the largest value
// when top is 0), newest last, in exactly w cells.
func sparkline(vals []float64, w int, top float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	rs := []rune(bars)
	if w <= 0 {
		return ""
	}
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	hi, lo := math.Inf(-1), math.Inf(1)
	for _, v := range vals {
		if finite(v) {
			hi, lo = math.Max(hi, v), math.Min(lo, v)
		}
	}
	// A constant series is a flat line at its level: half height when the
	// scale is its own (nothing to compare it with), its share of top when
	// a top is given; zero is the lowest bar either way.
	flat := finite(hi) && hi-lo <= 1e-9*math.Abs(hi)
	if top > 0 {
		hi = top
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", w-len(vals)))
	for _, v := range vals {
		switch {
		case !finite(v):
			b.WriteByte(' ')
		case v <= 0 || hi <= 0:
			b.WriteRune(rs[0])
		case flat && top <= 0:
			b.WriteRune(rs[3])
		default:
			k := int(math.Round(v / hi * float64(len(rs)-1)))
			b.WriteRune(rs[min(max(k, 0), len(rs)-1)])
		}
	}
	return b.String()
}

// bar draws fraction f (clamped to [0,1]) in w cells.
func bar(f float64, w int) (full, empty string) {
	if !finite(f) {
		f = 0
	}
	f = math.Min(math.Max(f, 0), 1)
	n := int(math.Round(f * float64(w)))
	return repeat("█", n), repeat("░", w-n)
}
