package dataset

import (
	"context"
	"fmt"
	"iter"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/mempool"
	"github.com/tome-data/tome/stream"
)

// A TrainStream is one rank's (and worker's) samples of one epoch of a
// dataset or a mix of datasets, in the training order; Dataset.Train and
// TrainMix make one. It computes its order on demand, holding O(shards)
// words (O(BufferSize) while iterating in ShuffleBuffer mode), and reads
// only the rows it delivers.
//
// A TrainStream may be iterated any number of times, each loop delivering
// the same samples, and from several goroutines at once. Close releases
// its files once no loop runs.
type TrainStream struct {
	ds  *Dataset // holds a reference to the files until Close
	ord trainOrder
	// how samples are read: these never change the order
	columns   []string
	batchRows int
	prefetch  int
	parallel  int
}

// newTrainStream makes the stream of ds, a copy of the dataset that the
// stream owns. Unless the dataset was opened WithAllocator, the batches
// the stream gathers come from a pool of its own: a training loop releases
// each batch before it takes the next, so the next reuses its memory
// rather than asking the Go heap for megabytes the garbage collector must
// then scan for and free (a quarter of a global shuffle's CPU time).
func newTrainStream(ds *Dataset, ord trainOrder, o TrainOptions) *TrainStream {
	if ds.cfg.mem == nil {
		ds.cfg.mem = mempool.New(trainPoolBytes)
	}
	return &TrainStream{ds: ds, ord: ord, columns: o.Columns, batchRows: o.BatchRows, prefetch: o.Prefetch, parallel: o.Parallel}
}

// trainPoolBytes bounds the released batch memory a stream keeps for
// reuse: a dozen batches of 8192 rows of a few hundred bytes, enough for
// the batches Parallel and Prefetch hold.
const trainPoolBytes = 64 << 20

// Len is the number of samples the stream delivers: its rank's share of
// the epoch past the start (its worker's share of that, with Workers).
// It is the same on every rank.
func (s *TrainStream) Len() int64 { return s.ord.len() }

// RankLen is the number of samples the stream's rank delivers over all
// its workers; it equals Len without Workers.
func (s *TrainStream) RankLen() int64 { return s.ord.rankLen() }

// State returns the resume point after the rank has delivered consumed
// samples of this stream (counted from its start, over all the rank's
// workers: what the training loop has seen, not what was read ahead).
// consumed must lie in [0, RankLen()].
func (s *TrainStream) State(consumed int64) (TrainState, error) {
	return s.ord.state(consumed)
}

// Close releases the stream's reference to its files. Batches already
// handed out stay valid while retained.
func (s *TrainStream) Close() error {
	if s.ds == nil {
		return nil
	}
	err := s.ds.Close()
	s.ds = nil
	return err
}

// Batches yields the stream's samples as record batches, in order.
//
// Ownership: a yielded batch is valid until the loop body returns; call
// Retain to keep it longer and Release when done. A batch may be a
// zero-copy slice of a memory-mapped shard, which stays mapped while the
// batch is retained. Gathered batches come from memory the stream
// recycles (unless the dataset was opened WithAllocator): one kept past
// its loop body without Retain is overwritten by a later batch. A non-nil error is yielded once, last; breaking out
// of the loop stops every goroutine the stream started before the loop
// statement returns.
func (s *TrainStream) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	if s.ds == nil {
		return func(yield func(arrow.RecordBatch, error) bool) {
			yield(nil, fmt.Errorf("train: %w: stream is closed", ErrTrainConfig))
		}
	}
	seq := s.read(ctx)
	if s.batchRows > 0 {
		seq = rebatch(seq, s.batchRows, s.ds.mem())
	}
	if s.prefetch > 0 {
		seq = prefetchBatches(ctx, seq, s.prefetch)
	}
	return seq
}

// Rows yields the stream's samples as rows, in order. A Row borrows its
// batch and is valid until the loop body returns (see Dataset.Rows).
func (s *TrainStream) Rows(ctx context.Context) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for b, err := range s.Batches(ctx) {
			if err != nil {
				yield(Row{}, err)
				return
			}
			for i := range int(b.NumRows()) {
				if !yield(NewRow(b, i), nil) {
					return
				}
			}
		}
	}
}

// read yields the samples in the reader's own batches. A span of rows in
// order streams chunk by chunk; anything else is cut into segments of
// consecutive samples whose rows a view scan reads — runs as zero-copy
// slices, scattered rows gathered from the chunk cache, where a window's
// chunks stay while its segments are read.
func (s *TrainStream) read(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if lo, hi, ok := s.ord.span(); ok {
			if lo < hi {
				s.scan(ctx, rangeMap{start: lo, step: 1, n: hi - lo}, yield)
			}
			return
		}
		if s.parallel <= 1 {
			s.readSequential(ctx, yield)
			return
		}
		gathered := stream.ParallelMap(ctx, s.segments(ctx, false), s.parallel, s.gather, stream.OnDiscard(releaseBatches))
		for bs, err := range gathered {
			if err != nil {
				yield(nil, err)
				return
			}
			for i, b := range bs {
				ok := yield(b, nil)
				b.Release()
				if !ok {
					releaseBatches(bs[i+1:])
					return
				}
			}
		}
	}
}

// segmentBatches is the length of a segment in batches of the scan's
// batch size: whole batches, so that segments cut none, and few, so that
// the segments a parallel read holds stay small.
const segmentBatches = 4

// seqSegmentBatches is the length of a segment of a sequential read, in
// batches. Its segments are read one at a time into two buffers, so they
// may be longer, and they gain by it: each segment's view scan prepares
// the chunks it gathers from once, and a global shuffle's every batch
// draws from nearly every chunk. 16 batches of 8,192 rows are a buffer of
// 1 MiB.
const seqSegmentBatches = 16

// readSequential reads the segments one after the other on the caller's
// goroutine, while a chunkReadAhead decodes the chunks the next segment
// will need that the current one does not: once the current segment has
// yielded its first batch, so that its own chunks are loaded (and what
// they cost is known) and the read-ahead overlaps the rest of its gather,
// or at a later batch if the last read-ahead is still under way. With
// nothing to decode and more than one core, the read is pipelined instead
// (readPipelined).
func (s *TrainStream) readSequential(ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ahead *chunkReadAhead
	if a, err := s.ds.access(); err == nil {
		if proj, err := newProjection(s.ds.schema, s.columns); err == nil {
			ahead, _ = newChunkReadAhead(a, s.ds.rows, proj)
		}
	}
	if ahead != nil {
		defer ahead.wait() // after cancel: no goroutine outlives the loop
	} else if runtime.GOMAXPROCS(0) > 1 {
		s.readPipelined(ctx, yield)
		return
	}
	next, stop := iter.Pull2(s.segments(ctx, true))
	defer stop()
	seg, err, ok := next()
	for n := 0; ok; n++ {
		if err != nil {
			yield(nil, err)
			return
		}
		after, afterErr, afterOK := next() // seg stays valid: segments keeps two
		readAhead := ahead != nil && afterOK && afterErr == nil
		cont := s.scan(ctx, sliceMap(seg), func(b arrow.RecordBatch, err error) bool {
			if readAhead && err == nil && ahead.start(ctx, n, seg, after) {
				readAhead = false
			}
			return yield(b, err)
		})
		if !cont {
			return
		}
		seg, err, ok = after, afterErr, afterOK
	}
}

// segments yields the stream's rows in delivery order, in slices of
// segmentBatches batches. Each slice is the consumer's, unless reuse is
// set: then segments are seqSegmentBatches long and alternate between two
// buffers, so that each stays valid until the loop body has returned for
// the segment after it (buffers that need not be allocated and collected
// per segment, and a segment still there when the next is cut).
func (s *TrainStream) segments(ctx context.Context, reuse bool) iter.Seq2[[]int64, error] {
	size := segmentBatches * s.gatherRows()
	if reuse {
		size = seqSegmentBatches * s.gatherRows()
	}
	return func(yield func([]int64, error) bool) {
		var spare []int64
		if reuse {
			spare = make([]int64, 0, size)
		}
		next := func(done []int64) []int64 {
			if !reuse {
				return make([]int64, 0, size)
			}
			buf := spare[:0]
			spare = done
			return buf
		}
		s.cutSegments(ctx, size, make([]int64, 0, size), next, yield)
	}
}

// cutSegments cuts the stream's rows, in delivery order, into segments of
// size rows (the last may be shorter), filling seg first and then, once
// yield has returned for a full segment, the buffer next returns (of
// capacity size at least; nil stops the cut). It stops when yield reports
// false.
func (s *TrainStream) cutSegments(ctx context.Context, size int, seg []int64, next func(done []int64) []int64, yield func([]int64, error) bool) {
	// full hands on a full segment and starts the next one.
	full := func() bool {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return false
		}
		if !yield(seg, nil) {
			return false
		}
		seg = next(seg)
		return seg != nil
	}
	if r, ok := s.ord.(readerOrder); ok {
		rd := r.reader()
		for {
			n := rd.Read(seg[len(seg):size])
			if n == 0 {
				break
			}
			if seg = seg[:len(seg)+n]; len(seg) == size && !full() {
				return
			}
		}
	} else {
		for row, err := range s.ord.rows() {
			if err != nil {
				yield(nil, err)
				return
			}
			if seg = append(seg, row); len(seg) == size && !full() {
				return
			}
		}
	}
	if len(seg) > 0 {
		yield(seg, nil)
	}
}

// gatherRows is the size of the batches a view scan gathers.
func (s *TrainStream) gatherRows() int {
	if n := s.ds.cfg.batchRows; n > 0 {
		return n
	}
	return format.DefaultBatchSize
}

// scan yields the rows m picks from the stream's dataset, in m's order,
// through a view scan. It reports false when iteration must stop.
func (s *TrainStream) scan(ctx context.Context, m indexMap, yield func(arrow.RecordBatch, error) bool) bool {
	if s.ds.files == nil {
		return yield(nil, fmt.Errorf("train: %w: stream is closed", ErrTrainConfig))
	}
	v := s.ds.view(m)
	defer v.Close()
	for b, err := range v.Batches(ctx, &ScanOptions{Columns: s.columns}) {
		if err != nil {
			yield(nil, err)
			return false
		}
		if !yield(b, nil) {
			return false
		}
	}
	return true
}

// gather reads one segment into batches the caller owns (ParallelMap's
// function).
func (s *TrainStream) gather(ctx context.Context, seg []int64) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	var failed error
	s.scan(ctx, sliceMap(seg), func(b arrow.RecordBatch, err error) bool {
		if err != nil {
			failed = err
			return false
		}
		b.Retain()
		out = append(out, b)
		return true
	})
	if failed != nil {
		releaseBatches(out)
		return nil, failed
	}
	return out, nil
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// prefetchBatches reads seq ahead by n batches on a goroutine. The
// batches are retained while they wait and released once the consumer's
// loop body has returned, so ownership is as for any Batches loop.
func prefetchBatches(ctx context.Context, seq iter.Seq2[arrow.RecordBatch, error], n int) iter.Seq2[arrow.RecordBatch, error] {
	owned := stream.Map(seq, func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		b.Retain()
		return b, nil
	})
	ahead := stream.Prefetch(ctx, owned, n, stream.OnDiscard(func(b arrow.RecordBatch) { b.Release() }))
	return func(yield func(arrow.RecordBatch, error) bool) {
		for b, err := range ahead {
			if err != nil {
				yield(nil, err)
				return
			}
			ok := yield(b, nil)
			b.Release()
			if !ok {
				return
			}
		}
	}
}
