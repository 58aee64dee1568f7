package serve

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestForEachPieceFitsTheLimit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	// Skewed rows: most small, a run of big ones, so that an even split by
	// rows is not enough.
	for i := range 1000 {
		n := 10
		if i >= 900 {
			n = 2000
		}
		b.Field(0).(*array.StringBuilder).Append(strings.Repeat("x", n))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	const limit = 20_000
	var rows int64
	var sizes []int64
	err := forEachPiece(rec, limit, func(p arrow.RecordBatch) error {
		size, err := bodyBytes(p)
		if err != nil {
			return err
		}
		sizes = append(sizes, size)
		if size > limit {
			t.Errorf("a piece of %d bytes, limit %d", size, limit)
		}
		if s := p.Column(0).(*array.String).Value(0); len(s) != 10 && len(s) != 2000 {
			t.Errorf("piece starts with a value of %d bytes", len(s))
		}
		rows += p.NumRows()
		return nil
	})
	if err != nil || rows != 1000 {
		t.Fatalf("%d rows in %d pieces, %v", rows, len(sizes), err)
	}
	// A batch that fits goes whole.
	small := rec.NewSlice(0, 100)
	defer small.Release()
	calls := 0
	forEachPiece(small, limit, func(p arrow.RecordBatch) error { calls++; return nil })
	if calls != 1 {
		t.Fatalf("a fitting batch went in %d pieces", calls)
	}
	// One row over the limit cannot be sent.
	big := rec.NewSlice(950, 951)
	defer big.Release()
	if err := forEachPiece(big, 1000, func(arrow.RecordBatch) error { return nil }); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("an oversized row: %v", err)
	}
}
