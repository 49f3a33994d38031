package report

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Markdown writes a review for a pull-request comment or a design doc:
// GitHub-flavoured tables, the topology as a Mermaid diagram, and charts as
// SVG files linked from chartDir (a path relative to the Markdown file,
// with forward slashes). It returns the charts for the caller to write
// there; the text and the charts depend only on the review.
func Markdown(w io.Writer, rv Review, chartDir string) ([]ChartFile, error) {
	if len(rv.Runs) == 0 {
		return nil, fmt.Errorf("nothing to report")
	}
	cs := charts(rv)
	mc := mechCharts(rv)
	files, err := renderCharts(append(slices.Clone(cs), mc...))
	if err != nil {
		return nil, err
	}
	mfiles := files[len(cs):]
	bw := bufio.NewWriter(w)
	base := rv.Runs[0]
	title := base.Meta.Scenario
	if len(rv.Runs) > 1 {
		labels := make([]string, len(rv.Runs))
		for i, r := range rv.Runs {
			labels[i] = r.Label
		}
		title += ": " + strings.Join(labels, " vs ")
	}
	fmt.Fprintf(bw, "# %s\n\n", mdText(title))
	if d := base.Meta.Description; d != "" {
		fmt.Fprintf(bw, "%s\n\n", mdText(d))
	}
	table := func(head []string, rows [][]string, leftCols int) {
		bw.WriteString("| " + strings.Join(mdCells(head), " | ") + " |\n|")
		for i := range head {
			if i < leftCols {
				bw.WriteString(" :--- |")
			} else {
				bw.WriteString(" ---: |")
			}
		}
		bw.WriteString("\n")
		for _, r := range rows {
			bw.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
		}
		bw.WriteString("\n")
	}
	runTitle := func(r ReviewRun) {
		if len(rv.Runs) > 1 {
			fmt.Fprintf(bw, "### %s\n\n", mdText(r.Label))
		}
	}

	bw.WriteString("## Provenance\n\n")
	if len(rv.Runs) > 1 {
		bw.WriteString(crnNote + "\n\n")
	}
	ph, prows := provenance(rv)
	for _, r := range prows {
		for i := 1; i < len(r); i++ {
			r[i] = "`" + strings.ReplaceAll(r[i], "`", "'") + "`"
		}
	}
	table(ph, prows, len(ph))

	bw.WriteString("## Topology\n\n")
	bw.WriteString(mermaid(base.Result))
	bw.WriteString("\nArrows are calls, labelled with requests per second over the measured span.\n\n")

	if len(rv.Runs) > 1 {
		fmt.Fprintf(bw, "## Side by side\n\nDeltas are against %s.\n\n", mdText(base.Label))
		head := []string{"metric"}
		for _, r := range rv.Runs {
			head = append(head, r.Label)
		}
		var rows [][]string
		for _, c := range comparison(rv) {
			rows = append(rows, append([]string{c.Metric}, c.Cells...))
		}
		table(head, rows, 1)
		for _, r := range rv.Runs[1:] {
			if len(r.Overrides) > 0 {
				fmt.Fprintf(bw, "- **%s** changes `%s`\n", mdText(r.Label), strings.Join(r.Overrides, "; "))
			}
		}
		bw.WriteString("\n")
	}

	if len(rv.Boundaries) > 0 {
		fmt.Fprintf(bw, "## Breaking points\n\n%s\n\n", boundaryIntro(rv.Boundaries, mdText, func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }))
		var rows [][]string
		for _, b := range rv.Boundaries {
			rows = append(rows, boundaryCells(b))
		}
		table(boundaryHead, rows, 1)
		if c, ok := boundaryChart(rv.Boundaries); ok {
			b, err := c.svg(chartW, chartH)
			if err != nil {
				return nil, err
			}
			files = append(files, ChartFile{Name: c.File, SVG: b})
			fmt.Fprintf(bw, "![%s](%s)\n\n*%s*\n\n", mdText(c.Title), linkPath(chartDir, c.File), mdText(c.Note))
		}
	}

	bw.WriteString("## Summary\n\n")
	for _, r := range rv.Runs {
		runTitle(r)
		var rows [][]string
		for _, wl := range r.Result.Workloads {
			rows = append(rows, workloadCells(wl))
		}
		table(workloadHead, rows, 1)
		rows = nil
		for _, s := range r.Result.Services {
			rows = append(rows, serviceCells(s))
		}
		table(serviceHead, rows, 1)
	}
	bw.WriteString("Latencies are of OK replies. failed: any outcome but OK; late: replies after the caller gave up; util: busy workers / workers of the instances up; queue: time-average waiting; peak: most waiting at once.\n\n")

	if secs := mechSections(rv, mc); len(secs) > 0 {
		fmt.Fprintf(bw, "## %s\n\n", mechTitle)
		for _, sec := range secs {
			fmt.Fprintf(bw, "### %s\n\n", sec.Kind)
			for i, t := range sec.Tables {
				if len(rv.Runs) > 1 {
					fmt.Fprintf(bw, "**%s**\n\n", mdText(rv.Runs[i].Label))
				}
				if t == nil {
					bw.WriteString("None in this design.\n\n")
					continue
				}
				table(t.reportHead(), t.Rows, t.Left)
			}
			fmt.Fprintf(bw, "%s\n\n", mdText(sec.Legend))
			for _, k := range sec.Charts {
				fmt.Fprintf(bw, "![%s](%s)\n\n", mdText(mc[k].Title), linkPath(chartDir, mfiles[k].Name))
				if mc[k].Note != "" {
					fmt.Fprintf(bw, "*%s*\n\n", mdText(mc[k].Note))
				}
			}
		}
	}

	bw.WriteString("## Timelines\n\n")
	for i, c := range cs {
		fmt.Fprintf(bw, "![%s](%s)\n\n", mdText(c.Title), linkPath(chartDir, files[i].Name))
		if c.Note != "" {
			fmt.Fprintf(bw, "*%s*\n\n", mdText(c.Note))
		}
	}
	if len(cs) == 0 {
		bw.WriteString("No series to draw.\n\n")
	}

	bw.WriteString("## Circuit breakers\n\n")
	rows := breakerRows(rv)
	if len(rows) == 0 {
		bw.WriteString("No call has a circuit breaker.\n\n")
	} else {
		files = append(files, ChartFile{Name: "breakers.svg", SVG: breakerSVG(rows, rv, axisFor(rv))})
		fmt.Fprintf(bw, "![Breaker states over time](%s)\n\n", linkPath(chartDir, "breakers.svg"))
		var cells [][]string
		for _, r := range rows {
			cells = append(cells, breakerCells(r))
		}
		table(breakerHead, cells, 1)
	}

	bw.WriteString("## SLOs and faults\n\n")
	for _, r := range rv.Runs {
		runTitle(r)
		if len(r.Result.SLOs) == 0 {
			bw.WriteString("No SLOs.\n\n")
		} else {
			var cells [][]string
			for _, s := range r.Result.SLOs {
				cells = append(cells, sloCells(s))
			}
			table(sloHead, cells, 2)
			n := 0
			for _, s := range r.Result.SLOs {
				fmt.Fprintf(bw, "- %s: %s\n", mdText(s.Name), historyNote(s.History))
				n++
				for _, line := range attributionLines(s) {
					fmt.Fprintf(bw, "- %s: %s\n", mdText(s.Name), mdText(line))
					n++
				}
			}
			if n > 0 {
				bw.WriteString("\n")
			}
		}
		if len(r.Result.Faults) > 0 {
			var cells [][]string
			for _, f := range r.Result.Faults {
				cells = append(cells, faultCells(f))
			}
			table(faultHead, cells, 3)
		}
	}

	bw.WriteString("## Expectations\n\n")
	for _, r := range rv.Runs {
		runTitle(r)
		vs := verdictViews(r.Meta)
		if len(vs) == 0 {
			bw.WriteString("The scenario has no expect: list.\n\n")
			continue
		}
		var cells [][]string
		for _, v := range vs {
			c := verdictCells(v)
			mark := "✅ PASS"
			if c[0] == "FAIL" {
				mark = "❌ FAIL"
			}
			cells = append(cells, []string{mark, "`" + strings.ReplaceAll(c[1], "`", "'") + "`", c[2]})
		}
		table([]string{"result", "expectation", "measured"}, cells, 3)
	}
	if len(rv.Command) > 0 {
		fmt.Fprintf(bw, "## Reproduce\n\nWith cascade %s, from the directory it was run in:\n\n```sh\n%s\n```\n\n", mdText(base.Meta.Version), ShellQuote(rv.Command))
	}
	fmt.Fprintf(bw, "<sub>Generated by cascade %s. Same scenario and seed, same bytes.</sub>\n", mdText(base.Meta.Version))
	return files, bw.Flush()
}

// mdText escapes what Markdown would read as markup in plain text.
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "|", `\|`, "[", `\[`, "]", `\]`, "`", "'")
	return r.Replace(s)
}

// mdCells escapes table cells; cells already in backticks keep them.
func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if strings.HasPrefix(c, "`") && strings.HasSuffix(c, "`") && len(c) > 1 {
			out[i] = strings.ReplaceAll(c, "|", `\|`)
		} else {
			out[i] = mdText(c)
		}
	}
	return out
}

// linkPath is a link destination for a file in dir: each segment
// percent-encoded, so a space or a parenthesis in the report's name
// (my review.md -> my review-charts/) does not end the link.
func linkPath(dir, file string) string {
	segs := strings.Split(path.Join(dir, file), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
