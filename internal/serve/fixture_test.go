package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowipc "github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/format/rowjson"
)

var fixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// writeShards writes a directory of shards of the given sizes in the
// format of ext (".arrow": uncompressed IPC stream, memory-mapped when
// read; ".parquet"), ids counting up across them, batches or row groups
// of batchRows rows, each text textBytes long.
func writeShards(t testing.TB, ext string, batchRows, textBytes int, sizes ...int) string {
	t.Helper()
	dir := t.TempDir()
	id := int64(0)
	for s, size := range sizes {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%02d%s", s, ext)))
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		if ext == ".parquet" {
			w, err = parquet.NewWriter(f, fixtureSchema, parquet.WriteOptions{RowGroupRows: int64(batchRows)})
		} else {
			w, err = ipc.NewStreamWriter(f, fixtureSchema, ipc.WriteOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		pad := strings.Repeat("x", max(textBytes-16, 0))
		for off := 0; off < size; off += batchRows {
			b := array.NewRecordBuilder(memory.DefaultAllocator, fixtureSchema)
			for range min(batchRows, size-off) {
				b.Field(0).(*array.Int64Builder).Append(id)
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("row %d %s", id, pad))
				b.Field(2).(*array.Float64Builder).Append(float64(id) / 4)
				id++
			}
			rec := b.NewRecordBatch()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			b.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// testServer is a Server on loopback ports, stopped at the end of the
// test.
type testServer struct {
	*Server
	reg  *Registry
	base string // http://host:port
	stop func() error
}

func startServer(t testing.TB, cfg Config, specs ...Spec) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reg, err := NewRegistry(ctx, specs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.FlightAddr == "" {
		cfg.FlightAddr = "127.0.0.1:0"
	}
	if cfg.Grace == 0 {
		cfg.Grace = 5 * time.Second
	}
	srv := New(reg, cfg)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	stopped := false
	var stopErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-done
			reg.Close()
		}
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testServer{Server: srv, reg: reg, base: "http://" + srv.Addr(), stop: stop}
}

// get sends a GET with the token (none when token is "").
func get(t testing.TB, url, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// streamURL is the stream of dataset name with parameters p.
func (ts *testServer) streamURL(name string, q url.Values) string {
	return ts.base + "/v1/datasets/" + name + "/stream?" + q.Encode()
}

// readLines reads an Arrow IPC stream and renders its rows as canonical
// JSON, the way tome cat prints them.
func readLines(t testing.TB, r io.Reader) []string {
	t.Helper()
	rd, err := arrowipc.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	enc := rowjson.NewEncoder(rd.Schema())
	var lines []string
	for rd.Next() {
		b := rd.RecordBatch()
		for i := range int(b.NumRows()) {
			lines = append(lines, string(enc.AppendRow(nil, b, i)))
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// streamLines GETs a stream and returns its rows as canonical JSON.
func streamLines(t testing.TB, ts *testServer, token, name string, q url.Values) []string {
	t.Helper()
	resp := get(t, ts.streamURL(name, q), token)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET stream %s: %s: %s", q.Encode(), resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := readLines(t, resp.Body)
	if n := resp.Header.Get(HeaderRows); n != "" && n != fmt.Sprint(len(lines)) {
		t.Fatalf("%s header %s, stream has %d rows", HeaderRows, n, len(lines))
	}
	return lines
}

// trainLines is the reference: the rows of dataset.Train with the options
// p describes, rendered as tome cat renders them.
func trainLines(t testing.TB, path string, p Params) []string {
	t.Helper()
	ds, err := dataset.Open(context.Background(), path, dataset.WithSplit(p.Split))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	opts, err := p.trainOptions()
	if err != nil {
		t.Fatal(err)
	}
	opts.Prefetch = 0
	s, err := ds.Train(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var lines []string
	var enc *rowjson.Encoder
	for b, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if enc == nil {
			enc = rowjson.NewEncoder(b.Schema())
		}
		for i := range int(b.NumRows()) {
			lines = append(lines, string(enc.AppendRow(nil, b, i)))
		}
	}
	return lines
}

// serveTest runs one GET through h in-process.
func serveTest(h http.Handler, target string) *http.Response {
	req := httptest.NewRequest("GET", target, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}
