package gather_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/gather"
)

// shortColumn is a malformed batch whose second column is shorter than the
// batch says.
type shortColumn struct {
	arrow.RecordBatch
	short arrow.Array
}

func (r shortColumn) Column(i int) arrow.Array {
	if i == 1 {
		return r.short
	}
	return r.RecordBatch.Column(i)
}

// Batch checks the spans against every column, and names the short one.
func TestBatchShortColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(8, 9))
	a := randArray(t, mem, rng, arrow.PrimitiveTypes.Int64, 10)
	b := randArray(t, mem, rng, arrow.BinaryTypes.String, 10)
	defer a.Release()
	defer b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: a.DataType()}, {Name: "b", Type: b.DataType()}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{a, b}, 10)
	defer rec.Release()
	short := array.NewSlice(b, 0, 6)
	defer short.Release()
	src := shortColumn{RecordBatch: rec, short: short}

	out, err := gather.Batch(mem, schema, []arrow.RecordBatch{rec, src}, []gather.Span{{Src: 0, Off: 0, Len: 10}, {Src: 1, Off: 2, Len: 4}})
	if err != nil {
		t.Fatalf("rows inside every column: %v", err)
	}
	out.Release()
	_, err = gather.Batch(mem, schema, []arrow.RecordBatch{rec, src}, []gather.Span{{Src: 1, Off: 5, Len: 2}})
	if err == nil || !strings.Contains(err.Error(), "column b:") {
		t.Fatalf("rows past the short column: err %v, want one naming column b", err)
	}
}

// Batch accepts sources whose types are equal but distinct values, as
// chunks of different files are, interleaved as a global shuffle draws
// them, and still names the one source of another type.
func TestBatchTypeValuesOfManyFiles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(4, 4))
	const files = 12
	var srcs []arrow.RecordBatch
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	newSource := func(dt arrow.DataType) arrow.RecordBatch {
		col := randArray(t, mem, rng, dt, 5)
		defer col.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "emb", Type: dt}}, nil)
		return array.NewRecordBatch(schema, []arrow.Array{col}, 5)
	}
	types := make([]arrow.DataType, files) // one value per file
	for f := range types {
		types[f] = arrow.ListOf(arrow.PrimitiveTypes.Float32)
	}
	for i := range 3 * files {
		srcs = append(srcs, newSource(types[(i*7)%files]))
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)}}, nil)
	var spans []gather.Span
	for i := range srcs {
		spans = append(spans, gather.Span{Src: i, Off: i % 5, Len: 1})
	}
	out, err := gather.Batch(mem, schema, srcs, spans)
	if err != nil {
		t.Fatalf("equal types of %d files: %v", files, err)
	}
	out.Release()

	srcs = append(srcs, newSource(arrow.ListOf(arrow.PrimitiveTypes.Float64)))
	_, err = gather.Batch(mem, schema, srcs, append(spans, gather.Span{Src: len(srcs) - 1, Off: 0, Len: 1}))
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), fmt.Sprintf("source %d ", len(srcs)-1)) {
		t.Fatalf("a source of another type: err %v, want ErrSchema naming source %d", err, len(srcs)-1)
	}
}
