package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/tome-data/tome/stream"
)

func ExampleMap() {
	words := stream.FromSlice([]string{"tome", "streams", "data"})
	lengths := stream.Map(words, func(w string) (int, error) { return len(w), nil })
	for n, err := range lengths {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(n)
	}
	// Output:
	// 4
	// 7
	// 4
}

func ExampleFilter() {
	evens := stream.Filter(stream.FromSlice([]int{1, 2, 3, 4, 5, 6}), func(v int) (bool, error) {
		return v%2 == 0, nil
	})
	fmt.Println(stream.Collect(evens))
	// Output: [2 4 6] <nil>
}

func ExampleBatch() {
	batches := stream.Batch(stream.FromSlice([]int{1, 2, 3, 4, 5, 6, 7}), 3)
	fmt.Println(stream.Collect(batches))
	// Output: [[1 2 3] [4 5 6] [7]] <nil>
}

func ExampleTake() {
	// Skip two, then take three: a page of a sequence.
	page := stream.Take(stream.Skip(stream.FromSlice([]string{"a", "b", "c", "d", "e", "f"}), 2), 3)
	fmt.Println(stream.Collect(page))
	// Output: [c d e] <nil>
}

func ExampleChain() {
	train := stream.FromSlice([]string{"t1", "t2"})
	extra := stream.FromSlice([]string{"x1"})
	fmt.Println(stream.Collect(stream.Chain(train, extra)))
	// Output: [t1 t2 x1] <nil>
}

func ExampleShuffle() {
	in := stream.FromSlice([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	// A buffer of 4: elements move, but never more than 3 places earlier.
	// The same seed gives the same order on every run and platform.
	fmt.Println(stream.Collect(stream.Shuffle(in, 4, 2024)))
	fmt.Println(stream.Collect(stream.Shuffle(in, 4, 2024)))
	// Output:
	// [3 0 1 4 2 6 8 7 9 5] <nil>
	// [3 0 1 4 2 6 8 7 9 5] <nil>
}

func ExampleParallelMap() {
	ctx := context.Background()
	// Up to four squares are computed at once, but they arrive in input
	// order, as Map would deliver them.
	squares := stream.ParallelMap(ctx, stream.FromSlice([]int{1, 2, 3, 4, 5, 6}), 4,
		func(ctx context.Context, v int) (int, error) { return v * v, nil })
	fmt.Println(stream.Collect(squares))
	// Output: [1 4 9 16 25 36] <nil>
}

func ExamplePrefetch() {
	ctx := context.Background()
	decoded := stream.Map(stream.FromSlice([]string{"a", "b", "c", "d"}), func(s string) (string, error) {
		return strings.ToUpper(s), nil
	})
	// Decode up to two elements ahead while the loop body works; stopping
	// early hands what was read ahead to OnDiscard (to Release batches, for
	// example) and stops the goroutine before the loop returns.
	for v, err := range stream.Prefetch(ctx, decoded, 2, stream.OnDiscard(func(string) {})) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(v)
		if v == "B" {
			break
		}
	}
	// Output:
	// A
	// B
}

// letters is a seekable Source: it opens a pass over its text at any
// offset, so resuming a Mix never re-reads what was consumed.
func letters(text string) stream.Source[string] {
	return func(offset int64) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for i := offset; i < int64(len(text)); i++ {
				if !yield(text[i:i+1], nil) {
					return
				}
			}
		}
	}
}

func ExampleMix() {
	cfg := stream.MixConfig{
		Weights: []float64{0.7, 0.3},
		Window:  10, // every 10 elements: exactly 7 from the first source, 3 from the second
		Seed:    1,
		Stop:    stream.AllExhausted, // restart the short source until both ran out
	}
	var out strings.Builder
	for v, err := range stream.Mix(cfg, letters("abcdefghijklmn"), letters("XYZ")) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		out.WriteString(v)
	}
	// The second source restarts twice; the mix ends when the first one,
	// exhausted last, is drawn again.
	fmt.Println(out.String())
	// Output: abcXYdeZfghXijklYmZnXY
}

func ExampleMixer_Restore() {
	cfg := stream.MixConfig{Weights: []float64{1, 1}, Window: 2, Seed: 7}
	sources := []stream.Source[string]{letters("abcdef"), letters("UVWXYZ")}

	// Consume five elements and checkpoint.
	m, err := stream.NewMixer(cfg, sources...)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, _ := stream.Collect(stream.Take(m.All(), 5))
	checkpoint, _ := json.Marshal(m.State())
	fmt.Println(first, string(checkpoint))

	// Later, perhaps in another process: continue exactly there.
	var st stream.MixState
	if err := json.Unmarshal(checkpoint, &st); err != nil {
		fmt.Println(err)
		return
	}
	resumed, _ := stream.NewMixer(cfg, sources...)
	if err := resumed.Restore(st); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(stream.Collect(resumed.All()))
	// Output:
	// [a U b V c] {"position":5,"sources":[{"taken":3,"passes":0},{"taken":2,"passes":0}]}
	// [W d X e Y f Z] <nil>
}

func ExampleReplay() {
	// A generator that can only start at the beginning becomes a Source
	// by skipping to the offset: resuming re-reads what was consumed, so
	// prefer a seekable Source when the input is large.
	evens := stream.Replay(func() iter.Seq2[int, error] {
		return stream.FromSlice([]int{0, 2, 4, 6, 8})
	})
	fmt.Println(stream.Collect(evens(3)))
	// Output: [6 8] <nil>
}
