package dataset_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// writeManifestDataset writes what tome convert writes: Parquet shards of
// three ids each and the manifest tome.json that lists them.
func writeManifestDataset(dir string, shards int) error {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	name := func(i int) string { return fmt.Sprintf("data/train-%05d-of-%05d.parquet", i, shards) }
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return err
	}
	w, err := shard.NewWriter(schema, shard.WriterOptions{Format: format.Parquet, MaxShardRows: 3,
		Path: func(i int) string { return filepath.Join(dir, name(i)) }})
	if err != nil {
		return err
	}
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := range 3 * shards {
		b.Append(int64(i))
	}
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		return err
	}
	written, err := w.Close()
	if err != nil {
		return err
	}
	s, err := shard.NewSchema(schema)
	if err != nil {
		return err
	}
	split := shard.ManifestSplit{Name: "train", Schema: s}
	for _, ws := range written {
		split.Shards = append(split.Shards, shard.ManifestShard{Path: name(ws.Index), Rows: ws.Rows, Bytes: ws.Bytes, SHA256: ws.SHA256})
	}
	m := &shard.Manifest{Version: shard.ManifestVersion, Format: "parquet", Layout: shard.LayoutHub, Splits: []shard.ManifestSplit{split}}
	m.Total()
	return shard.WriteManifest(dir, m)
}

// Open reads a dataset that tome convert wrote from its manifest: over
// HTTP, the directory's URL costs one request for tome.json, and the
// length, schema and shards are known before any shard is read.
// WithRemote gives this Open remote options of its own.
func ExampleOpen_manifest() {
	dir, err := os.MkdirTemp("", "manifest")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if err := writeManifestDataset(dir, 4); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	ds, err := dataset.Open(context.Background(), srv.URL+"/", dataset.WithRemote(dataset.RemoteOptions{MaxPerHost: 4}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ds.Close()
	fmt.Println(ds.Layout().Kind, ds.Len(), "rows in", len(ds.Shards()), "shards")
	var ids []int64
	for b, err := range ds.Batches(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, b.Column(0).(*array.Int64).Int64Values()...)
	}
	fmt.Println(ids)
	// Output:
	// manifest 12 rows in 4 shards
	// [0 1 2 3 4 5 6 7 8 9 10 11]
}
