package stream

import (
	"context"
	"errors"
	"iter"
	"slices"
	"testing"

	"go.uber.org/goleak"
)

// operators lists every operator as an int -> int stage, so that the
// sequence contract can be checked on all of them by one table.
func operators() []struct {
	name  string
	stage func(iter.Seq2[int, error]) iter.Seq2[int, error]
} {
	ctx := context.Background()
	double := func(v int) (int, error) { return 2 * v, nil }
	return []struct {
		name  string
		stage func(iter.Seq2[int, error]) iter.Seq2[int, error]
	}{
		{"Map", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Map(s, double) }},
		{"Filter", func(s iter.Seq2[int, error]) iter.Seq2[int, error] {
			return Filter(s, func(v int) (bool, error) { return v%3 != 1, nil })
		}},
		{"Take", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Take(s, 15) }},
		{"Skip", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Skip(s, 2) }},
		{"Chain", func(s iter.Seq2[int, error]) iter.Seq2[int, error] {
			return Chain(FromSlice([]int{-1}), s, FromSlice([]int{-2}))
		}},
		{"BatchUnbatch", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Unbatch(Batch(s, 3)) }},
		{"Shuffle", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Shuffle(s, 1, 7) }},
		{"Prefetch", func(s iter.Seq2[int, error]) iter.Seq2[int, error] { return Prefetch(ctx, s, 2) }},
		{"ParallelMap", func(s iter.Seq2[int, error]) iter.Seq2[int, error] {
			return ParallelMap(ctx, s, 3, func(_ context.Context, v int) (int, error) { return double(v) })
		}},
		{"Mix", func(s iter.Seq2[int, error]) iter.Seq2[int, error] {
			return Mix(MixConfig{Weights: []float64{1}, Window: 1}, Replay(func() iter.Seq2[int, error] { return s }))
		}},
	}
}

// TestContract checks, for every operator, that an error from the source
// arrives once, last and unchanged after the elements before it; and that
// breaking out of the loop runs the source's cleanup before the loop
// returns, with no goroutine left behind.
func TestContract(t *testing.T) {
	for _, op := range operators() {
		t.Run(op.name+"/error", func(t *testing.T) {
			defer goleak.VerifyNone(t)
			clean := newCounter(10)
			want, err := drain(t, op.stage(clean.seq()))
			if err != nil {
				t.Fatalf("clean input: %v", err)
			}
			src := newCounter(10)
			src.failAt = 7
			got, err := drain(t, op.stage(src.seq()))
			if !errors.Is(err, errBoom) || err != errBoom {
				t.Fatalf("error = %v, want the source's error unchanged", err)
			}
			if !slices.Equal(got, prefixOf(want, got)) {
				t.Errorf("before the error got %v, want a prefix of %v", got, want)
			}
			// Apart from Shuffle, which drops its buffer, and Chain, whose
			// tail never comes, every operator delivers all it derives
			// from the seven elements before the error.
			if op.name != "Shuffle" && op.name != "Chain" {
				seven, err := drain(t, op.stage(newCounter(7).seq()))
				if err != nil || !slices.Equal(got, seven) {
					t.Errorf("before the error got %v, want %v", got, seven)
				}
			}
			if src.cleaned.Load() != src.started.Load() {
				t.Errorf("source started %d times, cleaned up %d", src.started.Load(), src.cleaned.Load())
			}
		})
		t.Run(op.name+"/break", func(t *testing.T) {
			defer goleak.VerifyNone(t)
			src := newCounter(1000)
			n := 0
			for _, err := range op.stage(src.seq()) {
				if err != nil {
					t.Fatal(err)
				}
				n++
				if n == 4 {
					break
				}
			}
			if src.started.Load() != 1 || src.cleaned.Load() != 1 {
				t.Errorf("source started %d times, cleaned up %d, want 1 and 1", src.started.Load(), src.cleaned.Load())
			}
			if r := src.read.Load(); r > 100 {
				t.Errorf("source read %d elements for 4 delivered", r)
			}
		})
	}
}

// prefixOf returns the prefix of want as long as got, or want itself when
// got is longer (so the comparison fails).
func prefixOf(want, got []int) []int {
	if len(got) > len(want) {
		return want
	}
	return want[:len(got)]
}

// TestInvalidArguments checks that bad sizes and counts arrive as an
// ErrInvalid error through the sequence, not as a panic.
func TestInvalidArguments(t *testing.T) {
	ctx := context.Background()
	src := FromSlice([]int{1, 2, 3})
	tests := map[string]iter.Seq2[int, error]{
		"Take":     Take(src, -1),
		"Skip":     Skip(src, -1),
		"Shuffle":  Shuffle(src, 0, 1),
		"Prefetch": Prefetch(ctx, src, 0),
		"Unbatch":  Unbatch(Batch(src, 0)),
		"Mix":      Mix(MixConfig{Weights: []float64{1, 1}}, func(int64) iter.Seq2[int, error] { return src }),
	}
	for name, seq := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := drain(t, seq)
			if !errors.Is(err, ErrInvalid) || len(got) != 0 {
				t.Errorf("got %v, %v; want only an ErrInvalid error", got, err)
			}
		})
	}
}
