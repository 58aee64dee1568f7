package stream

import (
	"iter"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatch(t *testing.T) {
	tests := []struct {
		name    string
		len, n  int
		failAt  int
		want    [][]int
		wantErr error
	}{
		{"empty", 0, 3, -1, nil, nil},
		{"uneven", 8, 3, -1, [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7}}, nil},
		{"even", 4, 2, -1, [][]int{{0, 1}, {2, 3}}, nil},
		{"one", 3, 1, -1, [][]int{{0}, {1}, {2}}, nil},
		{"larger than input", 3, 1 << 30, -1, [][]int{{0, 1, 2}}, nil},
		{"partial before error", 9, 3, 4, [][]int{{0, 1, 2}, {3}}, errBoom},
		{"error on boundary", 9, 3, 3, [][]int{{0, 1, 2}}, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newCounter(tt.len)
			src.failAt = tt.failAt
			got, err := drain(t, Batch(src.seq(), tt.n))
			if err != tt.wantErr {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBatchSlicesAreOwned checks that a yielded slice is not reused for the
// next batch, so a consumer may keep it.
func TestBatchSlicesAreOwned(t *testing.T) {
	var kept [][]int
	for b, err := range Batch(FromSlice(rangeInts(6)), 2) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, b)
	}
	if diff := cmp.Diff([][]int{{0, 1}, {2, 3}, {4, 5}}, kept); diff != "" {
		t.Errorf("kept batches changed (-want +got):\n%s", diff)
	}
}

func TestUnbatchRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10} {
		got, err := drain(t, Unbatch(Batch(FromSlice(rangeInts(10)), n)))
		if err != nil || !slices.Equal(got, rangeInts(10)) {
			t.Errorf("Unbatch(Batch(0..9, %d)) = %v, %v", n, got, err)
		}
	}
}

func TestUnbatchDiscardsRestOfSliceOnBreak(t *testing.T) {
	src := FromSlice([][]int{{0, 1, 2}, {3, 4, 5, 6}, {7}})
	var got, dropped []int
	for v, err := range Unbatch(src, OnDiscard(func(v int) { dropped = append(dropped, v) })) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if v == 4 {
			break
		}
	}
	if !slices.Equal(got, []int{0, 1, 2, 3, 4}) || !slices.Equal(dropped, []int{5, 6}) {
		t.Errorf("delivered %v, discarded %v; want 0..4 and [5 6]", got, dropped)
	}
}

func TestUnbatchSkipsEmptySlices(t *testing.T) {
	var src iter.Seq2[[]int, error] = FromSlice([][]int{{}, {1}, nil, {2, 3}, {}})
	got, err := drain(t, Unbatch(src))
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("got %v, %v", got, err)
	}
}
