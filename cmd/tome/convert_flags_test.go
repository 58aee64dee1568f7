package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/conformance"
)

// parquetShape opens one Parquet shard and returns its row group sizes
// and the codec of its first column chunk.
func parquetShape(t *testing.T, path string) (groups []int64, codec compress.Compression) {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := range r.NumRowGroups() {
		rg := r.MetaData().RowGroup(i)
		groups = append(groups, rg.NumRows())
		cc, err := rg.ColumnChunk(0)
		if err != nil {
			t.Fatal(err)
		}
		codec = cc.Compression()
	}
	return groups, codec
}

// --row-group-size, --compression and --level reach the Parquet files.
func TestConvertParquetFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name  string
		args  []string
		codec compress.Compression
	}{
		{"default", nil, compress.Codecs.Zstd},
		{"zstd19", []string{"--compression", "zstd", "--level", "19"}, compress.Codecs.Zstd},
		{"gzip9", []string{"--compression", "gzip", "--level", "9"}, compress.Codecs.Gzip},
		{"snappy", []string{"--compression", "snappy"}, compress.Codecs.Snappy},
		{"none", []string{"--compression", "none"}, compress.Codecs.Uncompressed},
	} {
		dst := filepath.Join(dir, tt.name)
		convertOK(t, append(append([]string{"--to", "parquet", "--row-group-size", "70"}, tt.args...), reviews, dst)...)
		m := readManifest(t, dst)
		sh := m.Splits[0].Shards[0]
		groups, codec := parquetShape(t, filepath.Join(dst, filepath.FromSlash(sh.Path)))
		if codec != tt.codec {
			t.Errorf("%v: codec %v, want %v", tt.args, codec, tt.codec)
		}
		for i, n := range groups {
			if n != 70 && i != len(groups)-1 || n > 70 {
				t.Fatalf("%v: row groups of %v rows, want 70 each", tt.args, groups)
			}
		}
		if len(groups) < 2 {
			t.Fatalf("%v: %d row groups", tt.args, len(groups))
		}
	}
	// A higher level compresses at least as well.
	small := readManifest(t, filepath.Join(dir, "zstd19")).Bytes
	dflt := readManifest(t, filepath.Join(dir, "default")).Bytes
	if small > dflt {
		t.Errorf("--level 19 wrote %d bytes, the default level %d", small, dflt)
	}
}

// --split picks a DatasetDict's splits, which stay splits.
func TestConvertSplitSubset(t *testing.T) {
	src := conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict")
	for _, to := range []string{"parquet", "hf"} {
		dst := filepath.Join(t.TempDir(), to)
		convertOK(t, "--to", to, "--split", "test,train", src, dst)
		got := splitsOf(t, dst)
		slices.Sort(got)
		if !slices.Equal(got, []string{"test", "train"}) {
			t.Fatalf("--to %s --split test,train: splits %v", to, got)
		}
		for _, s := range got {
			if n := len(canonicalLines(t, dst, dataset.WithSplit(s))); n != len(canonicalLines(t, src, dataset.WithSplit(s))) {
				t.Fatalf("--to %s: split %s has %d rows", to, s, n)
			}
		}
	}
}
