package order

import "iter"

// cursor maps sequence positions to rows for one walk through a plan,
// caching what consecutive positions share: the shard segment, the Block
// window's bijection, the buffer's contents. It is not safe for concurrent
// use; each iterator makes its own.
type cursor struct {
	p      *Plan
	seg    int     // segment of the last layout lookup
	window int64   // Block window whose bijection is in perm, or -1
	perm   feistel // that bijection
	buf    *bufferCursor
}

// newCursor returns a cursor for a walk that visits about every stride-th
// sequence position.
func (p *Plan) newCursor(stride int64) *cursor {
	c := &cursor{p: p, window: -1}
	if p.cfg.Mode == Buffer {
		c.buf = newBufferCursor(&p.buf, stride)
	}
	return c
}

// row returns the row index at sequence position q in [0, N).
func (c *cursor) row(q int64) int64 {
	p := c.p
	var r int64
	switch p.cfg.Mode {
	case None:
		return q
	case Global:
		return int64(p.global.at(uint64(q)))
	case Shards:
		r, c.seg = p.lay.row(q, c.seg)
	case Block:
		r, c.seg = p.lay.row(c.blockPos(q), c.seg)
	case Buffer:
		r, c.seg = p.lay.row(c.buf.at(q), c.seg)
	}
	return r
}

// blockPos returns the position of the shard-ordered sequence that Block
// mode puts at q: the window's own bijection moves q within its window.
func (c *cursor) blockPos(q int64) int64 {
	p := c.p
	b := int64(p.cfg.Window)
	w := q / b
	lo := w * b
	if w != c.window {
		n := min(b, p.rows-lo)
		c.perm = newFeistel(uint64(n), deriveKey(p.cfg.Seed, p.cfg.Epoch, purposeBlock, uint64(w)))
		c.window = w
	}
	return lo + int64(c.perm.at(uint64(q-lo)))
}

// All yields (k, row) for the plan's local positions k from start to
// Len-1 in order, row being the row index of the k-th sample, as At(k)
// gives it. A start below zero counts as zero. It walks the plan with a
// Reader, a slice of allReadAhead rows at a time, so a sample costs O(1)
// amortised in None, Shards, Block and Global mode, and a few nanoseconds
// in Block mode, whose windows' bijections the Reader tabulates.
//
// In Buffer mode the iterator keeps the buffer's contents (O(BufferSize)
// words), set up once at start in O(BufferSize log BufferSize) time
// rather than by replaying the epoch. The buffer's output is one sequence
// shared by all ranks and workers, of which this plan takes every
// World*Workers-th position, so a sample costs min(World*Workers,
// BufferSize) draws of a few nanoseconds each: the contents are stepped
// through the positions in between, or, when the stride is larger than
// the buffer, each sample is looked up on its own.
func (p *Plan) All(start int64) iter.Seq2[int64, int64] {
	return func(yield func(int64, int64) bool) {
		r := p.NewReader(start)
		k := r.k
		var buf [allReadAhead]int64
		for {
			n := r.Read(buf[:])
			if n == 0 {
				return
			}
			for _, row := range buf[:n] {
				if !yield(k, row) {
					return
				}
				k++
			}
		}
	}
}

// allReadAhead is how many rows All computes before it yields them: enough
// to run the Reader's loops at their speed, few enough that a loop that
// stops after a sample or two wastes little.
const allReadAhead = 64
