package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/rowjson"
)

func TestStreamFollowsTheTrainingOrder(t *testing.T) {
	for _, ext := range []string{".arrow", ".parquet"} {
		dir := writeShards(t, ext, 50, 20, 130, 0, 271, 99)
		ts := startServer(t, Config{}, Spec{Name: "d", Path: dir})
		all := trainLines(t, dir, Params{})
		if len(all) != 500 {
			t.Fatalf("fixture has %d rows", len(all))
		}
		for _, mode := range []string{"none", "shards", "block", "global", "buffer"} {
			for _, world := range []int{1, 3, 4} {
				t.Run(fmt.Sprintf("%s/%s/world=%d", ext, mode, world), func(t *testing.T) {
					p := Params{Dataset: "d", Shuffle: mode, Seed: 42, Epoch: 1, Window: 64, Buffer: 32, World: world}
					var union []string
					for r := range world {
						p.Rank = r
						got := streamLines(t, ts, "", "d", p.Query())
						if want := trainLines(t, dir, p); !slices.Equal(got, want) {
							t.Fatalf("rank %d: %d rows differ from the training stream's %d", r, len(got), len(want))
						}
						union = append(union, got...)
						// Resuming at k gives exactly the rest.
						for _, k := range []int64{1, int64(len(got)) / 2, int64(len(got))} {
							q := p
							q.Start = k
							if rest := streamLines(t, ts, "", "d", q.Query()); !slices.Equal(rest, got[k:]) {
								t.Fatalf("rank %d start=%d: %d rows, want the %d after the first %d", r, k, len(rest), len(got)-int(k), k)
							}
						}
					}
					// Every row once; the pad repeats rows from the start.
					union = slices.Compact(slices.Sorted(slices.Values(union)))
					if !slices.Equal(union, slices.Sorted(slices.Values(all))) {
						t.Fatalf("the ranks' union has %d distinct rows, the dataset %d", len(union), len(all))
					}
				})
			}
		}
	}
}

func TestStreamColumnsBatchRowsAndDropRemainder(t *testing.T) {
	dir := writeShards(t, ".arrow", 50, 20, 130, 271)
	ts := startServer(t, Config{}, Spec{Name: "d", Path: dir})
	p := Params{Dataset: "d", Shuffle: "block", Seed: 5, Window: 100, World: 2, Rank: 1, Columns: []string{"x", "id"}, BatchRows: 64, DropRemainder: true, Workers: 2, Worker: 1}
	resp := get(t, ts.streamURL("d", p.Query()), "")
	defer resp.Body.Close()
	rd, err := ipc.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if names := []string{rd.Schema().Field(0).Name, rd.Schema().Field(1).Name}; rd.Schema().NumFields() != 2 || names[0] != "x" || names[1] != "id" {
		t.Fatalf("schema %v, want columns x, id", rd.Schema())
	}
	var sizes []int64
	for rd.Next() {
		sizes = append(sizes, rd.RecordBatch().NumRows())
	}
	if rd.Err() != nil {
		t.Fatal(rd.Err())
	}
	// 401 rows, 2 ranks, drop remainder: 200 each; worker 1 of 2: 100,
	// cut into batches of 64.
	if !slices.Equal(sizes, []int64{64, 36}) || resp.Header.Get(HeaderRankRows) != "200" {
		t.Fatalf("batch sizes %v, rank rows %s", sizes, resp.Header.Get(HeaderRankRows))
	}
	if got, want := streamLines(t, ts, "", "d", p.Query()), trainLines(t, dir, p); !slices.Equal(got, want) {
		t.Fatalf("projected stream differs from the training stream")
	}
}

func TestSixteenConcurrentStreams(t *testing.T) {
	dir := writeShards(t, ".arrow", 100, 20, 800, 800)
	ts := startServer(t, Config{MaxStreams: 16}, Spec{Name: "d", Path: dir})
	var wg sync.WaitGroup
	errs := make([]string, 16)
	for r := range 16 {
		wg.Go(func() {
			p := Params{Dataset: "d", Shuffle: "global", Seed: uint64(r % 2), World: 16, Rank: r}
			resp, err := http.Get(ts.streamURL("d", p.Query()))
			if err != nil {
				errs[r] = err.Error()
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				errs[r] = resp.Status
				return
			}
			got := readLines(t, resp.Body)
			if want := trainLines(t, dir, p); !slices.Equal(got, want) {
				errs[r] = fmt.Sprintf("rank %d: %d rows differ from the %d expected", r, len(got), len(want))
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

// A client that goes away mid-stream frees its stream at once: the slot,
// the active-stream gauge and every goroutine of the stream.
func TestDisconnectFreesTheStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rows := 200_000
	if testing.Short() {
		rows = 60_000
	}
	dir := writeShards(t, ".arrow", 1000, 200, rows)
	ts := startServer(t, Config{MaxStreams: 1}, Spec{Name: "d", Path: dir})
	for _, mode := range []string{"none", "global"} {
		p := Params{Dataset: "d", Shuffle: mode, BatchRows: 1000}
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.streamURL("d", p.Query()), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := ipc.NewReader(resp.Body)
		if err != nil || !rd.Next() {
			t.Fatalf("first batch: %v %v", err, rd.Err())
		}
		cancel()
		resp.Body.Close()
		rd.Release()
		// The slot frees without the server being stopped.
		deadline := time.Now().Add(10 * time.Second)
		for len(ts.slots) != 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if len(ts.slots) != 0 {
			t.Fatalf("%s: the stream still holds its slot after the client left", mode)
		}
	}
	// The same over Flight.
	c := flightClient(t, ts)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.DoGet(ctx, &flight.Ticket{Ticket: []byte(`{"dataset":"d","batch_rows":1000}`)})
	if err != nil {
		t.Fatal(err)
	}
	frd, err := flight.NewRecordReader(stream)
	if err != nil || !frd.Next() {
		t.Fatalf("first Flight batch: %v", err)
	}
	cancel()
	frd.Release()
	deadline := time.Now().Add(10 * time.Second)
	for len(ts.slots) != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(ts.slots) != 0 {
		t.Fatalf("the Flight stream still holds its slot after the client left")
	}
	c.Close()
	metrics := get(t, ts.base+"/metrics", "")
	body, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	for _, want := range []string{
		`tome_serve_active_streams{dataset="d",protocol="http"} 0`,
		`tome_serve_streams_total{dataset="d",protocol="http",result="canceled"} 2`,
		`tome_serve_streams_total{dataset="d",protocol="flight",result="canceled"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	if err := ts.stop(); err != nil {
		t.Fatal(err)
	}
}

// discardWriter is a ResponseWriter that drops the body, for measuring the
// handler alone.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discardWriter) Flush()                      {}

// Batches of memory-mapped shards go out without being copied: the
// handler allocates a small fraction of the bytes it sends.
func TestStreamDoesNotCopyMappedBatches(t *testing.T) {
	const batchRows, textBytes, batches = 4096, 256, 16
	dir := writeShards(t, ".arrow", batchRows, textBytes, batchRows*batches)
	ts := startServer(t, Config{}, Spec{Name: "d", Path: dir})
	h := ts.Handler()
	serveOnce := func() (alloc uint64, sent int64) {
		req, _ := http.NewRequest("GET", "/v1/datasets/d/stream", nil)
		w := &discardWriter{h: http.Header{}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h.ServeHTTP(w, req)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, w.n
	}
	serveOnce() // warm up: open caches, metric series
	best := uint64(1 << 62)
	var sent int64
	for range 5 { // the least of five runs: background allocations only add
		a, n := serveOnce()
		best, sent = min(best, a), n
	}
	perBatch := best / batches
	batchBytes := uint64(sent) / batches
	t.Logf("%d bytes allocated per batch of %d bytes sent", perBatch, batchBytes)
	if sent < int64(batches*batchRows*textBytes) {
		t.Fatalf("sent %d bytes, want at least the text columns' %d", sent, batches*batchRows*textBytes)
	}
	if perBatch*20 > batchBytes {
		t.Fatalf("%d bytes allocated per batch of %d: the batches are being copied", perBatch, batchBytes)
	}
}

// JSON Lines has no random access, so no training order; in file order it
// streams whole, as tome cat prints it without training flags.
func TestStreamJSONLinesInFileOrder(t *testing.T) {
	const path = "../../testdata/reviews.jsonl"
	ts := startServer(t, Config{}, Spec{Name: "j", Path: path})
	ds, err := dataset.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	var want []string
	var enc *rowjson.Encoder
	for b, err := range ds.Batches(context.Background(), &dataset.ScanOptions{Columns: []string{"text", "id"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if enc == nil {
			enc = rowjson.NewEncoder(b.Schema())
		}
		for i := range int(b.NumRows()) {
			want = append(want, string(enc.AppendRow(nil, b, i)))
		}
	}
	got := streamLines(t, ts, "", "j", Params{Columns: []string{"text", "id"}, BatchRows: 64}.Query())
	if len(got) != 500 || !slices.Equal(got, want) {
		t.Fatalf("JSON Lines stream: %d rows, want the %d of a scan", len(got), len(want))
	}
}
