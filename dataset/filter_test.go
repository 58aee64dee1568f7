package dataset

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/go-cmp/cmp"
)

func TestFilter(t *testing.T) {
	keepID := func(keep func(int64) bool) func(Row) (bool, error) {
		return func(r Row) (bool, error) {
			id, err := Get[int64](r, "id")
			return keep(id), err
		}
	}
	tests := []struct {
		name string
		keep func(int64) bool
	}{
		{"every third", func(id int64) bool { return id%3 == 0 }},
		{"runs", func(id int64) bool { return id < 40 || (id >= 100 && id < 170) || id == 299 }},
		{"one run", func(id int64) bool { return id >= 50 && id < 60 }},
		{"none", func(int64) bool { return false }},
		{"all", func(int64) bool { return true }},
	}
	for _, ext := range []string{".arrow", ".parquet"} {
		ds := fixture{ext: ext, shards: 3, rows: 100, batchRows: 32}.open(t)
		for _, tt := range tests {
			t.Run(ext+"/"+tt.name, func(t *testing.T) {
				f, err := ds.Filter(context.Background(), keepID(tt.keep))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				var want []int64
				for id := range int64(300) {
					if tt.keep(id) {
						want = append(want, id)
					}
				}
				if f.Len() != int64(len(want)) {
					t.Fatalf("Len %d, want %d", f.Len(), len(want))
				}
				if got := column[int64](t, f, "id", nil); !cmp.Equal(got, want, cmpEmpty) {
					t.Fatalf("ids (-want +got):\n%s", cmp.Diff(want, got))
				}
			})
		}
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []int64) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal(a, b)
})

func TestFilterBatches(t *testing.T) {
	mem := checkedMem(t)
	ds := fixture{ext: ".parquet", shards: 2, rows: 100, batchRows: 32}.open(t, WithAllocator(mem))
	// A vectorised predicate on one column: the view keeps every column.
	f, err := ds.FilterBatches(context.Background(), func(b arrow.RecordBatch) ([]bool, error) {
		if b.NumCols() != 1 {
			t.Errorf("predicate saw %d columns, want 1", b.NumCols())
		}
		labels := b.Column(0).(*array.Int64).Int64Values()
		mask := make([]bool, len(labels))
		for i, l := range labels {
			mask[i] = l == 2
		}
		return mask, nil
	}, &ScanOptions{Columns: []string{"label"}, BatchRows: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := fieldNamesOf(f.Schema()); len(got) != 4 {
		t.Fatalf("view columns %v", got)
	}
	ids := column[int64](t, f, "id", nil)
	if len(ids) != 66 {
		t.Fatalf("%d rows, want 66", len(ids))
	}
	for _, id := range ids {
		if id%3 != 2 {
			t.Fatalf("kept id %d", id)
		}
	}
}

func TestFilterOfViews(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 2, rows: 100, batchRows: 32}.open(t)
	sh, err := ds.Shuffle(5)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	f, err := sh.Filter(context.Background(), func(r Row) (bool, error) {
		id, err := Get[int64](r, "id")
		return id%10 == 0, err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []int64
	for _, id := range column[int64](t, sh, "id", nil) {
		if id%10 == 0 {
			want = append(want, id)
		}
	}
	if got := column[int64](t, f, "id", nil); !cmp.Equal(got, want) {
		t.Fatalf("filter of shuffle (-want +got):\n%s", cmp.Diff(want, got))
	}
	// Then a column operation and a shard.
	sel, err := f.SelectColumns("id")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	part, err := sel.Shard(2, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	defer part.Close()
	if got := column[int64](t, part, "id", nil); !cmp.Equal(got, want[10:]) {
		t.Fatalf("second half (-want +got):\n%s", cmp.Diff(want[10:], got))
	}
}

func TestFilterErrors(t *testing.T) {
	ctx := context.Background()
	ds := fixture{ext: ".arrow", shards: 1, rows: 100, batchRows: 32}.open(t)
	boom := errors.New("boom")
	_, err := ds.Filter(ctx, func(r Row) (bool, error) {
		id, _ := Get[int64](r, "id")
		if id == 40 {
			return false, boom
		}
		return true, nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "row 40") {
		t.Errorf("predicate error: %v, want boom naming row 40", err)
	}
	_, err = ds.FilterBatches(ctx, func(b arrow.RecordBatch) ([]bool, error) { return make([]bool, 3), nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "3 values") {
		t.Errorf("short mask: %v", err)
	}
	_, err = ds.FilterBatches(ctx, func(arrow.RecordBatch) ([]bool, error) { return nil, boom }, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "rows 0 to 31") {
		t.Errorf("batch predicate error: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ds.Filter(canceled, func(Row) (bool, error) { return true, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	jl, err := Open(ctx, filepath.Join("..", "testdata", "reviews.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer jl.Close()
	if _, err := jl.Filter(ctx, func(Row) (bool, error) { return true, nil }); !errors.Is(err, ErrNoRandomAccess) {
		t.Errorf("JSON Lines: %v, want ErrNoRandomAccess", err)
	}
}

func TestRunsBuilder(t *testing.T) {
	tests := []struct {
		name string
		rows []int64
		kind string
	}{
		{"empty", nil, "dataset.sliceMap"},
		{"one run", []int64{5, 6, 7, 8}, "dataset.rangeMap"},
		{"long runs", []int64{0, 1, 2, 3, 10, 11, 12, 13, 14, 20}, "dataset.runMap"},
		{"scattered", []int64{1, 3, 5, 7, 8}, "dataset.sliceMap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b runsBuilder
			for _, r := range tt.rows {
				b.add(r)
			}
			m := b.indexMap()
			if got := typeName(m); got != tt.kind {
				t.Errorf("form %s, want %s", got, tt.kind)
			}
			if m.Len() != int64(len(tt.rows)) {
				t.Fatalf("Len %d", m.Len())
			}
			for i, r := range tt.rows {
				if got := m.At(int64(i)); got != r {
					t.Errorf("At(%d) = %d, want %d", i, got, r)
				}
			}
		})
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// FuzzRunsBuilder checks that every form the builder picks maps positions
// to the rows added, in order.
func FuzzRunsBuilder(f *testing.F) {
	f.Add([]byte{0, 0, 0, 5, 0, 0, 9})
	f.Add([]byte{1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, gaps []byte) {
		var b runsBuilder
		var rows []int64
		row := int64(-1)
		for _, g := range gaps {
			row += 1 + int64(g%4)*int64(g/4%3) // many gaps of 0: runs
			b.add(row)
			rows = append(rows, row)
		}
		m := b.indexMap()
		if m.Len() != int64(len(rows)) {
			t.Fatalf("Len %d, want %d", m.Len(), len(rows))
		}
		for i, r := range rows {
			if got := m.At(int64(i)); got != r {
				t.Fatalf("%T: At(%d) = %d, want %d", m, i, got, r)
			}
		}
	})
}
