package dataset

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The transformation benchmarks run over the fixture as memory-mapped
// Arrow: 4 shards of 50 000 rows in batches of 8192.
const benchRows = 200_000

func benchFixture(b *testing.B) *Dataset {
	b.Helper()
	return fixture{ext: ".arrow", shards: 4, rows: benchRows / 4, batchRows: 8192}.open(b)
}

// scanAll reads every row's id and returns their sum.
func scanAll(b *testing.B, d *Dataset, opts *ScanOptions) int64 {
	var sum int64
	for rec, err := range d.Batches(context.Background(), opts) {
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range rec.Column(0).(*array.Int64).Int64Values() {
			sum += v
		}
	}
	return sum
}

func reportRows(b *testing.B, rows int64) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkPermutationAt(b *testing.B) {
	p, err := newPermutation(1<<30, 1)
	if err != nil {
		b.Fatal(err)
	}
	m := permMap{p: p, n: 1 << 30}
	var sink int64
	for i := int64(0); b.Loop(); i++ {
		sink += m.At(i & (1<<30 - 1))
	}
	_ = sink
}

func BenchmarkShuffledScan(b *testing.B) {
	ds := benchFixture(b)
	for _, name := range []string{"in order", "shuffled"} {
		b.Run(name, func(b *testing.B) {
			d := ds
			if name == "shuffled" {
				sh, err := ds.Shuffle(1)
				if err != nil {
					b.Fatal(err)
				}
				defer sh.Close()
				d = sh
			}
			opts := &ScanOptions{Columns: []string{"id", "label", "score"}}
			for b.Loop() {
				scanAll(b, d, opts)
			}
			reportRows(b, benchRows)
		})
	}
}

func BenchmarkFilter(b *testing.B) {
	ds := benchFixture(b)
	ctx := context.Background()
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			f, err := ds.Filter(ctx, func(r Row) (bool, error) {
				l, err := Get[int64](r, 1)
				return l == 1, err
			})
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		reportRows(b, benchRows)
	})
	b.Run("batches", func(b *testing.B) {
		for b.Loop() {
			f, err := ds.FilterBatches(ctx, func(rec arrow.RecordBatch) ([]bool, error) {
				labels := rec.Column(0).(*array.Int64).Int64Values()
				mask := make([]bool, len(labels))
				for i, l := range labels {
					mask[i] = l == 1
				}
				return mask, nil
			}, &ScanOptions{Columns: []string{"label"}})
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		reportRows(b, benchRows)
	})
}

func BenchmarkCastColumn(b *testing.B) {
	ds := benchFixture(b)
	v, err := ds.CastColumn("id", arrow.PrimitiveTypes.Float64)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	opts := &ScanOptions{Columns: []string{"id"}}
	for b.Loop() {
		var sum float64
		for rec, err := range v.Batches(context.Background(), opts) {
			if err != nil {
				b.Fatal(err)
			}
			for _, x := range rec.Column(0).(*array.Float64).Float64Values() {
				sum += x
			}
		}
	}
	reportRows(b, benchRows)
}

func BenchmarkMap(b *testing.B) {
	ds := benchFixture(b)
	var bytes int64
	for _, s := range ds.Shards() {
		bytes += s.Bytes
	}
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				m, err := ds.Map(context.Background(), func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
					rec.Retain()
					return rec, nil
				}, MapOptions{CacheDir: b.TempDir(), Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
			reportRows(b, benchRows)
		})
	}
}
