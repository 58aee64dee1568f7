package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/format"
)

// flatFastFile has several row groups of columns the fast path takes, so
// that Batches decodes row groups ahead.
func flatFastFile(t *testing.T) ([]byte, *arrow.Schema) {
	rng := rand.New(rand.NewPCG(3, 4))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	}, nil)
	b := fastBatch(checkedMem(t), schema, 5000, rng)
	defer b.Release()
	return writeFile(t, schema, WriteOptions{RowGroupRows: 700}, b), schema
}

func TestDecodeAheadOrderAndRelease(t *testing.T) {
	data, _ := flatFastFile(t)
	for _, mapped := range []bool{false, true} {
		t.Run(fmt.Sprintf("mapped=%v", mapped), func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			mem := checkedMem(t)
			opts := Options{Workers: 3, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 300}}
			var r *Reader
			if mapped {
				// Its small row groups decode one beyond Workers.
				var err error
				if r, err = Open(mappedSource{bytes.NewReader(data), data}, int64(len(data)), opts); err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if !r.mapped() {
					t.Fatal("a mapped source is not seen as one")
				}
			} else {
				r = openBytes(t, data, opts)
			}
			checkDecodeAhead(t, data, r, mem)
		})
	}
}

// checkDecodeAhead checks that r, which decodes ahead, yields the batches
// of a serial read, and that stopping early releases what was decoded
// ahead (mem checks) and ends its goroutines (the caller's goleak checks).
func checkDecodeAhead(t *testing.T, data []byte, r *Reader, mem memory.Allocator) {
	t.Helper()
	if !r.decodeAhead() {
		t.Fatal("the file does not decode ahead")
	}
	serial := openBytes(t, data, Options{Workers: 1, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 300}})
	if serial.decodeAhead() {
		t.Fatal("one worker decodes ahead")
	}
	want := readTable(t, serial, mem)
	defer want.Release()
	got := readTable(t, r, mem)
	defer got.Release()
	for i := range want.NumCols() {
		w, g := want.Column(int(i)).Data(), got.Column(int(i)).Data()
		if len(w.Chunks()) != len(g.Chunks()) {
			t.Fatalf("column %d: %d batches, serially %d", i, len(g.Chunks()), len(w.Chunks()))
		}
		for j := range w.Chunks() {
			if !arrayEqual(w.Chunk(j), g.Chunk(j)) {
				t.Fatalf("column %d batch %d differs", i, j)
			}
		}
	}
	for _, stop := range []int{1, 3, 8} {
		n := 0
		for _, err := range r.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == stop {
				break
			}
		}
	}
}

func TestDecodeAheadCancel(t *testing.T) {
	data, _ := flatFastFile(t)
	r := openBytes(t, data, Options{Workers: 2, ReadOptions: format.ReadOptions{Allocator: checkedMem(t), BatchSize: 100}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range r.Batches(ctx) {
		if last != nil {
			t.Fatal("a batch after the error")
		}
		if err != nil {
			last = err
			continue
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n != 5 {
		t.Fatalf("after %d batches: %v", n, last)
	}
}

// TestFastReadChunk reads each row group with ReadChunk, which decodes
// with the fast path but never ahead, and compares with the general path.
func TestFastReadChunk(t *testing.T) {
	data, _ := flatFastFile(t)
	mem := checkedMem(t)
	fast := openBytes(t, data, Options{ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 250}})
	general := openBytes(t, data, Options{GeneralPath: true, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 250}})
	if fast.NumChunks() < 2 {
		t.Fatalf("%d row groups; the test needs several", fast.NumChunks())
	}
	for i := fast.NumChunks() - 1; i >= 0; i-- { // out of order, as random access reads
		var got, want []arrow.RecordBatch
		for b, err := range fast.ReadChunk(context.Background(), i) {
			if err != nil {
				t.Fatal(err)
			}
			b.Retain()
			got = append(got, b)
		}
		for b, err := range general.ReadChunk(context.Background(), i) {
			if err != nil {
				t.Fatal(err)
			}
			b.Retain()
			want = append(want, b)
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d batches, general %d", i, len(got), len(want))
		}
		for j := range want {
			for c := range want[j].NumCols() {
				if !arrayEqual(want[j].Column(int(c)), got[j].Column(int(c))) {
					t.Fatalf("chunk %d batch %d column %d differs", i, j, c)
				}
			}
		}
		releaseAll(got)
		releaseAll(want)
	}
}

func TestStartsAhead(t *testing.T) {
	const mib = 1 << 20
	small := []int64{20 * mib, 20 * mib, 20 * mib, 20 * mib, 20 * mib}
	big := []int64{80 * mib, 80 * mib, 80 * mib, 80 * mib, 80 * mib}
	for _, c := range []struct {
		name     string
		i, j     int
		extra    bool
		sizes    []int64
		inFlight int64
		want     bool
	}{
		{"within depth", 0, 1, false, small, 20 * mib, true},
		{"past depth", 0, 2, false, small, 40 * mib, false},
		{"one past depth, mapped and small", 0, 2, true, small, 40 * mib, true},
		{"two past depth", 0, 3, true, small, 60 * mib, false},
		{"one past depth, too big", 0, 2, true, big, 160 * mib, false},
		{"within depth, big", 3, 4, true, big, 80 * mib, true},
		{"over the bytes ahead", 0, 1, true, []int64{300 * mib, 300 * mib}, 300 * mib, false},
		{"the oldest always starts", 1, 1, false, []int64{0, 600 * mib}, 0, true},
	} {
		if got := startsAhead(c.i, c.j, 2, c.extra, c.sizes, c.inFlight); got != c.want {
			t.Errorf("%s: startsAhead(%d, %d) = %v, want %v", c.name, c.i, c.j, got, c.want)
		}
	}
}

// TestDecodeAheadMappedSmallRowGroups checks that a memory-mapped file of
// small row groups decodes one beyond Workers at once, and others do not:
// when the first batch is yielded, the row groups started are those the
// rule lets decode beside the first.
func TestDecodeAheadMappedSmallRowGroups(t *testing.T) {
	data, _ := flatFastFile(t) // row groups of 700 rows, far below maxExtraRowGroup
	for _, c := range []struct {
		mapped bool
		want   int
	}{{false, 2}, {true, 3}} {
		opts := Options{Workers: 2, ReadOptions: format.ReadOptions{BatchSize: 300}}
		var src io.ReaderAt = bytes.NewReader(data)
		if c.mapped {
			src = mappedSource{bytes.NewReader(data), data}
		}
		r, err := Open(src, int64(len(data)), opts)
		if err != nil {
			t.Fatal(err)
		}
		started := 0
		r.testStarted = func(int) { started++ }
		for _, err := range r.Batches(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		r.Close()
		if started != c.want {
			t.Errorf("mapped %v: %d row groups decoding at the first batch, want %d", c.mapped, started, c.want)
		}
	}
}
