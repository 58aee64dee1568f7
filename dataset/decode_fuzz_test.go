package dataset

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tome-data/tome/format"
)

// decodeGen turns fuzz bytes into values; once the bytes run out it gives
// zeros, so every input makes a batch.
type decodeGen struct{ b []byte }

func (g *decodeGen) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], g.b)
	g.b = g.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

func (g *decodeGen) intn(n int) int { return int(g.u64() % uint64(n)) }

func (g *decodeGen) null() bool { return g.intn(5) == 0 }

func (g *decodeGen) str() string {
	s := make([]byte, g.intn(12))
	for i := range s {
		s[i] = byte(g.u64()) // any bytes, valid UTF-8 or not
	}
	return string(s)
}

// decodeFuzzSchema covers the conversions worth fuzzing: integers that may
// overflow, floats that may not narrow, strings, lists of varying length,
// fixed-size lists, structs, maps, dictionaries, timestamps and durations.
var decodeFuzzSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "fl", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "st", Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
	{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
	{Name: "dur", Type: &arrow.DurationType{Unit: arrow.Second}, Nullable: true},
}, nil)

// decodeFuzzBuild makes a batch of decodeFuzzSchema from fuzz bytes.
func decodeFuzzBuild(mem memory.Allocator, data []byte) arrow.RecordBatch {
	g := &decodeGen{data}
	b := array.NewRecordBuilder(mem, decodeFuzzSchema)
	defer b.Release()
	rows := g.intn(40) + 1
	for range rows {
		for i, fb := range b.Fields() {
			if g.null() {
				fb.AppendNull()
				continue
			}
			switch i {
			case 0:
				fb.(*array.Int64Builder).Append(int64(g.u64()) >> g.intn(64))
			case 1:
				fb.(*array.Uint64Builder).Append(g.u64() >> g.intn(64))
			case 2:
				fb.(*array.Float64Builder).Append(math.Float64frombits(g.u64()))
			case 3:
				fb.(*array.StringBuilder).Append(g.str())
			case 4:
				lb := fb.(*array.ListBuilder)
				lb.Append(true)
				vb := lb.ValueBuilder().(*array.Int32Builder)
				for range g.intn(4) {
					if g.null() {
						vb.AppendNull()
					} else {
						vb.Append(int32(g.u64()) >> g.intn(32))
					}
				}
			case 5:
				lb := fb.(*array.FixedSizeListBuilder)
				lb.Append(true)
				vb := lb.ValueBuilder().(*array.Float32Builder)
				vb.Append(float32(g.intn(1000)))
				vb.Append(math.Float32frombits(uint32(g.u64())))
			case 6:
				sb := fb.(*array.StructBuilder)
				sb.Append(true)
				sb.FieldBuilder(0).(*array.Int16Builder).Append(int16(g.u64()))
				sb.FieldBuilder(1).(*array.StringBuilder).Append(g.str())
			case 7:
				mb := fb.(*array.MapBuilder)
				mb.Append(true)
				for range g.intn(3) {
					mb.KeyBuilder().(*array.StringBuilder).Append(g.str())
					mb.ItemBuilder().(*array.Int64Builder).Append(int64(g.u64()))
				}
			case 8:
				_ = fb.(*array.BinaryDictionaryBuilder).AppendString([]string{"a", "b", "cc"}[g.intn(3)])
			case 9:
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(int64(g.u64()) >> g.intn(64)))
			case 10:
				fb.(*array.DurationBuilder).Append(arrow.Duration(int64(g.u64()) >> g.intn(64)))
			}
		}
	}
	return b.NewRecordBatch()
}

// decodeFuzzWide holds every column without loss: decoding never fails.
type decodeFuzzWide struct {
	I64 *int64 `tome:"i64"`
	U64 uint64
	F64 float64
	S   []byte
	L   []*int64
	FL  []float64
	ST  map[string]any
	M   map[string]int64
	D   string
	TS  time.Time
	Dur any `tome:"-"` // beyond ±292 years a duration has no Go value
}

// decodeFuzzNarrow narrows most columns: values that do not fit fail.
type decodeFuzzNarrow struct {
	I64 int8
	U64 int64
	F64 float32
	S   string
	L   [2]int16
	FL  [2]float32
	ST  struct {
		A uint8
		B *string
	}
	M   []struct{ Key, Value any }
	D   *[]byte
	TS  *time.Time
	Dur time.Duration
}

// FuzzDecodeBatches decodes batches of random values through every path.
// Decoding into decodeFuzzWide must succeed and agree everywhere; decoding
// into decodeFuzzNarrow may fail, but AppendBatch must then name the first
// row that Decode fails on, and succeed exactly when every row does.
func FuzzDecodeBatches(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("\x27\xff\xff\xff\xff\xff\xff\xff\x7f\x00\x00\x00\x00\x00\x00\xf0\x7f\x01"))
	f.Fuzz(decodeFuzzBatchesBody)
}

func decodeFuzzBatchesBody(t *testing.T, data []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeFuzzBuild(mem, data)
	defer rec.Release()

	wide, err := decodeFuzzAgree[decodeFuzzWide](t, rec)
	if err != nil {
		t.Fatalf("decoding into the wide struct: %v", err)
	}
	opts := cmp.Options{cmpopts.EquateNaNs()}
	for i, w := range wide {
		r := NewRow(rec, i)
		if v := r.Value(0); (v == nil) != (w.I64 == nil) || v != nil && v.(int64) != *w.I64 {
			t.Fatalf("row %d: Value %v, decoded %v", i, v, w.I64)
		}
		if v, err := Get[float64](r, "f64"); err != nil || !cmp.Equal(v, w.F64, opts) {
			t.Fatalf("row %d: Get %v %v, decoded %v", i, v, err, w.F64)
		}
		if v, err := Get[map[string]int64](r, "m"); err != nil || !cmp.Equal(v, w.M) {
			t.Fatalf("row %d: Get %v %v, decoded %v", i, v, err, w.M)
		}
		_ = r.String()
	}
	decodeFuzzAgree[decodeFuzzNarrow](t, rec)
	decodeFuzzAgree[map[string]any](t, rec)
}

// decodeFuzzAgree decodes rec into T with AppendBatch and row by row and
// checks that they agree, returning what AppendBatch returned.
func decodeFuzzAgree[T any](t *testing.T, rec arrow.RecordBatch) ([]T, error) {
	t.Helper()
	dec, err := NewDecoder[T](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	batch, batchErr := dec.AppendBatch(nil, rec)
	decodeFuzzCheckErr(t, batchErr)
	firstBad := -1
	for i := range int(rec.NumRows()) {
		var v T
		err := dec.Decode(rec, i, &v)
		decodeFuzzCheckErr(t, err)
		switch {
		case err != nil && firstBad < 0:
			firstBad = i
			var be, re *DecodeError
			if !errors.As(batchErr, &be) || !errors.As(err, &re) || be.Error() != re.Error() {
				t.Fatalf("row %d fails with %v, AppendBatch with %v", i, err, batchErr)
			}
		case err == nil && batchErr == nil:
			if diff := cmp.Diff(batch[i], v, cmpopts.EquateNaNs()); diff != "" {
				t.Fatalf("row %d: AppendBatch and Decode differ (-batch +row):\n%s", i, diff)
			}
		}
	}
	if firstBad < 0 && batchErr != nil {
		t.Fatalf("AppendBatch failed (%v) but every row decodes", batchErr)
	}
	decodeFuzzBorrowAgrees(t, rec, batch, batchErr, cmpopts.EquateNaNs())
	return batch, batchErr
}

// decodeFuzzBorrowAgrees checks that a borrowing decoder (Scan's, for
// batches on the Go heap) gives what the copying one gave: the same values
// or the same error.
func decodeFuzzBorrowAgrees[T any](t *testing.T, rec arrow.RecordBatch, want []T, wantErr error, opts ...cmp.Option) {
	t.Helper()
	dec, err := newDecoder[T](rec.Schema(), true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dec.AppendBatch(nil, rec)
	switch {
	case (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error():
		t.Fatalf("borrowing AppendBatch: %v, copying: %v", err, wantErr)
	case err == nil:
		if diff := cmp.Diff(want, got, opts...); diff != "" {
			t.Fatalf("borrowing and copying AppendBatch differ (-copying +borrowing):\n%s", diff)
		}
	}
}

func decodeFuzzCheckErr(t *testing.T, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, format.ErrSchema) && !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("error wraps no format sentinel: %v", err)
	}
}

// FuzzDecodeArrays builds arrays straight from fuzzed offset and value
// buffers, as a corrupt file that slipped past a reader could produce, and
// decodes them: the result must be values or an error wrapping a format
// sentinel, with no panic, hang or allocation beyond the buffers' size, and
// AppendBatch and Decode must agree where both succeed.
func FuzzDecodeArrays(f *testing.F) {
	f.Add(uint8(3), []byte{0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0}, []byte("abcdefgh"))
	f.Add(uint8(2), []byte{0, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0}, []byte{1, 0, 0, 0, 2, 0, 0, 0})
	f.Add(uint8(1), []byte{255, 255, 255, 127, 0, 0, 0, 0}, []byte{})
	f.Add(uint8(4), []byte{0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0}, []byte{5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0})
	f.Fuzz(func(t *testing.T, rows uint8, offsets, values []byte) {
		n := int(rows%16) + 1
		if len(offsets) < 4*(n+1) {
			return
		}
		offs := memory.NewBufferBytes(offsets[:4*(n+1)])
		vals := memory.NewBufferBytes(values)
		ints := array.NewData(arrow.PrimitiveTypes.Int32, len(values)/4, []*memory.Buffer{nil, vals}, nil, 0, 0)
		defer ints.Release()
		entries := array.NewData(arrow.StructOf(
			arrow.Field{Name: "key", Type: arrow.PrimitiveTypes.Int32},
			arrow.Field{Name: "value", Type: arrow.PrimitiveTypes.Int32, Nullable: true}),
			len(values)/4, []*memory.Buffer{nil}, []arrow.ArrayData{ints, ints}, 0, 0)
		defer entries.Release()
		dict := array.NewData(arrow.BinaryTypes.String, 1, []*memory.Buffer{nil, memory.NewBufferBytes(make([]byte, 8)), vals}, nil, 0, 0)
		defer dict.Release()
		cases := []struct {
			data func() arrow.ArrayData
			run  func(*testing.T, arrow.RecordBatch)
		}{
			{func() arrow.ArrayData {
				return array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offs, vals}, nil, 0, 0)
			}, decodeFuzzArray[string]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.BinaryTypes.Binary, n, []*memory.Buffer{nil, offs, vals}, nil, 0, 0)
			}, decodeFuzzArray[[]byte]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{ints}, 0, 0)
			}, decodeFuzzArray[[]int32]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{ints}, 0, 0)
			}, decodeFuzzArray[[]*int8]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{ints}, 0, 0)
			}, decodeFuzzArray[[2]int64]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{ints}, 0, 0)
			}, decodeFuzzArray[any]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{entries}, 0, 0)
			}, decodeFuzzArray[map[int32]int64]},
			{func() arrow.ArrayData {
				return array.NewData(arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32), n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{entries}, 0, 0)
			}, decodeFuzzArray[any]},
			{func() arrow.ArrayData {
				d := array.NewData(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String},
					n, []*memory.Buffer{nil, offs}, nil, 0, 0)
				d.SetDictionary(dict)
				return d
			}, decodeFuzzArray[*string]},
		}
		for _, c := range cases {
			arr := decodeFuzzMake(c.data)
			if arr == nil {
				continue
			}
			rec := decodeTestBatch(t, "v", arr)
			c.run(t, rec)
			rec.Release()
		}
	})
}

func decodeFuzzArray[T any](t *testing.T, rec arrow.RecordBatch) {
	type row struct{ V T }
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	out, batchErr := dec.AppendBatch(nil, rec)
	decodeFuzzCheckErr(t, batchErr)
	decodeFuzzBorrowAgrees(t, rec, out, batchErr, cmpopts.EquateEmpty())
	for i := range int(rec.NumRows()) {
		var r row
		rowErr := dec.Decode(rec, i, &r)
		decodeFuzzCheckErr(t, rowErr)
		if batchErr == nil && rowErr == nil && !cmp.Equal(out[i], r, cmpopts.EquateEmpty()) {
			t.Fatalf("row %d: AppendBatch %+v, Decode %+v", i, out[i], r)
		}
		_ = NewRow(rec, i).Value(0)
	}
}

// decodeFuzzMake makes an array from data, or nil if arrow-go refuses
// (with a panic, as MakeFromData does on some inconsistent buffers).
func decodeFuzzMake(build func() arrow.ArrayData) (arr arrow.Array) {
	defer func() {
		if recover() != nil {
			arr = nil
		}
	}()
	data := build()
	defer data.Release()
	return array.MakeFromData(data)
}
