package dataset

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
)

// Random access (Row, Take) reads stored batches and applies the column
// operations itself, through applyColumns.
func TestColumnOperationsInRandomAccess(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	ds := fixture{ext: ".parquet", shards: 2, rows: 30, batchRows: 8}.open(t, WithAllocator(mem))
	r, err := ds.RenameColumns(map[string]string{"id": "key", "label": "y"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v, err := r.CastColumn("y", arrow.BinaryTypes.String)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	s, err := v.SelectColumns("y", "key")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	row, err := s.Row(ctx, 41)
	if err != nil {
		t.Fatal(err)
	}
	if got := row.String(); got != `{y: "2", key: 41}` {
		t.Errorf("Row(41) = %s", got)
	}
	row.Release()
	b, err := s.Take(ctx, []int64{5, 59, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if !b.Schema().Equal(s.Schema()) {
		t.Fatalf("Take schema %s, want %s", b.Schema(), s.Schema())
	}
	var got []string
	for i := range int(b.NumRows()) {
		got = append(got, NewRow(b, i).String())
	}
	want := []string{`{y: "2", key: 5}`, `{y: "2", key: 59}`, `{y: "0", key: 0}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Take (-want +got):\n%s", diff)
	}
}
