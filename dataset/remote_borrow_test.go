package dataset

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/internal/faultproxy"
)

// TestHTTPParquetScanFetchesEachChunkOnce scans a remote Parquet file whose
// row groups decode in parallel, and so are read out of order, twice: each
// pass fetches no byte twice, in a request per row group or fewer, and once
// a pass is over every chunk the decoder borrowed is given back to the
// read-ahead budget. With a budget of a few row groups, the bytes held stay
// within it and are all given back too.
func TestHTTPParquetScanFetchesEachChunkOnce(t *testing.T) {
	// Row groups of about 440 KB: runs larger than the HTTP source reads
	// through its block cache (which aligns requests to its blocks).
	const rows, rowGroups = 100_000, 10
	dir := t.TempDir()
	benchParquet(t, dir, rows, rows/rowGroups)
	st, err := os.Stat(filepath.Join(dir, "bench.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.New(http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	for _, budget := range []int64{0, 3 * st.Size() / rowGroups} {
		t.Run(fmt.Sprintf("budget=%d", budget), func(t *testing.T) {
			useRemote(t, RemoteOptions{ReadAheadBytes: budget})
			ds, err := Open(context.Background(), srv.URL+"/bench.parquet")
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			cp, ok := ds.files.shards[0].src.(*chunkPrefetch)
			if !ok {
				t.Fatalf("the remote Parquet source is a %T, not fetched ahead", ds.files.shards[0].src)
			}
			for pass := range 2 {
				before := len(proxy.Requests())
				n := int64(0)
				for b, err := range ds.Batches(context.Background(), nil) {
					if err != nil {
						t.Fatal(err)
					}
					n += b.NumRows()
				}
				if n != rows {
					t.Fatalf("pass %d: %d rows, want %d", pass, n, rows)
				}
				reqs := proxy.Requests()[before:]
				// The second pass may find some bytes in the HTTP
				// source's block cache.
				// One request for the row group read first, one for each
				// of those decoded alongside it, and one for the rest,
				// which fit in one request of an eighth of the budget;
				// or one more for each of those the reader started with
				// the first that are read before it.
				if limit := min(rowGroups, 2*decodingRowGroups()); budget == 0 && len(reqs) > limit {
					t.Errorf("pass %d: %d requests, want at most %d", pass, len(reqs), limit)
				}
				if budget == 0 {
					// Within a budget of a few row groups, a read the
					// budget has no room for goes to the source directly,
					// through its block cache, whose aligned blocks may
					// overlap a run fetched ahead.
					checkNoOverlap(t, pass, reqs)
				}
				cp.mu.Lock()
				held, pending := cp.held, len(cp.pending)
				cp.mu.Unlock()
				if held != 0 || pending != 0 {
					t.Errorf("pass %d: after the scan %d bytes are still held, %d chunks pending", pass, held, pending)
				}
			}
			if limit := cp.maxBytes; cp.peakBytes() > limit {
				t.Errorf("%d bytes held at once, over the budget of %d", cp.peakBytes(), limit)
			}
		})
	}
}

// checkNoOverlap fails when two of the requests' ranges share a byte.
func checkNoOverlap(t *testing.T, pass int, reqs []faultproxy.Request) {
	t.Helper()
	type span struct{ from, to int64 }
	var seen []span
	for _, r := range reqs {
		var s span
		if _, err := fmt.Sscanf(r.Range, "bytes=%d-%d", &s.from, &s.to); err != nil {
			t.Fatalf("pass %d: request range %q: %v", pass, r.Range, err)
		}
		for _, o := range seen {
			if s.from <= o.to && o.from <= s.to {
				t.Errorf("pass %d: bytes %d-%d fetched again (with %d-%d)", pass, o.from, o.to, s.from, s.to)
			}
		}
		seen = append(seen, s)
	}
}

// TestHTTPParquetScanReusesBuffers scans a column of a remote Parquet file
// four times: every request is read into a buffer of the pool, and all the
// scans together allocate no more buffers than one scan holds at once (at
// most one per column chunk), where without recycling each scan would
// allocate one per request. (One column, whose chunks lie apart, so that
// every scan makes the same requests, of the same sizes; how many one scan
// holds at once depends on how fast the decoder releases them.)
func TestHTTPParquetScanReusesBuffers(t *testing.T) {
	const rows, rowGroups, scans = 100_000, 10, 4
	dir := t.TempDir()
	benchParquet(t, dir, rows, rows/rowGroups)
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(http.FileServer(http.Dir(dir))))
	defer srv.Close() // before useRemote's check for goroutines left behind
	// A budget no other test uses: a pool of the test's own.
	const budget = DefaultReadAheadBytes + 1
	pool := runPoolFor(budget)
	useRemote(t, RemoteOptions{ReadAheadBytes: budget})
	ds, err := Open(context.Background(), srv.URL+"/bench.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, ok := ds.files.shards[0].src.(*chunkPrefetch); !ok {
		t.Fatalf("the remote Parquet source is a %T, not fetched ahead", ds.files.shards[0].src)
	}
	so := &ScanOptions{Columns: []string{"noise"}}
	allocs := pool.allocs.Load() // the pool outlives the test
	log.take()
	for i := range scans {
		before := pool.allocs.Load() + pool.reuses.Load()
		scanDigest(t, ds, so)
		got, requests := pool.allocs.Load()+pool.reuses.Load()-before, log.take()
		if got != int64(requests) || requests < rowGroups {
			t.Fatalf("scan %d: %d buffers from the pool for %d requests (%d row groups)", i, got, requests, rowGroups)
		}
	}
	if got := pool.allocs.Load() - allocs; got > rowGroups {
		t.Errorf("%d scans allocated %d buffers, want at most one per column chunk read (%d)", scans, got, rowGroups)
	}
}

// TestHTTPParquetConcurrentScansRecycledBuffers scans one remote file from
// two datasets at once, twice each, within a read-ahead budget of three
// row groups, so that buffers are recycled all the time, and poisons every
// buffer as it is given back: a reader that still held one would decode
// garbage, and the race detector would see the next request overwrite it.
// Every scan must match the local file's.
func TestHTTPParquetConcurrentScansRecycledBuffers(t *testing.T) {
	const rows, rowGroups = 100_000, 10
	dir := t.TempDir()
	path := benchParquet(t, dir, rows, rows/rowGroups)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close() // before useRemote's check for goroutines left behind
	_, want := openDigest(t, path)
	budget := 3*st.Size()/rowGroups + 1 // odd: a pool of the test's own
	pool := runPoolFor(budget)
	pool.poison = true
	useRemote(t, RemoteOptions{ReadAheadBytes: budget})

	var dss [2]*Dataset
	for i := range dss {
		ds, err := Open(context.Background(), srv.URL+"/bench.parquet")
		if err != nil {
			t.Fatal(err)
		}
		defer ds.Close()
		dss[i] = ds
	}
	type result struct {
		rows   int64
		digest string
		err    error
	}
	results := make(chan result, 2*len(dss))
	for _, ds := range dss {
		go func() {
			for range 2 {
				rows, digest, err := digestBatches(ds, nil)
				results <- result{rows, digest, err}
			}
		}()
	}
	for range 2 * len(dss) {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.rows != rows || r.digest != want {
			t.Errorf("remote scan: %d rows, digest %s; local: %d rows, %s", r.rows, r.digest, rows, want)
		}
	}
	if pool.reuses.Load() == 0 {
		t.Errorf("no buffer was reused: the test did not exercise recycling")
	}
}
