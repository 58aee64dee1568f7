package order

import "math/bits"

// bufferShuffle is the index math of Buffer mode: the shuffle buffer of
// Hugging Face datasets and WebDataset over the input positions [0, n).
//
// The buffer first takes the inputs 0..size-1 into slots 0..size-1. Then,
// at each steady step t in [0, steady), input size+t arrives: a slot j(t)
// is drawn uniformly, its content is the output at position t, and the new
// input takes its place. When the input ends, the buffer drains in random
// order: at drain step d, one of the held-d remaining slots is drawn, swapped
// with the last and popped. With n <= size there are no steady steps and
// the whole input drains: a uniform permutation.
//
// Every draw is keyed by its own step number (drawAt), not taken from a
// running generator. That makes the state of the buffer before step t a
// function of t alone: slot j holds input size+t' for the last t' < t with
// j(t') = j, or its initial input j when no such step exists. So the
// buffer never needs to be replayed from the start of the epoch: its state
// at any step is found by scanning the draws backwards until every slot
// has been seen, O(size log size) expected, and the output at any steady
// position by scanning back to the previous draw of the same slot, O(size)
// expected. The state is input positions, never data.
type bufferShuffle struct {
	n                 int64 // input (and output) positions
	size              int64 // configured buffer size
	held              int64 // slots in use: min(size, n)
	steady            int64 // steady steps: n - held
	stepKey, drainKey uint64
}

func newBufferShuffle(n, size int64, seed uint64, epoch int) bufferShuffle {
	held := min(size, n)
	return bufferShuffle{
		n: n, size: size, held: held, steady: n - held,
		stepKey:  deriveKey(seed, epoch, purposeBufferStep, 0),
		drainKey: deriveKey(seed, epoch, purposeBufferDrain, 0),
	}
}

// slot returns j(t), the slot emptied at steady step t.
func (b *bufferShuffle) slot(t int64) int64 {
	return int64(drawAt(b.stepKey, uint64(t), uint64(b.size)))
}

// pick returns the slot drawn at drain step d, among held-d remaining.
func (b *bufferShuffle) pick(d int64) int64 {
	return int64(drawAt(b.drainKey, uint64(d), uint64(b.held-d)))
}

// rebuildCost is about the number of draws a rebuild makes: the expected
// wait until every slot has been drawn, size times the harmonic number of
// size, which is within a small factor of size times its bit length.
func (b *bufferShuffle) rebuildCost() int64 {
	return b.size * int64(bits.Len64(uint64(b.size)))
}

// lookup returns the input emitted at steady position t < steady without
// any buffer: the slot j(t) was last filled at the latest earlier step
// that drew it, or holds its initial input. Expected O(size) draws, O(1)
// memory.
func (b *bufferShuffle) lookup(t int64) int64 {
	j := b.slot(t)
	for u := t - 1; u >= 0; u-- {
		if b.slot(u) == j {
			return b.size + u
		}
	}
	return j
}

// bufferCursor walks the outputs of a bufferShuffle, keeping the buffer's
// contents (input positions) so that nearby positions cost O(1) draws
// each. A caller that visits every stride-th position tells the cursor the
// stride: when it exceeds the buffer size, stepping through each gap costs
// more than looking each steady position up, so the cursor looks up
// instead and keeps contents only for the drain.
type bufferCursor struct {
	b      *bufferShuffle
	sparse bool     // look steady positions up rather than step to them
	slots  []int64  // contents; during the drain, slots[:held-d] remain
	seen   []uint64 // scratch bitmap of rebuild
	next   int64    // the output position the contents are ready for
	valid  bool
}

func newBufferCursor(b *bufferShuffle, stride int64) *bufferCursor {
	return &bufferCursor{b: b, sparse: stride > b.size}
}

// at returns the input position emitted at output position q in [0, n).
func (c *bufferCursor) at(q int64) int64 {
	b := c.b
	if c.sparse && q < b.steady {
		return b.lookup(q)
	}
	// Stepping through a long steady gap costs more than rebuilding the
	// contents where the caller is going; within the drain, stepping is
	// always cheaper, since a rebuild lands at its start.
	if !c.valid || q < c.next || min(q, b.steady)-c.next > b.rebuildCost() {
		c.rebuild(min(q, b.steady))
	}
	for c.next < q {
		c.step()
	}
	return c.step()
}

// step advances the contents by one output position and returns its
// input.
func (c *bufferCursor) step() int64 {
	b := c.b
	t := c.next
	c.next++
	if t < b.steady {
		j := b.slot(t)
		out := c.slots[j]
		c.slots[j] = b.size + t
		return out
	}
	d := t - b.steady
	last := b.held - d - 1
	i := b.pick(d)
	c.slots[i], c.slots[last] = c.slots[last], c.slots[i]
	return c.slots[last]
}

// rebuild sets the contents to those before steady step t <= steady by
// scanning the draws backwards: each slot holds the input of the latest
// step that drew it, or its initial input. The scan stops once every slot
// is seen, after O(size log size) draws on average, and never goes back
// further than the start of the epoch.
func (c *bufferCursor) rebuild(t int64) {
	b := c.b
	if c.slots == nil {
		c.slots = make([]int64, b.held)
		c.seen = make([]uint64, (b.held+63)/64)
	}
	clear(c.seen)
	missing := b.held
	for u := t - 1; u >= 0 && missing > 0; u-- {
		j := b.slot(u)
		if c.seen[j/64]&(1<<(j%64)) == 0 {
			c.seen[j/64] |= 1 << (j % 64)
			c.slots[j] = b.size + u
			missing--
		}
	}
	for j := range b.held {
		if c.seen[j/64]&(1<<(j%64)) == 0 {
			c.slots[j] = j
		}
	}
	c.next = t
	c.valid = true
}
