package report

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
)

// HTML writes a review as one self-contained page: inline CSS, charts as
// inline SVG, no script, nothing fetched from the network, so it can be
// attached to a review, mailed or archived and still open in ten years.
// The bytes depend only on the review: no clock, no map order.
func HTML(w io.Writer, rv Review) error {
	if len(rv.Runs) == 0 {
		return fmt.Errorf("nothing to report")
	}
	cs := charts(rv)
	mc := mechCharts(rv)
	files, err := renderCharts(append(slices.Clone(cs), mc...))
	if err != nil {
		return err
	}
	mfiles := files[len(cs):]
	secs := mechSections(rv, mc)
	bw := bufio.NewWriter(w)
	base := rv.Runs[0]
	esc := html.EscapeString
	title := base.Meta.Scenario
	if len(rv.Runs) > 1 {
		labels := make([]string, len(rv.Runs))
		for i, r := range rv.Runs {
			labels[i] = r.Label
		}
		title += ": " + strings.Join(labels, " vs ")
	}
	fmt.Fprintf(bw, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cascade %s">
<title>%s — cascade report</title>
<style>
%s</style>
</head>
<body>
<main>
<header>
<h1>%s</h1>
`, esc(base.Meta.Version), esc(title), css, esc(title))
	if d := base.Meta.Description; d != "" {
		fmt.Fprintf(bw, "<p class=\"about\">%s</p>\n", esc(d))
	}
	bw.WriteString("</header>\n")

	sections := []struct{ id, title string }{{"provenance", "Provenance"}, {"topology", "Topology"}}
	if len(rv.Runs) > 1 {
		sections = append(sections, struct{ id, title string }{"comparison", "Side by side"})
	}
	if len(rv.Boundaries) > 0 {
		sections = append(sections, struct{ id, title string }{"breaking-points", "Breaking points"})
	}
	sections = append(sections, struct{ id, title string }{"summary", "Summary"})
	if len(secs) > 0 {
		sections = append(sections, struct{ id, title string }{"mechanisms", mechTitle})
	}
	sections = append(sections, []struct{ id, title string }{{"timelines", "Timelines"},
		{"breakers", "Circuit breakers"}, {"slos", "SLOs and faults"}, {"expectations", "Expectations"}}...)
	if len(rv.Command) > 0 {
		sections = append(sections, struct{ id, title string }{"reproduce", "Reproduce"})
	}
	bw.WriteString("<nav><ol>\n")
	for _, s := range sections {
		fmt.Fprintf(bw, "<li><a href=\"#%s\">%s</a></li>\n", s.id, s.title)
	}
	bw.WriteString("</ol></nav>\n")

	table := func(class string, head []string, rows [][]string) {
		fmt.Fprintf(bw, "<table class=\"%s\">\n<thead><tr>", class)
		for _, h := range head {
			fmt.Fprintf(bw, "<th>%s</th>", esc(h))
		}
		bw.WriteString("</tr></thead>\n<tbody>\n")
		for _, r := range rows {
			bw.WriteString("<tr>")
			for i, c := range r {
				if i == 0 {
					fmt.Fprintf(bw, "<th scope=\"row\">%s</th>", esc(c))
				} else {
					fmt.Fprintf(bw, "<td>%s</td>", esc(c))
				}
			}
			bw.WriteString("</tr>\n")
		}
		bw.WriteString("</tbody>\n</table>\n")
	}
	runTitle := func(r ReviewRun) {
		if len(rv.Runs) > 1 {
			fmt.Fprintf(bw, "<h3>%s</h3>\n", esc(r.Label))
		}
	}

	bw.WriteString("<section id=\"provenance\">\n<h2>Provenance</h2>\n")
	if len(rv.Runs) > 1 {
		bw.WriteString("<p>" + esc(crnNote) + "</p>\n")
	}
	ph, prows := provenance(rv)
	table("provenance", ph, prows)
	bw.WriteString("</section>\n")

	bw.WriteString("<section id=\"topology\">\n<h2>Topology</h2>\n<p>Columns are call depth; arrows are calls, labelled with requests per second over the measured span (red: more than 1% failed).</p>\n<figure class=\"topology\">\n")
	bw.Write(topologySVG(base.Result))
	bw.WriteString("</figure>\n</section>\n")

	if len(rv.Runs) > 1 {
		bw.WriteString("<section id=\"comparison\">\n<h2>Side by side</h2>\n<p>Deltas are against " + esc(base.Label) + ".</p>\n")
		head := []string{"metric"}
		for _, r := range rv.Runs {
			head = append(head, r.Label)
		}
		var rows [][]string
		for _, c := range comparison(rv) {
			rows = append(rows, append([]string{c.Metric}, c.Cells...))
		}
		table("compare", head, rows)
		for _, r := range rv.Runs[1:] {
			if len(r.Overrides) > 0 {
				fmt.Fprintf(bw, "<p><strong>%s</strong> changes: <code>%s</code></p>\n", esc(r.Label), esc(strings.Join(r.Overrides, "; ")))
			}
		}
		bw.WriteString("</section>\n")
	}

	if len(rv.Boundaries) > 0 {
		fmt.Fprintf(bw, "<section id=\"breaking-points\">\n<h2>Breaking points</h2>\n<p>%s</p>\n", boundaryIntro(rv.Boundaries, esc, func(s string) string { return "<code>" + esc(s) + "</code>" }))
		var rows [][]string
		for _, b := range rv.Boundaries {
			rows = append(rows, boundaryCells(b))
		}
		table("num", boundaryHead, rows)
		if c, ok := boundaryChart(rv.Boundaries); ok {
			b, err := c.svg(chartW, chartH)
			if err != nil {
				return err
			}
			bw.WriteString("<div class=\"charts\">\n<figure class=\"chart\">\n")
			bw.Write(b)
			fmt.Fprintf(bw, "<figcaption>%s</figcaption>\n</figure>\n</div>\n", esc(c.Note))
		}
		bw.WriteString("</section>\n")
	}

	bw.WriteString("<section id=\"summary\">\n<h2>Summary</h2>\n")
	for _, r := range rv.Runs {
		runTitle(r)
		var rows [][]string
		for _, wl := range r.Result.Workloads {
			rows = append(rows, workloadCells(wl))
		}
		table("num", workloadHead, rows)
		rows = nil
		for _, s := range r.Result.Services {
			rows = append(rows, serviceCells(s))
		}
		table("num", serviceHead, rows)
	}
	bw.WriteString("<p class=\"note\">Latencies are of OK replies. failed: any outcome but OK; late: replies after the caller gave up; util: busy workers / workers of the instances up; queue: time-average waiting; peak: most waiting at once.</p>\n</section>\n")

	if len(secs) > 0 {
		fmt.Fprintf(bw, "<section id=\"mechanisms\">\n<h2>%s</h2>\n", esc(mechTitle))
		for _, sec := range secs {
			fmt.Fprintf(bw, "<h3>%s</h3>\n", esc(sec.Kind))
			for i, t := range sec.Tables {
				if len(rv.Runs) > 1 {
					fmt.Fprintf(bw, "<h4>%s</h4>\n", esc(rv.Runs[i].Label))
				}
				if t == nil {
					bw.WriteString("<p>None in this design.</p>\n")
					continue
				}
				table("num", t.reportHead(), t.Rows)
			}
			fmt.Fprintf(bw, "<p class=\"note\">%s</p>\n", esc(sec.Legend))
			if len(sec.Charts) > 0 {
				bw.WriteString("<div class=\"charts\">\n")
			}
			for _, k := range sec.Charts {
				bw.WriteString("<figure class=\"chart\">\n")
				bw.Write(mfiles[k].SVG)
				if mc[k].Note != "" {
					fmt.Fprintf(bw, "<figcaption>%s</figcaption>\n", esc(mc[k].Note))
				}
				bw.WriteString("</figure>\n")
			}
			if len(sec.Charts) > 0 {
				bw.WriteString("</div>\n")
			}
		}
		bw.WriteString("</section>\n")
	}

	bw.WriteString("<section id=\"timelines\">\n<h2>Timelines</h2>\n")
	if len(cs) > 0 {
		bw.WriteString("<div class=\"charts\">\n")
	}
	for i, c := range cs {
		bw.WriteString("<figure class=\"chart\">\n")
		bw.Write(files[i].SVG)
		if c.Note != "" {
			fmt.Fprintf(bw, "<figcaption>%s</figcaption>\n", esc(c.Note))
		}
		bw.WriteString("</figure>\n")
	}
	if len(cs) > 0 {
		bw.WriteString("</div>\n")
	} else {
		bw.WriteString("<p>No series to draw.</p>\n")
	}
	bw.WriteString("</section>\n")

	bw.WriteString("<section id=\"breakers\">\n<h2>Circuit breakers</h2>\n")
	rows := breakerRows(rv)
	if len(rows) == 0 {
		bw.WriteString("<p>No call has a circuit breaker.</p>\n")
	} else {
		bw.WriteString("<figure class=\"chart\">\n")
		bw.Write(breakerSVG(rows, rv, axisFor(rv)))
		bw.WriteString("</figure>\n")
		var cells [][]string
		for _, r := range rows {
			cells = append(cells, breakerCells(r))
		}
		table("num", breakerHead, cells)
	}
	bw.WriteString("</section>\n")

	bw.WriteString("<section id=\"slos\">\n<h2>SLOs and faults</h2>\n")
	for _, r := range rv.Runs {
		runTitle(r)
		if len(r.Result.SLOs) == 0 {
			bw.WriteString("<p>No SLOs.</p>\n")
		} else {
			var cells [][]string
			for _, s := range r.Result.SLOs {
				cells = append(cells, sloCells(s))
			}
			table("num", sloHead, cells)
			for _, s := range r.Result.SLOs {
				fmt.Fprintf(bw, "<p class=\"note\">%s: %s.</p>\n", esc(s.Name), esc(historyNote(s.History)))
				for _, line := range attributionLines(s) {
					fmt.Fprintf(bw, "<p class=\"note\">%s: %s.</p>\n", esc(s.Name), esc(line))
				}
			}
		}
		if len(r.Result.Faults) > 0 {
			var cells [][]string
			for _, f := range r.Result.Faults {
				cells = append(cells, faultCells(f))
			}
			table("num", faultHead, cells)
		}
	}
	bw.WriteString("</section>\n")

	bw.WriteString("<section id=\"expectations\">\n<h2>Expectations</h2>\n")
	for _, r := range rv.Runs {
		runTitle(r)
		vs := verdictViews(r.Meta)
		if len(vs) == 0 {
			bw.WriteString("<p>The scenario has no expect: list.</p>\n")
			continue
		}
		bw.WriteString("<table class=\"verdicts\">\n<thead><tr><th>result</th><th>expectation</th><th>measured</th></tr></thead>\n<tbody>\n")
		for _, v := range vs {
			c := verdictCells(v)
			fmt.Fprintf(bw, "<tr class=\"%s\"><td>%s</td><td><code>%s</code></td><td>%s</td></tr>\n", strings.ToLower(c[0]), c[0], esc(c[1]), esc(c[2]))
		}
		bw.WriteString("</tbody>\n</table>\n")
	}
	bw.WriteString("</section>\n")
	if len(rv.Command) > 0 {
		fmt.Fprintf(bw, "<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<p>With cascade %s, from the directory it was run in:</p>\n<pre><code>%s</code></pre>\n</section>\n", esc(base.Meta.Version), esc(ShellQuote(rv.Command)))
	}
	fmt.Fprintf(bw, "<footer>Generated by cascade %s. Same scenario and seed, same bytes.</footer>\n</main>\n</body>\n</html>\n", esc(base.Meta.Version))
	return bw.Flush()
}

const css = `body{margin:0;background:#fafafa;color:#222;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif}
main{max-width:1400px;margin:0 auto;padding:16px 24px 48px;background:#fff}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
.about{color:#444;margin-top:0}
nav ol{display:flex;flex-wrap:wrap;gap:4px 18px;padding:0;list-style:none;margin:8px 0}
nav a{color:#0060a0;text-decoration:none}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px;display:block;max-width:100%;overflow-x:auto}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}
thead th{background:#f0f3f6}thead th:first-child{text-align:left}th[scope=row]{text-align:left;font-weight:600}
table.verdicts td{text-align:left;white-space:normal}
tr.pass td:first-child{color:#007a55;font-weight:700}tr.fail td:first-child{color:#c03800;font-weight:700}
table.provenance td{text-align:left;white-space:normal;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
figure{margin:10px 0}figure.topology svg{max-width:100%;height:auto}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,540px),1fr));gap:8px 28px}
figure.chart{margin:10px 0;min-width:0}figure.chart svg{width:100%;height:auto}
@media (max-width:700px){main{padding:10px 10px 32px}h1{font-size:21px}}
figcaption,.note{color:#555;font-size:12.5px}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
footer{margin-top:40px;color:#777;font-size:12px}
`
