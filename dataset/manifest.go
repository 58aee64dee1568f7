package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// maxManifestBytes bounds a manifest read over the network, as
// shard.ReadManifest bounds one read from disk: room for a million shards.
const maxManifestBytes = 256 << 20

// resolveOpenLayout is the layout Open reads: a dataset's manifest when it
// has one, else what its files and description files say (resolveLayout).
//
// A local directory or an hf:// folder has a manifest when tome.json is in
// it (the Hub's listing says so for free). An http(s) directory cannot be
// listed, so a URL ending in "/" or naming tome.json must have one, and a
// URL without a data file's extension is tried as a directory before it
// is read as a file.
func resolveOpenLayout(ctx context.Context, uri string, cfg openConfig) (*Layout, error) {
	rs := cfg.remoteState()
	switch remoteScheme(uri) {
	case schemeHTTP:
		if httpNamesDir(uri) {
			return resolveHTTPManifest(ctx, uri, rs, true)
		}
		if !isDataFile(httpBase(uri)) {
			l, err := resolveHTTPManifest(ctx, uri, rs, false)
			if l != nil || err != nil {
				return l, err
			}
		}
		return fileLayout(uri), nil
	case schemeHub:
		return resolveHub(ctx, uri, cfg.config, rs, true)
	}
	if l, ok, err := resolveLocalManifest(uri); ok || err != nil {
		return l, err
	}
	return resolveLayout(ctx, uri, cfg.config, rs)
}

// resolveLocalManifest reads dir/tome.json when path is a directory that
// has one, or is tome.json itself.
func resolveLocalManifest(p string) (*Layout, bool, error) {
	dir := p
	if filepath.Base(p) == shard.ManifestFile {
		dir = filepath.Dir(p)
	} else if st, err := os.Stat(filepath.Join(p, shard.ManifestFile)); err != nil || st.IsDir() {
		return nil, false, nil
	}
	m, err := shard.ReadManifest(dir)
	if err != nil {
		if errors.Is(err, shard.ErrNotFound) {
			return nil, true, fmt.Errorf("%w: %v", ErrNotFound, err)
		}
		return nil, true, fmt.Errorf("%w: %w", ErrLayout, err)
	}
	return manifestLayout(dir, m, localFS(dir).full, nil), true, nil
}

// httpNamesDir reports an http(s) URL that can only name a dataset
// directory: its path is empty, ends in "/", or is tome.json.
func httpNamesDir(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil {
		return false
	}
	return u.Path == "" || strings.HasSuffix(u.Path, "/") || path.Base(u.Path) == shard.ManifestFile
}

// httpBase is the last element of a URL's path.
func httpBase(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return path.Base(u.Path)
}

// resolveHTTPManifest reads the manifest of the dataset directory uri
// names (the directory, or its tome.json): one request when the manifest
// fits in the opening tail read. Without required, a missing manifest
// gives (nil, nil), so the caller reads uri as a file.
func resolveHTTPManifest(ctx context.Context, uri string, rs *remoteState, required bool) (*Layout, error) {
	root, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrNotFound, uri, err)
	}
	if path.Base(root.Path) == shard.ManifestFile {
		root.Path = strings.TrimSuffix(root.Path, shard.ManifestFile)
		root.RawPath = ""
	}
	manifestURL := root.JoinPath(shard.ManifestFile).String()
	src, err := shard.OpenHTTP(ctx, manifestURL, rs.httpOptions())
	if errors.Is(err, shard.ErrNotFound) && !required {
		return nil, nil
	}
	if errors.Is(err, shard.ErrNotFound) {
		return nil, fmt.Errorf("%w: %v (a URL directory cannot be listed: name a data file, or a directory tome convert wrote)", ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	data, err := readSource(ctx, src, maxManifestBytes)
	if err != nil {
		return nil, err
	}
	m, err := shard.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLayout, src.Name(), err)
	}
	full := func(rel string) string { return root.JoinPath(strings.Split(rel, "/")...).String() }
	return manifestLayout(strings.TrimSuffix(uri, shard.ManifestFile), m, full, nil), nil
}

// manifestLayoutFS reads the manifest of a listed folder; shards the
// listing does not hold are missing.
func manifestLayoutFS(fsys *hubFS) (*Layout, error) {
	data, err := fsys.readSmall(shard.ManifestFile, maxManifestBytes)
	if err != nil {
		return nil, err
	}
	m, err := shard.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrLayout, fsys.full(shard.ManifestFile), err)
	}
	return manifestLayout(fsys.root(), m, fsys.full, fsys.exists), nil
}

// manifestLayout lays the manifest's splits out: each shard's path made
// full, in manifest order. exists, when the shards' presence is known
// without asking (a listing), sorts out the missing ones.
func manifestLayout(root string, m *shard.Manifest, full func(rel string) string, exists func(rel string) bool) *Layout {
	l := &Layout{Root: root, Kind: LayoutManifest, Manifest: m}
	for _, s := range m.Splits {
		sl := SplitLayout{Name: s.Name}
		for _, sh := range s.Shards {
			if exists != nil && !exists(sh.Path) {
				sl.Missing = append(sl.Missing, full(sh.Path))
				continue
			}
			sl.Files = append(sl.Files, full(sh.Path))
		}
		l.Splits = append(l.Splits, sl)
	}
	return l
}

// readSource reads a whole small remote file.
func readSource(ctx context.Context, src shard.Source, max int64) ([]byte, error) {
	if src.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrLayout, src.Name(), src.Size(), max)
	}
	b := make([]byte, src.Size())
	var err error
	if cr, ok := src.(contextReader); ok {
		_, err = cr.ReadAtContext(ctx, b, 0)
	} else {
		_, err = src.ReadAt(b, 0)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}

// manifestShards is the shard set of a manifest's split: every shard
// known by its manifest entry and opened on first read (lazyShard), the
// row counts and the schema taken from the manifest.
func manifestShards(m *shard.Manifest, split string, files []string, cfg openConfig) (*shardSet, *arrow.Schema, error) {
	ms, ok := m.Split(split)
	if !ok || len(ms.Shards) != len(files) {
		return nil, nil, fmt.Errorf("%w: the manifest has no split %q", ErrSplit, split)
	}
	schema, err := ms.Schema.Arrow()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: manifest split %q: %w", ErrLayout, split, err)
	}
	f, err := format.ParseFormat(m.Format)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: manifest: %w", ErrLayout, err)
	}
	set := &shardSet{}
	set.refs.Store(1)
	for i, entry := range ms.Shards {
		kind := format.Kind{Format: f, Compression: compressionOf(files[i])}
		set.shards = append(set.shards, newLazyShard(files[i], kind, entry, schema, cfg))
	}
	set.starts = rowStarts(set.shards)
	return set, schema, nil
}

// compressionOf guesses a text shard's compression from its name, for
// ShardInfo before the shard is opened; opening detects it from content.
func compressionOf(name string) format.Compression {
	switch strings.ToLower(path.Ext(name)) {
	case ".gz":
		return format.Gzip
	case ".zst", ".zstd":
		return format.Zstd
	}
	return format.Uncompressed
}
