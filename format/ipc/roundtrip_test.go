package ipc_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

// TestRoundTrip writes random schemas and data (nulls, empty batches,
// nested types) in both formats with every compression, then reads them
// back zero-copy and through ReadAt, batch by batch and chunk by chunk,
// and compares value by value. The checked allocator proves that every
// buffer the reader allocates (decompressed or copied bodies) is freed.
func TestRoundTrip(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for seed := range seeds {
		for _, file := range []bool{false, true} {
			for _, comp := range []ipc.Compression{ipc.None, ipc.LZ4, ipc.Zstd} {
				name := fmt.Sprintf("seed%d/file=%v/%s", seed, file, comp)
				t.Run(name, func(t *testing.T) {
					roundTrip(t, uint64(seed), file, comp)
				})
			}
		}
	}
}

func roundTrip(t *testing.T, seed uint64, file bool, comp ipc.Compression) {
	rng := rand.New(rand.NewPCG(seed, 7))
	schema := randomSchema(rng)
	var want []arrow.RecordBatch
	for i := range 1 + rng.IntN(4) {
		n := rng.IntN(200)
		if i == 1 {
			n = 0 // an empty batch in every file with two or more
		}
		want = append(want, randomBatch(rng, memory.DefaultAllocator, schema, n))
	}
	defer releaseAll(want)
	data := writeIPC(t, file, schema, ipc.WriteOptions{Compression: comp}, want...)

	sources := map[string]func() (io.ReaderAt, func()){
		"mapped": func() (io.ReaderAt, func()) {
			m := newMemMapped(data)
			return m, m.Release
		},
		"readat": func() (io.ReaderAt, func()) {
			return readerAt{bytes.NewReader(data)}, func() {}
		},
	}
	for name, open := range sources {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src, closeSrc := open()
			defer closeSrc()
			r, err := ipc.Open(src, int64(len(data)), ipc.Options{ReadOptions: format.ReadOptions{Allocator: mem}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			wantFormat := format.ArrowStream
			if file {
				wantFormat = format.ArrowFile
			}
			if r.Format() != wantFormat {
				t.Errorf("format %s, want %s", r.Format(), wantFormat)
			}
			if got, want := r.ZeroCopy(), name == "mapped"; got != want {
				t.Errorf("ZeroCopy() = %v, want %v", got, want)
			}
			if !r.Schema().Equal(schema) || !r.Schema().Metadata().Equal(schema.Metadata()) {
				t.Fatalf("schema %s, want %s", r.Schema(), schema)
			}
			for i, f := range r.Schema().Fields() {
				if !f.Metadata.Equal(schema.Field(i).Metadata) {
					t.Errorf("field %d metadata %v, want %v", i, f.Metadata, schema.Field(i).Metadata)
				}
			}
			var rows int64
			for _, b := range want {
				rows += b.NumRows()
			}
			if r.NumRows() != rows || r.NumChunks() != len(want) {
				t.Errorf("%d rows in %d chunks, want %d in %d", r.NumRows(), r.NumChunks(), rows, len(want))
			}
			got := collect(t, r)
			equalBatches(t, want, got)
			releaseAll(got)
			for _, k := range rand.New(rand.NewPCG(seed, 1)).Perm(r.NumChunks()) {
				if r.ChunkRows(k) != want[k].NumRows() {
					t.Errorf("ChunkRows(%d) = %d, want %d", k, r.ChunkRows(k), want[k].NumRows())
				}
				for b, err := range r.ReadChunk(t.Context(), k) {
					if err != nil {
						t.Fatal(err)
					}
					equalBatches(t, want[k:k+1], []arrow.RecordBatch{b})
				}
			}
		})
	}
}
