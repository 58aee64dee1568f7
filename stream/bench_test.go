package stream

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// spin is a CPU-bound function of about 50µs that the compiler cannot
// remove: the kind of per-element work (decoding, tokenising) ParallelMap
// exists to spread over cores.
func spin(v int) uint64 {
	x := uint64(v)
	for range 10000 {
		x = mix64(x)
	}
	return x
}

// BenchmarkParallelMap measures the speed-up of ParallelMap on CPU-bound
// work: compare ns/op of workers=2 with workers=1. busy-workers is the
// average number of fn calls in flight (their summed durations over the
// elapsed time): how well the pipeline keeps its workers fed, a figure
// that other load on the machine disturbs much less than ns/op.
func BenchmarkParallelMap(b *testing.B) {
	const elems = 64
	in := rangeInts(elems)
	var busy atomic.Int64
	fn := func(_ context.Context, v int) (uint64, error) {
		start := time.Now()
		x := spin(v)
		busy.Add(int64(time.Since(start)))
		return x, nil
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			busy.Store(0)
			var sink uint64
			for b.Loop() {
				for v, err := range ParallelMap(context.Background(), FromSlice(in), workers, fn) {
					if err != nil {
						b.Fatal(err)
					}
					sink ^= v
				}
			}
			b.ReportMetric(float64(elems*b.N)/b.Elapsed().Seconds(), "elems/s")
			b.ReportMetric(float64(busy.Load())/float64(b.Elapsed()), "busy-workers")
			_ = sink
		})
	}
}

// BenchmarkOverhead measures what each operator costs per element when the
// work per element is nil.
func BenchmarkOverhead(b *testing.B) {
	const elems = 10000
	in := rangeInts(elems)
	ctx := context.Background()
	_, fns := tagSources(endless, endless, endless)
	cases := []struct {
		name string
		run  func() error
	}{
		{"Map", func() error {
			_, err := Collect(Map(FromSlice(in), func(v int) (int, error) { return v, nil }))
			return err
		}},
		{"Shuffle", func() error { _, err := Collect(Shuffle(FromSlice(in), 1000, 1)); return err }},
		{"Prefetch", func() error { _, err := Collect(Prefetch(ctx, FromSlice(in), 64)); return err }},
		{"ParallelMap", func() error {
			_, err := Collect(ParallelMap(ctx, FromSlice(in), 2, func(_ context.Context, v int) (int, error) { return v, nil }))
			return err
		}},
		{"Mix", func() error {
			_, err := Collect(Take(Mix(MixConfig{Weights: []float64{0.5, 0.3, 0.2}, Window: 100}, fns...), elems))
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(elems*b.N), "ns/elem")
		})
	}
}
