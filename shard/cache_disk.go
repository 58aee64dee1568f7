package shard

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tome-data/tome/internal/atomicfile"
)

// Defaults of CacheOptions.
const (
	DefaultCacheBytes     = 4 << 30
	DefaultCacheChunkSize = 1 << 20
)

// maxRunChunks bounds the chunks one request fetches for the disk cache,
// and so the memory a read of missing chunks holds at once.
const maxRunChunks = 8

// CacheOptions configure OpenCache. The zero value uses the defaults.
type CacheOptions struct {
	// MaxBytes is the budget of the cache files; zero means
	// DefaultCacheBytes. It is checked after writes: going over it evicts
	// the least recently used chunks, down to nine tenths of it.
	MaxBytes int64

	// ChunkSize is the unit of caching: reads are widened to whole chunks,
	// which are fetched, stored and evicted as one file each. Zero means
	// DefaultCacheChunkSize. Processes sharing a directory with different
	// chunk sizes do not share chunks.
	ChunkSize int64
}

// Cache is an on-disk cache of the bytes of remote objects, for the sources
// that name it in HTTPOptions.Cache. A source uses it only when its server
// gave a validator: chunks are filed under the URL, the ETag (or
// Last-Modified date) and the size, so bytes of another version of the
// object are never reused — a changed object simply misses.
//
// # Concurrency
//
// A Cache is safe for concurrent use, and several processes may share a
// directory: every chunk is written to a uniquely named temporary file and
// renamed into place, so a reader sees a complete chunk or none, and each
// chunk carries a checksum that is verified on every read. Eviction
// deletes only files this package names: chunk files and, once they are a
// day old, its own abandoned temporary files. Anything else in the
// directory is left alone.
type Cache struct {
	dir    string
	budget int64
	chunk  int64

	evicting sync.Mutex   // one eviction at a time in this process
	used     atomic.Int64 // bytes in chunk files, as of the last scan plus writes since
}

// OpenCache opens (creating it if needed) a cache in dir.
func OpenCache(dir string, opts CacheOptions) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("opening cache: %w", err)
	}
	c := &Cache{dir: dir, budget: opts.MaxBytes, chunk: opts.ChunkSize}
	if c.budget <= 0 {
		c.budget = DefaultCacheBytes
	}
	if c.chunk <= 0 {
		c.chunk = DefaultCacheChunkSize
	}
	used, err := c.scan()
	if err != nil {
		return nil, fmt.Errorf("opening cache: %w", err)
	}
	c.used.Store(used)
	return c, nil
}

// Dir returns the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// cachedObject is one version of one remote object in the cache.
type cachedObject struct {
	c    *Cache
	key  string
	size int64
}

// object returns the cache entry for a version of an object, or nil when
// the version has no identity to validate reuse by.
func (c *Cache) object(url, identity string, size int64) *cachedObject {
	if identity == "" {
		return nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d", url, identity, size, c.chunk)
	return &cachedObject{c: c, key: hex.EncodeToString(h.Sum(nil)[:keyBytes]), size: size}
}

// read fills p with the bytes at off: chunks on disk are read from there,
// runs of missing chunks are fetched whole and stored.
func (o *cachedObject) read(ctx context.Context, p []byte, off int64, fetch loader) error {
	cs := o.c.chunk
	end := off + int64(len(p))
	for idx := off / cs; idx*cs < end; {
		if data, ok := o.load(idx); ok {
			o.copyOut(p, off, idx*cs, data)
			idx++
			continue
		}
		j := idx + 1
		for j*cs < end && j-idx < maxRunChunks && !o.has(j) {
			j++
		}
		runOff, runEnd := idx*cs, min(j*cs, o.size)
		buf := make([]byte, runEnd-runOff)
		if err := fetch(ctx, buf, runOff); err != nil {
			return err
		}
		for k := idx; k < j; k++ {
			o.store(k, buf[(k-idx)*cs:min((k-idx+1)*cs, int64(len(buf)))])
		}
		o.copyOut(p, off, runOff, buf)
		idx = j
	}
	return nil
}

// copyOut copies into p (which holds the bytes at off) the overlap with
// data (which holds the bytes at at).
func (o *cachedObject) copyOut(p []byte, off, at int64, data []byte) {
	from := max(off, at)
	to := min(off+int64(len(p)), at+int64(len(data)))
	if from < to {
		copy(p[from-off:to-off], data[from-at:to-at])
	}
}

// chunkLen is the length of chunk idx: the chunk size, less for the last.
func (o *cachedObject) chunkLen(idx int64) int64 {
	return min(o.c.chunk, o.size-idx*o.c.chunk)
}

func (o *cachedObject) path(idx int64) string {
	return o.c.dir + string(os.PathSeparator) + chunkName(o.key, idx)
}

func (o *cachedObject) has(idx int64) bool {
	st, err := os.Stat(o.path(idx))
	return err == nil && st.Size() == o.chunkLen(idx)+trailerLen
}

// load reads chunk idx, if present and intact. A damaged chunk is removed.
func (o *cachedObject) load(idx int64) ([]byte, bool) {
	path := o.path(idx)
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	want := o.chunkLen(idx)
	if err != nil || st.Size() != want+trailerLen {
		return nil, false // being replaced, or not ours to judge
	}
	buf := make([]byte, want+trailerLen)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, false
	}
	data, ok := openChunk(buf)
	if !ok {
		_ = os.Remove(path)
		return nil, false
	}
	// Eviction goes by modification time; refreshing it on use makes it
	// least recently used. Once a minute is precise enough.
	if now := time.Now(); now.Sub(st.ModTime()) > time.Minute {
		_ = os.Chtimes(path, now, now)
	}
	return data, true
}

// store writes chunk idx. The cache is an optimisation: a chunk that cannot
// be written (a full disk, a removed directory) is simply not cached.
func (o *cachedObject) store(idx int64, data []byte) {
	f, err := atomicfile.Create(o.path(idx))
	if err != nil {
		return
	}
	if _, err := f.Write(sealChunk(data)); err != nil {
		_ = f.Abort()
		return
	}
	if err := f.Commit(); err != nil {
		return
	}
	if o.c.used.Add(int64(len(data))+trailerLen) > o.c.budget {
		o.c.evict()
	}
}

// A chunk file is the chunk's bytes followed by a trailer: the CRC-32C of
// the bytes and a magic that names the layout.
const (
	trailerLen = 8
	chunkMagic = "TMC1"
	keyBytes   = 20 // of a SHA-256, as 40 hex digits
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func sealChunk(data []byte) []byte {
	out := make([]byte, len(data)+trailerLen)
	copy(out, data)
	binary.LittleEndian.PutUint32(out[len(data):], crc32.Checksum(data, castagnoli))
	copy(out[len(data)+4:], chunkMagic)
	return out
}

func openChunk(buf []byte) ([]byte, bool) {
	if len(buf) < trailerLen {
		return nil, false
	}
	data, trailer := buf[:len(buf)-trailerLen], buf[len(buf)-trailerLen:]
	if string(trailer[4:]) != chunkMagic || binary.LittleEndian.Uint32(trailer) != crc32.Checksum(data, castagnoli) {
		return nil, false
	}
	return data, true
}

// chunkName is "<40 hex digits of key>-<12 hex digits of index>.chunk".
func chunkName(key string, idx int64) string {
	s := strconv.FormatInt(idx, 16)
	for len(s) < 12 {
		s = "0" + s
	}
	return key + "-" + s + ".chunk"
}

// isChunkName reports whether name is a chunkName.
func isChunkName(name string) bool {
	const n = 2*keyBytes + 1 + 12 + len(".chunk")
	if len(name) != n || name[2*keyBytes] != '-' || name[n-6:] != ".chunk" {
		return false
	}
	for i := 0; i < n-6; i++ {
		if i == 2*keyBytes {
			continue
		}
		if c := name[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
