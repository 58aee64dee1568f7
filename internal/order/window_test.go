package order

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestWindowOf checks that a window's local run holds k, that every
// sample of the run draws from the window's rows, that the run cannot be
// extended, and that the window's row spans are the shard order's rows at
// its positions.
func TestWindowOf(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for i := range cases() {
		cfg := randConfig(r)
		p := mustPlan(t, cfg)
		if p.Len() == 0 {
			continue
		}
		k := r.Int64N(p.Len())
		w, ok := p.WindowOf(k)
		if ok != (cfg.Mode != Global && cfg.Mode != Buffer) {
			t.Fatalf("case %d: WindowOf in %s mode reports %v", i, cfg.Mode, ok)
		}
		if !ok {
			continue
		}
		shardsCfg := cfg
		shardsCfg.Mode = Shards
		if cfg.Mode == None {
			shardsCfg.Mode = None
		}
		seq := sequence(t, shardsCfg)
		var spanRows []int64
		for _, s := range w.Rows {
			for row := s.Start; row < s.End; row++ {
				spanRows = append(spanRows, row)
			}
		}
		if !slices.Equal(spanRows, seq[w.Positions.Start:w.Positions.End]) {
			t.Fatalf("case %d: window %+v spans rows %v, want %v", i, w, spanRows, seq[w.Positions.Start:w.Positions.End])
		}
		if w.Local.Start > k || k >= w.Local.End {
			t.Fatalf("case %d: window %+v of position %d does not hold it", i, w.Local, k)
		}
		inWindow := func(k int64) bool {
			q := p.sequencePos(p.Position(k))
			return q >= w.Positions.Start && q < w.Positions.End
		}
		for kk := w.Local.Start; kk < w.Local.End; kk++ {
			if !inWindow(kk) || !slices.Contains(spanRows, p.At(kk)) {
				t.Fatalf("case %d: position %d in the run of window %+v draws row %d from outside it", i, kk, w, p.At(kk))
			}
		}
		// Maximal: the neighbours lie in another window or another lap.
		lap := func(k int64) int64 { return p.Position(k) / p.Rows() }
		if b := w.Local.Start - 1; b >= 0 && inWindow(b) && lap(b) == lap(k) {
			t.Fatalf("case %d: run %+v could start at %d", i, w.Local, b)
		}
		if e := w.Local.End; e < p.Len() && inWindow(e) && lap(e) == lap(k) {
			t.Fatalf("case %d: run %+v could end after %d", i, w.Local, e)
		}
	}
}
