package dataset

import (
	"context"
	"testing"
)

// BenchmarkViewScanLocate measures what a training stream's view scan
// spends per row outside the gather kernel: the id column alone, so that
// copying costs little next to locating each row's chunk and adding it to
// the gather. The layout is BenchmarkTrain's (8 shards in 1,000-row
// chunks), where a block shuffle's consecutive rows fall in different
// chunks; "none" is the unshuffled stream of the same rank, whose rows
// stay in one chunk for a thousand positions.
func BenchmarkViewScanLocate(b *testing.B) {
	ds := openBenchTrain(b, 200_000)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		o    TrainOptions
	}{
		{"block", TrainOptions{Mode: ShuffleBlock, Seed: 1, World: 2}},
		{"none", TrainOptions{Mode: ShuffleNone, World: 2}},
		{"global", TrainOptions{Mode: ShuffleGlobal, Seed: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.o.Columns = []string{"id"}
			s, err := ds.Train(c.o)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var rows int64
			for b.Loop() {
				for rec, err := range s.Batches(ctx) {
					if err != nil {
						b.Fatal(err)
					}
					rows += rec.NumRows()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
		})
	}
}
