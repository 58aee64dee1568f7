package shard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/atomicfile"
)

func chunkFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if isChunkName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestDiskCacheReuse(t *testing.T) {
	const size = 1 << 20
	f := newFixture(t, size)
	cache, err := OpenCache(t.TempDir(), CacheOptions{ChunkSize: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Cache = cache

	s := f.open(t, opts)
	checkRead(t, s, f.data, 100000, 500000)
	checkRead(t, s, f.data, 5, 10)
	if n := len(chunkFiles(t, cache.Dir())); n != 5 {
		t.Fatalf("%d chunk files, want 5 (chunks 0 to 4)", n)
	}
	s.Close()

	// A new source, as in a new process, reads the same bytes from disk.
	f.proxy.Reset()
	s = f.open(t, opts)
	checkRead(t, s, f.data, 100000, 500000)
	checkRead(t, s, f.data, 200, 1000)
	if n := f.proxy.Count(); n != 1 {
		t.Fatalf("%d requests, want only the open", n)
	}
	s.Close()

	// A new version of the object misses: no stale bytes.
	f.data = randomBytes(size, 77)
	f.obj.Set(f.data)
	f.proxy.Reset()
	s = f.open(t, opts)
	checkRead(t, s, f.data, 100000, 500000)
	if n := f.proxy.Count(); n != 2 {
		t.Fatalf("%d requests for a new version, want 2", n)
	}
}

func TestDiskCacheDamagedChunk(t *testing.T) {
	f := newFixture(t, 1<<20)
	cache, err := OpenCache(t.TempDir(), CacheOptions{ChunkSize: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Cache = cache
	opts.BlockCacheBytes = -1
	s := f.open(t, opts)
	checkRead(t, s, f.data, 0, 1000)
	files := chunkFiles(t, cache.Dir())
	if len(files) != 1 {
		t.Fatalf("chunk files %v", files)
	}
	path := filepath.Join(cache.Dir(), files[0])
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[500] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f.proxy.Reset()
	checkRead(t, s, f.data, 0, 1000)
	if f.proxy.Count() != 1 {
		t.Fatalf("%d requests: the damaged chunk was not refetched", f.proxy.Count())
	}
	if got, _ := os.ReadFile(path); string(got) == string(b) {
		t.Fatal("the damaged chunk is still there")
	}
}

func TestDiskCacheEviction(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "notes.txt")
	lookalike := filepath.Join(dir, strings.Repeat("a", 40)+"-00000000000z.chunk")
	oldTemp := filepath.Join(dir, atomicfile.TempPrefix+strings.Repeat("b", 40)+"-000000000000.chunk-123")
	newTemp := filepath.Join(dir, atomicfile.TempPrefix+strings.Repeat("c", 40)+"-000000000000.chunk-456")
	for _, p := range []string{foreign, lookalike, oldTemp, newTemp} {
		if err := os.WriteFile(p, make([]byte, 50000), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(oldTemp, old, old); err != nil {
		t.Fatal(err)
	}

	f := newFixture(t, 1<<20)
	cache, err := OpenCache(dir, CacheOptions{ChunkSize: 64 << 10, MaxBytes: 300 << 10})
	if err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Cache = cache
	opts.BlockCacheBytes = -1
	s := f.open(t, opts)
	for off := int64(0); off < 1<<20; off += 64 << 10 {
		checkRead(t, s, f.data, off, 10)
		time.Sleep(2 * time.Millisecond) // distinct modification times
	}
	var total int64
	for _, name := range chunkFiles(t, dir) {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	if total > 300<<10 {
		t.Fatalf("cache holds %d bytes, over its budget", total)
	}
	for _, p := range []string{foreign, lookalike, newTemp} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("eviction removed a file that is not a chunk: %v", err)
		}
	}
	if _, err := os.Stat(oldTemp); !os.IsNotExist(err) {
		t.Fatalf("an abandoned temporary chunk survived: %v", err)
	}
	// The most recent chunks stayed; the first ones went.
	f.proxy.Reset()
	checkRead(t, s, f.data, 1<<20-10, 10)
	checkRead(t, s, f.data, 0, 10)
	if n := f.proxy.Count(); n != 1 {
		t.Fatalf("%d requests, want 1: the last chunk cached, the first evicted", n)
	}
}

// TestDiskCacheShared: two caches on one directory, as two processes
// would have, read and write the same chunks at once.
func TestDiskCacheShared(t *testing.T) {
	const size = 2 << 20
	f := newFixture(t, size)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			cache, err := OpenCache(dir, CacheOptions{ChunkSize: 64 << 10, MaxBytes: 1 << 20})
			if err != nil {
				t.Error(err)
				return
			}
			opts := f.options()
			opts.Cache = cache
			s, err := OpenHTTP(context.Background(), f.url, opts)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			for j := range 20 {
				off := int64((i*7+j*13)%32) * (64 << 10)
				checkRead(t, s, f.data, off, 100000)
			}
		})
	}
	wg.Wait()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if atomicfile.IsTemp(e.Name()) {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestDiskCacheNeedsValidator(t *testing.T) {
	cache, err := OpenCache(t.TempDir(), CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cache.object("http://x/y", "", 10) != nil {
		t.Fatal("an object without an identity got a cache entry")
	}
	a, b := cache.object("http://x/y", `"e1"`, 10), cache.object("http://x/y", `"e2"`, 10)
	if a.key == b.key {
		t.Fatal("two versions share a key")
	}
}
