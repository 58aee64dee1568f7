package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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
