package dataset

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/shard"
)

// TestManifestHTTPRequests is issue 5's request accounting: a dataset of
// 50 shards opened over HTTP from its manifest costs one request, and
// Len, Schema, Features, Shards and planning a training order cost none;
// reading one shard opens that shard only.
func TestManifestHTTPRequests(t *testing.T) {
	fx := manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 50, rows: 20}
	dir := t.TempDir()
	m := fx.write(t, dir)
	useRemote(t, RemoteOptions{})
	srv, log := newFileServer(t, dir)
	ctx := context.Background()

	for _, uri := range []string{srv.URL + "/", srv.URL + "/" + shard.ManifestFile} {
		log.take()
		ds, err := Open(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		if n := log.take(); n != 1 {
			t.Errorf("Open(%s): %d requests, want 1", uri, n)
		}
		if ds.Len() != 1000 || ds.Schema().NumFields() != 3 || len(ds.Shards()) != 50 {
			t.Errorf("Len %d, %d columns, %d shards", ds.Len(), ds.Schema().NumFields(), len(ds.Shards()))
		}
		if f := ds.Features(); f == nil || f.Fields[1].Feature.Kind != hf.KindClassLabel {
			t.Errorf("features %v, want the manifest's ClassLabel", f)
		}
		ts, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Seed: 7, Window: 64, World: 4, Rank: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ts.RankLen() != 250 {
			t.Errorf("rank length %d, want 250", ts.RankLen())
		}
		if _, err := ts.State(10); err != nil {
			t.Fatal(err)
		}
		if n := log.take(); n != 0 {
			t.Errorf("Len, Schema, Features, Shards and a Train plan: %d requests, want 0", n)
		}
		if err := ts.Close(); err != nil {
			t.Fatal(err)
		}

		// A scan of one column reads the shards in order; each costs a
		// bounded number of requests (open, detect, its chunks).
		rows, _ := scanDigest(t, ds, &ScanOptions{Columns: []string{"id"}})
		if rows != 1000 {
			t.Errorf("scan: %d rows", rows)
		}
		if n := log.take(); n > 50*4 {
			t.Errorf("scan: %d requests for 50 shards", n)
		}
		if err := ds.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// The same rows as the files themselves, opened by URL.
	_, want := openFilesDigest(t, shardFiles(m, "train", func(rel string) string { return srv.URL + "/" + rel }))
	if _, got := openDigest(t, srv.URL+"/"); got != want {
		t.Error("manifest open over HTTP reads other rows than the files")
	}
}

func openFilesDigest(t *testing.T, paths []string) (int64, string) {
	t.Helper()
	ds, err := OpenFiles(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	return scanDigest(t, ds, nil)
}

// TestManifestHTTPFallback: a URL without a data file's extension is a
// directory when it has a manifest, else read as a file; a URL ending
// in "/" must have one.
func TestManifestHTTPFallback(t *testing.T) {
	dir := t.TempDir()
	fx := manifestFixture{format: format.ArrowFile, splits: []string{"train", "test"}, shards: 2, rows: 5}
	fx.write(t, filepath.Join(dir, "ds"))
	raw, err := os.ReadFile(filepath.Join(dir, "ds", "data", "test-00001-of-00002.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "download"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	useRemote(t, RemoteOptions{})
	srv, _ := newFileServer(t, dir)
	ctx := context.Background()

	ds, err := Open(ctx, srv.URL+"/ds", WithSplit("test"))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Layout().Kind != LayoutManifest || ds.Len() != 10 {
		t.Errorf("%s/ds: layout %s, %d rows", srv.URL, ds.Layout().Kind, ds.Len())
	}
	ds.Close()

	ds, err = Open(ctx, srv.URL+"/download")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Layout().Kind != LayoutFile || ds.Len() != 5 {
		t.Errorf("%s/download: layout %s, %d rows", srv.URL, ds.Layout().Kind, ds.Len())
	}
	ds.Close()

	if _, err := Open(ctx, srv.URL+"/nothing/"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "tome.json") {
		t.Errorf("directory without a manifest: %v", err)
	}
	l, err := ResolveLayout(srv.URL+"/ds/", "")
	if err != nil || l.Kind != LayoutManifest || len(l.Splits) != 2 {
		t.Errorf("ResolveLayout of an http directory: %v, %v", l, err)
	}
}

// TestManifestHub opens a manifest dataset from a fake Hub: the listing,
// then tome.json, and nothing else until a shard is read. A shard the
// listing lacks fails the open, named.
func TestManifestHub(t *testing.T) {
	dir := t.TempDir()
	fx := manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 5, rows: 8}
	fx.write(t, dir)
	hub, _ := newFakeHub(t)
	hub.Add("org/ds", "main", dir)
	useRemote(t, RemoteOptions{})

	hub.Reset()
	ds, err := Open(context.Background(), "hf://datasets/org/ds")
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if ds.Layout().Kind != LayoutManifest || ds.Len() != 40 {
		t.Errorf("layout %s, %d rows", ds.Layout().Kind, ds.Len())
	}
	var listings, files int
	for _, r := range hub.Requests() {
		if strings.HasPrefix(r.Path, "/api/") {
			listings++
		} else {
			files++
		}
	}
	if listings != 1 || files != 1 {
		t.Errorf("%d listing and %d file requests, want 1 and 1", listings, files)
	}
	_, want := openFilesDigest(t, shardFiles(ds.Layout().Manifest, "train", localFS(dir).full))
	if _, got := scanDigest(t, ds, nil); got != want {
		t.Error("manifest open from the Hub reads other rows than the local files")
	}

	if err := os.Remove(filepath.Join(dir, "data", "train-00003-of-00005.parquet")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), "hf://datasets/org/ds"); !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), "train-00003-of-00005.parquet") {
		t.Errorf("a shard missing from the listing: %v", err)
	}
}

// TestRemoteInfoFeatures: Features reads a remote save_to_disk folder's
// dataset_info.json as it reads a local one's.
func TestRemoteInfoFeatures(t *testing.T) {
	dir := t.TempDir()
	fx := manifestFixture{format: format.ArrowStream, splits: []string{"train"}, shards: 1, rows: 6}
	fx.write(t, dir)
	// A save_to_disk folder: the shard, state.json and dataset_info.json
	// with the ClassLabel the Arrow schema does not carry.
	sd := filepath.Join(dir, "sd")
	if err := os.MkdirAll(sd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "data", "train-00000-of-00001.arrow"), filepath.Join(sd, "data-00000-of-00001.arrow")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, sd, "state.json", `{"_data_files": [{"filename": "data-00000-of-00001.arrow"}], "_split": "train"}`)
	info := &hf.DatasetInfo{Features: fx.features()}
	if err := hf.WriteDatasetInfo(filepath.Join(sd, "dataset_info.json"), info); err != nil {
		t.Fatal(err)
	}
	hub, _ := newFakeHub(t)
	hub.Add("org/sd", "main", sd)
	useRemote(t, RemoteOptions{})

	local, err := Open(context.Background(), sd)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	remote, err := Open(context.Background(), "hf://datasets/org/sd")
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	want, got := local.Features(), remote.Features()
	if want.Fields[1].Feature.Kind != hf.KindClassLabel {
		t.Fatalf("local features %v lack the ClassLabel", want)
	}
	if string(must(want.MarshalJSON())) != string(must(got.MarshalJSON())) {
		t.Errorf("remote features %s, local %s", must(got.MarshalJSON()), must(want.MarshalJSON()))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestWithRemote opens two datasets with options of their own in one
// process: each one's requests go through its own client, none through the
// process-wide one, and each has its own cache and limiter.
func TestWithRemote(t *testing.T) {
	dir := t.TempDir()
	manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 3, rows: 10}.write(t, dir)
	srv, _ := newFileServer(t, dir)
	global := countingClient()
	useRemote(t, RemoteOptions{Client: global.client})
	a, b := countingClient(), countingClient()
	defer a.close()
	defer b.close()
	cacheA, cacheB := t.TempDir(), t.TempDir()

	open := func(c *countingTransport, cache string) *Dataset {
		ds, err := Open(context.Background(), srv.URL+"/", WithRemote(RemoteOptions{Client: c.client, CacheDir: cache, MaxPerHost: 2}))
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	dsA := open(a, cacheA)
	defer dsA.Close()
	dsB := open(b, "")
	defer dsB.Close()
	_, digestA := scanDigest(t, dsA, nil)
	_, digestB := scanDigest(t, dsB, nil)
	if digestA != digestB {
		t.Error("the two datasets read different rows")
	}
	if a.n.Load() == 0 || b.n.Load() == 0 || global.n.Load() != 0 {
		t.Errorf("requests: %d through A's client, %d through B's, %d through the process-wide one", a.n.Load(), b.n.Load(), global.n.Load())
	}
	// The shards are smaller than the opening tail read, so no read goes
	// to the disk cache: check that A has one and B does not.
	if dsA.cfg.remote.cache == nil || dsB.cfg.remote.cache != nil || dsA.cfg.remote.limiter == currentRemote().limiter {
		t.Error("A has no cache of its own, or B has one, or A shares the process-wide limiter")
	}
	if entries, _ := os.ReadDir(cacheB); len(entries) != 0 {
		t.Errorf("B's cache directory (not given to B) holds %d entries", len(entries))
	}
	if _, err := Open(context.Background(), srv.URL+"/", WithRemote(RemoteOptions{CacheDir: filepath.Join(dir, shard.ManifestFile, "x")})); err == nil {
		t.Error("a cache directory that cannot be made: no error")
	}
}

// countingTransport counts the requests of one client.
type countingTransport struct {
	client *http.Client
	tr     *http.Transport
	n      atomic.Int64
}

func countingClient() *countingTransport {
	c := &countingTransport{tr: http.DefaultTransport.(*http.Transport).Clone()}
	c.client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.n.Add(1)
		return c.tr.RoundTrip(r)
	})}
	return c
}

func (c *countingTransport) close() { c.tr.CloseIdleConnections() }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
