package ipc_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

// memMapped is an in-memory format.Mapped that counts references and, when
// the last one is released, overwrites its bytes, so that any read through
// a borrowed buffer after that shows up as wrong values.
type memMapped struct {
	*bytes.Reader
	data []byte
	refs atomic.Int64
}

var _ format.Mapped = (*memMapped)(nil)

func newMemMapped(data []byte) *memMapped {
	m := &memMapped{Reader: bytes.NewReader(data), data: bytes.Clone(data)}
	m.refs.Store(1)
	return m
}

func (m *memMapped) Bytes() []byte { return m.data }
func (m *memMapped) Retain()       { m.refs.Add(1) }

func (m *memMapped) Release() {
	switch n := m.refs.Add(-1); {
	case n == 0:
		for i := range m.data {
			m.data[i] = 0xA5
		}
	case n < 0:
		panic("memMapped: released too often")
	}
}

// readerAt hides everything but ReadAt, so Open takes the copying path.
type readerAt struct{ r *bytes.Reader }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) { return r.r.ReadAt(p, off) }

// writeIPC writes batches with one of the package's writers.
func writeIPC(t testing.TB, file bool, schema *arrow.Schema, opts ipc.WriteOptions, batches ...arrow.RecordBatch) []byte {
	t.Helper()
	var buf bytes.Buffer
	newWriter := ipc.NewStreamWriter
	if file {
		newWriter = ipc.NewFileWriter
	}
	w, err := newWriter(&buf, schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// randomSchema draws a schema of 1 to 6 columns from types that cover
// every layout class: fixed width, bitmaps, variable width (32- and 64-bit
// offsets), lists, fixed-size lists, structs and maps.
func randomSchema(rng *rand.Rand) *arrow.Schema {
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint16,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean,
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary,
		arrow.FixedWidthTypes.Timestamp_us, &arrow.Decimal128Type{Precision: 20, Scale: 3},
		arrow.ListOf(arrow.PrimitiveTypes.Int32),
		arrow.ListOf(arrow.BinaryTypes.String),
		arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32),
		arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}),
		arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32),
		arrow.LargeListOf(arrow.PrimitiveTypes.Uint8),
		arrow.Null,
	}
	n := 1 + rng.IntN(6)
	fields := make([]arrow.Field, n)
	for i := range fields {
		fields[i] = arrow.Field{
			Name:     fmt.Sprintf("c%d", i),
			Type:     types[rng.IntN(len(types))],
			Nullable: true,
			Metadata: arrow.NewMetadata([]string{"field"}, []string{fmt.Sprint(i)}),
		}
	}
	md := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info": {"features": {}}}`})
	return arrow.NewSchema(fields, &md)
}

// randomBatch fills a batch of n rows with random values and nulls.
func randomBatch(rng *rand.Rand, mem memory.Allocator, schema *arrow.Schema, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, f := range schema.Fields() {
		fb := b.Field(i)
		for range n {
			appendRandom(rng, fb, f.Type)
		}
	}
	return b.NewRecordBatch()
}

func appendRandom(rng *rand.Rand, b array.Builder, dt arrow.DataType) {
	if rng.IntN(5) == 0 && dt.ID() != arrow.NULL {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(rng.Int()))
	case *array.Int32Builder:
		b.Append(rng.Int32())
	case *array.Int64Builder:
		b.Append(rng.Int64())
	case *array.Uint8Builder:
		b.Append(uint8(rng.Int()))
	case *array.Uint16Builder:
		b.Append(uint16(rng.Int()))
	case *array.Float32Builder:
		b.Append(rng.Float32())
	case *array.Float64Builder:
		b.Append(rng.NormFloat64())
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 0)
	case *array.StringBuilder:
		b.Append(randomString(rng))
	case *array.LargeStringBuilder:
		b.Append(randomString(rng))
	case *array.BinaryBuilder:
		b.Append([]byte(randomString(rng)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(rng.Int64N(1 << 50)))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromI64(rng.Int64N(1 << 40)))
	case *array.ListBuilder:
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(rng, b.ValueBuilder(), dt.(*arrow.ListType).Elem())
		}
	case *array.LargeListBuilder:
		b.Append(true)
		for range rng.IntN(4) {
			appendRandom(rng, b.ValueBuilder(), dt.(*arrow.LargeListType).Elem())
		}
	case *array.FixedSizeListBuilder:
		b.Append(true)
		for range dt.(*arrow.FixedSizeListType).Len() {
			appendRandom(rng, b.ValueBuilder(), dt.(*arrow.FixedSizeListType).Elem())
		}
	case *array.StructBuilder:
		b.Append(true)
		for i, f := range dt.(*arrow.StructType).Fields() {
			appendRandom(rng, b.FieldBuilder(i), f.Type)
		}
	case *array.MapBuilder:
		b.Append(true)
		for k := range rng.IntN(3) {
			b.KeyBuilder().(*array.StringBuilder).Append(fmt.Sprintf("k%d", k))
			appendRandom(rng, b.ItemBuilder(), arrow.PrimitiveTypes.Int32)
		}
	case *array.NullBuilder:
		b.AppendNull()
	default:
		panic(fmt.Sprintf("no random values for %T", b))
	}
}

func randomString(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzäöü日本"
	r := []rune(letters)
	out := make([]rune, rng.IntN(12))
	for i := range out {
		out[i] = r[rng.IntN(len(r))]
	}
	return string(out)
}

// collect reads every batch of r, retained; release them with releaseAll.
func collect(t testing.TB, r *ipc.Reader) []arrow.RecordBatch {
	t.Helper()
	var out []arrow.RecordBatch
	for b, err := range r.Batches(t.Context()) {
		if err != nil {
			releaseAll(out)
			t.Fatal(err)
		}
		b.Retain()
		out = append(out, b)
	}
	return out
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// equalBatches compares two batch lists value by value.
func equalBatches(t testing.TB, want, got []arrow.RecordBatch) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d batches, want %d", len(got), len(want))
	}
	for i := range want {
		if !want[i].Schema().Equal(got[i].Schema()) {
			t.Fatalf("batch %d: schema\n%s\nwant\n%s", i, got[i].Schema(), want[i].Schema())
		}
		if !array.RecordEqual(want[i], got[i]) {
			t.Fatalf("batch %d differs:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
}
