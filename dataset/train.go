package dataset

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/tome-data/tome/internal/order"
)

// ShuffleMode is how a training stream orders an epoch's samples; see
// TrainOptions. The zero ShuffleMode is ShuffleNone.
type ShuffleMode = order.Mode

// The shuffle modes of a training stream.
const (
	// ShuffleNone delivers the rows in manifest order.
	ShuffleNone = order.None
	// ShuffleShards permutes the shard order per epoch and keeps the rows
	// of a shard in order: the cheapest shuffle, and a weak one.
	ShuffleShards = order.Shards
	// ShuffleBlock permutes the shard order, then the rows inside windows
	// of TrainOptions.Window consecutive positions: the mode for
	// streaming, since a window touches few shards and its chunks are
	// read once.
	ShuffleBlock = order.Block
	// ShuffleGlobal is a full permutation of all rows by a keyed
	// bijection. It needs fast random access: memory-mapped Arrow shards,
	// or Parquet shards small enough for the chunk cache.
	ShuffleGlobal = order.Global
	// ShuffleBuffer is the shuffle buffer of Hugging Face datasets and
	// WebDataset (TrainOptions.BufferSize samples) after a shard-order
	// shuffle; it resumes exactly, since its state is sample positions.
	ShuffleBuffer = order.Buffer
)

// ParseShuffleMode returns the mode named s: none, shards, block, global
// or buffer, in any case.
func ParseShuffleMode(s string) (ShuffleMode, error) {
	m, err := order.ParseMode(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrTrainConfig, err)
	}
	return m, nil
}

// TrainOptions configure a training stream. The order of the samples is a
// pure function of the dataset's shards and of Mode, Seed, Epoch, Window,
// BufferSize, World, Rank, Workers, Worker, DropRemainder, Start and
// Resume; Columns, BatchRows, Prefetch and Parallel change only how the
// samples are read and cut into batches, never which samples come in
// which order.
type TrainOptions struct {
	// Mode is the shuffle mode; the zero Mode is ShuffleNone. Seed and
	// Epoch key it: the same seed and epoch give the same order on every
	// run and machine, another epoch another order.
	Mode  ShuffleMode
	Seed  uint64
	Epoch int
	// Window is the ShuffleBlock window in positions (0: 65536);
	// BufferSize the ShuffleBuffer buffer in samples (0: 1000).
	Window     int
	BufferSize int

	// World ranks share the epoch (0 means 1): rank r takes the epoch's
	// global positions r, r+World, ... Every rank gets the same count,
	// padded by wrapping around to the start of the epoch, or cut to
	// whole rounds with DropRemainder.
	World, Rank   int
	DropRemainder bool
	// Workers split one rank's samples further (0 means 1), round-robin:
	// worker w takes the rank's samples w, w+Workers, ..., so that data
	// loader processes of one rank share it without overlap.
	Workers, Worker int

	// Start is the rank's sample to begin at: the stream skips the first
	// Start samples of the rank's sequence without reading them.
	// Resume continues from a state that an earlier stream wrote (its
	// order parameters replace Mode, Seed, Epoch, Window and BufferSize;
	// World and Rank may differ from the run that wrote it); Start then
	// counts from the state's position.
	Start  int64
	Resume *TrainState

	// Columns projects every batch onto these columns (nil: all).
	// BatchRows makes every batch exactly this many rows, the last one
	// possibly shorter (0: the batches the reader makes).
	Columns   []string
	BatchRows int

	// Prefetch reads this many more batches ahead on a goroutine (0: no
	// more than the stream's own pipelining, which over memory-mapped
	// Arrow with more than one core gathers one batch ahead).
	// Parallel gathers scattered rows on this many goroutines (0 or 1:
	// on the consumer's). Both deliver in the order above.
	Prefetch int
	Parallel int
}

// check refuses option values no order could use.
func (o *TrainOptions) check() error {
	switch {
	case o.Start < 0:
		return fmt.Errorf("train: %w: start %d is negative", ErrTrainConfig, o.Start)
	case o.BatchRows < 0:
		return fmt.Errorf("train: %w: batch rows %d is negative", ErrTrainConfig, o.BatchRows)
	case o.Prefetch < 0 || o.Parallel < 0:
		return fmt.Errorf("train: %w: prefetch %d and parallel %d, want at least 0", ErrTrainConfig, o.Prefetch, o.Parallel)
	}
	return nil
}

// orderConfig is the order of a dataset of the given shards under o,
// before Resume and Start.
func (o *TrainOptions) orderConfig(shardRows []int64) order.Config {
	return order.Config{
		ShardRows: shardRows,
		Seed:      o.Seed, Epoch: o.Epoch,
		Mode: o.Mode, Window: o.Window, BufferSize: o.BufferSize,
		World: o.World, Rank: o.Rank, DropRemainder: o.DropRemainder,
		Workers: o.Workers, Worker: o.Worker,
	}
}

// Train returns the training stream of d under opts: the samples of one
// rank (and worker) of one epoch, in the training order.
//
// The stream reads according to its order: runs of consecutive rows (in
// ShuffleNone and ShuffleShards mode on one rank) as zero-copy slices of
// the files' batches, everything else gathered into new batches from the
// chunk cache, which reads each chunk of a ShuffleBlock window once.
// Start and Resume seek: no sample before the start is read.
//
// The stream holds a reference to d's files until Close, so d may be
// closed first. Errors: ErrNoRandomAccess for JSON Lines or CSV shards,
// ErrTrainConfig for options that describe no order, ErrStateMismatch for
// a Resume state written for another dataset.
func (d *Dataset) Train(opts TrainOptions) (*TrainStream, error) {
	if err := d.checkOpen("train"); err != nil {
		return nil, err
	}
	if _, err := d.needLen("train"); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.Resume != nil && opts.Resume.Mix != nil {
		return nil, fmt.Errorf("train: %w: the state is of a mix of %d datasets; resume it with TrainMix", ErrStateMismatch, len(opts.Resume.Mix.Weights))
	}
	shardRows, extra := d.trainIdentity()
	cfg := opts.orderConfig(shardRows)
	if opts.Resume != nil {
		var err error
		if cfg, err = order.Resume(cfg, opts.Resume.orderState(), extra...); err != nil {
			return nil, orderError(err)
		}
	}
	start, err := advance(cfg.Start, opts.Start, cfg.World)
	if err != nil {
		return nil, err
	}
	cfg.Start = start
	plan, err := order.NewPlan(cfg)
	if err != nil {
		return nil, orderError(err)
	}
	return newTrainStream(d.retained(), &planOrder{plan: plan, extra: extra}, opts), nil
}

// advance returns the global position at which a rank's sample start
// lies, counted from the global position base.
func advance(base, start int64, world int) (int64, error) {
	w := int64(max(world, 1))
	if base > order.MaxRows || start > (order.MaxRows-base)/w {
		return 0, fmt.Errorf("train: %w: position %d plus %d samples of %d ranks is past any epoch", ErrTrainConfig, base, start, w)
	}
	return base + start*w, nil
}

// orderError wraps an error of the order package in the dataset sentinel
// that callers can match.
func orderError(err error) error {
	switch {
	case errors.Is(err, order.ErrMismatch):
		return fmt.Errorf("train: %w: %w", ErrStateMismatch, err)
	case errors.Is(err, order.ErrInvalid):
		return fmt.Errorf("train: %w: %w", ErrTrainConfig, err)
	}
	return fmt.Errorf("train: %w", err)
}

// trainIdentity returns what the training order sees of d: the row count
// of each shard, and the strings a state's fingerprint binds it to (each
// shard's file name and size). Modification times are left out, so that a
// copied dataset resumes. A view (Select, Shuffle, Filter, ...) is one
// shard of its rows, in its order.
func (d *Dataset) trainIdentity() (shardRows []int64, extra []string) {
	for _, sf := range d.files.shards {
		extra = append(extra, filepath.Base(sf.path)+"\x00"+strconv.FormatInt(sf.src.Size(), 10))
	}
	if d.rows != nil {
		return []int64{d.Len()}, append(extra, "view\x00"+strconv.FormatInt(d.Len(), 10))
	}
	starts := d.files.starts
	shardRows = make([]int64, len(starts)-1)
	for i := range shardRows {
		shardRows[i] = starts[i+1] - starts[i]
	}
	return shardRows, extra
}

// retained returns a copy of d that holds its own reference to d's files.
func (d *Dataset) retained() *Dataset {
	v := *d
	d.files.retain()
	return &v
}
