package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/format"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "nested", Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	), Nullable: true},
	{Name: "scores", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), Nullable: true},
}, nil)

// idFile writes rows of testSchema with id i at row i, cut into row groups
// of groupRows rows.
func idFile(t testing.TB, rows, groupRows int) []byte {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, testSchema)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("row %d", i))
		nested := b.Field(2).(*array.StructBuilder)
		nested.Append(true)
		nested.FieldBuilder(0).(*array.Int32Builder).Append(int32(i * 2))
		tags := nested.FieldBuilder(1).(*array.ListBuilder)
		tags.Append(true)
		tags.ValueBuilder().(*array.StringBuilder).Append("t")
		scores := b.Field(3).(*array.MapBuilder)
		scores.Append(true)
		scores.KeyBuilder().(*array.StringBuilder).Append("k")
		scores.ItemBuilder().(*array.Float64Builder).Append(float64(i) / 2)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return writeFile(t, testSchema, WriteOptions{RowGroupRows: int64(groupRows)}, rec)
}

// ids returns the id column of every batch yielded by seq.
func ids(t *testing.T, seq func(func(arrow.RecordBatch, error) bool)) ([]int64, []int64) {
	t.Helper()
	var all, sizes []int64
	for batch, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, batch.NumRows())
		idx := batch.Schema().FieldIndices("id")
		if len(idx) == 0 {
			continue
		}
		all = append(all, batch.Column(idx[0]).(*array.Int64).Int64Values()...)
	}
	return all, sizes
}

func TestProjection(t *testing.T) {
	data := idFile(t, 50, 20)
	tests := []struct {
		columns []string
		want    []string
	}{
		{nil, []string{"id", "name", "nested", "scores"}},
		{[]string{"nested", "id"}, []string{"nested", "id"}},
		{[]string{"scores"}, []string{"scores"}},
		{[]string{"id", "nested", "id"}, []string{"id", "nested", "id"}},
		{[]string{}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.columns), func(t *testing.T) {
			mem := checkedMem(t)
			r := openBytes(t, data, Options{ReadOptions: format.ReadOptions{Columns: tt.columns, Allocator: mem}})
			var got []string
			for _, f := range r.Schema().Fields() {
				got = append(got, f.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("columns %v, want %v", got, tt.want)
			}
			tbl := readTable(t, r, mem)
			defer tbl.Release()
			if tbl.NumRows() != 50 {
				t.Fatalf("%d rows, want 50", tbl.NumRows())
			}
			for i, name := range tt.want {
				if !arrow.TypeEqual(tbl.Schema().Field(i).Type, testSchema.Field(testSchema.FieldIndices(name)[0]).Type) {
					t.Errorf("%s is %s", name, tbl.Schema().Field(i).Type)
				}
			}
		})
	}
}

func TestProjectionErrors(t *testing.T) {
	data := idFile(t, 5, 5)
	_, err := Open(bytes.NewReader(data), int64(len(data)), Options{ReadOptions: format.ReadOptions{Columns: []string{"id", "missing"}}})
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("unknown column: %v", err)
	}

	dup := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32}, {Name: "x", Type: arrow.PrimitiveTypes.Int32}}, nil)
	data = writeFile(t, dup, WriteOptions{})
	_, err = Open(bytes.NewReader(data), int64(len(data)), Options{ReadOptions: format.ReadOptions{Columns: []string{"x"}}})
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous column: %v", err)
	}
}

func TestChunks(t *testing.T) {
	data := idFile(t, 350, 100)
	r := openBytes(t, data, Options{})
	if r.NumChunks() != 4 || r.NumRows() != 350 {
		t.Fatalf("%d chunks, %d rows; want 4, 350", r.NumChunks(), r.NumRows())
	}
	for i, want := range []int64{100, 100, 100, 50} {
		if got := r.ChunkRows(i); got != want {
			t.Errorf("ChunkRows(%d) = %d, want %d", i, got, want)
		}
	}
	if r.ChunkRows(4) != -1 || r.ChunkRows(-1) != -1 {
		t.Error("ChunkRows out of range should be -1")
	}
	got, _ := ids(t, r.ReadChunk(context.Background(), 2))
	if len(got) != 100 || got[0] != 200 || got[99] != 299 {
		t.Errorf("chunk 2 holds ids %d..%d (%d)", got[0], got[len(got)-1], len(got))
	}
	for _, i := range []int{-1, 4} {
		if _, err := drain(r.ReadChunk(context.Background(), i)); err == nil {
			t.Errorf("ReadChunk(%d) gave no error", i)
		}
	}
}

func TestRowGroupSelection(t *testing.T) {
	data := idFile(t, 350, 100)
	r := openBytes(t, data, Options{RowGroups: []int{3, 1}})
	if r.NumChunks() != 2 || r.NumRows() != 150 || r.ChunkRows(0) != 50 {
		t.Fatalf("%d chunks, %d rows, first %d", r.NumChunks(), r.NumRows(), r.ChunkRows(0))
	}
	got, _ := ids(t, r.Batches(context.Background()))
	if len(got) != 150 || got[0] != 300 || got[50] != 100 {
		t.Fatalf("ids start %d, then %d; want 300, then 100", got[0], got[50])
	}
	_, err := Open(bytes.NewReader(data), int64(len(data)), Options{RowGroups: []int{4}})
	if !errors.Is(err, format.ErrSchema) {
		t.Fatalf("row group 4 of 4: %v", err)
	}
}

func TestBatchesNeverSpanRowGroups(t *testing.T) {
	data := idFile(t, 250, 100)
	r := openBytes(t, data, Options{ReadOptions: format.ReadOptions{BatchSize: 30}})
	got, sizes := ids(t, r.Batches(context.Background()))
	want := []int64{30, 30, 30, 10, 30, 30, 30, 10, 30, 20}
	if fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
	for i, id := range got {
		if id != int64(i) {
			t.Fatalf("row %d has id %d", i, id)
		}
	}
}

func TestZeroColumns(t *testing.T) {
	data := idFile(t, 70, 50)
	r := openBytes(t, data, Options{ReadOptions: format.ReadOptions{Columns: []string{}, BatchSize: 40}})
	_, sizes := ids(t, r.Batches(context.Background()))
	if fmt.Sprint(sizes) != "[40 10 20]" {
		t.Fatalf("batch sizes %v, want [40 10 20]", sizes)
	}
}

func TestWorkersAgree(t *testing.T) {
	data := idFile(t, 500, 200)
	var first arrow.Table
	for _, workers := range []int{1, 2, 4, 0} {
		mem := checkedMem(t)
		r := openBytes(t, data, Options{Workers: workers, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 64}})
		tbl := readTable(t, r, mem)
		if first == nil {
			first = tbl
			defer first.Release()
			continue
		}
		if !array.TableEqual(first, tbl) {
			t.Errorf("workers=%d reads differently", workers)
		}
		tbl.Release()
	}
}

func TestEarlyBreakReleases(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	data := idFile(t, 500, 100)
	mem := checkedMem(t)
	r := openBytes(t, data, Options{Workers: 3, ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 10}})
	n := 0
	for _, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	var kept arrow.RecordBatch
	for batch, err := range r.ReadChunk(context.Background(), 1) {
		if err != nil {
			t.Fatal(err)
		}
		batch.Retain()
		kept = batch
		break
	}
	if kept.Column(0).(*array.Int64).Value(0) != 100 {
		t.Error("a retained batch lost its data")
	}
	kept.Release()
}

func TestCancel(t *testing.T) {
	data := idFile(t, 300, 100)
	r := openBytes(t, data, Options{ReadOptions: format.ReadOptions{BatchSize: 10}})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := drain(r.Batches(ctx)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
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

func TestClosedReader(t *testing.T) {
	data := idFile(t, 10, 10)
	r := openBytes(t, data, Options{})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := drain(r.Batches(context.Background())); !errors.Is(err, errClosed) || errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("read after close: %v", err)
	}
}

// failingSource fails every read of column data, between the leading
// magic and the footer, with err.
type failingSource struct {
	data []byte
	err  error
	name string
}

func (s failingSource) ReadAt(p []byte, off int64) (int, error) {
	footer := int64(binary.LittleEndian.Uint32(s.data[len(s.data)-8:]))
	if off >= 4 && off < int64(len(s.data))-8-footer {
		return 0, s.err
	}
	return bytes.NewReader(s.data).ReadAt(p, off)
}

func (s failingSource) Name() string { return s.name }

func TestSourceErrorsPassThrough(t *testing.T) {
	data := idFile(t, 2000, 2000)
	boom := errors.New("connection reset")
	src := failingSource{data: data, err: boom, name: "remote/train.parquet"}
	r, err := Open(src, int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = drain(r.Batches(context.Background()))
	if !errors.Is(err, boom) || errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("got %v, want the source's error and not ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), "remote/train.parquet") {
		t.Errorf("error does not name the source: %v", err)
	}
}

func TestTruncatedFiles(t *testing.T) {
	data := idFile(t, 100, 50)
	for _, n := range []int{0, 3, 4, 11, 12, len(data) / 2, len(data) - 8, len(data) - 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			_, err := Open(bytes.NewReader(data[:n]), int64(n), Options{})
			if !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
		})
	}
	// A file that keeps its footer but loses column data in the middle.
	cut := append(append([]byte{}, data[:100]...), data[len(data)/2:]...)
	if _, err := readBytes(cut); !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("hollowed file: %v", err)
	}
}

func TestNotData(t *testing.T) {
	for name, content := range map[string]string{
		"html": "<!DOCTYPE html><html><body>Not Found</body></html>" + strings.Repeat(" ", 100),
		"lfs":  "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(strings.NewReader(content), int64(len(content)), Options{})
			if !errors.Is(err, format.ErrNotData) {
				t.Fatalf("got %v, want ErrNotData", err)
			}
		})
	}
}

func TestMaxPageSize(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(strings.Repeat("x", 100_000))
	arr := b.NewArray()
	defer arr.Release()
	rec := array.NewRecordBatch(sc, []arrow.Array{arr}, 1)
	defer rec.Release()
	data := writeFile(t, sc, WriteOptions{Compression: Uncompressed}, rec)
	if _, err := readBytes(data); err != nil {
		t.Fatalf("default limit: %v", err)
	}
	r := openBytes(t, data, Options{MaxPageSize: 10_000})
	if _, err := drain(r.Batches(context.Background())); !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("10 kB limit: %v", err)
	}
}

func TestSchemaMetadata(t *testing.T) {
	hf := `{"info": {"features": {"id": {"dtype": "int64", "_type": "Value"}}}}`
	meta := arrow.NewMetadata([]string{"huggingface", "note"}, []string{hf, "kept"})
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, &meta)
	data := writeFile(t, sc, WriteOptions{})
	r := openBytes(t, data, Options{})
	got := r.Schema().Metadata()
	if v, _ := got.GetValue("huggingface"); v != hf {
		t.Errorf("huggingface = %q", v)
	}
	if v, _ := got.GetValue("note"); v != "kept" {
		t.Errorf("note = %q", v)
	}
	if got.Len() != 2 {
		t.Errorf("metadata %v, want just the two keys", got)
	}
	if f := r.Schema().Field(0); f.HasMetadata() {
		t.Errorf("field metadata %v, want none", f.Metadata)
	}
}

func TestReaderNamesFileInErrors(t *testing.T) {
	data := idFile(t, 10, 10)
	data = data[:len(data)-3]
	_, err := Open(named{bytes.NewReader(data), "shards/0001.parquet"}, int64(len(data)), Options{})
	if err == nil || !strings.Contains(err.Error(), "shards/0001.parquet") {
		t.Fatalf("got %v", err)
	}
}

type named struct {
	*bytes.Reader
	name string
}

func (n named) Name() string { return n.name }

func TestProjectFixedSizeListTwice(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "emb", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	l := b.Field(0).(*array.FixedSizeListBuilder)
	l.Append(true)
	l.ValueBuilder().(*array.Float32Builder).AppendValues([]float32{1, 2}, nil)
	l.AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	data := writeFile(t, sc, WriteOptions{}, rec)
	mem := checkedMem(t)
	r := openBytes(t, data, Options{ReadOptions: format.ReadOptions{Columns: []string{"emb", "emb"}, Allocator: mem}})
	for batch, err := range r.Batches(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range batch.Columns() {
			if c.DataType().ID() != arrow.FIXED_SIZE_LIST || c.String() != "[[1 2] (null)]" {
				t.Errorf("column %d: %s %v", i, c.DataType(), c)
			}
		}
	}
}
