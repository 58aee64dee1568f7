package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, 5, 1, 9, 5}, 5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := median(nil); !math.IsNaN(got) {
		t.Errorf("median(nil) = %v, want NaN", got)
	}
	in := []float64{3, 1, 2}
	median(in)
	if in[0] != 3 || in[1] != 1 {
		t.Errorf("median reordered its input: %v", in)
	}
}

func runs(secs ...float64) []run {
	out := make([]run, len(secs))
	for i, s := range secs {
		out[i] = run{Seconds: s, CPUSeconds: s * 2, MaxRSSKB: int64(100 * (i + 1)), PeakAnonKB: int64(10 * (i + 1)), Check: check{Rows: 10}}
	}
	return out
}

// TestSummarize checks that the ratio is the median of the per-pair ratios
// (not the ratio of the medians) and that meets follows from it.
func TestSummarize(t *testing.T) {
	measured := result{Status: "measured"}
	// Pair ratios 0.5, 2.0, 0.9: median 0.9; the medians' ratio would be 1.0.
	r := summarize(measured, target{1.0, "t"}, runs(1, 4, 0.9), runs(2, 2, 1), false)
	if r.Ratio != 0.9 || !r.Meets || r.CPURatio != 0.9 {
		t.Errorf("ratio %v cpu ratio %v meets %v, want 0.9 0.9 true", r.Ratio, r.CPURatio, r.Meets)
	}
	if r.TomeS != 1 || r.AnchorS != 2 || r.Pairs != 3 {
		t.Errorf("medians %v %v pairs %d, want 1 2 3", r.TomeS, r.AnchorS, r.Pairs)
	}
	if r.TomeRSS != 300 || r.AnchorRSS != 300 || r.TomeAnon != 30 || r.AnchorAnon != 30 || r.TomeCPU != 2 {
		t.Errorf("rss %d/%d anon %d/%d cpu %v", r.TomeRSS, r.AnchorRSS, r.TomeAnon, r.AnchorAnon, r.TomeCPU)
	}
	r = summarize(measured, target{0.8, "t"}, runs(1, 4, 0.9), runs(2, 2, 1), false)
	if r.Meets {
		t.Error("ratio 0.9 meets a target of 0.8")
	}
	// A failed or unbuilt comparison never meets its target.
	for _, status := range []string{"not built", "error"} {
		r = summarize(result{Status: status}, target{1e9, "t"}, nil, nil, false)
		if r.Meets || !math.IsNaN(r.Ratio) {
			t.Errorf("%s: meets %v ratio %v", status, r.Meets, r.Ratio)
		}
	}
}

func TestSummarizePerRow(t *testing.T) {
	tome := []run{{Seconds: 1, Check: check{Rows: 50}}}
	anchor := []run{{Seconds: 1, Check: check{Rows: 100}}}
	r := summarize(result{Status: "measured"}, target{1.5, "t"}, tome, anchor, true)
	if r.Ratio != 2 || r.Meets {
		t.Errorf("per-row ratio %v meets %v, want 2 false", r.Ratio, r.Meets)
	}
	if _, ok := pairRatio(run{Seconds: 1}, run{Seconds: 1}, true); ok {
		t.Error("a per-row ratio without rows is defined")
	}
}

// TestJSONShape checks the fields issue 8 names, and that nothing measured
// is printed as null rather than as a number.
func TestJSONShape(t *testing.T) {
	measured := summarize(result{Workload: "2", Anchor: "DuckDB", Status: "measured"}, target{1, "<= 1.0x"}, runs(1), runs(2), false)
	measured.Note = "a <b> & c"
	unbuilt := summarize(result{Workload: "8", Anchor: "Flight", Status: "not built"}, target{1, "x"}, nil, nil, false)
	var buf bytes.Buffer
	for _, r := range []result{measured, unbuilt} {
		if err := writeJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(buf.String(), `\u003c`) {
		t.Errorf("escaped target: %s", buf.String())
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %q", len(lines), buf.String())
	}
	var objs []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"workload", "tome_s", "anchor", "anchor_s", "ratio", "target", "meets"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %q", l, k)
			}
		}
		objs = append(objs, m)
	}
	if objs[0]["ratio"] != 0.5 || objs[0]["tome_s"] != 1.0 || objs[0]["meets"] != true || objs[0]["workload"] != "2" {
		t.Errorf("measured: %v", objs[0])
	}
	if objs[1]["ratio"] != nil || objs[1]["tome_s"] != nil || objs[1]["anchor_s"] != nil || objs[1]["meets"] != false || objs[1]["status"] != "not built" {
		t.Errorf("not built: %v", objs[1])
	}
}

func TestCheckAgrees(t *testing.T) {
	a := check{Rows: 10, IDSum: 45, TextBytes: 100, LabelSum: 5.0, EmbSum: 12.5, EmbValues: 640}
	b := a
	b.EmbSum += 1e-9
	if d := a.agrees(b); d != "" {
		t.Errorf("rounding difference reported: %s", d)
	}
	for name, mutate := range map[string]func(*check){
		"rows":      func(c *check) { c.Rows++ },
		"id":        func(c *check) { c.IDSum++ },
		"text":      func(c *check) { c.TextBytes-- },
		"label":     func(c *check) { c.LabelSum += 0.5 },
		"embedding": func(c *check) { c.EmbSum += 1 },
	} {
		c := a
		mutate(&c)
		if a.agrees(c) == "" {
			t.Errorf("%s: difference not reported", name)
		}
	}
}

func TestSumWords(t *testing.T) {
	for n := range 70 {
		b := make([]byte, n)
		var want uint64
		for i := range b {
			b[i] = byte(i*7 + 1)
		}
		for i := 0; i+8 <= n; i += 8 {
			for k := range 8 {
				want += uint64(b[i+k]) << (8 * k)
			}
		}
		for i := n - n%8; i < n; i++ {
			want += uint64(b[i])
		}
		if got := sumWords(b); got != want {
			t.Errorf("sumWords of %d bytes = %d, want %d", n, got, want)
		}
	}
}

func TestSumFloat32(t *testing.T) {
	vs := []float32{1, 2, 3, 4, 5, 6, 7}
	if got := sumFloat32(vs); got != 28 {
		t.Errorf("sumFloat32 = %v, want 28", got)
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseFlags([]string{"-quick", "-workloads", "2, 3", "-pairs", "5"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.rows != quickRows || c.pairs != 5 || !c.workloads["2"] || !c.workloads["3"] || c.workloads["1"] {
		t.Errorf("parsed %+v", c)
	}
	c, err = parseFlags([]string{"-quick", "-rows", "1000"}, &stderr)
	if err != nil || c.rows != 1000 {
		t.Errorf("-rows after -quick: %d, %v", c.rows, err)
	}
	for _, bad := range [][]string{{"-workloads", "9"}, {"-pairs", "0"}, {"-rows", "-1"}, {"-threads", "0"}, {"extra"}} {
		if _, err := parseFlags(bad, &stderr); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
