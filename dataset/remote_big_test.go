package dataset

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/tome-data/tome/shard"
)

// bigChunkFixture writes a Parquet file of 10 row groups whose "noise"
// chunks are larger than the returned budget, which holds the other
// columns' chunks twice over, and returns the file's path, its layout and
// the budget.
func bigChunkFixture(t *testing.T, dir string) (string, *parquetLayout, int64) {
	t.Helper()
	const rows, rowGroups = 100_000, 10
	path := benchParquet(t, dir, rows, rows/rowGroups)
	src, err := shard.OpenLocal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ix, err := parquetChunks(src)
	if err != nil {
		t.Fatal(err)
	}
	var small, large int64 = 0, 1 << 62
	for _, g := range ix.groups {
		for _, c := range g {
			if ix.tops[c.column] == "noise" {
				large = min(large, c.n)
			} else {
				small = max(small, c.n)
			}
		}
	}
	budget := large / 2
	if 2*classSize(small) > budget {
		t.Fatalf("fixture: chunks of %d and %d bytes leave no budget between them", small, large)
	}
	return path, ix, budget
}

// TestHTTPParquetFetchesLargeChunksAhead reads the chunks of a remote
// Parquet file as a decoder of two row groups at a time does, where the
// "noise" column's chunks are larger than the read-ahead budget: such a
// chunk is fetched ahead only into one of the two slots, when the decoder
// gives one back, and it is the next row group's to be read; the decoder then
// borrows it with the file's bytes; the budget still bounds the other
// chunks.
func TestHTTPParquetFetchesLargeChunksAhead(t *testing.T) {
	dir := t.TempDir()
	path, ix, budget := bigChunkFixture(t, dir)
	local, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close() // before useRemote's check for goroutines left behind
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
	cp.mu.Lock()
	cp.bigSlots = 2 // two row groups decode at once, whatever GOMAXPROCS is
	cp.mu.Unlock()
	noise := func(rg int) chunkRef {
		for _, c := range ix.groups[rg] {
			if ix.tops[c.column] == "noise" {
				return c
			}
		}
		t.Fatalf("row group %d has no noise chunk", rg)
		return chunkRef{}
	}
	// ahead returns the row group whose large chunk is fetched ahead (-1
	// for none) and the large chunks fetched, in flight or borrowed.
	ahead := func() (int, int) {
		cp.mu.Lock()
		defer cp.mu.Unlock()
		rg := -1
		for r := range ix.groups {
			if f := cp.pending[noise(r).off]; f != nil && f == cp.big {
				rg = r
			}
		}
		return rg, cp.bigBusy
	}
	// read borrows the chunks of row group rg, checks their bytes, and
	// returns the func that gives them back.
	read := func(rg int) func() {
		t.Helper()
		var releases []func()
		for _, c := range ix.groups[rg] {
			data, release, err := cp.BorrowAt(c.off, c.n)
			if err != nil || release == nil {
				t.Fatalf("BorrowAt(%d, %d): %v", c.off, c.n, err)
			}
			if !bytes.Equal(data, local[c.off:c.off+c.n]) {
				t.Fatalf("row group %d, column %d: borrowed bytes differ from the file's", rg, c.column)
			}
			releases = append(releases, release)
		}
		return func() {
			for _, release := range releases {
				release()
			}
		}
	}
	check := func(when string, wantAhead, wantBusy int) {
		t.Helper()
		if rg, busy := ahead(); rg != wantAhead || busy != wantBusy {
			t.Errorf("%s: row group %d's large chunk fetched ahead, %d large chunks held; want row group %d's, %d held",
				when, rg, busy, wantAhead, wantBusy)
		}
	}
	done0 := read(0) // the large chunks of the first row groups, on demand
	check("row group 0 read", -1, 1)
	done1 := read(1)
	check("row groups 0 and 1 read", -1, 2)
	done0()
	check("row group 0 given back", 2, 2) // its slot fetches the next
	done2 := read(2)
	check("row group 2 read", -1, 2)
	done1()
	check("row group 1 given back", 3, 2)
	done3 := read(3)
	done2()
	done3()
	check("all given back", 4, 1)
	cp.mu.Lock()
	held := cp.held
	cp.mu.Unlock()
	if held > budget || cp.peakBytes() > budget {
		t.Errorf("%d bytes held, %d at most, over the budget of %d", held, cp.peakBytes(), budget)
	}
}

// TestHTTPParquetScanLargeChunks scans a remote Parquet file whose
// "noise" chunks are larger than the read-ahead budget, twice, with every
// recycled buffer poisoned: the values are the local file's, large chunks
// were fetched ahead, and after each pass nothing is held or pending.
func TestHTTPParquetScanLargeChunks(t *testing.T) {
	dir := t.TempDir()
	path, _, budget := bigChunkFixture(t, dir)
	_, want := openDigest(t, path)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	budget++ // odd: a pool of the test's own, which it poisons
	runPoolFor(budget).poison = true
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
		if _, got := scanDigest(t, ds, nil); got != want {
			t.Fatalf("pass %d: values differ from the local file's", pass)
		}
		cp.mu.Lock()
		held, pending, big, ahead := cp.held, len(cp.pending), cp.big, cp.bigAhead
		cp.mu.Unlock()
		if held != 0 || pending != 0 || big != nil {
			t.Errorf("pass %d: after the scan %d bytes held, %d chunks pending (large one: %v)", pass, held, pending, big != nil)
		}
		if ahead == 0 {
			t.Errorf("pass %d: no large chunk was fetched ahead", pass)
		}
	}
	if cp.peakBytes() > budget {
		t.Errorf("%d bytes held at once, over the budget of %d", cp.peakBytes(), budget)
	}
}
