package dataset

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/order"
	"github.com/tome-data/tome/internal/pagein"
)

// A block shuffle reads each window's rows in random order. Over a
// memory-mapped Arrow shard, the first touch of each part of the window
// takes a page fault, and the gather's software prefetches of rows on
// pages not yet mapped are dropped by the CPU, so the rows it asked for
// early are read late, a fault and a full miss at a time. The unshuffled
// stream does not suffer so: it faults its pages in order, and the CPU's
// prefetchers follow it. So the goroutine that cuts a block shuffle's
// segments ahead (startOrderAhead), idle once it has cut one, also maps
// the pages the segment will read (pagein.Populate), while the gather is
// still on the segment before.
//
// Measured in the bench module's workload 5 (2 M rows, mmap IPC, rank 0
// of 2, children alternated, 60 rounds): page faults per pass fell from
// 19.3 K to 5.2 K and block's wall time by 2%, its ratio to the
// unshuffled stream of the rank from 1.096 to 1.078; the CPU time is the
// same, moved to this goroutine. The same populate on the unshuffled
// stream left it unchanged (+3% and -1% in two runs of 15-20 rounds), so
// it is not done there.
//
// Only the projected columns' bytes of the rows of the segment's range in
// each chunk are populated, and only where they are dense enough that the
// kernel's own faults would map as much: when the segment's rows in a
// chunk are sparser than maxPopulateBytesPerRow (a rank of a large world
// reads one row in many), its pages are left to the faults. A chunk whose
// pages were mapped whole is marked, for the dataset's lifetime, and not
// asked for again: a second epoch over the same open dataset finds its
// pages mapped, and asking again every pass cost block 10-15% more CPU
// time in the go test benchmark (1,000-row chunks). Pages the kernel
// reclaims later are left to the faults.
type segmentPopulator struct {
	a       *randomAccess
	ix      *chunkIndex
	proj    projection
	maps    [][]byte      // per shard: the mapping its batches point into, nil when there is none
	rows    []chunkRows   // per chunk across shards: the rows of the segment planned
	touched []int         // the chunks with rows in the planned segment
	done    []atomic.Bool // per chunk: its pages were mapped whole (randomAccess.populatedChunks)
	ranges  []byteRange   // scratch: the ranges of one populate
	whole   []int         // scratch: the chunks of one populate read whole
}

// chunkRows is the rows [lo, end) of a chunk that a segment reads n of.
type chunkRows struct{ lo, end, n int64 }

// A byteRange is the bytes [lo, hi) of the mapping of a shard.
type byteRange struct{ shard, lo, hi int }

// maxPopulateBytesPerRow bounds the bytes populated per row a segment
// reads in a chunk: 64 KiB is what the kernel maps around each fault
// (fault-around), so a range no sparser than that costs no more pages
// than the faults would map.
const maxPopulateBytesPerRow = 64 << 10

// maxPopulateCall is the most bytes one madvise call populates, so that
// a canceled stream stops within one such call.
const maxPopulateCall = 8 << 20

// newSegmentPopulator returns the populator of s's segments, or nil when
// there is nothing to populate: not a block shuffle, a view of the files
// (its rows are not the files' rows), no memory-mapped zero-copy shard,
// or a system that cannot populate.
func (s *TrainStream) newSegmentPopulator() *segmentPopulator {
	po, ok := s.ord.(*planOrder)
	if !ok || po.plan.Config().Mode != order.Block || s.ds.rows != nil || !pagein.Supported() {
		return nil
	}
	a, err := s.ds.access()
	if err != nil {
		return nil
	}
	ix, err := a.chunkIndex()
	if err != nil {
		return nil
	}
	proj, err := s.storedProjection()
	if err != nil {
		return nil
	}
	p := &segmentPopulator{a: a, ix: ix, proj: proj, maps: make([][]byte, len(a.set.shards))}
	mapped := false
	for i, sf := range a.set.shards {
		if !a.shards[i].push {
			p.maps[i] = mappedBytes(sf)
			mapped = mapped || p.maps[i] != nil
		}
	}
	if !mapped {
		return nil
	}
	p.rows = make([]chunkRows, len(ix.shard))
	p.done = a.populatedChunks(columnKey(proj.columns), len(ix.shard))
	return p
}

// storedProjection is the projection of the stored columns s's scans read.
func (s *TrainStream) storedProjection() (projection, error) {
	d := s.ds
	if d.cols == nil {
		return newProjection(d.schema, s.columns)
	}
	plan, err := d.cols.plan(d.schema, s.columns)
	if err != nil {
		return projection{}, err
	}
	return newProjection(d.cols.source, plan.stored)
}

// plan notes which rows of which chunks the segment rows (base rows, in
// any order) reads. The caller may reuse rows once plan returns.
func (p *segmentPopulator) plan(rows []int64) {
	for _, g := range p.touched {
		p.rows[g] = chunkRows{}
	}
	p.touched = p.touched[:0]
	for _, r := range rows {
		g, row := p.ix.locate(r)
		c := &p.rows[g]
		if c.n == 0 {
			*c = chunkRows{lo: row, end: row + 1}
			p.touched = append(p.touched, g)
		}
		c.lo, c.end = min(c.lo, row), max(c.end, row+1)
		c.n++
	}
}

// populate maps the pages of the planned segment's rows, until ctx is
// canceled. Errors are left to the gather, which reads the same chunks.
func (p *segmentPopulator) populate(ctx context.Context) {
	p.ranges, p.whole = p.ranges[:0], p.whole[:0]
	for _, g := range p.touched {
		shard := int(p.ix.shard[g])
		m := p.maps[shard]
		if m == nil || p.done[g].Load() {
			continue
		}
		// Rows spanning half the chunk or more stand for all of it: a
		// rank's rows rarely include the chunk's first and last, and a
		// chunk mapped whole is marked and not asked for again. Fewer
		// (a window's edge within a large chunk) are mapped alone.
		c := p.rows[g]
		rows := p.ix.starts[g+1] - p.ix.starts[g]
		whole := 2*(c.end-c.lo) >= rows
		if whole {
			c.lo, c.end = 0, rows
		}
		added, ok := p.addChunk(ctx, m, shard, int(p.ix.chunk[g]), c)
		if !ok {
			return
		}
		if added && whole {
			p.whole = append(p.whole, g)
		}
	}
	slices.SortFunc(p.ranges, func(a, b byteRange) int {
		return cmp.Or(cmp.Compare(a.shard, b.shard), cmp.Compare(a.lo, b.lo))
	})
	p.ranges = coalesce(p.ranges)
	for _, r := range p.ranges {
		for lo := r.lo; lo < r.hi; lo += maxPopulateCall {
			if ctx.Err() != nil {
				return
			}
			pagein.Populate(p.maps[r.shard][lo:min(r.hi, lo+maxPopulateCall)])
		}
	}
	for _, g := range p.whole {
		p.done[g].Store(true)
	}
}

// addChunk adds the ranges of rows c of a chunk of a mapped shard, unless
// they are too sparse, and reports whether it did; ok is false when the
// read was stopped.
func (p *segmentPopulator) addChunk(ctx context.Context, m []byte, shard, chunk int, c chunkRows) (added, ok bool) {
	// Through the cache, where the gather will find the chunk loaded and
	// its offsets checked.
	ch, err := p.a.cache.get(ctx, p.proj.key(p.a, shard, chunk))
	if err != nil {
		return false, ctx.Err() == nil
	}
	defer ch.release()
	w := rangeWalker{shard: shard, base: uintptr(unsafe.Pointer(unsafe.SliceData(m))), size: len(m), out: p.ranges}
	for i, b := range ch.batches {
		start := ch.starts[i]
		if from, to := max(c.lo, start), min(c.end, ch.starts[i+1]); from < to {
			for j, col := range b.Columns() {
				if p.proj.idx == nil || slices.Contains(p.proj.idx, j) {
					w.array(col.Data(), from-start, to-start)
				}
			}
		}
	}
	bytes := 0
	for _, r := range w.out[len(p.ranges):] {
		bytes += r.hi - r.lo
	}
	if len(w.out) == len(p.ranges) || int64(bytes) > c.n*maxPopulateBytesPerRow {
		return false, true
	}
	p.ranges = w.out
	return true, true
}

// coalesce merges sorted ranges of a shard that overlap or lie within a
// page of each other, in place.
func coalesce(rs []byteRange) []byteRange {
	const page = 4096
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.shard == out[n-1].shard && r.lo <= out[n-1].hi+page {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// A rangeWalker collects the byte ranges that rows of arrays occupy in
// the mapping of a shard, size bytes from base. It reads the offsets of
// binary and list arrays (from the mapping, for the rows' first and last
// values) and checks every index against its buffer, so a corrupt file
// gives fewer ranges, never a panic.
type rangeWalker struct {
	shard int
	base  uintptr
	size  int
	out   []byteRange
}

// array adds the ranges of rows [from, to) of d, 0 <= from < to <= its
// length.
func (w *rangeWalker) array(d arrow.ArrayData, from, to int64) {
	off := int64(d.Offset())
	from, to = from+off, to+off
	bufs := d.Buffers()
	if len(bufs) > 0 && d.NullN() != 0 {
		w.bytes(bufs[0], from/8, (to+7)/8)
	}
	switch t := d.DataType().(type) {
	case *arrow.BinaryType, *arrow.StringType:
		if lo, hi, ok := offsetsAt[int32](bufs, from, to); ok {
			w.bytes(bufs[1], from*4, (to+1)*4)
			w.bytes(buffer(bufs, 2), lo, hi)
		}
	case *arrow.LargeBinaryType, *arrow.LargeStringType:
		if lo, hi, ok := offsetsAt[int64](bufs, from, to); ok {
			w.bytes(bufs[1], from*8, (to+1)*8)
			w.bytes(buffer(bufs, 2), lo, hi)
		}
	case *arrow.ListType, *arrow.MapType:
		if lo, hi, ok := offsetsAt[int32](bufs, from, to); ok {
			w.bytes(bufs[1], from*4, (to+1)*4)
			w.child(d, lo, hi)
		}
	case *arrow.LargeListType:
		if lo, hi, ok := offsetsAt[int64](bufs, from, to); ok {
			w.bytes(bufs[1], from*8, (to+1)*8)
			w.child(d, lo, hi)
		}
	case *arrow.FixedSizeListType:
		w.child(d, from*int64(t.Len()), to*int64(t.Len()))
	case *arrow.StructType:
		for _, c := range d.Children() {
			if int64(c.Len()) >= to {
				w.array(c, from, to)
			}
		}
	case arrow.FixedWidthDataType:
		if bits := t.BitWidth(); bits >= 8 && bits%8 == 0 && len(bufs) > 1 {
			width := int64(bits / 8)
			w.bytes(bufs[1], from*width, to*width)
		}
	}
	// Other types (booleans, unions, dictionaries, views) are left to the
	// faults: rare in training data, and not worth their own walk.
}

// child adds rows [from, to) of d's only child (indices into the child
// array, as offsets are), when it has them.
func (w *rangeWalker) child(d arrow.ArrayData, from, to int64) {
	cs := d.Children()
	if len(cs) != 1 || from < 0 || from >= to || to > int64(cs[0].Len()) {
		return
	}
	w.array(cs[0], from, to)
}

// bytes adds bytes [from, to) of buf, when they lie in it and in the
// mapping.
func (w *rangeWalker) bytes(buf *memory.Buffer, from, to int64) {
	if buf == nil || from < 0 || from >= to {
		return
	}
	b := buf.Bytes()
	if to > int64(len(b)) {
		return
	}
	// Where the buffer starts in the mapping; a buffer elsewhere (on the
	// heap) wraps around to a start past the mapping's end.
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - w.base
	if start <= uintptr(w.size) && int64(start)+to <= int64(w.size) {
		w.out = append(w.out, byteRange{w.shard, int(start) + int(from), int(start) + int(to)})
	}
}

// buffer returns bufs[i], or nil when there is none.
func buffer(bufs []*memory.Buffer, i int) *memory.Buffer {
	if i < len(bufs) {
		return bufs[i]
	}
	return nil
}

// offsetsAt reads the offsets of rows from and to (the first value of the
// first row and the end of the last) from bufs[1], reporting false when
// they are not there or do not ascend.
func offsetsAt[O int32 | int64](bufs []*memory.Buffer, from, to int64) (int64, int64, bool) {
	if len(bufs) < 2 || bufs[1] == nil {
		return 0, 0, false
	}
	offs := arrow.GetData[O](bufs[1].Bytes())
	if from < 0 || to >= int64(len(offs)) {
		return 0, 0, false
	}
	lo, hi := int64(offs[from]), int64(offs[to])
	return lo, hi, 0 <= lo && lo <= hi
}
