package parquet

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/tome-data/tome/format"
)

// footer parses a written file's footer with arrow-go directly.
func footer(t *testing.T, data []byte) *file.Reader {
	t.Helper()
	f, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func rowGroupRows(t *testing.T, data []byte) []int64 {
	f := footer(t, data)
	var rows []int64
	for i := range f.NumRowGroups() {
		rows = append(rows, f.MetaData().RowGroup(i).NumRows())
	}
	return rows
}

func intBatch(t *testing.T, from, n int) arrow.RecordBatch {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := range n {
		b.Append(int64(from + i))
	}
	arr := b.NewArray()
	defer arr.Release()
	return array.NewRecordBatch(sc, []arrow.Array{arr}, int64(n))
}

func TestWriterRowGroupRows(t *testing.T) {
	var batches []arrow.RecordBatch
	for i := range 4 {
		batches = append(batches, intBatch(t, i*70, 70))
	}
	defer releaseAll(batches)
	data := writeFile(t, batches[0].Schema(), WriteOptions{RowGroupRows: 100}, batches...)
	if got := rowGroupRows(t, data); fmt.Sprint(got) != "[100 100 80]" {
		t.Fatalf("row groups %v, want [100 100 80]", got)
	}
	r := openBytes(t, data, Options{})
	next := int64(0)
	for batch, err := range r.Batches(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range batch.Column(0).(*array.Int64).Int64Values() {
			if v != next {
				t.Fatalf("value %d where %d was written", v, next)
			}
			next++
		}
	}
	if next != 280 {
		t.Fatalf("read %d values, wrote 280", next)
	}
}

func TestWriterRowGroupBytes(t *testing.T) {
	// Each row holds 8 bytes of Arrow data; 800 bytes is 100 rows.
	var batches []arrow.RecordBatch
	for i := range 5 {
		batches = append(batches, intBatch(t, i*64, 64))
	}
	defer releaseAll(batches)
	data := writeFile(t, batches[0].Schema(), WriteOptions{RowGroupBytes: 800}, batches...)
	if got := rowGroupRows(t, data); fmt.Sprint(got) != "[100 100 100 20]" {
		t.Fatalf("row groups %v, want [100 100 100 20]", got)
	}
	// One large batch is cut too, and the default keeps small files whole.
	big := intBatch(t, 0, 1000)
	defer big.Release()
	if got := rowGroupRows(t, writeFile(t, big.Schema(), WriteOptions{RowGroupBytes: 2400}, big)); fmt.Sprint(got) != "[300 300 300 100]" {
		t.Fatalf("row groups %v, want [300 300 300 100]", got)
	}
	if got := rowGroupRows(t, writeFile(t, big.Schema(), WriteOptions{}, big)); fmt.Sprint(got) != "[1000]" {
		t.Fatalf("row groups %v, want [1000]", got)
	}
}

func TestBatchBytes(t *testing.T) {
	mem := checkedMem(t)
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := range 100 {
		b.Field(0).(*array.StringBuilder).Append(strings.Repeat("x", i%10))
		l := b.Field(1).(*array.ListBuilder)
		l.Append(true)
		for range 3 {
			l.ValueBuilder().(*array.Int32Builder).Append(int32(i))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	// strings: 101 offsets + 450 bytes; lists: 101 offsets + 300 int32s.
	if got, want := batchBytes(rec), int64(4*101+450+4*101+4*300); got != want {
		t.Fatalf("batchBytes = %d, want %d", got, want)
	}
	// A slice counts its own rows only: rows 10..19 hold 45 string bytes.
	slice := rec.NewSlice(10, 20)
	defer slice.Release()
	if got, want := batchBytes(slice), int64(4*11+45+4*11+4*30); got != want {
		t.Fatalf("slice batchBytes = %d, want %d", got, want)
	}
}

func TestWriterSchemaMismatch(t *testing.T) {
	good := intBatch(t, 0, 3)
	defer good.Release()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, good.Schema(), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int32}}, nil)
	b := array.NewInt32Builder(memory.DefaultAllocator)
	b.Append(1)
	arr := b.NewArray()
	bad := array.NewRecordBatch(other, []arrow.Array{arr}, 1)
	defer bad.Release()
	arr.Release()
	b.Release()
	if err := w.Write(bad); !errors.Is(err, format.ErrSchema) {
		t.Fatalf("got %v, want ErrSchema", err)
	}
	// Nulls in a non-nullable column would read back as zeros.
	nb := array.NewInt64Builder(memory.DefaultAllocator)
	nb.AppendValues([]int64{1, 0}, []bool{true, false})
	withNull := nb.NewArray()
	nb.Release()
	nulls := array.NewRecordBatch(good.Schema(), []arrow.Array{withNull}, 2)
	withNull.Release()
	defer nulls.Release()
	if err := w.Write(nulls); !errors.Is(err, format.ErrSchema) {
		t.Fatalf("nulls in a required column: got %v, want ErrSchema", err)
	}
	// A refused batch leaves the writer usable.
	if err := w.Write(good); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := rowGroupRows(t, buf.Bytes()); fmt.Sprint(got) != "[3]" {
		t.Fatalf("row groups %v", got)
	}
}

// closeRecorder is an io.Writer that notes whether it was closed.
type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestWriterLifecycle(t *testing.T) {
	rec := intBatch(t, 0, 5)
	defer rec.Release()
	var out closeRecorder
	w, err := NewWriter(&out, rec.Schema(), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	empty := rec.NewSlice(0, 0)
	defer empty.Release()
	for _, b := range []arrow.RecordBatch{empty, rec, empty} {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if out.closed {
		t.Error("Close closed the underlying writer")
	}
	if err := w.Write(rec); err == nil {
		t.Error("Write after Close succeeded")
	}
	if got := rowGroupRows(t, out.Bytes()); fmt.Sprint(got) != "[5]" {
		t.Fatalf("row groups %v, want [5]", got)
	}

	// A file with no rows at all is valid and reads as empty.
	data := writeFile(t, rec.Schema(), WriteOptions{})
	r := openBytes(t, data, Options{})
	if n, err := drain(r.Batches(t.Context())); n != 0 || err != nil || r.Schema().Field(0).Name != "v" {
		t.Fatalf("empty file: %d rows, %v", n, err)
	}
}

func TestWriterFileProperties(t *testing.T) {
	codecs := map[Compression]compress.Compression{
		Zstd: compress.Codecs.Zstd, Snappy: compress.Codecs.Snappy, LZ4: compress.Codecs.Lz4Raw,
		Gzip: compress.Codecs.Gzip, Brotli: compress.Codecs.Brotli, Uncompressed: compress.Codecs.Uncompressed,
	}
	rec := intBatch(t, 0, 1000)
	defer rec.Release()
	for c, want := range codecs {
		t.Run(c.String(), func(t *testing.T) {
			f := footer(t, writeFile(t, rec.Schema(), WriteOptions{Compression: c}, rec))
			cc, err := f.MetaData().RowGroup(0).ColumnChunk(0)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != want {
				t.Errorf("codec %v, want %v", cc.Compression(), want)
			}
			if ok, _ := cc.StatsSet(); !ok {
				t.Error("no statistics")
			}
			if cc.GetColumnIndexLocation() == nil || cc.GetOffsetIndexLocation() == nil {
				t.Error("no page index")
			}
			if f.MetaData().KeyValueMetadata().FindValue(arrowSchemaKey) == nil {
				t.Errorf("no %s key", arrowSchemaKey)
			}
		})
	}
}

func TestWriterDictionaryChoice(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "label", Type: arrow.BinaryTypes.String},
		{Name: "unique", Type: arrow.BinaryTypes.String},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range 5000 {
		b.Field(0).(*array.StringBuilder).Append([]string{"positive", "negative", "neutral"}[i%3])
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("a distinct sentence number %d", i))
		b.Field(2).(*array.Float32Builder).Append(float32(i % 3))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f := footer(t, writeFile(t, sc, WriteOptions{}, rec))
	want := map[string]bool{"label": true, "unique": false, "score": false}
	for i, f2 := range sc.Fields() {
		cc, err := f.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		dict := slices.Contains(cc.Encodings(), pq.Encodings.RLEDict) || slices.Contains(cc.Encodings(), pq.Encodings.PlainDict)
		if dict != want[f2.Name] {
			t.Errorf("%s: dictionary = %v (encodings %v), want %v", f2.Name, dict, cc.Encodings(), want[f2.Name])
		}
	}
}

func TestWriterOptionsErrors(t *testing.T) {
	rec := intBatch(t, 0, 1)
	defer rec.Release()
	tests := []WriteOptions{
		{Compression: Gzip, Level: 10},
		{Compression: Zstd, Level: 23},
		{Compression: Snappy, Level: 3},
		{Compression: Compression(42)},
	}
	for _, opts := range tests {
		if _, err := NewWriter(&bytes.Buffer{}, rec.Schema(), opts); !errors.Is(err, format.ErrUnsupported) {
			t.Errorf("%+v: got %v, want ErrUnsupported", opts, err)
		}
	}
	for _, opts := range []WriteOptions{{Compression: Gzip, Level: 9}, {Compression: Zstd, Level: 19}, {Compression: Brotli, Level: 1}} {
		data := writeFile(t, rec.Schema(), opts, rec)
		if n, err := readBytes(data); n != 1 || err != nil {
			t.Errorf("%+v: %d rows, %v", opts, n, err)
		}
	}
	union := arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.DenseUnionOf(
		[]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}}, []arrow.UnionTypeCode{0})}}, nil)
	if _, err := NewWriter(&bytes.Buffer{}, union, WriteOptions{}); !errors.Is(err, format.ErrUnsupported) {
		t.Errorf("union column: got %v, want ErrUnsupported", err)
	}
}

func TestParseCompression(t *testing.T) {
	tests := []struct {
		in   string
		want Compression
		ok   bool
	}{
		{"", Zstd, true}, {"zstd", Zstd, true}, {"ZSTD", Zstd, true},
		{"snappy", Snappy, true}, {"lz4", LZ4, true}, {"lz4_raw", LZ4, true},
		{"gzip", Gzip, true}, {"gz", Gzip, true}, {"brotli", Brotli, true},
		{"none", Uncompressed, true}, {"uncompressed", Uncompressed, true},
		{"lzo", 0, false}, {"zip", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCompression(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseCompression(%q) = %v, %v", tt.in, got, err)
		}
		if !tt.ok && !errors.Is(err, format.ErrUnsupported) {
			t.Errorf("ParseCompression(%q) error %v does not wrap ErrUnsupported", tt.in, err)
		}
		if tt.ok {
			if back, err := ParseCompression(got.String()); err != nil || back != got {
				t.Errorf("%v does not parse back: %v", got, err)
			}
		}
	}
}

func TestCanonicalPassThrough(t *testing.T) {
	// Columns already canonical are written as they are, not copied.
	rec := intBatch(t, 0, 10)
	defer rec.Release()
	out, err := canonical(rec.Column(0), memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.Data() != rec.Column(0).Data() {
		t.Error("a flat column was rebuilt")
	}
}
