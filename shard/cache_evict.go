package shard

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tome-data/tome/internal/atomicfile"
)

// staleTemp is the age at which a temporary chunk file is taken to be
// abandoned by a crashed writer rather than being written right now.
const staleTemp = 24 * time.Hour

type cacheFile struct {
	name  string
	size  int64
	mtime time.Time
}

// files lists the cache's chunk files, and removes its stale temporary ones.
func (c *Cache) files() ([]cacheFile, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, err
	}
	var files []cacheFile
	for _, e := range entries {
		name := e.Name()
		own, temp := isChunkName(name), isTempChunk(name)
		if !own && !temp {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue // gone since ReadDir, or not a file we wrote
		}
		if temp {
			if time.Since(info.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(c.dir, name))
			}
			continue
		}
		files = append(files, cacheFile{name, info.Size(), info.ModTime()})
	}
	return files, nil
}

// isTempChunk reports whether name is a temporary file atomicfile made for
// a chunk: its prefix, a chunk name, a dash and a random suffix.
func isTempChunk(name string) bool {
	if !atomicfile.IsTemp(name) {
		return false
	}
	rest := strings.TrimPrefix(name, atomicfile.TempPrefix)
	i := strings.LastIndexByte(rest, '-')
	return i > 0 && isChunkName(rest[:i])
}

func (c *Cache) scan() (int64, error) {
	files, err := c.files()
	var used int64
	for _, f := range files {
		used += f.size
	}
	return used, err
}

// evict deletes the least recently used chunks until the cache holds at
// most nine tenths of its budget. Other processes may evict at the same
// time; a chunk one of them removed first is simply skipped.
func (c *Cache) evict() {
	if !c.evicting.TryLock() {
		return // another goroutine is at it
	}
	defer c.evicting.Unlock()
	files, err := c.files()
	if err != nil {
		return
	}
	var used int64
	for _, f := range files {
		used += f.size
	}
	slices.SortFunc(files, func(a, b cacheFile) int { return a.mtime.Compare(b.mtime) })
	target := c.budget / 10 * 9
	for _, f := range files {
		if used <= target {
			break
		}
		if err := os.Remove(filepath.Join(c.dir, f.name)); err == nil || errors.Is(err, fs.ErrNotExist) {
			used -= f.size
		}
	}
	c.used.Store(used)
}
