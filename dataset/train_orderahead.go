package dataset

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// A sequential read with nothing to decode (memory-mapped Arrow) and more
// than one core is a pipeline of three goroutines: one computes the next
// segment's rows (the order), one walks them and gathers batches (itself
// on every core, column by column), and the caller's runs the loop body.
// Read on one goroutine, the order, the walk and the loop body each leave
// the other cores idle while the gather waits for them. Pipelined, the
// gather of the next batch runs while the loop body reads this one, and
// the order while either leaves a core free.
//
// Measured on a 2-core machine (BenchmarkTrainOrderAhead over the bench
// module's workload-5 file): a block shuffle's rank 0 of 2 and the
// unshuffled stream of that rank both took 7-9% less wall time, and
// block's ratio to the unshuffled stream fell from ~1.16 to ~1.135,
// because the order is dearer for a block shuffle (Feistel rounds per
// position) and its gather, waiting on memory, leaves more idle time to
// fill. Either alone did less: the order computed ahead moved the ratio
// by ~0.01, the batch gathered ahead not at all.
//
// Memory: the two segment buffers a sequential read already alternates
// between (one scanned while the other is filled), and up to two gathered
// batches ahead of the one the loop body holds, from the stream's pool.

// readPipelined reads the segments as readSequential does, through the
// pipeline described above: the order cut ahead (readOrderAhead) and the
// batches gathered one ahead of the loop body.
func (s *TrainStream) readPipelined(ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	gathered := func(y func(arrow.RecordBatch, error) bool) { s.readOrderAhead(ctx, y) }
	for b, err := range prefetchBatches(ctx, gathered, 1) {
		if !yield(b, err) {
			return
		}
	}
}

// A cutSegment is a segment computed ahead, or the error that ended the
// order (rows nil).
type cutSegment struct {
	rows []int64
	err  error
}

// An orderAhead cuts a stream's segments, seqSegmentBatches batches
// long, on a goroutine that fills two buffers in turn: it sends each full
// one on full (closed when it stops) and fills the next once a buffer
// comes back on free. It stops at the end of the order, at an error of
// the order (sent last), or when ctx is canceled, the only case in which
// it stops early without a word: then stopped reports true.
type orderAhead struct {
	full    chan cutSegment
	free    chan []int64
	wg      sync.WaitGroup
	stopped bool // by ctx; read once full is closed
}

func (s *TrainStream) startOrderAhead(ctx context.Context) *orderAhead {
	size := seqSegmentBatches * s.gatherRows()
	o := &orderAhead{full: make(chan cutSegment, 1), free: make(chan []int64, 2)}
	o.free <- make([]int64, 0, size)
	pop := s.newSegmentPopulator()
	o.wg.Go(func() {
		defer close(o.full)
		next := func([]int64) []int64 {
			select {
			case buf := <-o.free:
				return buf[:0]
			case <-ctx.Done():
				o.stopped = true
				return nil
			}
		}
		s.cutSegments(ctx, size, make([]int64, 0, size), next, func(rows []int64, err error) bool {
			if pop != nil && err == nil {
				pop.plan(rows) // before the send, which hands rows over
			}
			select {
			case o.full <- cutSegment{rows: rows, err: err}:
				if pop != nil && err == nil {
					pop.populate(ctx) // while the gather reads the segment before
				}
				return err == nil
			case <-ctx.Done():
				o.stopped = true
				return false
			}
		})
	})
	return o
}

// readOrderAhead reads the segments one after the other on the caller's
// goroutine, like readSequential, while the next segment's rows are
// computed ahead (see startOrderAhead).
func (s *TrainStream) readOrderAhead(ctx context.Context, yield func(arrow.RecordBatch, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	o := s.startOrderAhead(ctx)
	defer func() {
		cancel()    // unblocks the goroutine wherever it waits
		o.wg.Wait() // no goroutine outlives the loop
	}()
	for seg := range o.full {
		if seg.err != nil {
			yield(nil, seg.err)
			return
		}
		if !s.scan(ctx, sliceMap(seg.rows), yield) {
			return
		}
		o.free <- seg.rows // there is room: the goroutine holds the other buffer
	}
	if o.stopped {
		// Only the caller's ctx can have stopped it, before the end.
		yield(nil, ctx.Err())
	}
}
