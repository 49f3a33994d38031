package report

import (
	"fmt"
	"io"
	"strconv"

	"cascade/models"
	"cascade/sim"
)

// zoneSeries is one zone's series in chart units: f of each point, with
// the interval in seconds.
func zoneSeries(ps []models.ZonePoint, ax timeAxis, worst bool, f func(p models.ZonePoint, iv float64) float64) ([]float64, []float64) {
	return axisSeries(len(ps), func(i int) sim.Time { return ps[i].T }, ax, worst, func(i int, iv float64) float64 { return f(ps[i], iv) })
}

// zoneMetrics are the zones' charts.
var zoneMetrics = []struct {
	file, title, ylabel, note string
	worst                     bool
	f                         func(models.ZonePoint, float64) float64
}{
	{"zone-up", "Instances up per zone", "instances", "Zoned instances up and in rotation at the end of each interval, every service.", false,
		func(p models.ZonePoint, _ float64) float64 { return float64(p.Up) }},
	{"zone-cross", "Cross-zone calls per zone", "calls/s", "Calls the zone's instances sent to another zone.", false,
		func(p models.ZonePoint, iv float64) float64 { return float64(p.CrossOut) / iv }},
}

// zoneTable is one row per declared zone: its instances up now, the calls
// routed there, the calls crossing into and out of it, and their price.
func zoneTable(r models.Result) mechTable {
	t := mechTable{Kind: "Zones", Left: 1,
		Head:   []string{"ZONE", "up", "requests", "cross out", "cross in", "cost", "now"},
		Legend: "up: instances up and in rotation now / placed there (every zoned service); requests: calls routed to its instances; cross out / in: calls between its instances and another zone's; cost: the price of its cross-out calls; now: an outage or partition holding it at the end."}
	for _, z := range r.Zones {
		now := "ok"
		switch {
		case z.Outage && z.Cut:
			now = "outage, cut"
		case z.Outage:
			now = "outage"
		case z.Cut:
			now = "cut"
		}
		t.Rows = append(t.Rows, []string{z.Name, fmt.Sprintf("%d/%d", z.Up, z.Instances), integer(z.Requests),
			integer(z.CrossOut), integer(z.CrossIn), cost(z.Cost), now})
	}
	return t
}

// cost formats a price with four significant digits (0 as "0").
func cost(f float64) string {
	if !finite(f) {
		return dash
	}
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// crossZoneLine is the totals of the traffic between zones.
func crossZoneLine(r models.Result) string {
	c := r.CrossZone
	share := ""
	var calls int64
	for _, z := range r.Zones {
		calls += z.Requests
	}
	if calls > 0 {
		share = " (" + percent(float64(c.Calls)/float64(calls), 1) + " of the calls to zoned services)"
	}
	line := fmt.Sprintf("cross-zone: %d calls%s", c.Calls, share)
	if c.Bytes > 0 {
		line += fmt.Sprintf(", %s GB", fixed(c.Bytes/1e9, 3))
	}
	return line + ", cost " + cost(c.Cost)
}

// zones writes the zone table of the text summary.
func zones(w io.Writer, r models.Result) {
	mt := zoneTable(r)
	if len(mt.Rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	(&table{head: mt.Head, rows: mt.Rows}).write(w)
	fmt.Fprintln(w, crossZoneLine(r))
	fmt.Fprintln(w, "up: instances up and in rotation now / placed; requests: calls routed there; cross out/in: calls")
	fmt.Fprintln(w, "between its instances and another zone's; cost: the price of its cross-out calls")
}
