package stream

import (
	"context"
	"fmt"
	"testing"
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
// work: compare ns/op of workers=2 with workers=1.
func BenchmarkParallelMap(b *testing.B) {
	const elems = 64
	in := rangeInts(elems)
	fn := func(_ context.Context, v int) (uint64, error) { return spin(v), nil }
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
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
