package order

// A Reader walks a plan's local positions in order and fills slices with
// their rows: the rows All yields, at a fraction of the cost per sample in
// Block and Global mode, where a sample's row is a Feistel evaluation.
// There the Reader computes a window's (or the epoch's) bijection with its
// round functions tabulated, and runs of positions within one window and
// one shard in one loop. It is not safe for concurrent use; make one per
// walk.
type Reader struct {
	p *Plan
	k int64 // the next local position
	c *cursor

	// Block and Global mode: the bijection of window (-1: none yet; the
	// epoch's in Global mode), as a feistel and, when tabulating it paid,
	// as a table.
	window int64
	perm   feistel
	tab    feistelTable
	tabled bool
	seg    int   // the layout segment of the last window, a hint
	direct int64 // Global mode: the positions evaluated without the table
}

// NewReader returns a Reader positioned at local position start (below
// zero counts as zero).
func (p *Plan) NewReader(start int64) *Reader {
	stride := int64(p.cfg.World) * int64(p.cfg.Workers)
	r := &Reader{p: p, k: min(max(start, 0), p.count), c: p.newCursor(stride), window: -1}
	if p.cfg.Mode == Global {
		r.perm = p.global
	}
	return r
}

// Read fills dst with the rows of the next len(dst) local positions, or
// of as many as the plan has left, and returns how many it filled: 0 once
// the plan is done. dst[j] is At(k+j), k being the position the Reader
// had reached.
func (r *Reader) Read(dst []int64) int {
	p := r.p
	n := int(min(int64(len(dst)), p.count-r.k))
	if n <= 0 {
		return 0
	}
	dst = dst[:n]
	switch p.cfg.Mode {
	case Block:
		r.readBlock(dst)
	case Global:
		r.readGlobal(dst)
	default:
		for j := range dst {
			dst[j] = r.c.row(p.sequencePos(p.Position(r.k + int64(j))))
		}
	}
	r.k += int64(n)
	return n
}

// stride is the distance between the global positions of neighbouring
// local positions.
func (r *Reader) stride() int64 { return int64(r.p.cfg.World) * int64(r.p.cfg.Workers) }

// readGlobal fills dst in Global mode, where the row is the bijection's
// image of the sequence position. The epoch's bijection is tabulated once
// the positions evaluated without the table have cost what tabulating
// does, so that a short read (a resumed stream's first batch) does not pay
// for tables of a large domain, and a long walk spends at most twice the
// least it could have.
func (r *Reader) readGlobal(dst []int64) {
	p, step := r.p, r.stride()
	if !r.tabled && r.perm.worthTabling(r.direct) {
		r.tab.load(&r.perm)
		r.tabled = true
	}
	if !r.tabled {
		r.direct += int64(len(dst))
	}
	i := p.Position(r.k)
	for j := range dst {
		q := uint64(p.sequencePos(i))
		if r.tabled {
			dst[j] = int64(r.tab.at(q))
		} else {
			dst[j] = int64(r.perm.at(q))
		}
		i += step
	}
}

// readBlock fills dst in Block mode, a window's run of positions at a
// time: within a window the positions advance by the stride without
// wrapping, and their rows are the window's bijection of them, mapped
// through the layout (by one offset when the window lies in one shard).
func (r *Reader) readBlock(dst []int64) {
	p, step := r.p, r.stride()
	b := int64(p.cfg.Window)
	i := p.Position(r.k)
	for j := 0; j < len(dst); {
		q := p.sequencePos(i)
		w := q / b
		lo := w * b
		hi := min(lo+b, p.rows)
		r.useWindow(w, lo, hi)
		// The positions that follow stay in the window, and in i's lap
		// of the sequence, until their sequence position reaches hi.
		m := min(int64(len(dst)-j), (hi-q+step-1)/step)
		seg := p.lay.segment(lo, r.seg)
		r.seg = seg
		oneSeg := p.lay.segPos[seg+1] >= hi
		delta := p.lay.starts[p.lay.segShard[seg]] - p.lay.segPos[seg]
		x := uint64(q - lo)
		for t := range dst[j : j+int(m)] {
			var y uint64
			if r.tabled {
				y = r.tab.at(x)
			} else {
				y = r.perm.at(x)
			}
			pos := lo + int64(y)
			if oneSeg {
				dst[j+t] = pos + delta
			} else {
				dst[j+t], r.seg = p.lay.row(pos, r.seg)
			}
			x += uint64(step)
		}
		j += int(m)
		i += m * step
	}
}

// useWindow makes window w, which covers sequence positions [lo, hi), the
// one whose bijection r holds, tabulating it when this plan visits enough
// of the window's positions for the tables to pay.
func (r *Reader) useWindow(w, lo, hi int64) {
	if w == r.window {
		return
	}
	p := r.p
	r.perm = newFeistel(uint64(hi-lo), deriveKey(p.cfg.Seed, p.cfg.Epoch, purposeBlock, uint64(w)))
	r.window = w
	if r.tabled = r.perm.worthTabling((hi - lo + r.stride() - 1) / r.stride()); r.tabled {
		r.tab.load(&r.perm)
	}
}
