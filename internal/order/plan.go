package order

import "fmt"

// Plan is the order of one run of one epoch for one rank (and worker): the
// row index of each sample it delivers. It is computed on demand, never
// materialised: a Plan holds O(shards) words whatever the row count, and
// is safe for concurrent use; its iterators keep their own state.
//
// Positions come in three kinds. The epoch's sequence maps a sequence
// position q in [0, N) to a row index, N being the row count. A global
// position i counts the samples delivered by all ranks together, from 0 at
// the start of the epoch; it exceeds N-1 only for wrap-around pads, which
// take sequence position i mod N. A local position k counts this plan's
// own samples from 0 at the plan's Start.
type Plan struct {
	cfg     Config // with defaults applied
	rows    int64  // N
	lay     layout // the shard-ordered sequence (manifest order in None and Global mode)
	global  feistel
	buf     bufferShuffle
	rankLen int64 // samples of this rank
	count   int64 // samples of this worker
}

// NewPlan validates cfg and returns its plan. It costs O(shards) time and
// memory, whatever the row count.
func NewPlan(cfg Config) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	// The plan keeps its own copy: a caller reusing the slice must not
	// change the dataset a State is fingerprinted with.
	cfg.ShardRows = append([]int64(nil), cfg.ShardRows...)
	p := &Plan{cfg: cfg}
	var play []int
	if cfg.Mode == Shards || cfg.Mode == Block || cfg.Mode == Buffer {
		play = shardPlay(len(cfg.ShardRows), cfg.Seed, cfg.Epoch)
	}
	p.lay = newLayout(cfg.ShardRows, play)
	p.rows = p.lay.rows()
	switch cfg.Mode {
	case Global:
		p.global = newFeistel(uint64(p.rows), deriveKey(cfg.Seed, cfg.Epoch, purposeGlobal, 0))
	case Buffer:
		p.buf = newBufferShuffle(p.rows, int64(cfg.BufferSize), cfg.Seed, cfg.Epoch)
	}

	world := int64(cfg.World)
	remaining := max(0, p.rows-cfg.Start)
	p.rankLen = remaining / world
	if !cfg.DropRemainder {
		p.rankLen = (remaining + world - 1) / world
	}
	workers, worker := int64(cfg.Workers), int64(cfg.Worker)
	if p.rankLen > worker {
		p.count = (p.rankLen - worker + workers - 1) / workers
	}
	return p, nil
}

// Config returns the plan's configuration, defaults filled in.
func (p *Plan) Config() Config {
	c := p.cfg
	c.ShardRows = append([]int64(nil), c.ShardRows...)
	return c
}

// Rows returns N, the number of rows in the epoch.
func (p *Plan) Rows() int64 { return p.rows }

// Len returns the number of samples this plan delivers: this worker's
// share of this rank's.
func (p *Plan) Len() int64 { return p.count }

// RankLen returns the number of samples this plan's rank delivers, the
// same on every rank: ceil(R/World) with padding and floor(R/World) with
// DropRemainder, where R = max(0, N-Start) is what the epoch has left.
func (p *Plan) RankLen() int64 { return p.rankLen }

// Position returns the global position of local position k in [0, Len):
// Start + (k*Workers + Worker)*World + Rank. Positions of N and above are
// wrap-around pads.
func (p *Plan) Position(k int64) int64 {
	c := &p.cfg
	j := k*int64(c.Workers) + int64(c.Worker)
	return c.Start + j*int64(c.World) + int64(c.Rank)
}

// sequencePos returns the sequence position of global position i: pads
// wrap around to the start of the epoch's sequence.
func (p *Plan) sequencePos(i int64) int64 {
	if i < p.rows {
		return i
	}
	return i % p.rows
}

// At returns the row index of this plan's k-th sample, k in [0, Len); it
// panics outside that range, as a slice index does.
//
// It costs O(1) time and memory in None, Global (two Feistel evaluations
// on average) and Block mode (one window key and two Feistel evaluations),
// plus a binary search over the shards in Shards and Block mode. In Buffer
// mode it costs O(BufferSize) expected time and O(1) memory for the
// samples emitted while the input lasts, and O(BufferSize log BufferSize)
// time and O(BufferSize) memory for the last BufferSize samples of the
// epoch, which drain the buffer. For sequential access use All, which
// costs O(1) per sample in every mode.
func (p *Plan) At(k int64) int64 {
	if k < 0 || k >= p.count {
		panic(fmt.Sprintf("order: position %d out of range [0, %d)", k, p.count))
	}
	q := p.sequencePos(p.Position(k))
	if p.cfg.Mode == Buffer {
		// No cursor: a lookup needs no contents, and the drain builds
		// its own.
		var x int64
		if q < p.buf.steady {
			x = p.buf.lookup(q)
		} else {
			x = newBufferCursor(&p.buf, 1).at(q)
		}
		r, _ := p.lay.row(x, 0)
		return r
	}
	c := cursor{p: p, window: -1}
	return c.row(q)
}

// Shard returns the shard holding row index r in [0, Rows) and r's offset
// within that shard.
func (p *Plan) Shard(r int64) (shard int, offset int64) {
	return p.lay.shardOf(r)
}
