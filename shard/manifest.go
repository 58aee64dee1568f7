package shard

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/atomicfile"
)

// ManifestFile is the name of the manifest at the root of a dataset that
// tome wrote. It is written last, so its presence means every shard it
// lists was complete when it was written.
const ManifestFile = "tome.json"

// ManifestVersion is the manifest format this package writes and reads.
const ManifestVersion = 1

// maxManifestSize bounds the manifest read from disk. A shard entry takes
// about 200 bytes, so this is room for a million shards.
const maxManifestSize = 256 << 20

// A Manifest lists the shards of a dataset, split by split, with what is
// needed to open it, know its length and partition it without touching a
// shard: each shard's path, rows, bytes and SHA-256, and each split's
// schema and Hugging Face features. It is the JSON document tome.json.
type Manifest struct {
	// Version is ManifestVersion.
	Version int `json:"tome_manifest"`
	// Format of every shard: parquet, arrow-file, arrow-stream, jsonl or
	// csv (format.Format's names).
	Format string `json:"format"`
	// Compression is the codec the shards were written with ("" for the
	// format's default or none).
	Compression string `json:"compression,omitempty"`
	// Layout is how the files are arranged: LayoutHub or LayoutSaveToDisk.
	Layout string `json:"layout"`
	// Rows and Bytes total the splits.
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	// Plan identifies the conversion that wrote the dataset (its inputs
	// and options), so a rerun of the same conversion can tell that it
	// has nothing left to do.
	Plan   string          `json:"plan,omitempty"`
	Splits []ManifestSplit `json:"splits"`
}

// The layouts a Manifest records.
const (
	// LayoutHub is the Hugging Face Hub layout:
	// data/{split}-{i:05d}-of-{n:05d}.{ext} and a README.md whose YAML
	// configs name the splits.
	LayoutHub = "hub"
	// LayoutSaveToDisk is datasets' save_to_disk layout.
	LayoutSaveToDisk = "save_to_disk"
)

// ManifestSplit is one split: its shards in order, its schema and its
// Hugging Face features.
type ManifestSplit struct {
	Name  string `json:"name"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
	// Schema is the Arrow schema of every shard.
	Schema Schema `json:"schema"`
	// Features are the split's Hugging Face features (datasets' JSON), or
	// null when the schema has a type datasets cannot describe.
	Features json.RawMessage `json:"features,omitempty"`
	Shards   []ManifestShard `json:"shards"`
}

// ManifestShard is one shard file.
type ManifestShard struct {
	// Path is relative to the dataset root, with forward slashes.
	Path  string `json:"path"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
	// SHA256 is the hex SHA-256 of the file's bytes, so `sha256sum`
	// checks a shard as well as `tome verify` does.
	SHA256 string `json:"sha256"`
}

// ShardRows returns the row count of each shard, in order: what
// internal/order's Config.ShardRows wants to partition the split.
func (s *ManifestSplit) ShardRows() []int64 {
	rows := make([]int64, len(s.Shards))
	for i, sh := range s.Shards {
		rows[i] = sh.Rows
	}
	return rows
}

// Split returns the split called name.
func (m *Manifest) Split(name string) (*ManifestSplit, bool) {
	for i := range m.Splits {
		if m.Splits[i].Name == name {
			return &m.Splits[i], true
		}
	}
	return nil, false
}

// SplitNames lists the splits in manifest order.
func (m *Manifest) SplitNames() []string {
	names := make([]string, len(m.Splits))
	for i, s := range m.Splits {
		names[i] = s.Name
	}
	return names
}

// Total recomputes Rows and Bytes of the splits and the manifest from the
// shards.
func (m *Manifest) Total() {
	m.Rows, m.Bytes = 0, 0
	for i := range m.Splits {
		s := &m.Splits[i]
		s.Rows, s.Bytes = 0, 0
		for _, sh := range s.Shards {
			s.Rows += sh.Rows
			s.Bytes += sh.Bytes
		}
		m.Rows += s.Rows
		m.Bytes += s.Bytes
	}
}

// Encode returns the manifest as indented JSON.
func (m *Manifest) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // types read list<item: int64>, not list\u003c...
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteManifest writes dir/tome.json atomically: a reader sees the old
// manifest or the new one, never part of one.
func WriteManifest(dir string, m *Manifest) error {
	if err := m.Validate(); err != nil {
		return err
	}
	data, err := m.Encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, ManifestFile), data)
}

// ReadManifest reads and validates dir/tome.json. A directory without one
// gives an error wrapping ErrNotFound; a malformed manifest one wrapping
// format.ErrCorrupt, and a newer version one wrapping
// format.ErrUnsupported.
func ReadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestFile)
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (not a dataset written by tome convert, or not finished)", ErrNotFound, name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", name, format.ErrCorrupt, maxManifestSize)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// ParseManifest parses and validates a manifest.
func ParseManifest(data []byte) (*Manifest, error) {
	var probe struct {
		Version *int `json:"tome_manifest"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", format.ErrCorrupt, err)
	}
	if probe.Version == nil {
		return nil, fmt.Errorf("%w: manifest: no tome_manifest version", format.ErrCorrupt)
	}
	if *probe.Version != ManifestVersion {
		return nil, fmt.Errorf("%w: manifest version %d (this tome reads %d)", format.ErrUnsupported, *probe.Version, ManifestVersion)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", format.ErrCorrupt, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	// Encode indents the features with the rest; keep them compact in
	// memory, as they were given.
	for i := range m.Splits {
		if f := m.Splits[i].Features; len(f) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, f); err == nil {
				m.Splits[i].Features = buf.Bytes()
			}
		}
	}
	return &m, nil
}

// Validate checks that the manifest is consistent: known version, format
// and layout, unique plain split names, relative shard paths inside the
// dataset that appear once, non-negative counts that add up, well-formed
// checksums and a decodable schema per split. Errors wrap
// format.ErrCorrupt.
func (m *Manifest) Validate() error {
	bad := func(msg string, args ...any) error {
		return fmt.Errorf("%w: manifest: %s", format.ErrCorrupt, fmt.Sprintf(msg, args...))
	}
	if m.Version != ManifestVersion {
		return bad("version %d, want %d", m.Version, ManifestVersion)
	}
	if f, err := format.ParseFormat(m.Format); err != nil || f.String() != m.Format {
		return bad("unknown format %q", m.Format)
	}
	if m.Layout != LayoutHub && m.Layout != LayoutSaveToDisk {
		return bad("unknown layout %q", m.Layout)
	}
	if len(m.Splits) == 0 {
		return bad("no splits")
	}
	splits := map[string]bool{}
	paths := map[string]bool{}
	var rows, size int64
	for i := range m.Splits {
		s := &m.Splits[i]
		if err := checkSplitName(s.Name); err != nil {
			return bad("split %d: %v", i, err)
		}
		if splits[s.Name] {
			return bad("split %q appears twice", s.Name)
		}
		splits[s.Name] = true
		if _, err := s.Schema.Arrow(); err != nil {
			return fmt.Errorf("manifest: split %q: %w", s.Name, err)
		}
		if len(s.Features) > 0 && !json.Valid(s.Features) {
			return bad("split %q: features are not JSON", s.Name)
		}
		var srows, sbytes int64
		for j, sh := range s.Shards {
			if err := checkShardPath(sh.Path); err != nil {
				return bad("split %q shard %d: %v", s.Name, j, err)
			}
			if paths[sh.Path] {
				return bad("shard %s appears twice", sh.Path)
			}
			paths[sh.Path] = true
			if sh.Rows < 0 || sh.Bytes < 0 {
				return bad("shard %s: negative rows or bytes", sh.Path)
			}
			if b, err := hex.DecodeString(sh.SHA256); err != nil || len(b) != 32 {
				return bad("shard %s: sha256 %q is not 64 hex digits", sh.Path, sh.SHA256)
			}
			srows += sh.Rows
			sbytes += sh.Bytes
			if srows < 0 || sbytes < 0 {
				return bad("split %q: counts overflow", s.Name)
			}
		}
		if srows != s.Rows || sbytes != s.Bytes {
			return bad("split %q says %d rows and %d bytes, its shards add up to %d and %d", s.Name, s.Rows, s.Bytes, srows, sbytes)
		}
		rows += srows
		size += sbytes
		if rows < 0 || size < 0 {
			return bad("counts overflow")
		}
	}
	if rows != m.Rows || size != m.Bytes {
		return bad("says %d rows and %d bytes, its splits add up to %d and %d", m.Rows, m.Bytes, rows, size)
	}
	return nil
}

// checkSplitName accepts names that are safe as a directory or file name
// prefix: what save_to_disk and the Hub layout use them for.
func checkSplitName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
		return fmt.Errorf("split name %q is not a plain name", name)
	}
	return nil
}

// CheckSplitName reports whether name can name a split in a dataset
// directory (a subdirectory or a file name prefix).
func CheckSplitName(name string) error { return checkSplitName(name) }

// checkShardPath accepts clean relative slash paths that stay inside the
// dataset directory.
func checkShardPath(p string) error {
	if p == "" || strings.ContainsAny(p, "\\\x00") || path.IsAbs(p) || path.Clean(p) != p ||
		p == ".." || strings.HasPrefix(p, "../") || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return fmt.Errorf("path %q is not a clean relative path inside the dataset", p)
	}
	return nil
}
