package parquet

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// Decoding the columns of one batch in parallel leaves cores idle when one
// column costs most of the work, as an embedding column does. So Batches
// also decodes row groups ahead: up to Options.Workers row groups decode at
// once, each collected whole, and are yielded in file order. A row group is
// collected whole because the consumer drains the oldest one while the
// others decode; holding batches back any less would stall them.
//
// Workers+1 for every file was measured (session 5): a file of three full
// row groups scanned 15% faster by wall (its tail no longer decodes one
// row group per core), but a file of eight gained nothing, and the extra
// row group in flight raised peak anonymous memory by ~100 MB on a local
// scan of bench workload 6 and by ~400-600 MB on a remote one (its 72 MiB
// column chunks are held while they decode), so it was not kept. One more
// row group decodes only where it costs little: a small one of a
// memory-mapped file (see startsAhead).
//
// Memory is bounded: at most Workers row groups are in flight (one more,
// of at most maxExtraRowGroup, when mapped), and past the one being
// yielded only while their uncompressed sizes (projected columns, by the
// footer) add up to maxAheadBytes, however many cores there are.
// Row groups decode ahead only when each is at most maxAheadRowGroup bytes
// uncompressed, and only when
// every projected column takes the fast path: pqarrow's column readers
// lose track of a page buffer when a decode ahead is cancelled (visible
// to a checked allocator), so files with general-path columns stream
// batch by batch as before, as they do with one worker or one row group.
const (
	maxAheadRowGroup = 256 << 20
	maxAheadBytes    = 512 << 20
)

// decodeAhead reports whether Batches should decode row groups ahead.
func (rd *Reader) decodeAhead() bool {
	_, ok := rd.aheadSizes()
	return ok
}

// aheadSizes returns the uncompressed size of each selected row group's
// projected columns, and whether they may decode ahead.
func (rd *Reader) aheadSizes() ([]int64, bool) {
	if rd.opts.workers() <= 1 || len(rd.rowGroups) <= 1 || rd.opts.GeneralPath {
		return nil, false
	}
	md := rd.file.MetaData()
	sizes := make([]int64, len(rd.rowGroups))
	for i, rg := range rd.rowGroups {
		rgm := md.RowGroup(rg)
		var size int64
		for _, c := range rd.cols {
			if _, ok := planFast(md, rg, c); !ok {
				return nil, false
			}
			for leaf := range c.leaves {
				cc, err := rgm.ColumnChunk(leaf)
				if err != nil {
					return nil, false
				}
				size += max(0, cc.TotalUncompressedSize())
			}
		}
		if size > maxAheadRowGroup {
			return nil, false
		}
		sizes[i] = size
	}
	return sizes, true
}

// maxExtraRowGroup is the largest row group (projected columns,
// uncompressed) that decodes beyond Workers at once; see startsAhead.
const maxExtraRowGroup = 32 << 20

// startsAhead reports whether row group j may start decoding while i is
// the oldest not yielded and inFlight bytes are decoding or decoded: up
// to depth row groups at once, within maxAheadBytes past i.
//
// With extra set, one more may, when it is at most maxExtraRowGroup. With
// depth row groups at once, the last ones of a file decode one per core
// with nothing beside them: on a file of three full row groups and two
// cores, the third decoded alone while the other core idled, a third of
// the scan. One more in flight overlaps it (+16% rows/s on that file). It
// is kept to memory-mapped files, where a row group in flight holds only
// its decoded batches (its pages are the mapping's), and to small row
// groups, so that it costs at most maxExtraRowGroup more memory; remote
// reads fetch and keep buffers for GOMAXPROCS row groups at once (see
// dataset's decodingRowGroups), and session 5 measured an unbounded extra
// row group at +100 MB locally and +400-600 MB remotely.
func startsAhead(i, j, depth int, extra bool, sizes []int64, inFlight int64) bool {
	switch {
	case j > i && inFlight+sizes[j] > maxAheadBytes:
		return false
	case j < i+depth:
		return true
	}
	return extra && j == i+depth && sizes[j] <= maxExtraRowGroup
}

// mapped reports whether the file is memory-mapped (see chunkBytes).
func (rd *Reader) mapped() bool {
	m, ok := rd.src.r.(format.Mapped)
	return ok && int64(len(m.Bytes())) == rd.src.size
}

// collected is one row group decoded ahead.
type collected struct {
	batches []arrow.RecordBatch
	err     error
	done    chan struct{}
}

// batchesAhead yields every selected row group's batches in order while
// later row groups decode; see decodeAhead. All the goroutines it starts
// have ended when it returns, and batches not yielded are released.
func (rd *Reader) batchesAhead(ctx context.Context, sizes []int64, yield func(arrow.RecordBatch, error) bool) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	results := make([]*collected, len(rd.rowGroups))
	defer func() {
		cancel()
		wg.Wait()
		for _, r := range results {
			if r != nil {
				releaseBatches(r.batches)
			}
		}
	}()
	start := func(i int) {
		if rd.testStarted != nil {
			rd.testStarted(i)
		}
		r := &collected{done: make(chan struct{})}
		results[i] = r
		wg.Go(func() {
			defer close(r.done)
			rd.readRowGroup(ctx, i, func(b arrow.RecordBatch, err error) bool {
				if err != nil {
					r.err = err
					return false
				}
				b.Retain()
				r.batches = append(r.batches, b)
				return true
			})
		})
	}
	depth, extra := rd.opts.workers(), rd.mapped()
	started := 0
	var inFlight int64 // bytes of the row groups started and not yet yielded
	for i := range rd.rowGroups {
		for ; started < len(rd.rowGroups) && startsAhead(i, started, depth, extra, sizes, inFlight); started++ {
			inFlight += sizes[started]
			start(started)
		}
		r := results[i]
		<-r.done
		batches := r.batches
		r.batches = nil
		for j, b := range batches {
			if err := parent.Err(); err != nil {
				// Cancelled: what was decoded ahead is dropped, as
				// streaming would not have decoded it.
				releaseBatches(batches[j:])
				yield(nil, fmt.Errorf("reading %s, row group %d: %w", rd.name, rd.rowGroups[i], err))
				return
			}
			ok := yield(b, nil)
			b.Release()
			if !ok {
				releaseBatches(batches[j+1:])
				return
			}
		}
		if r.err != nil {
			yield(nil, r.err)
			return
		}
		inFlight -= sizes[i]
	}
}

func releaseBatches(batches []arrow.RecordBatch) {
	for _, b := range batches {
		b.Release()
	}
}
