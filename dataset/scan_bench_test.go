package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pqgo "github.com/parquet-go/parquet-go"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// scanBenchRow is the flat 4-column struct of the typed-rows target, read
// end to end from the same data: by tome from a Parquet file and from an
// Arrow IPC file, and by parquet-go's GenericReader[T] from the same
// Parquet file.
type scanBenchRow struct {
	ID    int64     `tome:"id" parquet:"id"`
	Score float32   `tome:"score" parquet:"score"`
	Text  string    `tome:"text" parquet:"text"`
	Emb   []float32 `tome:"emb" parquet:"emb,list"`
}

// scanBenchFiles writes n rows (env TOME_BENCH_SCAN_ROWS, default 20,000)
// as Parquet (snappy, so parquet-go and tome decode the same codec) and as
// an uncompressed IPC file.
func scanBenchFiles(b *testing.B) (pq, arrowFile string, n int) {
	n = 20_000
	if s := os.Getenv("TOME_BENCH_SCAN_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
	}, nil)
	dir := b.TempDir()
	pq, arrowFile = filepath.Join(dir, "rows.parquet"), filepath.Join(dir, "rows.arrow")
	pf, _ := os.Create(pq)
	af, _ := os.Create(arrowFile)
	pw, err := parquet.NewWriter(pf, schema, parquet.WriteOptions{Compression: parquet.Snappy, RowGroupRows: 65536})
	if err != nil {
		b.Fatal(err)
	}
	aw, err := ipc.NewFileWriter(af, schema, ipc.WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for off := 0; off < n; off += format.DefaultBatchSize {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := off; i < min(n, off+format.DefaultBatchSize); i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.Float32Builder).Append(float32(i) / 2)
			rb.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("sample text number %d for the typed scan", i))
			lb := rb.Field(3).(*array.ListBuilder)
			lb.Append(true)
			vb := lb.ValueBuilder().(*array.Float32Builder)
			for j := range 64 {
				vb.Append(float32(i + j))
			}
		}
		rec := rb.NewRecordBatch()
		if err := pw.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := aw.Write(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
		rb.Release()
	}
	if err := pw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		b.Fatal(err)
	}
	pf.Close()
	af.Close()
	return pq, arrowFile, n
}

// BenchmarkScanTypedEndToEnd opens a file and decodes every row into
// scanBenchRow, side by side with parquet-go's GenericReader[T] on the same
// Parquet file. Compare rows/s (wall) and rows/cpu-s between sub-benchmarks
// of one run. tome-ipc-mmap-serial decodes on the loop's goroutine, as
// Scan does with one CPU; tome-parquet-parallel forces the worker
// goroutines Scan leaves out for Parquet; the others are Scan as it is.
func BenchmarkScanTypedEndToEnd(b *testing.B) {
	pq, arrowFile, n := scanBenchFiles(b)
	ctx := context.Background()
	// workers: 0 for Scan as it is, 1 to decode on the loop's goroutine,
	// more to force the parallel path.
	tome := func(path string, workers int) func(b *testing.B) {
		return func(b *testing.B) {
			report := decodeRows(b, n)
			for b.Loop() {
				ds, err := Open(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				rows := 0
				scan := Scan[scanBenchRow](ctx, ds, nil)
				if workers > 0 {
					scan = scanWith[scanBenchRow](ctx, ds, workers)
				}
				for r, err := range scan {
					if err != nil {
						b.Fatal(err)
					}
					if r.ID != int64(rows) || len(r.Emb) != 64 {
						b.Fatalf("row %d: %d, %d values", rows, r.ID, len(r.Emb))
					}
					rows++
				}
				ds.Close()
				if rows != n {
					b.Fatalf("%d rows, want %d", rows, n)
				}
			}
			report()
		}
	}
	b.Run("tome-ipc-mmap", tome(arrowFile, 0))
	b.Run("tome-ipc-mmap-serial", tome(arrowFile, 1))
	b.Run("tome-parquet", tome(pq, 0))
	b.Run("tome-parquet-parallel", tome(pq, max(2, scanWorkers())))
	b.Run("parquet-go-GenericReader", func(b *testing.B) {
		report := decodeRows(b, n)
		buf := make([]scanBenchRow, 1024)
		for b.Loop() {
			f, err := os.Open(pq)
			if err != nil {
				b.Fatal(err)
			}
			r := pqgo.NewGenericReader[scanBenchRow](f)
			rows := 0
			for {
				k, err := r.Read(buf)
				for _, v := range buf[:k] {
					if v.ID != int64(rows) || len(v.Emb) != 64 {
						b.Fatalf("row %d: %d, %d values", rows, v.ID, len(v.Emb))
					}
					rows++
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
			f.Close()
			if rows != n {
				b.Fatalf("parquet-go read %d rows, want %d", rows, n)
			}
		}
		report()
	})
}
