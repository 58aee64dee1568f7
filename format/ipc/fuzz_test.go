package ipc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/conformance"
)

// fuzzSeeds returns small valid files of every kind the reader handles:
// both formats, compressed and not, with dictionaries, in the legacy
// framing, and the fuzzers' crash corpus when the conformance data is set.
func fuzzSeeds(f *testing.F) [][]byte {
	rng := rand.New(rand.NewPCG(11, 12))
	var seeds [][]byte
	for i := range 4 {
		schema := randomSchema(rng)
		b := randomBatch(rng, memory.DefaultAllocator, schema, 5)
		for _, comp := range []ipc.Compression{ipc.None, ipc.LZ4, ipc.Zstd} {
			seeds = append(seeds, writeIPC(f, i%2 == 0, schema, ipc.WriteOptions{Compression: comp}, b))
		}
		b.Release()
	}
	stream := dictStream(f, [][]string{{"a"}, {"a", "b"}, {"c"}}, [][]int16{{0}, {1, 0}, {0}})
	seeds = append(seeds, stream, legacyFraming(stream))
	if root := os.Getenv(conformance.EnvVar); root != "" {
		for _, dir := range []string{"arrow-ipc-stream", "arrow-ipc-file", "arrow-ipc-tensor-stream"} {
			for _, pat := range []string{"clusterfuzz-testcase-*", "crash-*"} {
				files, _ := filepath.Glob(filepath.Join(root, "arrow-testing/data", dir, pat))
				for _, path := range files {
					if data, err := os.ReadFile(path); err == nil {
						seeds = append(seeds, data)
					}
				}
			}
		}
	}
	return seeds
}

// legacyFraming rewrites a stream in the framing before Arrow 0.15: each
// message's 0xFFFFFFFF marker is dropped, which also misaligns the bodies.
func legacyFraming(stream []byte) []byte {
	var out []byte
	for off := 0; off+8 <= len(stream); {
		n := int(binary.LittleEndian.Uint32(stream[off+4:]))
		if n == 0 {
			return append(out, 0, 0, 0, 0)
		}
		meta := stream[off+8 : off+8+n]
		body := int(binary.LittleEndian.Uint64(bodyLengthField(meta)))
		out = binary.LittleEndian.AppendUint32(out, uint32(n))
		out = append(out, stream[off+8:off+8+n+body]...)
		off += 8 + n + body
	}
	return out
}

// bodyLengthField finds Message.bodyLength (slot 3) in a flatbuffer that
// the writer produced, so it is well formed.
func bodyLengthField(meta []byte) []byte {
	le := binary.LittleEndian
	table := int(le.Uint32(meta))
	vt := table - int(int32(le.Uint32(meta[table:])))
	if int(le.Uint16(meta[vt:])) <= 4+2*3 {
		return make([]byte, 8)
	}
	off := int(le.Uint16(meta[vt+4+2*3:]))
	if off == 0 {
		return make([]byte, 8)
	}
	return meta[table+off : table+off+8]
}

// FuzzOpen opens arbitrary bytes, mapped and through ReadAt, and reads and
// touches every batch: errors must wrap a format sentinel, nothing may
// panic, and both paths must agree.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newMemMapped(data)
		mapped, errMapped := readTouching(m, int64(len(data)))
		m.Release()
		copied, errCopied := readTouching(bytes.NewReader(data), int64(len(data)))
		defer releaseAll(mapped)
		defer releaseAll(copied)
		for _, err := range []error{errMapped, errCopied} {
			if err != nil && !isFormatError(err) {
				t.Fatalf("error wraps no format sentinel: %v", err)
			}
		}
		if (errMapped == nil) != (errCopied == nil) {
			t.Fatalf("mapped read: %v; copied read: %v", errMapped, errCopied)
		}
		if errMapped == nil {
			equalBatches(t, copied, mapped)
		}
	})
}

// readTouching reads every batch of r and every value in it, up to a
// bound on the values touched (a null column can claim any length at no
// cost in bytes).
func readTouching(src io.ReaderAt, size int64) ([]arrow.RecordBatch, error) {
	r, err := ipc.Open(src, size, ipc.Options{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []arrow.RecordBatch
	budget := 10000
	for b, err := range r.Batches(context.Background()) {
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		for _, col := range b.Columns() {
			touch(col, &budget)
		}
		b.Retain()
		out = append(out, b)
	}
	return out, nil
}

func TestLegacyFraming(t *testing.T) {
	schema := zeroCopySchema()
	b := randomBatch(rand.New(rand.NewPCG(8, 8)), memory.DefaultAllocator, schema, 30)
	defer b.Release()
	legacy := legacyFraming(writeIPC(t, false, schema, ipc.WriteOptions{}, b))
	if binary.LittleEndian.Uint32(legacy) == 0xFFFFFFFF {
		t.Fatal("legacyFraming kept the continuation marker")
	}
	for _, src := range []io.ReaderAt{newMemMapped(legacy), bytes.NewReader(legacy)} {
		r, err := ipc.Open(src, int64(len(legacy)), ipc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, r)
		r.Close()
		equalBatches(t, []arrow.RecordBatch{b}, got)
		releaseAll(got)
	}
}

// touch reads values of arr, and of the arrays nested in it row by row,
// until *budget values have been read. It never formats a nested value
// whole: a list of nulls may claim two billion children at no cost in
// bytes, and ValueStr on that one row would build a 15 GB string (this
// killed a fuzzing worker with "out of memory"). Slicing each row's
// children keeps the checks ValueStr made: an offset outside its child
// still panics.
func touch(arr arrow.Array, budget *int) {
	switch a := arr.(type) {
	case array.ListLike:
		child := a.ListValues()
		for i := 0; i < a.Len() && *budget > 0; i++ {
			*budget--
			if a.IsNull(i) {
				continue
			}
			start, end := a.ValueOffsets(i)
			row := array.NewSlice(child, start, end)
			touch(row, budget)
			row.Release()
		}
	case *array.Struct:
		for i := 0; i < a.Len() && *budget > 0; i++ {
			*budget--
			_ = a.IsNull(i)
		}
		for f := range a.NumField() {
			touch(a.Field(f), budget)
		}
	case array.Union:
		for i := 0; i < a.Len() && *budget > 0; i++ {
			*budget--
			child := a.Field(a.ChildID(i))
			j := i
			if dense, ok := a.(*array.DenseUnion); ok {
				j = int(dense.ValueOffset(i))
			}
			value := array.NewSlice(child, int64(j), int64(j)+1)
			touch(value, budget)
			value.Release()
		}
	case *array.Dictionary:
		dict := a.Dictionary()
		for i := 0; i < a.Len() && *budget > 0; i++ {
			*budget--
			if a.IsNull(i) {
				continue
			}
			idx := int64(a.GetValueIndex(i))
			value := array.NewSlice(dict, idx, idx+1)
			touch(value, budget)
			value.Release()
		}
	case *array.RunEndEncoded:
		values := a.Values()
		for i := 0; i < a.Len() && *budget > 0; i++ {
			*budget--
			p := int64(a.GetPhysicalIndex(i))
			value := array.NewSlice(values, p, p+1)
			touch(value, budget)
			value.Release()
		}
	default:
		for i := 0; i < arr.Len() && *budget > 0; i++ {
			*budget--
			_ = arr.ValueStr(i)
		}
	}
}

// TestReadTouchingBoundsNestedNulls is the input that killed a fuzzing
// worker: one list row claiming 2^31-1 null children. Reading it is
// cheap, and touching it must be too.
func TestReadTouchingBoundsNestedNulls(t *testing.T) {
	const children = math.MaxInt32
	nulls := array.NewNull(children)
	defer nulls.Release()
	offsets := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes([]int32{0, children}))
	listType := arrow.ListOf(arrow.Null)
	data := array.NewData(listType, 1, []*memory.Buffer{nil, offsets}, []arrow.ArrayData{nulls.Data()}, 0, 0)
	defer data.Release()
	list := array.NewListData(data)
	defer list.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "l", Type: listType, Nullable: true}}, nil)
	b := array.NewRecordBatch(schema, []arrow.Array{list}, 1)
	defer b.Release()
	file := writeIPC(t, true, schema, ipc.WriteOptions{}, b)

	batches, err := readTouching(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(batches)
	if len(batches) != 1 || batches[0].Column(0).(*array.List).ListValues().Len() != children {
		t.Fatalf("read %d batches, want one list of %d nulls", len(batches), children)
	}
}
