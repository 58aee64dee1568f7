package ipc_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

func threeBatches(t *testing.T, file bool, comp ipc.Compression) ([]byte, []arrow.RecordBatch) {
	rng := rand.New(rand.NewPCG(21, 22))
	schema := zeroCopySchema()
	var want []arrow.RecordBatch
	for range 3 {
		want = append(want, randomBatch(rng, memory.DefaultAllocator, schema, 40))
	}
	return writeIPC(t, file, schema, ipc.WriteOptions{Compression: comp}, want...), want
}

func TestReaderLifecycle(t *testing.T) {
	data, want := threeBatches(t, false, ipc.Zstd)
	defer releaseAll(want)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := ipc.Open(bytes.NewReader(data), int64(len(data)), ipc.Options{ReadOptions: format.ReadOptions{Allocator: mem}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("break early", func(t *testing.T) {
		n := 0
		for _, err := range r.Batches(t.Context()) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("%d batches before break", n)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		n := 0
		var last error
		for _, err := range r.Batches(ctx) {
			if err != nil {
				last = err
				continue // the error must be the last element
			}
			n++
			cancel()
		}
		if n != 1 || !errors.Is(last, context.Canceled) {
			t.Fatalf("%d batches, then %v; want 1 and context.Canceled", n, last)
		}
		for _, err := range r.ReadChunk(ctx, 0) {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ReadChunk: %v, want context.Canceled", err)
			}
		}
	})
	t.Run("chunk out of range", func(t *testing.T) {
		for _, i := range []int{-1, 3} {
			n := 0
			for b, err := range r.ReadChunk(t.Context(), i) {
				if b != nil || err == nil {
					t.Fatalf("ReadChunk(%d) yielded a batch", i)
				}
				n++
			}
			if n != 1 {
				t.Fatalf("ReadChunk(%d) yielded %d elements", i, n)
			}
		}
	})
	t.Run("retain", func(t *testing.T) {
		var kept []arrow.RecordBatch
		for k := 2; k >= 0; k-- {
			for b, err := range r.ReadChunk(t.Context(), k) {
				if err != nil {
					t.Fatal(err)
				}
				b.Retain()
				kept = append(kept, b)
			}
		}
		slices.Reverse(kept)
		equalBatches(t, want, kept)
		releaseAll(kept)
	})

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, err := range r.Batches(t.Context()) {
		if !errors.Is(err, ipc.ErrClosed) {
			t.Fatalf("Batches after Close: %v, want ErrClosed", err)
		}
	}
	for _, err := range r.ReadChunk(t.Context(), 0) {
		if !errors.Is(err, ipc.ErrClosed) {
			t.Fatalf("ReadChunk after Close: %v, want ErrClosed", err)
		}
	}
}

// TestCloseDuringIteration closes the Reader in the middle of a loop: the
// loop finishes with valid batches, and the mapping is released after it.
func TestCloseDuringIteration(t *testing.T) {
	data, want := threeBatches(t, true, ipc.None)
	defer releaseAll(want)
	m := newMemMapped(data)
	r, err := ipc.Open(m, int64(len(data)), ipc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for b, err := range r.Batches(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			r.Close()
			m.Release()
		}
		if !array.RecordEqual(want[k], b) {
			t.Fatalf("batch %d differs after Close", k)
		}
		k++
	}
	if k != 3 {
		t.Fatalf("%d batches", k)
	}
	if n := m.refs.Load(); n != 0 {
		t.Fatalf("%d references left", n)
	}
}

// TestTruncated opens every prefix of valid files: each must give an error
// wrapping a format sentinel, or, for a stream cut between messages, read
// the batches before the cut.
func TestTruncated(t *testing.T) {
	for _, file := range []bool{false, true} {
		for _, comp := range []ipc.Compression{ipc.None, ipc.LZ4} {
			data, want := threeBatches(t, file, comp)
			releaseAll(want)
			for n := range len(data) {
				for _, src := range []io.ReaderAt{bytes.NewReader(data[:n]), newMemMapped(data[:n])} {
					r, err := ipc.Open(src, int64(n), ipc.Options{})
					if err == nil {
						var rows int64
						rows, _, err = count(r)
						r.Close()
						if err == nil && (file || rows > 120) {
							t.Fatalf("file=%v %s: a %d-byte prefix read %d rows", file, comp, n, rows)
						}
					}
					if err != nil && !isFormatError(err) {
						t.Fatalf("file=%v %s: a %d-byte prefix: %v wraps no format sentinel", file, comp, n, err)
					}
				}
			}
		}
	}
}

func TestWriterErrors(t *testing.T) {
	schema := zeroCopySchema()
	var buf bytes.Buffer
	if _, err := ipc.NewStreamWriter(&buf, schema, ipc.WriteOptions{Compression: 9}); !errors.Is(err, format.ErrUnsupported) {
		t.Errorf("compression 9: %v, want ErrUnsupported", err)
	}
	w, err := ipc.NewFileWriter(&buf, schema, ipc.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int8}}, nil)
	b := randomBatch(rand.New(rand.NewPCG(1, 1)), memory.DefaultAllocator, other, 2)
	defer b.Release()
	if err := w.Write(b); !errors.Is(err, format.ErrSchema) {
		t.Errorf("foreign schema: %v, want ErrSchema", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	good := randomBatch(rand.New(rand.NewPCG(1, 1)), memory.DefaultAllocator, schema, 2)
	defer good.Release()
	if err := w.Write(good); err == nil {
		t.Error("Write after Close succeeded")
	}
	// A file with no batches is still a valid file.
	r, err := ipc.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), ipc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != format.ArrowFile || r.NumChunks() != 0 || !r.Schema().Equal(schema) {
		t.Errorf("empty file: %s with %d chunks, schema %s", r.Format(), r.NumChunks(), r.Schema())
	}
}
