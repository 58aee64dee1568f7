package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/internal/cputime"
	"github.com/tome-data/tome/internal/faultproxy"
)

// benchParquet writes a zstd Parquet file of rows rows in row groups of
// rowGroup rows: an int64 id, a float64 and a 64-character random string,
// which zstd cannot shrink much, so the file is a realistic size.
func benchParquet(tb testing.TB, dir string, rows, rowGroup int) string {
	tb.Helper()
	return benchParquetNamed(tb, dir, "bench.parquet", rows, rowGroup)
}

// benchParquetNamed is benchParquet writing dir/name.
func benchParquetNamed(tb testing.TB, dir, name string, rows, rowGroup int) string {
	tb.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64},
		{Name: "noise", Type: arrow.BinaryTypes.String},
	}, nil)
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := parquet.NewWriter(f, schema, parquet.WriteOptions{RowGroupRows: int64(rowGroup)})
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for start := 0; start < rows; start += 10000 {
		for i := start; i < min(start+10000, rows); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Float64Builder).Append(rng.NormFloat64())
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()))
		}
		rec := b.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// latency delays every request, as a distant server does.
func latency(d time.Duration) faultproxy.Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		time.Sleep(d)
		next.ServeHTTP(w, r)
	}
}

// BenchmarkRemoteParquetScan scans every column of one Parquet file from
// local disk, over HTTP on loopback, and over HTTP with 50 ms added to
// every request, side by side (TOME_BENCH_REMOTE_ROWS sets the rows, in
// row groups of 50,000). It reports the requests per scan, the most
// requests the server saw at once, the most bytes fetched ahead at once
// (bounded by RemoteOptions.ReadAheadBytes), and the process's CPU time
// per scan (on loopback it includes the in-process server's).
func BenchmarkRemoteParquetScan(b *testing.B) {
	rows, rowGroup := 1_000_000, 50_000 // 44 MB in 20 row groups
	if testing.Short() {
		rows, rowGroup = 40_000, 10_000
	}
	if v, err := strconv.Atoi(os.Getenv("TOME_BENCH_REMOTE_ROWS")); err == nil && v > 0 {
		rows = v // a larger file amortises the round trips of opening
	}
	dir := b.TempDir()
	path := benchParquet(b, dir, rows, rowGroup)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	proxy := faultproxy.New(http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	defer SetRemoteOptions(RemoteOptions{})
	for _, c := range []struct {
		name      string
		uri       string
		latency   time.Duration
		readAhead int64
	}{
		{"local", path, 0, 0},
		{"loopback", srv.URL + "/bench.parquet", 0, 0},
		{"latency50ms", srv.URL + "/bench.parquet", 50 * time.Millisecond, 0},
		{"latency50ms-readahead8MiB", srv.URL + "/bench.parquet", 50 * time.Millisecond, 8 << 20},
	} {
		b.Run(c.name, func(b *testing.B) {
			if err := SetRemoteOptions(RemoteOptions{ReadAheadBytes: c.readAhead}); err != nil {
				b.Fatal(err)
			}
			proxy.Always(latency(c.latency))
			proxy.Reset()
			b.SetBytes(st.Size())
			b.ReportAllocs()
			var requests int
			var peak int64
			cpu := cputime.Process() // the client's and, on loopback, the server's
			for b.Loop() {
				before := proxy.Count()
				ds, err := Open(context.Background(), c.uri)
				if err != nil {
					b.Fatal(err)
				}
				src, _ := ds.files.shards[0].src.(*chunkPrefetch)
				var n int64
				for batch, err := range ds.Batches(context.Background(), nil) {
					if err != nil {
						b.Fatal(err)
					}
					n += batch.NumRows()
				}
				if src != nil {
					peak = max(peak, src.peakBytes())
				}
				if err := ds.Close(); err != nil {
					b.Fatal(err)
				}
				if n != int64(rows) {
					b.Fatalf("%d rows, want %d", n, rows)
				}
				requests = proxy.Count() - before
			}
			b.ReportMetric(float64((cputime.Process()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(requests), "requests/op")
			b.ReportMetric(float64(proxy.PeakInFlight()), "peak-in-flight")
			b.ReportMetric(float64(peak)/(1<<20), "peak-ahead-MiB")
		})
	}
	runtime.GC()
}
