package order

import (
	"fmt"
	"testing"
)

// The benchmarks walk a 10^9-row epoch in 1000 shards, as rank 3 of 8,
// and report ns/position: the cost of the order alone, which the dataset
// layer adds to the cost of reading rows. Run them once in CI with
// -benchtime 1x so they keep compiling and running.

func benchPlan(b *testing.B, m Mode, world int) *Plan {
	b.Helper()
	p, err := NewPlan(Config{ShardRows: billion(), Seed: 1, Mode: m, World: world, Rank: world / 2})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkAt measures random access: every call lands far from the last.
func BenchmarkAt(b *testing.B) {
	for m := range numModes {
		b.Run(m.String(), func(b *testing.B) {
			p := benchPlan(b, m, 8)
			// Stay in Buffer mode's steady phase, which all but the last
			// BufferSize samples are in.
			span := uint64(p.Len() - DefaultBufferSize)
			var k uint64
			var sink int64
			positions := 0
			for b.Loop() {
				k = (k + 0x9e3779b97f4a7c15) % span
				sink += p.At(int64(k))
				positions++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(positions), "ns/position")
			_ = sink
		})
	}
}

// BenchmarkAll measures sequential iteration from the middle of the epoch,
// in chunks of 4096 samples (so that a starting cost shows up too).
func BenchmarkAll(b *testing.B) {
	const chunk = 4096
	for _, world := range []int{1, 8} {
		for m := range numModes {
			b.Run(fmt.Sprintf("%s/world=%d", m, world), func(b *testing.B) {
				p := benchPlan(b, m, world)
				start := p.Len() / 2
				var sink int64
				positions := 0
				for b.Loop() {
					for k, row := range p.All(start) {
						sink += row
						positions++
						if k == start+chunk-1 {
							break
						}
					}
					start += chunk
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(positions), "ns/position")
				_ = sink
			})
		}
	}
}

// BenchmarkQuality measures the shuffle-quality helper on a 10^8-row plan.
func BenchmarkQuality(b *testing.B) {
	for m := range numModes {
		b.Run(m.String(), func(b *testing.B) {
			rows := make([]int64, 1000)
			for i := range rows {
				rows[i] = 100_000
			}
			p, err := NewPlan(Config{ShardRows: rows, Seed: 1, Mode: m})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				s, d, sh := Quality(p)
				b.ReportMetric(s, "spearman")
				b.ReportMetric(d/float64(p.Rows()), "displacement/N")
				b.ReportMetric(sh, "shards/window")
			}
		})
	}
}

// BenchmarkReader is BenchmarkAll through a Reader, in reads of 4096
// samples from the middle of the epoch, a new Reader each time.
func BenchmarkReader(b *testing.B) {
	const chunk = 4096
	buf := make([]int64, chunk)
	for _, world := range []int{1, 8} {
		for m := range numModes {
			b.Run(fmt.Sprintf("%s/world=%d", m, world), func(b *testing.B) {
				p := benchPlan(b, m, world)
				start := p.Len() / 2
				var sink int64
				positions := 0
				for b.Loop() {
					n := p.NewReader(start).Read(buf)
					for _, row := range buf[:n] {
						sink += row
					}
					positions += n
					start += chunk
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(positions), "ns/position")
				_ = sink
			})
		}
	}
}
