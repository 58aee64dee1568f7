package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
)

// A run is one measured execution of one side of a comparison, in its own
// process.
type run struct {
	Seconds    float64 // wall time of the measured work, timed by the side itself
	CPUSeconds float64 // user+system time of the whole child process
	MaxRSSKB   int64   // the child's peak resident set size
	PeakAnonKB int64   // its peak anonymous memory, subprocesses included
	Check      check   // what the side computed, to compare with the other side
	Note       string  // side-specific detail (row groups, requests, ...)
}

// A target is the most tome's time may be, as a multiple of the anchor's,
// for the comparison to meet the design's performance target.
type target struct {
	MaxRatio float64 // tome_s/anchor_s must be at most this
	Text     string  // the target as the design states it
}

// result is one comparison's outcome: the medians over the pairs run.
type result struct {
	Workload   string  `json:"workload"`
	Name       string  `json:"name"`
	Tome       string  `json:"tome"`
	TomeS      float64 `json:"tome_s"`
	Anchor     string  `json:"anchor"`
	AnchorS    float64 `json:"anchor_s"`
	Ratio      float64 `json:"ratio"` // median over the pairs of tome_s/anchor_s
	Target     string  `json:"target"`
	MaxRatio   float64 `json:"target_max_ratio,omitempty"`
	Meets      bool    `json:"meets"`
	Pairs      int     `json:"pairs"`
	CPURatio   float64 `json:"cpu_ratio"` // median over the pairs of the CPU times' ratio
	TomeCPU    float64 `json:"tome_cpu_s"`
	AnchorCPU  float64 `json:"anchor_cpu_s"`
	TomeRSS    int64   `json:"tome_rss_kb"`
	AnchorRSS  int64   `json:"anchor_rss_kb"`
	TomeAnon   int64   `json:"tome_anon_kb"` // peak anonymous memory (RSS without mapped files)
	AnchorAnon int64   `json:"anchor_anon_kb"`
	Rows       int64   `json:"rows"`
	Status     string  `json:"status"` // "measured", "not built" or "error"
	Note       string  `json:"note,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// median of xs (the mean of the middle two for an even count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// summarize turns paired runs into a result. Pair i is tome[i] and
// anchor[i], run back to back; the ratio is the median of the per-pair
// ratios, so that drift in the machine's load, which affects both runs of a
// pair alike, cancels. meets is computed from that ratio, never set.
//
// With perRow the sides deliver different numbers of rows and the ratio is
// of seconds per row.
func summarize(r result, t target, tome, anchor []run, perRow bool) result {
	r.Target, r.MaxRatio = t.Text, t.MaxRatio
	n := min(len(tome), len(anchor))
	r.Pairs = n
	if n == 0 {
		r.Ratio = math.NaN()
		return r
	}
	var ratios, cpuRatios, ts, as, tc, ac []float64
	for i := range n {
		ts = append(ts, tome[i].Seconds)
		as = append(as, anchor[i].Seconds)
		tc = append(tc, tome[i].CPUSeconds)
		ac = append(ac, anchor[i].CPUSeconds)
		if ratio, ok := pairRatio(tome[i], anchor[i], perRow); ok {
			ratios = append(ratios, ratio)
		}
		cpu := func(r run) run { r.Seconds = r.CPUSeconds; return r }
		if ratio, ok := pairRatio(cpu(tome[i]), cpu(anchor[i]), perRow); ok {
			cpuRatios = append(cpuRatios, ratio)
		}
		r.TomeRSS = max(r.TomeRSS, tome[i].MaxRSSKB)
		r.AnchorRSS = max(r.AnchorRSS, anchor[i].MaxRSSKB)
		r.TomeAnon = max(r.TomeAnon, tome[i].PeakAnonKB)
		r.AnchorAnon = max(r.AnchorAnon, anchor[i].PeakAnonKB)
	}
	r.TomeS, r.AnchorS = median(ts), median(as)
	r.TomeCPU, r.AnchorCPU = median(tc), median(ac)
	r.Ratio = median(ratios)
	if r.CPURatio = median(cpuRatios); math.IsNaN(r.CPURatio) {
		r.CPURatio = 0
	}
	r.Meets = r.Status == "measured" && !math.IsNaN(r.Ratio) && r.Ratio <= t.MaxRatio
	return r
}

// pairRatio is tome's time over the anchor's (per row with perRow); false
// when it is undefined.
func pairRatio(tome, anchor run, perRow bool) (float64, bool) {
	t, a := tome.Seconds, anchor.Seconds
	if perRow {
		if tome.Check.Rows <= 0 || anchor.Check.Rows <= 0 {
			return 0, false
		}
		t, a = t/float64(tome.Check.Rows), a/float64(anchor.Check.Rows)
	}
	if a <= 0 || t < 0 {
		return 0, false
	}
	return t / a, true
}

// MarshalJSON writes the measured numbers as null when nothing was
// measured (a workload not built, or one that failed), so that no reader
// mistakes a zero for a measurement.
func (r result) MarshalJSON() ([]byte, error) {
	type plain result
	out := struct {
		plain
		TomeS   *float64 `json:"tome_s"`
		AnchorS *float64 `json:"anchor_s"`
		Ratio   *float64 `json:"ratio"`
	}{plain: plain(r)}
	if r.Status == "measured" && !math.IsNaN(r.Ratio) {
		out.TomeS, out.AnchorS, out.Ratio = &r.TomeS, &r.AnchorS, &r.Ratio
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // targets read "<= 1.0x", not "\u003c= 1.0x"
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON prints r as one JSON object on one line.
func writeJSON(w io.Writer, r result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
