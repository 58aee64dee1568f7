package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/tome-data/tome/internal/cputime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// benchMB is the size of the benchmark dataset: TOME_BENCH_SERVE_MB
// megabytes, 8 by default so that a CI run (-benchtime 1x) stays quick.
func benchMB(b *testing.B) int {
	if s := os.Getenv("TOME_BENCH_SERVE_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("TOME_BENCH_SERVE_MB=%q: want a positive integer", s)
		}
		return n
	}
	return 8
}

// read is one client read of the whole stream.
type read struct {
	wall, cpu, firstBatch time.Duration
	bytes                 int64
}

// BenchmarkServe reads the same memory-mapped Arrow dataset (16 K-row
// batches, about 130 bytes a row) over the HTTP stream and over an Arrow
// Flight DoGet, alternating in every iteration, both to Go clients on
// loopback that decode every batch. It reports the median throughput of
// each (wall and process CPU), their ratio, and the median time to the
// first batch.
func BenchmarkServe(b *testing.B) {
	const batchRows = 16 << 10
	rows := benchMB(b) << 20 / 130
	dir := writeShards(b, ".arrow", batchRows, 100, rows)
	ts := startServer(b, Config{}, Spec{Name: "d", Path: dir})
	fc, err := flight.NewClientWithMiddleware(ts.FlightAddr(), nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer fc.Close()
	ticket, _ := json.Marshal(Params{Dataset: "d"})
	url := ts.streamURL("d", nil)

	readHTTP := func() read {
		began, cpu0 := time.Now(), cputime.Process()
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		rd, err := ipc.NewReader(resp.Body)
		if err != nil {
			b.Fatal(err)
		}
		defer rd.Release()
		return drain(b, rd, began, cpu0)
	}
	readFlight := func() read {
		began, cpu0 := time.Now(), cputime.Process()
		stream, err := fc.DoGet(context.Background(), &flight.Ticket{Ticket: ticket})
		if err != nil {
			b.Fatal(err)
		}
		rd, err := flight.NewRecordReader(stream)
		if err != nil {
			b.Fatal(err)
		}
		defer rd.Release()
		return drain(b, rd, began, cpu0)
	}
	readHTTP() // warm the page cache and both connections
	readFlight()

	var web, fl []read
	for b.Loop() {
		web = append(web, readHTTP())
		fl = append(fl, readFlight())
	}
	if web[0].bytes != fl[0].bytes {
		b.Logf("HTTP read %d bytes of columns, Flight %d", web[0].bytes, fl[0].bytes)
	}
	gbps := func(rs []read, d func(read) time.Duration) float64 {
		return median(rs, func(r read) float64 { return float64(r.bytes) / d(r).Seconds() / 1e9 })
	}
	wall := func(r read) time.Duration { return r.wall }
	cpu := func(r read) time.Duration { return r.cpu }
	httpGB, flightGB := gbps(web, wall), gbps(fl, wall)
	b.ReportMetric(httpGB, "http-GB/s")
	b.ReportMetric(flightGB, "flight-GB/s")
	b.ReportMetric(httpGB/flightGB, "http/flight")
	if cputime.Process() > 0 {
		b.ReportMetric(gbps(web, cpu), "http-GB/cpu-s")
		b.ReportMetric(gbps(fl, cpu), "flight-GB/cpu-s")
	}
	first := func(r read) float64 { return float64(r.firstBatch.Microseconds()) / 1000 }
	b.ReportMetric(median(web, first), "http-first-ms")
	b.ReportMetric(median(fl, first), "flight-first-ms")
	b.SetBytes(web[0].bytes)
	b.Logf("%d rows, %.1f MB of column buffers per read, %d reads each", rows, float64(web[0].bytes)/1e6, len(web))
}

// batchReader is what both clients read through.
type batchReader interface {
	Next() bool
	RecordBatch() arrow.RecordBatch
	Err() error
}

// drain reads every batch, counting the bytes of its column buffers.
func drain(b *testing.B, rd batchReader, began time.Time, cpu0 time.Duration) read {
	var r read
	for rd.Next() {
		if r.firstBatch == 0 {
			r.firstBatch = time.Since(began)
		}
		r.bytes += bufferBytes(rd.RecordBatch())
	}
	if err := rd.Err(); err != nil && err != io.EOF {
		b.Fatal(err)
	}
	r.wall, r.cpu = time.Since(began), cputime.Process()-cpu0
	return r
}

func median(rs []read, f func(read) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
