package parquet

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

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/cputime"
)

// benchRows is the row count of the benchmark file: TOME_BENCH_PARQUET_ROWS,
// or a size that keeps `go test -bench . -benchtime 1x` quick.
func benchRows(b *testing.B) int {
	if s := os.Getenv("TOME_BENCH_PARQUET_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("TOME_BENCH_PARQUET_ROWS=%q", s)
		}
		return n
	}
	return 20000
}

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Float32},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "embedding", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
}, nil)

// writeBenchFile writes rows of the benchmark schema, zstd-compressed:
// sequential ids, random labels, 150-250 bytes of text drawn from a
// vocabulary, and 64 normally distributed floats per embedding.
func writeBenchFile(b *testing.B, path string, rows int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, benchSchema, WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 2000)
	for i := range words {
		var sb strings.Builder
		for range 2 + rng.IntN(9) {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
		words[i] = sb.String()
	}
	mem := memory.NewGoAllocator()
	bld := array.NewRecordBuilder(mem, benchSchema)
	defer bld.Release()
	ids := bld.Field(0).(*array.Int64Builder)
	labels := bld.Field(1).(*array.Float32Builder)
	texts := bld.Field(2).(*array.StringBuilder)
	embeddings := bld.Field(3).(*array.ListBuilder)
	values := embeddings.ValueBuilder().(*array.Float32Builder)
	var sb strings.Builder
	for start := 0; start < rows; start += 8192 {
		for i := start; i < min(rows, start+8192); i++ {
			ids.Append(int64(i))
			labels.Append(rng.Float32())
			sb.Reset()
			n := 150 + rng.IntN(101)
			for sb.Len() < n {
				sb.WriteString(words[rng.IntN(len(words))])
				sb.WriteByte(' ')
			}
			texts.Append(sb.String()[:n])
			embeddings.Append(true)
			for range 64 {
				values.Append(float32(rng.NormFloat64()))
			}
		}
		rec := bld.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReadZstd reads every column of the benchmark file with two
// workers. Run at scale with, for example:
//
//	TOME_BENCH_PARQUET_ROWS=2000000 go test ./format/parquet -run '^$' -bench ReadZstd -benchtime 5x
func BenchmarkReadZstd(b *testing.B) {
	rows := benchRows(b)
	path := filepath.Join(b.TempDir(), fmt.Sprintf("bench-%d.parquet", rows))
	writeBenchFile(b, path, rows)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	cpu := cputime.Process()
	for b.Loop() {
		r, err := Open(f, st.Size(), Options{Workers: 2, ReadOptions: format.ReadOptions{Allocator: memory.NewGoAllocator()}})
		if err != nil {
			b.Fatal(err)
		}
		n, err := drain(r.Batches(context.Background()))
		if err != nil {
			b.Fatal(err)
		}
		if n != int64(rows) {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if used := cputime.Process() - cpu; used > 0 {
		b.ReportMetric(float64(rows)*float64(b.N)/used.Seconds(), "rows/cpu-s")
	}
}
