package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
)

// writeTable prints the results as a Markdown table.
func writeTable(w io.Writer, results []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| # | workload\t| anchor\t| tome s\t| anchor s\t| ratio tome_s/anchor_s\t| target\t| meets\t| CPU ratio\t| RSS (anon) tome / anchor MB\t| CPU tome/anchor s\t| note |")
	fmt.Fprintln(tw, "| --- | ---\t| ---\t| ---\t| ---\t| ---\t| ---\t| ---\t| ---\t| ---\t| ---\t| --- |")
	for _, r := range results {
		tomeS, anchorS, ratio, meets, cpuRatio, rss, cpu := "-", "-", "-", r.Status, "-", "-", "-"
		if r.Status == "measured" {
			tomeS, anchorS = fmt.Sprintf("%.3f", r.TomeS), fmt.Sprintf("%.3f", r.AnchorS)
			ratio = fmt.Sprintf("%.2fx", r.Ratio)
			cpuRatio = fmt.Sprintf("%.2fx", r.CPURatio)
			meets = map[bool]string{true: "yes", false: "**no**"}[r.Meets]
			rss = fmt.Sprintf("%d (%d) / %d (%d)", r.TomeRSS/1024, r.TomeAnon/1024, r.AnchorRSS/1024, r.AnchorAnon/1024)
			cpu = fmt.Sprintf("%.2f / %.2f", r.TomeCPU, r.AnchorCPU)
		}
		note := r.Note
		if r.Error != "" {
			note = "error: " + r.Error
		}
		fmt.Fprintf(tw, "| %s | %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s\t| %s |\n",
			r.Workload, r.Name, r.Anchor, tomeS, anchorS, ratio, r.Target, meets, cpuRatio, rss, cpu, strings.ReplaceAll(note, "|", "/"))
	}
	tw.Flush()
}

// writeChildResult prints a child's result.
func writeChildResult(w io.Writer, r childResult) error {
	return json.NewEncoder(w).Encode(r)
}

// describeMachine names the CPU model and count.
func describeMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s/%s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH)
}

// loadAverage is the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
