package parquet

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

var allCompressions = []Compression{Zstd, Snappy, LZ4, Gzip, Brotli, Uncompressed}

func TestRoundTripAllTypes(t *testing.T) {
	for _, c := range allCompressions {
		t.Run(c.String(), func(t *testing.T) {
			mem := checkedMem(t)
			rng := rand.New(rand.NewPCG(1, uint64(c)))
			schema := allTypesSchema()
			batches := []arrow.RecordBatch{
				randomBatch(mem, schema, 0, rng),
				randomBatch(mem, schema, 300, rng),
				randomBatch(mem, schema, 1, rng),
				randomBatch(mem, schema, 0, rng),
				randomBatch(mem, schema, 450, rng),
			}
			defer releaseAll(batches)
			data := writeFile(t, schema, WriteOptions{Compression: c, RowGroupRows: 256, Allocator: mem}, batches...)
			checkRoundTrip(t, data, schema, batches, Options{ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 100}, Workers: 2})
		})
	}
}

func TestRoundTripRandomSchemas(t *testing.T) {
	runs := 60
	if testing.Short() {
		runs = 15
	}
	for seed := range runs {
		rng := rand.New(rand.NewPCG(uint64(seed), 42))
		schema := randomSchema(rng)
		t.Run(schema.String(), func(t *testing.T) {
			mem := checkedMem(t)
			batches := make([]arrow.RecordBatch, rng.IntN(4))
			for i := range batches {
				batches[i] = randomBatch(mem, schema, []int{0, 1, 7, 100, 333}[rng.IntN(5)], rng)
			}
			defer releaseAll(batches)
			wopts := WriteOptions{Compression: allCompressions[seed%len(allCompressions)], Allocator: mem}
			switch rng.IntN(3) {
			case 0:
				wopts.RowGroupRows = int64(1 + rng.IntN(200))
			case 1:
				wopts.RowGroupBytes = int64(1 + rng.IntN(20000))
			}
			data := writeFile(t, schema, wopts, batches...)
			ropts := Options{
				ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 1 + rng.IntN(150)},
				Workers:     1 + rng.IntN(3),
			}
			checkRoundTrip(t, data, schema, batches, ropts)
		})
	}
}

// checkRoundTrip reads data back and compares it with what was written.
func checkRoundTrip(t *testing.T, data []byte, schema *arrow.Schema, written []arrow.RecordBatch, opts Options) {
	t.Helper()
	r := openBytes(t, data, opts)
	var want int64
	for _, b := range written {
		want += b.NumRows()
	}
	if r.NumRows() != want {
		t.Fatalf("footer says %d rows, wrote %d", r.NumRows(), want)
	}
	got := r.Schema()
	if got.NumFields() != schema.NumFields() {
		t.Fatalf("read %d fields, wrote %d", got.NumFields(), schema.NumFields())
	}
	for i, f := range schema.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || g.Nullable != f.Nullable || !equalIgnoringElemNames(g.Type, f.Type) {
			t.Fatalf("field %d reads as %s, wrote %s", i, g, f)
		}
	}
	tbl := readTable(t, r, opts.Mem())
	defer tbl.Release()
	if tbl.NumRows() != want {
		t.Fatalf("read %d rows, wrote %d", tbl.NumRows(), want)
	}
	for i, f := range schema.Fields() {
		gotType := got.Field(i).Type
		gotCol := concat(t, gotType, tbl.Column(i).Data().Chunks(), opts.Mem())
		wantCol := concat(t, f.Type, columnOf(written, i), opts.Mem())
		// Lists read back with Parquet's element names; compare values.
		wantData, err := convertData(wantCol.Data(), gotCol.DataType(), nil, opts.Mem())
		if err != nil {
			t.Fatal(err)
		}
		wantCol.Release()
		wantCol = array.MakeFromData(wantData)
		wantData.Release()
		if !sameValues(wantCol, gotCol) {
			t.Errorf("column %s differs:\nwrote %v\nread  %v", f.Name, truncate(wantCol), truncate(gotCol))
		}
		wantCol.Release()
		gotCol.Release()
	}
}

func columnOf(batches []arrow.RecordBatch, i int) []arrow.Array {
	var cols []arrow.Array
	for _, b := range batches {
		cols = append(cols, b.Column(i))
	}
	return cols
}

// concat joins arrays; dictionary arrays, whose dictionaries differ from
// batch to batch, are decoded to their values first.
func concat(t *testing.T, dt arrow.DataType, arrs []arrow.Array, mem memory.Allocator) arrow.Array {
	t.Helper()
	if d, ok := dt.(*arrow.DictionaryType); ok {
		b := array.NewBuilder(mem, d.ValueType)
		defer b.Release()
		for _, a := range arrs {
			dict := a.(*array.Dictionary)
			for i := range a.Len() {
				if a.IsNull(i) {
					b.AppendNull()
				} else if err := b.AppendValueFromString(dict.Dictionary().ValueStr(dict.GetValueIndex(i))); err != nil {
					t.Fatal(err)
				}
			}
		}
		return b.NewArray()
	}
	if len(arrs) == 0 {
		return array.MakeArrayOfNull(mem, dt, 0)
	}
	out, err := array.Concatenate(arrs, mem)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// equalIgnoringElemNames compares types as arrow.TypeEqual does, except
// that list elements may be named differently: Parquet calls them
// "element" whatever the writer called them.
func equalIgnoringElemNames(a, b arrow.DataType) bool {
	if a.ID() != b.ID() {
		return false
	}
	switch a := a.(type) {
	case *arrow.ListType, *arrow.LargeListType, *arrow.FixedSizeListType:
		ea, eb := a.(arrow.ListLikeType).ElemField(), b.(arrow.ListLikeType).ElemField()
		if fa, ok := a.(*arrow.FixedSizeListType); ok && fa.Len() != b.(*arrow.FixedSizeListType).Len() {
			return false
		}
		return ea.Nullable == eb.Nullable && equalIgnoringElemNames(ea.Type, eb.Type)
	case *arrow.MapType:
		m := b.(*arrow.MapType)
		return equalIgnoringElemNames(a.KeyType(), m.KeyType()) && equalIgnoringElemNames(a.ItemType(), m.ItemType()) &&
			a.ItemField().Nullable == m.ItemField().Nullable
	case *arrow.StructType:
		s := b.(*arrow.StructType)
		if a.NumFields() != s.NumFields() {
			return false
		}
		for i, f := range a.Fields() {
			g := s.Field(i)
			if f.Name != g.Name || f.Nullable != g.Nullable || !equalIgnoringElemNames(f.Type, g.Type) {
				return false
			}
		}
		return true
	}
	return arrow.TypeEqual(a, b)
}

// sameValues compares arrays by the values they mean: what lies under a
// null slot (a null struct's children, say) is not compared, since Arrow
// leaves it undefined and Parquet does not store it.
func sameValues(a, b arrow.Array) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		if !sameValue(a, i, b, i) {
			return false
		}
	}
	return true
}

func sameValue(a arrow.Array, i int, b arrow.Array, j int) bool {
	if a.IsNull(i) || b.IsNull(j) {
		return a.IsNull(i) == b.IsNull(j)
	}
	switch a := a.(type) {
	case *array.Struct:
		s := b.(*array.Struct)
		for f := range a.NumField() {
			if !sameValue(a.Field(f), i, s.Field(f), j) {
				return false
			}
		}
		return true
	case array.ListLike:
		l := b.(array.ListLike)
		as, ae := a.ValueOffsets(i)
		bs, be := l.ValueOffsets(j)
		if ae-as != be-bs {
			return false
		}
		for k := range ae - as {
			if !sameValue(a.ListValues(), int(as+k), l.ListValues(), int(bs+k)) {
				return false
			}
		}
		return true
	}
	return array.SliceEqual(a, int64(i), int64(i+1), b, int64(j), int64(j+1))
}

func truncate(a arrow.Array) string {
	s := a.String()
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}

func releaseAll(batches []arrow.RecordBatch) {
	for _, b := range batches {
		b.Release()
	}
}
