package stream

import (
	"slices"
	"testing"
)

func TestChain(t *testing.T) {
	a, b, c := newCounter(2), newCounter(3), newCounter(1)
	got, err := drain(t, Chain(a.seq(), b.seq(), FromSlice[int](nil), c.seq()))
	if want := []int{0, 1, 0, 1, 2, 0}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if len(must(Collect(Chain[int]()))) != 0 {
		t.Error("Chain() is not empty")
	}
}

func TestChainStopsAtError(t *testing.T) {
	a, b, c := newCounter(2), newCounter(3), newCounter(1)
	b.failAt = 1
	got, err := drain(t, Chain(a.seq(), b.seq(), c.seq()))
	if want := []int{0, 1, 0}; err != errBoom || !slices.Equal(got, want) {
		t.Errorf("got %v, %v; want %v, boom", got, err, want)
	}
	if c.started.Load() != 0 {
		t.Error("Chain started the sequence after the failing one")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
