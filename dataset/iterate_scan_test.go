package dataset

import (
	"context"
	"errors"
	"iter"
	"testing"

	"go.uber.org/goleak"
)

type scanTestRow struct {
	ID    int64     `tome:"id"`
	Label float32   `tome:"label"`
	Text  string    `tome:"text"`
	Emb   []float32 `tome:"embedding"`
}

// scanWith runs Scan's parallel path on workers goroutines, or the serial
// path when workers is 1.
func scanWith[T any](ctx context.Context, d *Dataset, workers int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if workers > 1 {
			scanParallel(ctx, d, nil, workers, yield)
			return
		}
		for b, err := range d.Batches(ctx, nil) {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			dec, err := NewDecoder[T](b.Schema())
			if err == nil {
				var rows []T
				if rows, err = dec.AppendBatch(nil, b); err == nil {
					for _, r := range rows {
						if !yield(r, nil) {
							return
						}
					}
					continue
				}
			}
			var zero T
			yield(zero, err)
			return
		}
	}
}

// TestScanParallelInOrder compares the parallel scan with the serial one,
// whole and stopped early at several points, and checks no goroutine
// outlives it.
func TestScanParallelInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	ds, err := Open(ctx, writeTrainingIPC(t, 5000, 300))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	var want []scanTestRow
	for r, err := range scanWith[scanTestRow](ctx, ds, 1) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	for _, workers := range []int{2, 3, 4} {
		i := 0
		for r, err := range scanWith[scanTestRow](ctx, ds, workers) {
			if err != nil {
				t.Fatal(err)
			}
			if r.ID != want[i].ID || r.Text != want[i].Text || len(r.Emb) != 64 || r.Emb[5] != want[i].Emb[5] {
				t.Fatalf("%d workers: row %d = %d, want %d", workers, i, r.ID, want[i].ID)
			}
			i++
		}
		if i != len(want) {
			t.Fatalf("%d workers: %d rows, want %d", workers, i, len(want))
		}
		for _, stop := range []int{0, 1, 299, 300, 2500, 4999} {
			n := 0
			for r, err := range scanWith[scanTestRow](ctx, ds, workers) {
				if err != nil {
					t.Fatal(err)
				}
				if r.ID != int64(n) {
					t.Fatalf("row %d has id %d", n, r.ID)
				}
				if n == stop {
					break
				}
				n++
			}
		}
	}
}

// TestScanParallelErrors checks a struct that does not match fails first,
// and a canceled context ends the scan with its error.
func TestScanParallelErrors(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ds, err := Open(context.Background(), writeTrainingIPC(t, 3000, 100))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	type wrong struct {
		ID string `tome:"id"`
	}
	n := 0
	for _, err := range scanWith[wrong](context.Background(), ds, 3) {
		if err == nil {
			t.Fatal("a row decoded into a mismatched struct")
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d errors, want 1", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, errs := 0, 0
	for _, err := range scanWith[scanTestRow](ctx, ds, 3) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			errs++
			continue
		}
		if rows++; rows == 150 {
			cancel()
		}
	}
	if errs != 1 || rows >= 3000 {
		t.Fatalf("after cancel: %d rows, %d errors; want fewer than 3000 rows and one error", rows, errs)
	}
}
