package dataset

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
//
// loopback-server-process reads from Go's file server in a process of its
// own (serveDirProcess), so that its CPU time is the client's alone; the
// server still runs on the same cores. It counts no requests.
//
// Each case starts with no idle request buffers, as a process's first
// remote scan does, so that no case reuses the buffers of the one before.
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
	apart := serveDirProcess(b, dir)
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
		{"loopback-server-process", apart + "/bench.parquet", 0, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			if err := SetRemoteOptions(RemoteOptions{ReadAheadBytes: c.readAhead}); err != nil {
				b.Fatal(err)
			}
			proxy.Always(latency(c.latency))
			proxy.Reset()
			emptyRunPools()
			counted := strings.HasPrefix(c.uri, srv.URL) // the proxy saw its requests
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
			if counted {
				b.ReportMetric(float64(requests), "requests/op")
				b.ReportMetric(float64(proxy.PeakInFlight()), "peak-in-flight")
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-ahead-MiB")
		})
	}
	runtime.GC()
}

// serveDirProcess serves dir over HTTP on loopback from another process
// (this test binary again, running TestServeDirProcess) and returns its
// URL; the process ends with the benchmark.
func serveDirProcess(b *testing.B, dir string) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeDirProcess$")
	cmd.Env = append(os.Environ(), "TOME_SERVE_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close() // the server's cue to end
		if err := cmd.Wait(); err != nil {
			b.Errorf("file server process: %v", err)
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "serving on ")
	if err != nil || !ok {
		b.Fatalf("file server process said %q (%v)", line, err)
	}
	return "http://" + addr
}

// TestServeDirProcess is serveDirProcess's server, not a test: with
// TOME_SERVE_DIR set, it serves that directory with Go's file server on
// loopback, prints "serving on" and the address, and returns once its
// standard input is closed.
func TestServeDirProcess(t *testing.T) {
	dir := os.Getenv("TOME_SERVE_DIR")
	if dir == "" {
		t.Skip("the file server of BenchmarkRemoteParquetScan, run by it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Printf("serving on %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// emptyRunPools lets go of every idle request buffer.
func emptyRunPools() {
	runPools.Lock()
	defer runPools.Unlock()
	for _, p := range runPools.byBudget {
		p.mu.Lock()
		clear(p.free)
		p.idle, p.large = 0, 0
		p.mu.Unlock()
	}
}
