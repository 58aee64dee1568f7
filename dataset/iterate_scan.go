package dataset

import (
	"context"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// scanWorkers is how many goroutines decode batches for Scan: one per CPU,
// up to four (decoding is memory-bound beyond that).
func scanWorkers() int { return min(runtime.GOMAXPROCS(0), 4) }

// decodesAhead reports whether d's shards decode batches ahead of the
// reader on their own: Parquet's do (see Scan).
func (d *Dataset) decodesAhead() bool {
	if d.files == nil {
		return true // closed: the serial path reports it
	}
	for _, sf := range d.files.shards {
		if sf.kind.Format == format.Parquet {
			return true
		}
	}
	return false
}

// batchesOnGoHeap reports whether every buffer of d's batches is Go memory
// that the batch alone holds and nothing reuses once it is released, so
// that Scan's decoded values may point into it (newDecoder's borrow): the
// rows of Parquet shards, decoded with the Go allocator, in file order. It
// is false for memory-mapped and compressed Arrow shards, for JSON Lines
// and CSV (whose builders were not audited for reuse), for views (which
// gather rows), and for any other allocator (a pool or C memory may reuse
// a released buffer).
func (d *Dataset) batchesOnGoHeap() bool {
	if d.files == nil || d.rows != nil {
		return false
	}
	if _, ok := d.mem().(*memory.GoAllocator); !ok {
		return false
	}
	for _, sf := range d.files.shards {
		if sf.kind.Format != format.Parquet {
			return false
		}
	}
	return true
}

// scanAhead is how many decoded or decoding batches Scan holds ahead of
// the loop body: enough to keep every worker busy while the consumer
// takes one.
func scanAhead(workers int) int { return 2 * workers }

// A scanResult is one batch's rows, or the error that ends the scan.
type scanResult[T any] struct {
	rows []T
	err  error
}

// A scanJob is a batch to decode, retained, and where its rows go.
type scanJob[T any] struct {
	batch arrow.RecordBatch
	out   chan scanResult[T]
}

// scanParallel is Scan over worker goroutines. A reader goroutine ranges
// over the batches, retaining each and queueing, in order, a result
// channel for the consumer and a job for the workers; the consumer waits
// on the result channels in turn, so rows come out in batch order however
// the workers finish. Every goroutine has ended when it returns.
func scanParallel[T any](ctx context.Context, d *Dataset, opts *ScanOptions, workers int, yield func(T, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	ahead := scanAhead(workers)
	jobs := make(chan scanJob[T], workers)
	order := make(chan chan scanResult[T], ahead)
	free := make(chan []T, ahead+1) // row slices the consumer is done with
	var wg sync.WaitGroup
	defer func() {
		cancel()
		// Unblock the reader and let the workers finish what they hold;
		// their results are dropped.
		for range order {
		}
		wg.Wait()
	}()

	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		for b, err := range d.Batches(ctx, opts) {
			out := make(chan scanResult[T], 1)
			if err != nil {
				out <- scanResult[T]{err: err}
				select {
				case order <- out:
				case <-ctx.Done():
				}
				return
			}
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			b.Retain()
			select {
			case jobs <- scanJob[T]{batch: b, out: out}:
			case <-ctx.Done():
				b.Release()
				out <- scanResult[T]{err: ctx.Err()}
				return
			}
		}
	})

	var once sync.Once
	var dec *Decoder[T]
	var decErr error
	decoder := func(schema *arrow.Schema) (*Decoder[T], error) {
		once.Do(func() { dec, decErr = NewDecoder[T](schema) })
		return dec, decErr
	}
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- decodeScanJob(ctx, j, decoder, free)
			}
		})
	}

	var zero T
	for out := range order {
		var r scanResult[T]
		select {
		case r = <-out:
		case <-ctx.Done():
			yield(zero, ctx.Err())
			return
		}
		if r.err != nil {
			yield(zero, r.err)
			return
		}
		for _, v := range r.rows {
			if !yield(v, nil) {
				return
			}
		}
		// Reused as it is: AppendBatch clears what it writes over, and
		// until then the free list keeps at most scanAhead+1 batches'
		// blocks alive.
		select {
		case free <- r.rows[:0]:
		default:
		}
	}
	// The reader stops queueing once the context ends, and may drop the
	// error the batches reported for it: report it here.
	if err := ctx.Err(); err != nil {
		yield(zero, err)
	}
}

// decodeScanJob decodes one batch into a row slice from free (or a new
// one) and releases the batch.
func decodeScanJob[T any](ctx context.Context, j scanJob[T], decoder func(*arrow.Schema) (*Decoder[T], error), free chan []T) scanResult[T] {
	defer j.batch.Release()
	if err := ctx.Err(); err != nil {
		return scanResult[T]{err: err}
	}
	dec, err := decoder(j.batch.Schema())
	if err != nil {
		return scanResult[T]{err: err}
	}
	var buf []T
	select {
	case buf = <-free:
	default:
	}
	rows, err := dec.AppendBatch(buf, j.batch)
	return scanResult[T]{rows: rows, err: err}
}
