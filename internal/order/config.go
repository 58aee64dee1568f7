package order

import "math"

// Defaults and bounds of a Config.
const (
	// DefaultWindow is the Block window: 65536 positions. It is large
	// enough that a batch drawn from one window mixes tens of thousands
	// of rows, and small enough that a reader can hold a window's rows
	// (64 MiB at 1 KiB a row) to gather them, reading each of the one or
	// two shards it touches once.
	DefaultWindow = 1 << 16
	// MaxWindow bounds the Block window. The order itself needs O(1)
	// memory per window, but a reader holds a window's rows.
	MaxWindow = 1 << 30

	// DefaultBufferSize is the Buffer size: 1000, the default of Hugging
	// Face datasets' IterableDataset.shuffle.
	DefaultBufferSize = 1000
	// MaxBufferSize bounds the Buffer size: the buffer's state is one
	// word per slot, 128 MiB at this bound.
	MaxBufferSize = 1 << 24

	// MaxRows bounds the dataset's row count, so that positions and
	// their wrap-around pads fit an int64 with room to spare.
	MaxRows = 1 << 62
	// MaxWorld bounds World and Workers.
	MaxWorld = math.MaxInt32
)

// Config is everything the order depends on. The order is a pure function
// of it: the same Config gives the same positions on every run, machine
// and Go release, whatever the timing and however the plan is iterated.
//
// Zero values of Window, BufferSize, World and Workers mean their defaults
// (DefaultWindow, DefaultBufferSize, 1 and 1); the zero Mode is None.
type Config struct {
	// ShardRows is the row count of each shard, in manifest order. Rows
	// are numbered across shards: shard s's rows follow shard s-1's.
	// Empty shards are allowed.
	ShardRows []int64

	// Seed and Epoch key the shuffle: every epoch of a seed has its own
	// order, and the same seed and epoch always the same one.
	Seed  uint64
	Epoch int

	// Mode is the shuffle mode. Window is the Block window in positions
	// (also the unit of WindowOf in None and Shards mode); BufferSize is
	// the number of samples the Buffer mode's buffer holds.
	Mode       Mode
	Window     int
	BufferSize int

	// World ranks share the epoch: rank r takes the global positions
	// Start+r, Start+r+World, ... Every rank gets the same count: with
	// DropRemainder the last partial round is dropped, otherwise it is
	// padded by wrapping around to the start of the epoch's sequence, as
	// PyTorch's DistributedSampler does.
	World, Rank   int
	DropRemainder bool

	// Workers split one rank's sequence further, round-robin: the rank's
	// j-th sample goes to worker j % Workers, so interleaving the workers'
	// outputs in turn rebuilds the rank's sequence. Worker counts differ by
	// at most one; the rank's count is what is equal across ranks.
	Workers, Worker int

	// Start is the global position the run begins at: the number of the
	// epoch's positions (pads included) already delivered by all ranks
	// together, as recorded in a State. Resume sets it.
	Start int64
}

// withDefaults returns c with its zero values replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.World == 0 {
		c.World = 1
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
	return c
}

// Validate reports whether c describes an order, as an ErrInvalid error
// naming the first problem.
func (c Config) Validate() error {
	c = c.withDefaults()
	var rows int64
	for s, n := range c.ShardRows {
		if n < 0 {
			return invalidf("shard %d has %d rows", s, n)
		}
		if n > MaxRows-rows {
			return invalidf("dataset has more than %d rows", int64(MaxRows))
		}
		rows += n
	}
	switch {
	case c.Epoch < 0:
		return invalidf("epoch %d, want at least 0", c.Epoch)
	case c.Mode >= numModes:
		return invalidf("unknown shuffle mode %d", uint8(c.Mode))
	case c.Window < 1 || c.Window > MaxWindow:
		return invalidf("window %d, want 1 to %d", c.Window, MaxWindow)
	case c.BufferSize < 1 || c.BufferSize > MaxBufferSize:
		return invalidf("buffer size %d, want 1 to %d", c.BufferSize, MaxBufferSize)
	case c.World < 1 || c.World > MaxWorld:
		return invalidf("world size %d, want 1 to %d", c.World, MaxWorld)
	case c.Rank < 0 || c.Rank >= c.World:
		return invalidf("rank %d outside a world of %d", c.Rank, c.World)
	case c.Workers < 1 || c.Workers > MaxWorld:
		return invalidf("%d workers, want 1 to %d", c.Workers, MaxWorld)
	case c.Worker < 0 || c.Worker >= c.Workers:
		return invalidf("worker %d outside %d workers", c.Worker, c.Workers)
	case c.Start < 0:
		return invalidf("start position %d, want at least 0", c.Start)
	}
	return nil
}
