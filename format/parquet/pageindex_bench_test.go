package parquet

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tome-data/tome/internal/cputime"
)

// trainingRows builds n rows of a typical training table (an id, a label,
// a text of 150-250 bytes, a 64-float embedding).
func trainingRows(n int) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "label", Type: arrow.PrimitiveTypes.Float32},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "embedding", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	rng := rand.New(rand.NewPCG(11, 12))
	words := strings.Fields("the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches")
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float32Builder).Append(float32(i % 10))
		size := 150 + rng.IntN(101)
		var text strings.Builder
		for text.Len() < size {
			text.WriteString(words[rng.IntN(len(words))])
			text.WriteByte(' ')
		}
		b.Field(2).(*array.StringBuilder).Append(text.String()[:size])
		emb := b.Field(3).(*array.ListBuilder)
		emb.Append(true)
		for j := range 64 {
			emb.ValueBuilder().(*array.Float32Builder).Append(rng.Float32() + float32(j))
		}
	}
	return b.NewRecordBatch()
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// BenchmarkRowByPage compares what reading one row at a random position
// costs, with nothing cached, by page (PageWindow and ReadPageWindow) and
// by row group (ReadChunk): rows per second of wall and of CPU time, and
// bytes read from the file per row. The file is written by this package's
// Writer (1 MiB pages, zstd): TOME_BENCH_PAGE_ROWS rows (default 40,000;
// 8,000 with -short) in TOME_BENCH_PAGE_GROUPS row groups (default 2). The
// larger the row groups, the more reading by page saves.
func BenchmarkRowByPage(b *testing.B) {
	rows := 40_000
	if testing.Short() {
		rows = 8_000
	}
	if v, err := strconv.Atoi(os.Getenv("TOME_BENCH_PAGE_ROWS")); err == nil && v >= 4 {
		rows = v
	}
	groups := 2
	if v, err := strconv.Atoi(os.Getenv("TOME_BENCH_PAGE_GROUPS")); err == nil && v >= 1 && v <= rows {
		groups = v
	}
	rec := trainingRows(rows)
	data := writeFile(b, rec.Schema(), WriteOptions{RowGroupRows: int64(rows / groups)}, rec)
	rec.Release()
	ctx := context.Background()
	for _, by := range []string{"page", "rowgroup"} {
		b.Run("by="+by, func(b *testing.B) {
			src := &countingReaderAt{r: bytes.NewReader(data)}
			r, err := Open(src, int64(len(data)), Options{})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			per := r.ChunkRows(0)
			src.n.Store(0)
			reads := 0
			cpu0 := cputime.Process()
			for b.Loop() {
				c := rng.IntN(r.NumChunks())
				row := rng.Int64N(per)
				var got int64
				if by == "page" {
					first, end, ok, err := r.PageWindow(ctx, c, row)
					if err != nil || !ok {
						b.Fatalf("PageWindow: %v, %v", ok, err)
					}
					w, err := r.ReadPageWindow(ctx, c, first, end)
					if err != nil {
						b.Fatal(err)
					}
					got = w.Column(0).(*array.Int64).Value(int(row - first))
					w.Release()
				} else {
					start := int64(0)
					for batch, err := range r.ReadChunk(ctx, c) {
						if err != nil {
							b.Fatal(err)
						}
						if n := batch.NumRows(); row >= start && row < start+n {
							got = batch.Column(0).(*array.Int64).Value(int(row - start))
						}
						start += batch.NumRows()
					}
				}
				if got != int64(c)*per+row {
					b.Fatalf("row %d of chunk %d holds id %d", row, c, got)
				}
				reads++
			}
			b.ReportMetric(float64(reads)/b.Elapsed().Seconds(), "rows/s")
			if cpu := cputime.Process() - cpu0; cpu > 0 {
				b.ReportMetric(float64(reads)/cpu.Seconds(), "rows/cpu-s")
			}
			b.ReportMetric(float64(src.n.Load())/float64(reads), "bytes/row")
		})
	}
}
