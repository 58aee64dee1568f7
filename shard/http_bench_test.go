package shard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/internal/faultproxy"
)

// The two benchmarks below compare streaming an object over HTTP on
// loopback with reading the same bytes from a local file, the anchor of
// the "streaming over HTTP" target in DESIGN.md.

const benchSize = 32 << 20

func BenchmarkHTTPStream(b *testing.B) {
	data := randomBytes(benchSize, 1)
	srv := newServer(b, faultproxy.NewObject("bench.bin", data))
	client := newTestClient(b)
	src, err := OpenHTTP(context.Background(), srv.URL+"/bench.bin", HTTPOptions{Client: client, Limiter: NewHostLimiter(8)})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	b.SetBytes(benchSize)
	for b.Loop() {
		r := NewPrefetchReader(context.Background(), src, 0, benchSize, PrefetchOptions{})
		if n, err := io.Copy(io.Discard, r); err != nil || n != benchSize {
			b.Fatal(n, err)
		}
		r.Close()
	}
}

func BenchmarkLocalStream(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.bin")
	if err := os.WriteFile(path, randomBytes(benchSize, 1), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(benchSize)
	for b.Loop() {
		r := io.NewSectionReader(f, 0, benchSize)
		if n, err := io.CopyBuffer(io.Discard, r, make([]byte, DefaultPrefetchChunk)); err != nil || n != benchSize {
			b.Fatal(n, err)
		}
	}
}

// parquetBenchFile writes a Parquet file of 4 row groups of int64, float64
// and string columns (zstd), for the scan benchmarks.
func parquetBenchFile(b *testing.B) []byte {
	b.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64},
		{Name: "text", Type: arrow.BinaryTypes.String},
	}, nil)
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, schema, parquet.WriteOptions{RowGroupRows: 125000})
	if err != nil {
		b.Fatal(err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	r := randomBytes(1<<20, 5)
	for i := range 500000 {
		rb.Field(0).(*array.Int64Builder).Append(int64(i) * 7919)
		rb.Field(1).(*array.Float64Builder).Append(float64(r[i%len(r)]) / 3)
		rb.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("row %d %x", i, r[i%len(r):i%len(r)+8]))
		if i%50000 == 49999 {
			rec := rb.NewRecordBatch()
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			rec.Release()
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func scanParquet(b *testing.B, r io.ReaderAt, size int64) {
	rd, err := parquet.Open(r, size, parquet.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	for _, err := range rd.Batches(context.Background()) {
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParquetScanHTTP(b *testing.B) {
	data := parquetBenchFile(b)
	proxy := faultproxy.New(faultproxy.NewObject("bench.parquet", data))
	srv := newServer(b, proxy)
	client := newTestClient(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		proxy.Reset()
		src, err := OpenHTTP(context.Background(), srv.URL+"/bench.parquet", HTTPOptions{Client: client, Limiter: NewHostLimiter(8)})
		if err != nil {
			b.Fatal(err)
		}
		scanParquet(b, src, src.Size())
		src.Close()
	}
	b.ReportMetric(float64(proxy.Count()), "requests/op")
}

func BenchmarkParquetScanLocal(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.parquet")
	data := parquetBenchFile(b)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		src, err := OpenLocal(path)
		if err != nil {
			b.Fatal(err)
		}
		scanParquet(b, src, src.Size())
		src.Close()
	}
}
