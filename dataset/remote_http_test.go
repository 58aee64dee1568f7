package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// remoteFixture writes the same 20,000 rows (testdata/reviews.jsonl forty
// times over, with fresh ids and a random "noise" string) in every format, Parquet in row groups of
// 5,000 rows, and returns the directory.
func remoteFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	in, err := os.Open("../testdata/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	rng := rand.New(rand.NewPCG(1, 2)) // incompressible bytes, so that Parquet column chunks span several blocks
	for i := range 40 * len(lines) {
		m := lines[i%len(lines)]
		m["id"] = i
		m["noise"] = fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(dir, "rows.jsonl")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, name := range []string{"rows.parquet", "rows.arrow", "rows.arrows", "rows.csv", "rows.jsonl.gz"} {
		if _, err := WriteFile(context.Background(), ds, filepath.Join(dir, name), WriteOptions{RowGroupRows: 5000}); err != nil {
			t.Fatalf("writing %s: %v", name, err)
		}
	}
	return dir
}

// TestHTTPOpenMatchesLocal reads each format over HTTP from Go's file
// server and compares rows and values with the local file, whole and
// projected.
func TestHTTPOpenMatchesLocal(t *testing.T) {
	useRemote(t, RemoteOptions{})
	dir := remoteFixture(t)
	srv, _ := newFileServer(t, dir)
	for _, name := range []string{"rows.parquet", "rows.arrow", "rows.arrows", "rows.csv", "rows.jsonl", "rows.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			local := filepath.Join(dir, name)
			wantRows, want := openDigest(t, local)
			gotRows, got := openDigest(t, srv.URL+"/"+name)
			if gotRows != wantRows || got != want || wantRows != 20000 {
				t.Errorf("over HTTP %d rows (%.8s), local %d (%.8s)", gotRows, got, wantRows, want)
			}
			for _, cols := range [][]string{{"text"}, {"score", "id"}} {
				so := &ScanOptions{Columns: cols}
				wantRows, want := projectedDigest(t, local, so)
				gotRows, got := projectedDigest(t, srv.URL+"/"+name, so)
				if gotRows != wantRows || got != want {
					t.Errorf("columns %v over HTTP: %d rows (%.8s), local %d (%.8s)", cols, gotRows, got, wantRows, want)
				}
			}
		})
	}
}

func projectedDigest(t *testing.T, uri string, so *ScanOptions) (int64, string) {
	t.Helper()
	ds, err := Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	return scanDigest(t, ds, so)
}

// TestHTTPParquetRequests counts the requests of remote Parquet: opening
// costs the tail (footer included) and the magic number at the start, and
// scanning k columns at most one request per column chunk.
func TestHTTPParquetRequests(t *testing.T) {
	useRemote(t, RemoteOptions{})
	dir := remoteFixture(t)
	srv, log := newFileServer(t, dir)
	const rowGroups = 4
	for _, cols := range [][]string{{"noise"}, {"id", "noise"}, {"text", "noise", "created"}} {
		log.take()
		ds, err := Open(context.Background(), srv.URL+"/rows.parquet")
		if err != nil {
			t.Fatal(err)
		}
		opened := log.take()
		rows, _ := scanDigest(t, ds, &ScanOptions{Columns: cols})
		if err := ds.Close(); err != nil {
			t.Fatal(err)
		}
		scanned := log.take()
		if rows != 20000 {
			t.Fatalf("%d rows", rows)
		}
		if opened > 2 {
			t.Errorf("opening took %d requests, want at most 2", opened)
		}
		if limit := rowGroups*len(cols) + 3; opened+scanned > limit || scanned < rowGroups {
			t.Errorf("opening and scanning %v took %d+%d requests; want at least %d to scan and at most %d in all", cols, opened, scanned, rowGroups, limit)
		}
		t.Logf("columns %v: %d requests to open, %d to scan", cols, opened, scanned)
	}
}

// TestHTTPTextStreams checks that JSON Lines and CSV over HTTP are read in
// a few large requests, not one per codec read.
func TestHTTPTextStreams(t *testing.T) {
	useRemote(t, RemoteOptions{ReadAheadBytes: 1 << 20})
	dir := remoteFixture(t)
	srv, log := newFileServer(t, dir)
	for _, name := range []string{"rows.jsonl", "rows.csv"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		log.take()
		ds, err := Open(context.Background(), srv.URL+"/"+name)
		if err != nil {
			t.Fatal(err)
		}
		opened := log.take()
		rows, _ := scanDigest(t, ds, nil)
		scanned := log.take()
		if err := ds.Close(); err != nil {
			t.Fatal(err)
		}
		if rows != 20000 {
			t.Errorf("%s: %d rows", name, rows)
		}
		// Chunks of ReadAheadBytes/4, plus the sniffing reads.
		if limit := int(st.Size()/(256<<10)) + 4; scanned > limit {
			t.Errorf("%s (%d bytes): scanning took %d requests, more than %d", name, st.Size(), scanned, limit)
		}
		t.Logf("%s (%d bytes): %d requests to open (schema inference), %d to scan", name, st.Size(), opened, scanned)
	}
}

// TestHTTPErrors checks what Open says of a missing file, a file that is
// not data and a server that refuses.
func TestHTTPErrors(t *testing.T) {
	useRemote(t, RemoteOptions{})
	dir := t.TempDir()
	writeTree(t, dir, "page.parquet", "<!DOCTYPE html><html><body>not data</body></html>")
	srv, _ := newFileServer(t, dir)
	if _, err := Open(context.Background(), srv.URL+"/missing.parquet"); !errors.Is(err, ErrNotFound) || !errors.Is(err, shard.ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(context.Background(), srv.URL+"/page.parquet"); !errors.Is(err, format.ErrNotData) {
		t.Errorf("HTML page: %v, want format.ErrNotData", err)
	}
}

// TestHTTPDiskCache reads a file twice through a disk cache: the second
// open of the dataset reads its bytes from disk.
func TestHTTPDiskCache(t *testing.T) {
	cacheDir := t.TempDir()
	useRemote(t, RemoteOptions{CacheDir: cacheDir})
	dir := remoteFixture(t)
	srv, log := newFileServer(t, dir)
	_, first := openDigest(t, srv.URL+"/rows.arrow")
	cold := log.take()
	_, second := openDigest(t, srv.URL+"/rows.arrow")
	warm := log.take()
	if first != second {
		t.Fatal("the cached read differs")
	}
	if warm >= cold || warm > 1 {
		t.Errorf("%d requests cold, %d warm: the cache is not used", cold, warm)
	}
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) == 0 {
		t.Errorf("cache directory holds %d entries (%v)", len(entries), err)
	}
}

// TestHTTPParquetReadAheadBounded scans remote Parquet with a small
// read-ahead budget: the values are the local ones, chunks were fetched
// ahead, and never more than the budget at once. Leaving a scan early and
// closing abandons the fetches in flight (useRemote checks for leaks).
func TestHTTPParquetReadAheadBounded(t *testing.T) {
	const budget = 400 << 10
	useRemote(t, RemoteOptions{ReadAheadBytes: budget})
	dir := remoteFixture(t)
	srv, log := newFileServer(t, dir)
	_, want := openDigest(t, filepath.Join(dir, "rows.parquet"))

	log.take()
	ds, err := Open(context.Background(), srv.URL+"/rows.parquet")
	if err != nil {
		t.Fatal(err)
	}
	cp, ok := ds.files.shards[0].src.(*chunkPrefetch)
	if !ok {
		t.Fatalf("remote Parquet source is %T, not fetched ahead", ds.files.shards[0].src)
	}
	_, got := scanDigest(t, ds, nil)
	if got != want {
		t.Error("values differ from the local file's")
	}
	if peak := cp.peakBytes(); peak <= 0 || peak > budget {
		t.Errorf("%d bytes fetched ahead at most, want (0, %d]", peak, budget)
	}
	// 4 row groups of 7 columns: the budget must not turn fetching ahead
	// into more requests than reading each chunk would take.
	if n, limit := log.take(), 4*7+3; n > limit {
		t.Errorf("opening and scanning took %d requests, more than %d", n, limit)
	}
	for b, err := range ds.Batches(context.Background(), &ScanOptions{Columns: []string{"noise"}}) {
		if err != nil || b.NumRows() == 0 {
			t.Fatal(err)
		}
		break
	}
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHTTPTextConcurrentScans runs several scans of one remote JSON Lines
// file at once, some stopping early: each pass of the read-ahead source
// serves only its own reader.
func TestHTTPTextConcurrentScans(t *testing.T) {
	useRemote(t, RemoteOptions{ReadAheadBytes: 1 << 20})
	dir := remoteFixture(t)
	srv, _ := newFileServer(t, dir)
	_, want := openDigest(t, filepath.Join(dir, "rows.jsonl"))
	ds, err := Open(context.Background(), srv.URL+"/rows.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	var wg sync.WaitGroup
	digests := make([]string, 4)
	for i := range digests {
		wg.Go(func() {
			if i%2 == 1 { // a scan left early
				for _, err := range ds.Batches(context.Background(), nil) {
					if err != nil {
						t.Error(err)
					}
					break
				}
				return
			}
			var err error
			if _, digests[i], err = digestBatches(ds, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := 0; i < len(digests); i += 2 {
		if digests[i] != want {
			t.Errorf("scan %d read other values than the local file's", i)
		}
	}
}
