package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// benchTrainParquetRows is the row count of BenchmarkTrainParquet's file:
// TOME_BENCH_TRAIN_PARQUET_ROWS, else 200 000 (20 000 with -short).
// BENCHMARKS.md's workload 5 uses 2 000 000.
func benchTrainParquetRows(b *testing.B) int {
	if s := os.Getenv("TOME_BENCH_TRAIN_PARQUET_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 8000 {
			b.Fatalf("TOME_BENCH_TRAIN_PARQUET_ROWS=%q: want a row count of at least 8000", s)
		}
		return n
	}
	if testing.Short() {
		return 20_000
	}
	return 200_000
}

// BenchmarkTrainParquet measures a block shuffle over one zstd Parquet
// file of 8 row groups (the training table of openBenchTrain, as the bench
// module's workload 5 lays it out) against the unshuffled scan of the same
// file, run alternately within each iteration. The scan decodes row groups
// ahead on every core and yields the decoder's batches; the block shuffle
// reads its windows' row groups through the chunk cache and gathers their
// rows into new batches. "delivered" counts the batches' rows, "collated"
// also copies every value out, as a training loop does. It reports rows/s
// by wall and CPU time, their ratios, and how many times each row group
// was decoded per block pass (1 when the cache holds a window's row
// groups).
func BenchmarkTrainParquet(b *testing.B) {
	rows := benchTrainParquetRows(b)
	ctx := context.Background()
	src, err := Open(ctx, writeTrainingIPC(b, rows, 1000))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "train.parquet")
	if _, err := WriteFile(ctx, src, path, WriteOptions{Compression: "zstd", RowGroupRows: int64(rows / 8)}); err != nil {
		b.Fatal(err)
	}
	src.Close()
	ds, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ds.Close() })
	a, err := ds.access()
	if err != nil {
		b.Fatal(err)
	}
	var loads atomic.Int64
	load := a.cache.load
	a.cache.load = func(ctx context.Context, k chunkKey) (*chunk, error) {
		loads.Add(1)
		return load(ctx, k)
	}
	groups := a.set.shards[0].r.(interface{ NumChunks() int }).NumChunks()

	block, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { block.Close() })
	var warm collator
	timedPass(b, ds.Batches(ctx, nil), &warm) // the page cache

	for _, consumer := range []string{"delivered", "collated"} {
		b.Run("block-vs-scan/"+consumer, func(b *testing.B) {
			c := collator{count: consumer == "delivered"}
			var sw, sc, bw, bc time.Duration
			var sr, br int64
			loads.Store(0)
			passes := 0
			for b.Loop() {
				w, u, n := timedPass(b, ds.Batches(ctx, nil), &c)
				sw, sc, sr = sw+w, sc+u, sr+n
				a.cache.purge() // as a file larger than the cache would
				w, u, n = timedPass(b, block.Batches(ctx), &c)
				bw, bc, br = bw+w, bc+u, br+n
				passes++
			}
			reportPair(b, "block", br, bw, bc, "scan", sr, sw, sc)
			b.ReportMetric(float64(loads.Load())/float64(passes*groups), "decodes/rowgroup")
		})
	}
}
