package dataset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/parquet"
)

// borrowRow covers every layout a borrowing decoder points into, and one it
// must still copy (a list with null elements, which read as zero).
type borrowRow struct {
	Text  string    `tome:"text"`
	Bytes []byte    `tome:"bytes"`
	Emb   []float32 `tome:"emb"`
	IDs   []int64   `tome:"ids"`
	Holes []float64 `tome:"holes"`
}

var borrowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "bytes", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "ids", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "holes", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
}, nil)

// borrowBatch has, per row r: text "r<r>" (null when r%4 == 1, empty when
// r%4 == 2), bytes likewise, emb of r%3 values (null when r%5 == 4), ids
// {r, -r}, and holes {r, null}.
func borrowBatch(t testing.TB, n int) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, borrowSchema)
	defer b.Release()
	for r := range n {
		switch r % 4 {
		case 1:
			b.Field(0).AppendNull()
			b.Field(1).AppendNull()
		case 2:
			b.Field(0).(*array.StringBuilder).Append("")
			b.Field(1).(*array.BinaryBuilder).Append([]byte{})
		default:
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprint("r", r))
			b.Field(1).(*array.BinaryBuilder).Append([]byte(fmt.Sprint("b", r)))
		}
		emb := b.Field(2).(*array.ListBuilder)
		if r%5 == 4 {
			emb.AppendNull()
		} else {
			emb.Append(true)
			for j := range r % 3 {
				emb.ValueBuilder().(*array.Float32Builder).Append(float32(r*10 + j))
			}
		}
		ids := b.Field(3).(*array.FixedSizeListBuilder)
		ids.Append(true)
		ids.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{int64(r), -int64(r)}, nil)
		holes := b.Field(4).(*array.ListBuilder)
		holes.Append(true)
		hb := holes.ValueBuilder().(*array.Float64Builder)
		hb.Append(float64(r))
		hb.AppendNull()
	}
	return b.NewRecordBatch()
}

// within tells whether p points into b.
func within[E any](p unsafe.Pointer, b []E) bool {
	if len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	hi := lo + uintptr(len(b))*unsafe.Sizeof(b[0])
	return uintptr(p) >= lo && uintptr(p) < hi
}

func TestDecoderBorrowPointsIntoTheBatch(t *testing.T) {
	rec := borrowBatch(t, 40)
	defer rec.Release()
	copying, err := NewDecoder[borrowRow](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	borrowing, err := newDecoder[borrowRow](rec.Schema(), true)
	if err != nil {
		t.Fatal(err)
	}
	want, err := copying.AppendBatch(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := borrowing.AppendBatch(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("borrowing decoder gave\n%+v\nwant\n%+v", got, want)
	}

	text := rec.Column(0).(*array.String).ValueBytes()
	bytes := rec.Column(1).(*array.Binary).ValueBytes()
	emb := rec.Column(2).(*array.List).ListValues().(*array.Float32).Float32Values()
	ids := rec.Column(3).(*array.FixedSizeList).ListValues().(*array.Int64).Int64Values()
	holes := rec.Column(4).(*array.List).ListValues().(*array.Float64).Float64Values()
	for r, v := range got {
		if len(v.Text) > 0 && !within(unsafe.Pointer(unsafe.StringData(v.Text)), text) {
			t.Errorf("row %d: text %q is a copy", r, v.Text)
		}
		if len(v.Bytes) > 0 && !within(unsafe.Pointer(unsafe.SliceData(v.Bytes)), bytes) {
			t.Errorf("row %d: bytes %q are a copy", r, v.Bytes)
		}
		if len(v.Emb) > 0 && !within(unsafe.Pointer(unsafe.SliceData(v.Emb)), emb) {
			t.Errorf("row %d: emb %v is a copy", r, v.Emb)
		}
		if !within(unsafe.Pointer(unsafe.SliceData(v.IDs)), ids) {
			t.Errorf("row %d: ids %v are a copy", r, v.IDs)
		}
		// Null elements read as zero, so this list cannot be the batch's.
		if within(unsafe.Pointer(unsafe.SliceData(v.Holes)), holes) {
			t.Errorf("row %d: holes %v point into the batch, whose null slots are not zeroed", r, v.Holes)
		}
		// Capped at their own length: appending to a row reallocates
		// instead of writing over the next row's values in the batch.
		if cap(v.Emb) != len(v.Emb) || cap(v.IDs) != len(v.IDs) || cap(v.Bytes) != len(v.Bytes) {
			t.Errorf("row %d: capacities %d, %d, %d exceed lengths %d, %d, %d",
				r, cap(v.Emb), cap(v.IDs), cap(v.Bytes), len(v.Emb), len(v.IDs), len(v.Bytes))
		}
	}
}

// An empty list or byte string is not null, borrowed or not, even when the
// array has no values buffer at all.
func TestDecoderBorrowEmptyIsNotNull(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "bytes", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.BinaryBuilder).Append(nil)
	b.Field(0).AppendNull()
	b.Field(1).(*array.ListBuilder).Append(true)
	b.Field(1).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	type row struct {
		Bytes []byte    `tome:"bytes"`
		Emb   []float32 `tome:"emb"`
	}
	dec, err := newDecoder[row](schema, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dec.AppendBatch(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Bytes == nil || got[0].Emb == nil {
		t.Errorf("empty values decoded as null: %#v", got[0])
	}
	if got[1].Bytes != nil || got[1].Emb != nil {
		t.Errorf("null values decoded as non-nil: %#v", got[1])
	}
}

func TestScanBorrowsOnlyGoHeapBatches(t *testing.T) {
	parquetFiles := fixture{ext: ".parquet", shards: 2, rows: 30, batchRows: 10}
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *Dataset
		want bool
	}{
		{"parquet", func(t *testing.T) *Dataset { return parquetFiles.open(t) }, true},
		{"parquet, projected and renamed", func(t *testing.T) *Dataset {
			ds, err := parquetFiles.open(t).SelectColumns("id", "text")
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}, true},
		{"parquet with a checked allocator", func(t *testing.T) *Dataset {
			return parquetFiles.open(t, WithAllocator(checkedMem(t)))
		}, false},
		{"parquet, shuffled view", func(t *testing.T) *Dataset {
			ds, err := parquetFiles.open(t).Shuffle(1)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}, false},
		{"memory-mapped arrow", func(t *testing.T) *Dataset {
			return fixture{ext: ".arrow", shards: 1, rows: 30, batchRows: 10}.open(t)
		}, false},
		{"arrow and parquet", func(t *testing.T) *Dataset {
			ds, err := Concatenate(parquetFiles.open(t), fixture{ext: ".arrow", shards: 1, rows: 5, batchRows: 5, first: 60}.open(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ds.Close() })
			return ds
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.open(t).batchesOnGoHeap(); got != tc.want {
				t.Errorf("batchesOnGoHeap() = %v, want %v", got, tc.want)
			}
		})
	}
}

// Scan's borrowed values stay valid and unchanged after the dataset is
// closed and the garbage collector has run, and each row's slice is its
// own: appending to one leaves the next as it was.
func TestScanBorrowedValuesOutliveTheDataset(t *testing.T) {
	const n = 3000
	path := filepath.Join(t.TempDir(), "emb.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	}, nil)
	w, err := parquet.NewWriter(f, schema, parquet.WriteOptions{RowGroupRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for r := range n {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprint("row ", r))
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		for j := range 8 {
			lb.ValueBuilder().(*array.Float32Builder).Append(float32(r*8 + j))
		}
	}
	rec := b.NewRecordBatch()
	b.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	type row struct {
		Text string    `tome:"text"`
		Emb  []float32 `tome:"emb"`
	}
	ctx := context.Background()
	ds, err := Open(ctx, path, WithBatchRows(256))
	if err != nil {
		t.Fatal(err)
	}
	if !ds.batchesOnGoHeap() {
		t.Fatal("a Parquet dataset read with the Go allocator should borrow")
	}
	var rows []row
	for v, err := range Scan[row](ctx, ds, nil) {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, v)
	}
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < n; r += 2 {
		rows[r].Emb = append(rows[r].Emb, -1)
	}
	runtime.GC()
	runtime.GC()
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for r, v := range rows {
		if want := fmt.Sprint("row ", r); v.Text != want {
			t.Fatalf("row %d: text %q, want %q", r, v.Text, want)
		}
		size := 8 + 1 - r%2
		if len(v.Emb) != size {
			t.Fatalf("row %d: %d values, want %d", r, len(v.Emb), size)
		}
		for j := range 8 {
			if v.Emb[j] != float32(r*8+j) {
				t.Fatalf("row %d: emb[%d] = %v, want %v", r, j, v.Emb[j], r*8+j)
			}
		}
	}
}
