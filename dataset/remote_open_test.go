package dataset

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

// TestOpenShardsConcurrently opens 20 remote shards: the opens overlap
// (the server holds the first file's requests until another file's
// arrives), the
// shards keep their order, the first failure names its URL, and a
// cancelled context stops the open.
func TestOpenShardsConcurrently(t *testing.T) {
	dir := writeShards(t, ".parquet", 20, 50, 25)
	proxy := faultproxy.New(http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	useRemote(t, RemoteOptions{})
	var local, urls []string
	for i := range 20 {
		name := "shard-" + strconv.Itoa(i) + ".parquet"
		local = append(local, dir+"/"+name)
		urls = append(urls, srv.URL+"/"+name)
	}

	// Every request for the first file the server sees waits until a
	// request for another file comes in: opening one file at a time would
	// never get past the first.
	overlap := make(chan struct{})
	var mu sync.Mutex
	var first string
	proxy.Always(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		if first == "" {
			first = r.URL.Path
		}
		mine := r.URL.Path == first
		if !mine && overlap != nil {
			close(overlap)
			overlap = nil
		}
		wait := overlap
		mu.Unlock()
		if mine && wait != nil {
			select {
			case <-wait:
			case <-time.After(10 * time.Second):
				http.Error(w, "no request for another file while the first was open: opens are serial", http.StatusTeapot)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
	_, want := openFilesDigest(t, local)
	if _, got := openFilesDigest(t, urls); got != want {
		t.Error("shards opened concurrently read in another order")
	}
	if peak := proxy.PeakInFlight(); peak > maxOpening {
		t.Errorf("%d requests in flight, more than %d", peak, maxOpening)
	}
	proxy.Always(nil)

	broken := append([]string(nil), urls...)
	broken[13] = srv.URL + "/missing-13.parquet"
	if _, err := OpenFiles(context.Background(), broken); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), broken[13]) {
		t.Errorf("a missing shard: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := OpenFiles(ctx, urls); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled open: %v", err)
	}
}

// BenchmarkRemoteOpenShards opens a dataset of 20 Parquet shards over
// HTTP with 50 ms added to every request, one shard at a time (as before)
// and maxOpening at a time.
func BenchmarkRemoteOpenShards(b *testing.B) {
	dir := b.TempDir()
	var urls []string
	proxy := faultproxy.New(http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	for i := range 20 {
		benchParquetNamed(b, dir, "shard-"+strconv.Itoa(i)+".parquet", 1000, 500)
		urls = append(urls, srv.URL+"/shard-"+strconv.Itoa(i)+".parquet")
	}
	defer SetRemoteOptions(RemoteOptions{})
	if err := SetRemoteOptions(RemoteOptions{}); err != nil {
		b.Fatal(err)
	}
	proxy.Always(latency(50 * time.Millisecond))
	defer func(n int) { maxOpening = n }(maxOpening)
	for _, c := range []struct {
		name string
		at   int
	}{{"serial", 1}, {"concurrent8", 8}} {
		b.Run(c.name, func(b *testing.B) {
			maxOpening = c.at
			var requests int
			for b.Loop() {
				before := proxy.Count()
				ds, err := OpenFiles(context.Background(), urls)
				if err != nil {
					b.Fatal(err)
				}
				requests = proxy.Count() - before
				if err := ds.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(requests), "requests/op")
		})
	}
}
