package gather_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
)

// testTypes covers every kernel and the fallbacks.
var testTypes = []arrow.DataType{
	arrow.Null,
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8,
	arrow.PrimitiveTypes.Uint16,
	arrow.PrimitiveTypes.Int32,
	arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Float32,
	arrow.PrimitiveTypes.Float64,
	arrow.FixedWidthTypes.Date32,
	arrow.FixedWidthTypes.Timestamp_us,
	arrow.FixedWidthTypes.MonthDayNanoInterval,
	&arrow.Decimal128Type{Precision: 20, Scale: 2},
	&arrow.FixedSizeBinaryType{ByteWidth: 3},
	arrow.BinaryTypes.String,
	arrow.BinaryTypes.Binary,
	arrow.BinaryTypes.LargeString,
	arrow.BinaryTypes.StringView,
	arrow.ListOf(arrow.PrimitiveTypes.Int32),
	arrow.LargeListOf(arrow.BinaryTypes.String),
	arrow.FixedSizeListOf(4, arrow.PrimitiveTypes.Float32),
	arrow.ListOf(arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int64)),
	arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	),
	arrow.ListOf(arrow.StructOf(arrow.Field{Name: "x", Type: arrow.FixedWidthTypes.Boolean, Nullable: true})),
	arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32),
	&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String},
	arrow.ListOf(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}),
	arrow.DenseUnionOf([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, []arrow.UnionTypeCode{0, 1}),
	arrow.SparseUnionOf([]arrow.Field{
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int8), Nullable: true},
	}, []arrow.UnionTypeCode{3, 7}),
	arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
	extensions.NewUUIDType(),
}

// randValue returns a random JSON-able value of dt (nil for null).
func randValue(rng *rand.Rand, dt arrow.DataType, nullable bool) any {
	if nullable && rng.IntN(5) == 0 {
		return nil
	}
	switch t := dt.(type) {
	case *arrow.NullType:
		return nil
	case *arrow.BooleanType:
		return rng.IntN(2) == 0
	case *arrow.Int8Type:
		return rng.IntN(256) - 128
	case *arrow.Uint16Type:
		return rng.IntN(1 << 16)
	case *arrow.Int32Type, *arrow.Date32Type:
		return rng.IntN(1<<20) - 1<<19
	case *arrow.Int64Type, *arrow.TimestampType:
		return rng.Int64N(1<<50) - 1<<49
	case *arrow.Float32Type, *arrow.Float64Type:
		return float64(rng.IntN(1000)) / 8
	case *arrow.MonthDayNanoIntervalType:
		return map[string]any{"months": rng.IntN(12), "days": rng.IntN(31), "nanoseconds": rng.Int64N(1e12)}
	case *arrow.Decimal128Type:
		return fmt.Sprintf("%d.%02d", rng.IntN(1e6), rng.IntN(100))
	case *arrow.FixedSizeBinaryType:
		b := make([]byte, t.ByteWidth)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return base64.StdEncoding.EncodeToString(b)
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(20))
	case *arrow.BinaryType:
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat("xy", rng.IntN(5))))
	case *arrow.FixedSizeListType:
		out := make([]any, t.Len())
		for i := range out {
			out[i] = randValue(rng, t.Elem(), true)
		}
		return out
	case *arrow.MapType:
		out := make([]any, rng.IntN(4))
		for i := range out {
			out[i] = map[string]any{"key": fmt.Sprint("k", i), "value": randValue(rng, t.ItemType(), true)}
		}
		return out
	case arrow.ListLikeType:
		out := make([]any, rng.IntN(5))
		for i := range out {
			out[i] = randValue(rng, t.Elem(), true)
		}
		return out
	case *arrow.StructType:
		out := map[string]any{}
		for _, f := range t.Fields() {
			out[f.Name] = randValue(rng, f.Type, f.Nullable)
		}
		return out
	case *arrow.DictionaryType:
		return []string{"red", "green", "blue", "cyan"}[rng.IntN(4)]
	case *arrow.DenseUnionType:
		if rng.IntN(2) == 0 {
			return []any{0, rng.IntN(100)}
		}
		return []any{1, "u" + fmt.Sprint(rng.IntN(100))}
	case *arrow.SparseUnionType:
		if rng.IntN(2) == 0 {
			return []any{3, float64(rng.IntN(100)) / 4}
		}
		return []any{7, []any{rng.IntN(100), nil}}
	case *arrow.RunEndEncodedType:
		return []string{"p", "q"}[rng.IntN(2)]
	case *extensions.UUIDType:
		return fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), rng.Uint64()>>16)
	}
	panic("no generator for " + dt.String())
}

// randArray builds an array of n random values of dt, some runs repeated
// so that run-end encoding has runs to encode.
func randArray(t testing.TB, mem memory.Allocator, rng *rand.Rand, dt arrow.DataType, n int) arrow.Array {
	t.Helper()
	vals := make([]any, n)
	for i := range vals {
		if i > 0 && rng.IntN(4) == 0 {
			vals[i] = vals[i-1]
			continue
		}
		vals[i] = randValue(rng, dt, true)
	}
	js, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	arr, _, err := array.FromJSON(mem, dt, strings.NewReader(string(js)))
	if err != nil {
		t.Fatalf("%s: %v", dt, err)
	}
	return arr
}

// randSpans picks n rows from srcs: single rows mostly, some runs.
func randSpans(rng *rand.Rand, srcs []arrow.Array, n int) []gather.Span {
	var spans []gather.Span
	for got := 0; got < n; {
		s := rng.IntN(len(srcs))
		size := srcs[s].Len()
		if size == 0 {
			continue
		}
		off := rng.IntN(size)
		l := 1
		if rng.IntN(4) == 0 {
			l = 1 + rng.IntN(min(size-off, n-got))
		}
		spans = gather.AppendSpan(spans, gather.Span{Src: s, Off: off, Len: l})
		got += l
	}
	return spans
}

// checkGathered compares out with the rows spans pick, value by value,
// through ValueStr, which decodes dictionaries and unions.
func checkGathered(t *testing.T, out arrow.Array, srcs []arrow.Array, spans []gather.Span) {
	t.Helper()
	if out.Len() != gather.Rows(spans) {
		t.Fatalf("%d rows, want %d", out.Len(), gather.Rows(spans))
	}
	pos := 0
	for _, s := range spans {
		for j := range s.Len {
			src, i := srcs[s.Src], s.Off+j
			if out.IsNull(pos) != src.IsNull(i) {
				t.Fatalf("row %d (source %d row %d): null %v, want %v", pos, s.Src, i, out.IsNull(pos), src.IsNull(i))
			}
			if got, want := out.ValueStr(pos), src.ValueStr(i); got != want {
				t.Fatalf("row %d (source %d row %d): %s, want %s", pos, s.Src, i, got, want)
			}
			pos++
		}
	}
	if want := countNulls(out); out.NullN() != want && out.DataType().ID() != arrow.NULL {
		t.Fatalf("NullN %d, but %d rows are null", out.NullN(), want)
	}
}

func countNulls(a arrow.Array) int {
	n := 0
	for i := range a.Len() {
		if a.IsNull(i) {
			n++
		}
	}
	return n
}

func TestArrayMatchesSources(t *testing.T) {
	for _, dt := range testTypes {
		t.Run(dt.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(1, uint64(len(dt.String()))))
			var srcs []arrow.Array
			for _, n := range []int{40, 1, 25, 60} {
				srcs = append(srcs, randArray(t, mem, rng, dt, n))
			}
			// A sliced source exercises the offset of every layout.
			srcs = append(srcs, array.NewSlice(srcs[3], 7, 51))
			defer func() {
				for _, s := range srcs {
					s.Release()
				}
			}()
			for _, n := range []int{0, 1, 17, 300} {
				spans := randSpans(rng, srcs, n)
				out, err := gather.Array(mem, srcs, spans)
				if err != nil {
					t.Fatal(err)
				}
				checkGathered(t, out, srcs, spans)
				out.Release()
			}
		})
	}
}

func TestArrayEqualsConcatenatedSlices(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, dt := range testTypes {
		switch {
		case dt.ID() == arrow.RUN_END_ENCODED, strings.Contains(dt.String(), "dictionary"), strings.Contains(dt.String(), "union"):
			continue // equal values in another encoding, or no Concatenate
		}
		srcs := []arrow.Array{randArray(t, mem, rng, dt, 30), randArray(t, mem, rng, dt, 30)}
		spans := randSpans(rng, srcs, 100)
		out, err := gather.Array(mem, srcs, spans)
		if err != nil {
			t.Fatal(err)
		}
		var slices []arrow.Array
		for _, s := range spans {
			slices = append(slices, array.NewSlice(srcs[s.Src], int64(s.Off), int64(s.Off+s.Len)))
		}
		want, err := array.Concatenate(slices, mem)
		if err != nil {
			t.Fatal(err)
		}
		if !array.Equal(out, want) {
			t.Errorf("%s: gathered\n%v\nwant\n%v", dt, out, want)
		}
		for _, a := range append(slices, want, out, srcs[0], srcs[1]) {
			a.Release()
		}
	}
}

func TestBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	}, nil)
	var srcs []arrow.RecordBatch
	for _, n := range []int{10, 20} {
		cols := make([]arrow.Array, schema.NumFields())
		for i, f := range schema.Fields() {
			cols[i] = randArray(t, mem, rng, f.Type, n)
		}
		srcs = append(srcs, array.NewRecordBatch(schema, cols, int64(n)))
		for _, c := range cols {
			c.Release()
		}
	}
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	spans := []gather.Span{{Src: 1, Off: 19, Len: 1}, {Src: 0, Off: 0, Len: 10}, {Src: 1, Off: 3, Len: 2}}
	out, err := gather.Batch(mem, schema, srcs, spans)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.NumRows() != 13 || !out.Schema().Equal(schema) {
		t.Fatalf("got %d rows of %s", out.NumRows(), out.Schema())
	}
	for c := range schema.NumFields() {
		cols := []arrow.Array{srcs[0].Column(c), srcs[1].Column(c)}
		checkGathered(t, out.Column(c), cols, spans)
	}
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ints, _, _ := array.FromJSON(mem, arrow.PrimitiveTypes.Int64, strings.NewReader(`[1, 2, 3]`))
	defer ints.Release()
	strs, _, _ := array.FromJSON(mem, arrow.BinaryTypes.String, strings.NewReader(`["a", "b"]`))
	defer strs.Release()

	// Offsets that decrease, as a hostile file could have.
	badOffsets := memory.NewBufferBytes(arrowInt32s(0, 2, 1)) // decreasing
	bad := fromData(array.NewData(arrow.BinaryTypes.Binary, 2,
		[]*memory.Buffer{nil, badOffsets, memory.NewBufferBytes([]byte("ab"))}, nil, 0, 0))
	defer bad.Release()
	// A list whose offsets point past its child.
	child, _, _ := array.FromJSON(mem, arrow.PrimitiveTypes.Int64, strings.NewReader(`[1, 2]`))
	defer child.Release()
	badList := fromData(array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int64), 1,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrowInt32s(0, 5))}, []arrow.ArrayData{child.Data()}, 0, 0))
	defer badList.Release()
	tests := []struct {
		name  string
		srcs  []arrow.Array
		spans []gather.Span
		want  error
	}{
		{"row past the end", []arrow.Array{ints}, []gather.Span{{Src: 0, Off: 2, Len: 2}}, nil},
		{"negative row", []arrow.Array{ints}, []gather.Span{{Src: 0, Off: -1, Len: 1}}, nil},
		{"unknown source", []arrow.Array{ints}, []gather.Span{{Src: 1, Off: 0, Len: 1}}, nil},
		{"mixed types", []arrow.Array{ints, strs}, []gather.Span{{Src: 0, Off: 0, Len: 1}}, format.ErrSchema},
		{"decreasing offsets", []arrow.Array{bad}, []gather.Span{{Src: 0, Off: 1, Len: 1}}, format.ErrCorrupt},
		{"offsets past child", []arrow.Array{badList}, []gather.Span{{Src: 0, Off: 0, Len: 1}}, format.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := gather.Array(mem, tt.srcs, tt.spans)
			if err == nil {
				out.Release()
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAppend(t *testing.T) {
	var spans []gather.Span
	for _, r := range [][2]int{{0, 5}, {0, 6}, {0, 7}, {1, 8}, {0, 8}, {0, 8}} {
		spans = gather.Append(spans, r[0], r[1])
	}
	want := []gather.Span{{0, 5, 3}, {1, 8, 1}, {0, 8, 1}, {0, 8, 1}}
	if fmt.Sprint(spans) != fmt.Sprint(want) {
		t.Fatalf("spans %v, want %v", spans, want)
	}
	if gather.Rows(spans) != 6 {
		t.Fatalf("Rows = %d", gather.Rows(spans))
	}
}

func arrowInt32s(vs ...int32) []byte {
	out := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		out = append(out, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return out
}

// fromData makes an array holding the only reference to d.
func fromData(d arrow.ArrayData) arrow.Array {
	defer d.Release()
	return array.MakeFromData(d)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// TestBatchParallel gathers enough rows for Batch to split the columns
// among goroutines, with an error in one column.
func TestBatchParallel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(8, 9))
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int64,
		arrow.BinaryTypes.String,
		arrow.ListOf(arrow.PrimitiveTypes.Float32),
		arrow.StructOf(arrow.Field{Name: "a", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}),
	}
	fields := make([]arrow.Field, len(types))
	for i, dt := range types {
		fields[i] = arrow.Field{Name: fmt.Sprint("c", i), Type: dt, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var srcs []arrow.RecordBatch
	for range 3 {
		cols := make([]arrow.Array, len(types))
		for i, dt := range types {
			cols[i] = randArray(t, mem, rng, dt, 500)
		}
		srcs = append(srcs, array.NewRecordBatch(schema, cols, 500))
		for _, c := range cols {
			c.Release()
		}
	}
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	spans := randSpans(rng, []arrow.Array{srcs[0].Column(0), srcs[1].Column(0), srcs[2].Column(0)}, 9000)
	out, err := gather.Batch(mem, schema, srcs, spans)
	if err != nil {
		t.Fatal(err)
	}
	for c := range len(types) {
		checkGathered(t, out.Column(c), []arrow.Array{srcs[0].Column(c), srcs[1].Column(c), srcs[2].Column(c)}, spans)
	}
	out.Release()

	// A corrupt column fails the batch and leaks nothing of the others.
	bad := fromData(array.NewData(arrow.BinaryTypes.Binary, 2,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrowInt32s(0, 2, 1)), memory.NewBufferBytes([]byte("ab"))}, nil, 0, 0))
	defer bad.Release()
	badSchema := arrow.NewSchema(append(fields[:len(fields):len(fields)], arrow.Field{Name: "bad", Type: arrow.BinaryTypes.Binary}), nil)
	var badSrcs []arrow.RecordBatch
	for _, s := range srcs {
		cols := append(s.Columns()[:len(types):len(types)], bad)
		badSrcs = append(badSrcs, array.NewRecordBatch(badSchema, cols, 2))
	}
	defer func() {
		for _, s := range badSrcs {
			s.Release()
		}
	}()
	var badSpans []gather.Span
	for range 5000 {
		badSpans = append(badSpans, gather.Span{Src: rng.IntN(3), Off: 1, Len: 1})
	}
	if _, err := gather.Batch(mem, badSchema, badSrcs, badSpans); !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}
