package shard_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// Write 10 rows as Parquet shards of at most 4 rows, then describe them
// in a manifest.
func ExampleWriter() {
	dir, _ := os.MkdirTemp("", "shards")
	defer os.RemoveAll(dir)

	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	batch, _, _ := array.RecordFromJSON(memory.DefaultAllocator, schema,
		strings.NewReader(`[{"n":0},{"n":1},{"n":2},{"n":3},{"n":4},{"n":5},{"n":6},{"n":7},{"n":8},{"n":9}]`))
	defer batch.Release()

	w, err := shard.NewWriter(schema, shard.WriterOptions{
		Format:       format.Parquet,
		MaxShardRows: 4,
		Path:         func(i int) string { return filepath.Join(dir, fmt.Sprintf("part-%d.parquet", i)) },
	})
	if err != nil {
		panic(err)
	}
	if err := w.Write(batch); err != nil {
		panic(err)
	}
	written, err := w.Close()
	if err != nil {
		panic(err)
	}

	s, _ := shard.NewSchema(schema)
	split := shard.ManifestSplit{Name: "train", Schema: s}
	for _, ws := range written {
		split.Shards = append(split.Shards, shard.ManifestShard{
			Path: filepath.Base(ws.Path), Rows: ws.Rows, Bytes: ws.Bytes, SHA256: ws.SHA256})
	}
	m := &shard.Manifest{Version: shard.ManifestVersion, Format: "parquet", Layout: shard.LayoutHub, Splits: []shard.ManifestSplit{split}}
	m.Total()
	if err := shard.WriteManifest(dir, m); err != nil {
		panic(err)
	}

	back, _ := shard.ReadManifest(dir)
	train, _ := back.Split("train")
	fmt.Println(back.Rows, "rows in shards of", train.ShardRows())
	// Output: 10 rows in shards of [4 4 2]
}
