package ipc_test

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/shard"
)

func zeroCopySchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
	}, nil)
}

// inside reports whether b lies within the mapping.
func inside(b []byte, mapping []byte) bool {
	if len(b) == 0 {
		return true
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(mapping)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= lo && p+uintptr(len(b)) <= lo+uintptr(len(mapping))
}

// TestZeroCopy maps a file written in each format with shard.Local and
// checks that every buffer of every array read lies inside the mapping.
func TestZeroCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	schema := zeroCopySchema()
	want := []arrow.RecordBatch{
		randomBatch(rng, memory.DefaultAllocator, schema, 100),
		randomBatch(rng, memory.DefaultAllocator, schema, 37),
	}
	defer releaseAll(want)
	for _, file := range []bool{false, true} {
		name := map[bool]string{false: "stream", true: "file"}[file]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.arrow")
			if err := os.WriteFile(path, writeIPC(t, file, schema, ipc.WriteOptions{}, want...), 0o644); err != nil {
				t.Fatal(err)
			}
			src, err := shard.OpenLocal(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			r, err := ipc.Open(src, src.Size(), ipc.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if !r.ZeroCopy() {
				t.Fatal("ZeroCopy() is false for a mapped uncompressed file")
			}
			checked := 0
			for b, err := range r.Batches(t.Context()) {
				if err != nil {
					t.Fatal(err)
				}
				for _, col := range b.Columns() {
					checked += buffersInside(t, col.Data(), src.Bytes())
				}
			}
			if checked < 10 {
				t.Fatalf("only %d buffers checked", checked)
			}
		})
	}
}

func buffersInside(t *testing.T, d arrow.ArrayData, mapping []byte) int {
	n := 0
	for i, b := range d.Buffers() {
		if b == nil || b.Len() == 0 {
			continue
		}
		if !inside(b.Bytes(), mapping) {
			t.Errorf("%s buffer %d is not inside the mapping", d.DataType(), i)
		}
		n++
	}
	for _, c := range d.Children() {
		n += buffersInside(t, c, mapping)
	}
	return n
}

// TestRetainPastClose keeps a zero-copy batch past the Reader's Close and
// the mapped file's Close: it must stay readable (an unmapped page would
// crash the test), and the mapping goes away only with its last release.
func TestRetainPastClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	schema := zeroCopySchema()
	want := randomBatch(rng, memory.DefaultAllocator, schema, 500)
	defer want.Release()
	for _, file := range []bool{false, true} {
		data := writeIPC(t, file, schema, ipc.WriteOptions{}, want)
		t.Run(map[bool]string{false: "stream", true: "file"}[file], func(t *testing.T) {
			t.Run("shard.Local", func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "data.arrow")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				src, err := shard.OpenLocal(path)
				if err != nil {
					t.Fatal(err)
				}
				kept := retainFirst(t, src, src.Size())
				src.Close()
				if !array.RecordEqual(want, kept) {
					t.Fatal("retained batch changed after Close")
				}
				col := kept.Column(2)
				col.Retain()
				kept.Release()
				if !array.Equal(want.Column(2), col) {
					t.Fatal("retained column changed after the batch's release")
				}
				col.Release()
			})
			t.Run("refcount", func(t *testing.T) {
				m := newMemMapped(data)
				kept := retainFirst(t, m, int64(len(data)))
				m.Release() // the owner's reference, as Close would
				if got := m.refs.Load(); got < 1 {
					t.Fatalf("mapping released with a batch alive (refs %d)", got)
				}
				if !array.RecordEqual(want, kept) {
					t.Fatal("retained batch changed after Close")
				}
				kept.Release()
				if got := m.refs.Load(); got != 0 {
					t.Fatalf("%d references left after the last release", got)
				}
			})
		})
	}
}

// retainFirst opens src, retains its first batch and closes the Reader.
func retainFirst(t *testing.T, src io.ReaderAt, size int64) arrow.RecordBatch {
	t.Helper()
	r, err := ipc.Open(src, size, ipc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var kept arrow.RecordBatch
	for b, err := range r.Batches(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		b.Retain()
		kept = b
		break
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return kept
}
