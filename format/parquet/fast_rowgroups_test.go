package parquet

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
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
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	data, _ := flatFastFile(t)
	mem := checkedMem(t)
	r := openBytes(t, data, Options{Workers: 3, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 300}})
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
	// Stopping early releases what was decoded ahead (checkedMem checks)
	// and ends the goroutines (goleak checks).
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
