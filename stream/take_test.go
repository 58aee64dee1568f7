package stream

import (
	"slices"
	"testing"
)

func TestTake(t *testing.T) {
	tests := []struct {
		n, len   int
		want     []int
		wantRead int64
	}{
		{0, 5, nil, 0},
		{3, 5, []int{0, 1, 2}, 3},
		{5, 5, rangeInts(5), 5},
		{9, 5, rangeInts(5), 5},
	}
	for _, tt := range tests {
		src := newCounter(tt.len)
		got, err := drain(t, Take(src.seq(), int64(tt.n)))
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Take(%d) of %d = %v, %v; want %v", tt.n, tt.len, got, err, tt.want)
		}
		// Take must not ask the source for the element after the n-th.
		if src.read.Load() != tt.wantRead {
			t.Errorf("Take(%d) of %d read %d elements, want %d", tt.n, tt.len, src.read.Load(), tt.wantRead)
		}
	}
	t.Run("zero never starts the source", func(t *testing.T) {
		src := newCounter(5)
		drain(t, Take(src.seq(), 0))
		if src.started.Load() != 0 {
			t.Error("Take(0) started its source")
		}
	})
}

func TestSkip(t *testing.T) {
	tests := []struct {
		n, len      int
		failAt      int
		want        []int
		wantDropped []int
		wantErr     error
	}{
		{0, 3, -1, []int{0, 1, 2}, nil, nil},
		{2, 5, -1, []int{2, 3, 4}, []int{0, 1}, nil},
		{7, 5, -1, nil, rangeInts(5), nil},
		{4, 6, 2, nil, []int{0, 1}, errBoom}, // an error is delivered even while skipping
	}
	for _, tt := range tests {
		src := newCounter(tt.len)
		src.failAt = tt.failAt
		var dropped []int
		got, err := drain(t, Skip(src.seq(), int64(tt.n), OnDiscard(func(v int) { dropped = append(dropped, v) })))
		if err != tt.wantErr || !slices.Equal(got, tt.want) || !slices.Equal(dropped, tt.wantDropped) {
			t.Errorf("Skip(%d) of %d (fail at %d) = %v, %v, dropped %v; want %v, %v, dropped %v",
				tt.n, tt.len, tt.failAt, got, err, dropped, tt.want, tt.wantErr, tt.wantDropped)
		}
	}
}
