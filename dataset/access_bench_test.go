package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/ipc"
)

// benchTrainingSchema is a typical training table: an id, a label, a
// text of 150-250 bytes and a 64-float embedding.
var benchTrainingSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Float32},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "embedding", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
}, nil)

// writeTrainingIPC writes rows of benchTrainingSchema as an uncompressed
// Arrow IPC stream in batches of batchRows and returns its path.
func writeTrainingIPC(tb testing.TB, rows, batchRows int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "train.arrow")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := ipc.NewStreamWriter(f, benchTrainingSchema, ipc.WriteOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	words := strings.Fields("the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches")
	for off := 0; off < rows; off += batchRows {
		b := array.NewRecordBuilder(memory.DefaultAllocator, benchTrainingSchema)
		for i := off; i < min(off+batchRows, rows); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Float32Builder).Append(float32(i % 10))
			n := 150 + rng.IntN(101)
			var text strings.Builder
			for text.Len() < n {
				text.WriteString(words[rng.IntN(len(words))])
				text.WriteByte(' ')
			}
			b.Field(2).(*array.StringBuilder).Append(text.String()[:n])
			emb := b.Field(3).(*array.ListBuilder)
			emb.Append(true)
			for j := range 64 {
				emb.ValueBuilder().(*array.Float32Builder).Append(float32(i+j) / 64)
			}
		}
		rec := b.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			tb.Fatal(err)
		}
		rec.Release()
		b.Release()
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkRowRandomIPC reads rows at random positions of a memory-mapped
// Arrow dataset of 1000-row batches, as Hugging Face writes them, and
// reads one value of each (so the row is really located).
func BenchmarkRowRandomIPC(b *testing.B) {
	rows := 200_000
	if testing.Short() {
		rows = 20_000
	}
	ctx := context.Background()
	ds, err := Open(ctx, writeTrainingIPC(b, rows, 1000))
	if err != nil {
		b.Fatal(err)
	}
	defer ds.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]int64, 1<<16)
	for i := range idx {
		idx[i] = rng.Int64N(int64(rows))
	}
	for _, i := range idx[:4096] { // warm the page cache and the chunk cache
		r, _ := ds.Row(ctx, i)
		r.Release()
	}
	var sum int64
	k := 0
	b.ResetTimer()
	for b.Loop() {
		i := idx[k&(len(idx)-1)]
		k++
		r, err := ds.Row(ctx, i)
		if err != nil {
			b.Fatal(err)
		}
		sum += r.Batch().Column(0).(*array.Int64).Value(r.Index())
		r.Release()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if sum < 0 {
		b.Fatal(fmt.Sprint(sum))
	}
}

// BenchmarkRowRandomParquet reads rows at random positions of a Parquet
// file that tome wrote (1 MiB pages, row groups of a quarter of the file),
// through a chunk cache of TOME_BENCH_ROW_CACHE_MB (default 4) megabytes,
// smaller than the file's decoded size as in a dataset larger than memory:
// by page, as Row does for files with a page index, and by row group (the
// path for files without one). Rows: TOME_BENCH_ROW_PARQUET_ROWS, default
// 40,000 (8,000 with -short).
func BenchmarkRowRandomParquet(b *testing.B) {
	rows := 40_000
	if testing.Short() {
		rows = 8_000
	}
	if v, err := strconv.Atoi(os.Getenv("TOME_BENCH_ROW_PARQUET_ROWS")); err == nil && v >= 4 {
		rows = v
	}
	cacheBytes := int64(4 << 20)
	if v, err := strconv.Atoi(os.Getenv("TOME_BENCH_ROW_CACHE_MB")); err == nil && v > 0 {
		cacheBytes = int64(v) << 20
	}
	ctx := context.Background()
	src, err := Open(ctx, writeTrainingIPC(b, rows, 1000))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "train.parquet")
	if _, err := WriteFile(ctx, src, path, WriteOptions{RowGroupRows: int64(rows / 4)}); err != nil {
		b.Fatal(err)
	}
	src.Close()
	for _, by := range []string{"page", "rowgroup"} {
		b.Run("by="+by, func(b *testing.B) {
			ds, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer ds.Close()
			a, err := ds.access()
			if err != nil {
				b.Fatal(err)
			}
			a.byChunkOnly = by == "rowgroup"
			a.cache.maxBytes = cacheBytes
			rng := rand.New(rand.NewPCG(1, 1))
			var sum int64
			report := decodeRows(b, 1)
			for b.Loop() {
				i := rng.Int64N(int64(rows))
				r, err := ds.Row(ctx, i)
				if err != nil {
					b.Fatal(err)
				}
				sum += r.Batch().Column(0).(*array.Int64).Value(r.Index())
				r.Release()
			}
			report()
			if sum < 0 {
				b.Fatal(fmt.Sprint(sum))
			}
		})
	}
}
