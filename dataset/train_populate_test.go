package dataset

import (
	"context"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/pagein"
)

// TestSegmentPopulatorMapsTheSegment checks that populating a block
// shuffle's segment maps the pages of the rows it reads, and not the rest
// of the file.
func TestSegmentPopulatorMapsTheSegment(t *testing.T) {
	if !pagein.Supported() {
		t.Skip("this system cannot populate pages")
	}
	const rows, window = 400_000, 50_000
	ds := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{rows}, batchRows: 10_000}.write(t))
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 1, Window: window})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := s.newSegmentPopulator()
	if p == nil {
		t.Fatal("no populator for a block shuffle of a mapped Arrow file")
	}
	// The first window's rows, in the order's shuffled order.
	var seg []int64
	for row, err := range s.ord.rows() {
		if err != nil {
			t.Fatal(err)
		}
		if seg = append(seg, row); len(seg) == window {
			break
		}
	}
	m := p.maps[0]
	mappedShare := func(from, to float64) float64 {
		t.Helper()
		pages, err := pagein.Mapped(m[int(from*float64(len(m))):int(to*float64(len(m)))])
		if err != nil {
			t.Skipf("no pagemap: %v", err)
		}
		n := 0
		for _, p := range pages {
			if p {
				n++
			}
		}
		return float64(n) / float64(len(pages))
	}
	// The first window is the file's first eighth (its rows are of about
	// one size). Opening the file mapped the pages around each batch's
	// header (the kernel maps 64 KiB around a fault), so some are mapped
	// already.
	window0, later := mappedShare(0.01, 0.12), mappedShare(0.2, 0.95)
	if window0 > 0.5 {
		t.Fatalf("%.0f%% of the window's pages mapped before populating", 100*window0)
	}
	p.plan(seg)
	p.populate(context.Background())
	if got := mappedShare(0.01, 0.12); got < 0.99 {
		t.Errorf("%.0f%% of the window's pages mapped after populating (%.0f%% before), want all", 100*got, 100*window0)
	}
	if got := mappedShare(0.2, 0.95); got > later+0.01 {
		t.Errorf("%.0f%% of the pages of later windows mapped after populating, %.0f%% before", 100*got, 100*later)
	}
	// The window is chunks 0-4 whole: marked, and not asked for again,
	// by this stream or another over the same dataset.
	for g := range p.done {
		if got, want := p.done[g].Load(), g < window/10_000; got != want {
			t.Errorf("chunk %d marked populated %v, want %v", g, got, want)
		}
	}
	again, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 2, Window: window})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	q := again.newSegmentPopulator()
	q.plan(seg)
	q.populate(context.Background())
	if len(q.ranges) != 0 {
		t.Errorf("the same rows populated again: %v", q.ranges)
	}
}

// TestSegmentPopulatorLeavesSparseRows checks that rows too sparse for
// their pages to be worth mapping (a rank of a large world) are left to
// the faults: two rows at the ends of a chunk of 10,000.
func TestSegmentPopulatorLeavesSparseRows(t *testing.T) {
	if !pagein.Supported() {
		t.Skip("this system cannot populate pages")
	}
	ds := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{100_000}, batchRows: 10_000}.write(t))
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := s.newSegmentPopulator()
	if p == nil {
		t.Fatal("no populator")
	}
	p.plan([]int64{20_000, 29_999, 50_000, 50_001})
	p.populate(context.Background())
	// Rows 50,000 and 50,001 take a few bytes of each buffer; the
	// chunk of rows 20,000-29,999 would add 200 KB.
	total := 0
	for _, r := range p.ranges {
		total += r.hi - r.lo
	}
	if len(p.ranges) == 0 || total > 4096 {
		t.Fatalf("ranges %v (%d bytes), want only the dense rows'", p.ranges, total)
	}
}

// TestSegmentPopulatorOnlyWhereItHelps checks which streams populate: a
// block shuffle of mapped Arrow, not other modes, views, or Parquet.
func TestSegmentPopulatorOnlyWhereItHelps(t *testing.T) {
	if !pagein.Supported() {
		t.Skip("this system cannot populate pages")
	}
	arrowDS := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{1000}, batchRows: 100}.write(t))
	parquetDS := openTrain(t, trainFixture{ext: ".parquet", sizes: []int64{1000}, batchRows: 100}.write(t))
	view, err := arrowDS.Select([]int64{5, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer view.Close()
	for _, tt := range []struct {
		name string
		ds   *Dataset
		mode ShuffleMode
		want bool
	}{
		{"block over mapped Arrow", arrowDS, ShuffleBlock, true},
		{"unshuffled", arrowDS, ShuffleNone, false},
		{"global", arrowDS, ShuffleGlobal, false},
		{"buffer", arrowDS, ShuffleBuffer, false},
		{"block over Parquet", parquetDS, ShuffleBlock, false},
		{"block over a view", view, ShuffleBlock, false},
	} {
		s, err := tt.ds.Train(TrainOptions{Mode: tt.mode, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.newSegmentPopulator() != nil; got != tt.want {
			t.Errorf("%s: populates %v, want %v", tt.name, got, tt.want)
		}
		s.Close()
	}
}

// TestRangeWalker checks the byte ranges of rows of each layout the walker
// knows, on arrays in Go memory (the whole address space standing in for
// the mapping), and that corrupt offsets give no range rather than a
// panic.
func TestRangeWalker(t *testing.T) {
	mem := memory.NewGoAllocator()
	everything := func() *rangeWalker { return &rangeWalker{size: math.MaxInt} }
	addr := func(b *memory.Buffer) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(b.Bytes())))) }

	ints, _, _ := array.FromJSON(mem, arrow.PrimitiveTypes.Int64, strings.NewReader(`[1, 2, 3, 4, 5]`))
	w := everything()
	w.array(ints.Data(), 1, 3)
	if want := (byteRange{0, addr(ints.Data().Buffers()[1]) + 8, addr(ints.Data().Buffers()[1]) + 24}); len(w.out) != 1 || w.out[0] != want {
		t.Errorf("int64 rows 1-3: %v, want %v", w.out, want)
	}

	strs, _, _ := array.FromJSON(mem, arrow.BinaryTypes.String, strings.NewReader(`["a", "bb", "ccc", "dddd"]`))
	w = everything()
	w.array(strs.Data(), 1, 3)
	offs, data := addr(strs.Data().Buffers()[1]), addr(strs.Data().Buffers()[2])
	if want := []byteRange{{0, offs + 4, offs + 16}, {0, data + 1, data + 6}}; len(w.out) != 2 || w.out[0] != want[0] || w.out[1] != want[1] {
		t.Errorf("string rows 1-3: %v, want %v", w.out, want)
	}

	lists, _, _ := array.FromJSON(mem, arrow.ListOf(arrow.PrimitiveTypes.Float32), strings.NewReader(`[[1], [2, 3], [4, 5, 6], []]`))
	sliced := array.NewSlice(lists, 1, 4)
	w = everything()
	w.array(sliced.Data(), 0, 2) // the lists [2, 3] and [4, 5, 6]
	lo, vals := addr(lists.Data().Buffers()[1]), addr(lists.Data().Children()[0].Buffers()[1])
	if want := []byteRange{{0, lo + 4, lo + 16}, {0, vals + 4, vals + 24}}; len(w.out) != 2 || w.out[0] != want[0] || w.out[1] != want[1] {
		t.Errorf("list rows 1-3: %v, want %v", w.out, want)
	}

	// Offsets past the child, and descending: nothing, and no panic.
	bad := array.NewData(arrow.BinaryTypes.String, 2,
		[]*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(0, 5, 1<<30)), memory.NewBufferBytes([]byte("hello"))}, nil, 0, 0)
	w = everything()
	w.array(bad, 0, 2)
	for _, r := range w.out {
		if r.hi-r.lo > 1<<20 {
			t.Errorf("corrupt offsets gave range %v", r)
		}
	}
	down := array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int8), 1,
		[]*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(3, 1))},
		[]arrow.ArrayData{array.NewData(arrow.PrimitiveTypes.Int8, 4, []*memory.Buffer{nil, memory.NewBufferBytes(make([]byte, 4))}, nil, 0, 0)}, 0, 0)
	w = everything()
	w.array(down, 0, 1)
	if len(w.out) != 0 {
		t.Errorf("descending offsets gave ranges %v", w.out)
	}
	// Buffers outside the mapping give nothing.
	w = &rangeWalker{base: 4096, size: 4096}
	w.array(ints.Data(), 0, 5)
	if len(w.out) != 0 {
		t.Errorf("a buffer outside the mapping gave %v", w.out)
	}
}

func int32Bytes(vs ...int32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// FuzzRangeWalker feeds the walker string and list arrays whose offsets
// and values are arbitrary bytes, as a corrupt or hostile file would: it
// must never panic, and every range it gives must lie in the array's own
// buffers.
func FuzzRangeWalker(f *testing.F) {
	f.Add(int32Bytes(0, 1, 3, 6), []byte("abcdef"), uint8(0), uint8(3), false)
	f.Add(int32Bytes(0, 5, 1<<30), []byte("hello"), uint8(0), uint8(2), false)
	f.Add(int32Bytes(0, 5, 1<<30), []byte("hello"), uint8(0), uint8(2), true)
	f.Add(int32Bytes(3, 1, 2), []byte{1, 2, 3}, uint8(1), uint8(2), true)
	f.Fuzz(func(t *testing.T, offs, values []byte, from, n uint8, list bool) {
		rows := len(offs)/4 - 1
		if rows <= 0 {
			return
		}
		var d arrow.ArrayData
		bufs := []*memory.Buffer{nil, memory.NewBufferBytes(offs[:4*(rows+1)])}
		if list {
			child := array.NewData(arrow.PrimitiveTypes.Int8, len(values), []*memory.Buffer{nil, memory.NewBufferBytes(values)}, nil, 0, 0)
			defer child.Release()
			d = array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int8), rows, bufs, []arrow.ArrayData{child}, 0, 0)
		} else {
			d = array.NewData(arrow.BinaryTypes.String, rows, append(bufs, memory.NewBufferBytes(values)), nil, 0, 0)
		}
		defer d.Release()
		lo := int64(from) % int64(rows)
		hi := min(int64(rows), lo+1+int64(n))
		w := &rangeWalker{size: math.MaxInt}
		w.array(d, lo, hi)
		owned := [][]byte{offs, values}
		for _, r := range w.out {
			inside := false
			for _, b := range owned {
				if len(b) == 0 {
					continue
				}
				start := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
				if r.lo >= start && r.hi <= start+len(b) && r.lo < r.hi {
					inside = true
				}
			}
			if !inside {
				t.Fatalf("range %v outside the array's buffers", r)
			}
		}
	})
}
