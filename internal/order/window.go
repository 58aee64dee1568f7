package order

import "fmt"

// Window is one window of the shard-ordered sequence as a reader sees it:
// the rows it covers, so that they can be read shard by shard once and
// then gathered in the plan's order, and the run of this plan's local
// positions that draw from it.
//
// In Block mode the plan permutes positions only within a window, so the
// local positions Local.Start to Local.End-1 all take their rows from
// Rows. In None and Shards mode a window is simply Config.Window
// consecutive positions, a unit of read-ahead.
type Window struct {
	// Index numbers the window in the epoch's sequence.
	Index int64
	// Positions are the window's sequence positions.
	Positions Span
	// Local is the maximal run of this plan's local positions whose rows
	// lie in the window. Pads that wrap around into the window again
	// make a separate run.
	Local Span
	// Rows are the manifest row ranges the window covers, in sequence
	// order: at most one per shard it touches, their lengths summing to
	// Positions.Len().
	Rows []Span
}

// WindowOf returns the window that holds this plan's k-th sample, k in
// [0, Len). It reports false in Global and Buffer mode, which have no
// windows, and panics for k outside [0, Len) as At does.
func (p *Plan) WindowOf(k int64) (Window, bool) {
	if k < 0 || k >= p.count {
		panic(fmt.Sprintf("order: position %d out of range [0, %d)", k, p.count))
	}
	if p.cfg.Mode == Global || p.cfg.Mode == Buffer {
		return Window{}, false
	}
	i := p.Position(k)
	q := p.sequencePos(i)
	b := int64(p.cfg.Window)
	w := q / b
	pos := Span{Start: w * b, End: min(w*b+b, p.rows)}
	// i lies in the z-th lap of the sequence: laps past the first are
	// wrap-around pads.
	lap := i - q
	local := Span{
		Start: p.firstLocal(pos.Start + lap),
		End:   p.firstLocal(pos.End + lap),
	}
	return Window{Index: w, Positions: pos, Local: local, Rows: p.lay.spans(pos.Start, pos.End)}, true
}

// firstLocal returns the smallest local position whose global position is
// at least i, or Len if there is none.
func (p *Plan) firstLocal(i int64) int64 {
	c := &p.cfg
	// Position(k) = Start + Rank + (k*Workers + Worker)*World >= i.
	j := ceilDiv(i-c.Start-int64(c.Rank), int64(c.World))
	k := ceilDiv(j-int64(c.Worker), int64(c.Workers))
	return min(max(k, 0), p.count)
}

// ceilDiv returns ceil(a/b) for b > 0 and any a.
func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return -(-a / b)
	}
	return (a + b - 1) / b
}
