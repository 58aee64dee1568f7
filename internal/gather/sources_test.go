package gather_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
)

// sourcesSchema has a column of every kind Sources prepares (fixed,
// binary, list, large list of strings) and some it leaves to gatherData.
var sourcesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "tags", Type: arrow.LargeListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 20, Scale: 2}, Nullable: true},
	{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), Nullable: true},
}, nil)

// randSources returns n random batches of sourcesSchema, every other one
// a slice (non-zero offsets), which the caller releases.
func randSources(t *testing.T, mem memory.Allocator, rng *rand.Rand, n int) []arrow.RecordBatch {
	t.Helper()
	var out []arrow.RecordBatch
	for i := range n {
		rows := 5 + rng.IntN(30)
		cols := make([]arrow.Array, sourcesSchema.NumFields())
		for c, f := range sourcesSchema.Fields() {
			cols[c] = randArray(t, mem, rng, f.Type, rows)
		}
		rec := array.NewRecordBatch(sourcesSchema, cols, int64(rows))
		for _, c := range cols {
			c.Release()
		}
		if i%2 == 1 {
			sliced := rec.NewSlice(2, int64(rows))
			rec.Release()
			rec = sliced
		}
		out = append(out, rec)
	}
	return out
}

// checkBatch compares every column of out with the rows spans pick from
// srcs.
func checkBatch(t *testing.T, out arrow.RecordBatch, srcs []arrow.RecordBatch, spans []gather.Span) {
	t.Helper()
	if !out.Schema().Equal(sourcesSchema) {
		t.Fatalf("schema %s", out.Schema())
	}
	for c := range sourcesSchema.NumFields() {
		cols := make([]arrow.Array, len(srcs))
		for i, s := range srcs {
			cols[i] = s.Column(c)
		}
		checkGathered(t, out.Column(c), cols, spans)
	}
}

// spansOf picks n rows of srcs at random.
func spansOf(rng *rand.Rand, srcs []arrow.RecordBatch, n int) []gather.Span {
	cols := make([]arrow.Array, len(srcs))
	for i, s := range srcs {
		cols[i] = s.Column(0)
	}
	return randSpans(rng, cols, n)
}

// TestSourcesGatherMany gathers several batches from one set of sources,
// as a global shuffle does, and again after Keep and Truncate have
// renumbered them.
func TestSourcesGatherMany(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(7, 8))
	srcs := randSources(t, mem, rng, 6)
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	set := gather.NewSources(sourcesSchema)
	set.Grow(2)
	for _, s := range srcs {
		if err := set.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	gatherAndCheck := func(srcs []arrow.RecordBatch, rows int) {
		t.Helper()
		spans := spansOf(rng, srcs, rows)
		out, err := set.Gather(mem, spans)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		checkBatch(t, out, srcs, spans)
	}
	for _, rows := range []int{40, 1, 0, 100} {
		gatherAndCheck(srcs, rows)
	}

	keep := []bool{true, false, false, true, true, false}
	set.Keep(keep)
	var kept []arrow.RecordBatch
	for i, s := range srcs {
		if keep[i] {
			kept = append(kept, s)
		}
	}
	if set.Len() != len(kept) {
		t.Fatalf("Len %d after Keep, want %d", set.Len(), len(kept))
	}
	gatherAndCheck(kept, 50)
	if _, err := set.Gather(mem, []gather.Span{{Src: len(kept), Off: 0, Len: 1}}); err == nil {
		t.Fatal("a dropped source's number was accepted")
	}

	set.Truncate(2)
	gatherAndCheck(kept[:2], 30)
	if err := set.Add(srcs[5]); err != nil { // a source added after renumbering
		t.Fatal(err)
	}
	gatherAndCheck(append(kept[:2:2], srcs[5]), 30)
	set.Reset()
	if set.Len() != 0 {
		t.Fatalf("Len %d after Reset", set.Len())
	}
}

// TestSourcesAddError checks that a source refused by Add leaves the set
// as it was, although the columns before the bad one were prepared.
func TestSourcesAddError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	batch := func(text, emb, id string) arrow.RecordBatch {
		var cols []arrow.Array
		for i, js := range []string{text, emb, id} {
			a, _, err := array.FromJSON(mem, schema.Field(i).Type, stringsReader(js))
			if err != nil {
				t.Fatal(err)
			}
			cols = append(cols, a)
		}
		defer releaseArrays(cols)
		return array.NewRecordBatch(schema, cols, int64(cols[0].Len()))
	}
	good := batch(`["a", "b"]`, `[[1], [2, 3]]`, `[10, 20]`)
	defer good.Release()
	other := batch(`["x", "y", "z"]`, `[[], [4], [5, 6]]`, `[30, 40, 50]`)
	defer other.Release()

	// Good text and list columns, then an id column with a null and a
	// validity bitmap too short for its rows: corrupt.
	shortIDs := fromData(array.NewData(arrow.PrimitiveTypes.Int64, 3,
		[]*memory.Buffer{memory.NewBufferBytes([]byte{}), memory.NewBufferBytes(make([]byte, 24))}, nil, 1, 0))
	defer shortIDs.Release()
	third := batch(`["p", "q", "r"]`, `[[7], [8, 9], []]`, `[60, 70, 80]`)
	defer third.Release()
	corrupt := array.NewRecordBatch(schema, []arrow.Array{third.Column(0), third.Column(1), shortIDs}, 3)
	defer corrupt.Release()
	// A string where the id should be.
	mistyped := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{schema.Field(0), schema.Field(1), {Name: "id", Type: arrow.BinaryTypes.String}}, nil),
		[]arrow.Array{third.Column(0), third.Column(1), third.Column(0)}, 3)
	defer mistyped.Release()
	narrow := array.NewRecordBatch(arrow.NewSchema(schema.Fields()[:2], nil), []arrow.Array{other.Column(0), other.Column(1)}, 3)
	defer narrow.Release()

	set := gather.NewSources(schema)
	if err := set.Add(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		rec  arrow.RecordBatch
		want error
	}{
		{"narrow", narrow, format.ErrSchema},
		{"mistyped", mistyped, format.ErrSchema},
		{"corrupt", corrupt, format.ErrCorrupt},
	} {
		if err := set.Add(bad.rec); !errors.Is(err, bad.want) {
			t.Fatalf("%s: err = %v, want %v", bad.name, err, bad.want)
		}
		if set.Len() != 1 {
			t.Fatalf("%s: Len %d after a refused Add", bad.name, set.Len())
		}
	}
	if err := set.Add(other); err != nil {
		t.Fatal(err)
	}
	spans := []gather.Span{{Src: 1, Off: 1, Len: 2}, {Src: 0, Off: 0, Len: 1}}
	out, err := set.Gather(mem, spans)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	for c := range schema.NumFields() {
		checkGathered(t, out.Column(c), []arrow.Array{good.Column(c), other.Column(c)}, spans)
	}
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}
