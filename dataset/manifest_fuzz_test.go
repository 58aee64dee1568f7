package dataset

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// FuzzManifestOpen opens a dataset whose tome.json is arbitrary bytes next
// to real shards: Open and a scan either work or fail with an error, never
// panic, and what opens has the length its manifest gives.
func FuzzManifestOpen(f *testing.F) {
	dir := f.TempDir()
	manifestFixture{format: format.Parquet, splits: []string{"train", "test"}, shards: 2, rows: 3}.write(f, dir)
	valid, err := os.ReadFile(filepath.Join(dir, shard.ManifestFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"tome_manifest": 1}`))
	f.Add([]byte(`{"tome_manifest": 1, "format": "parquet", "layout": "hub", "rows": 0, "bytes": 0, "splits": [{"name": "train", "rows": 0, "bytes": 0, "schema": {"fields": [], "ipc": ""}, "shards": []}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, shard.ManifestFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		ds, err := Open(context.Background(), dir)
		if err != nil {
			return
		}
		defer ds.Close()
		m := ds.Layout().Manifest
		if m == nil {
			t.Fatal("opened from tome.json without its manifest")
		}
		ms, _ := m.Split(ds.Split())
		if ds.Len() != ms.Rows {
			t.Fatalf("Len %d, manifest split %d rows", ds.Len(), ms.Rows)
		}
		rows, _, err := digestBatches(ds, nil)
		if err == nil && rows != ms.Rows {
			t.Fatalf("scanned %d rows without error, manifest says %d", rows, ms.Rows)
		}
	})
}
