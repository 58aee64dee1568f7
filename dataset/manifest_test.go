package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/shard"
)

// manifestFixture is a dataset as tome convert writes it: Hub layout
// (data/{split}-{i:05d}-of-{n:05d}.{ext}) and tome.json, ids counting up
// across the shards of each split.
type manifestFixture struct {
	format       format.Format
	splits       []string
	shards, rows int // per split, per shard
}

func (f manifestFixture) schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

// features describes label as a ClassLabel, which the Arrow types alone
// cannot tell: Features shows where they came from.
func (f manifestFixture) features() *hf.Features {
	return &hf.Features{Fields: []hf.Field{
		{Name: "id", Feature: hf.Value("int64")},
		{Name: "label", Feature: hf.ClassLabel("neg", "pos")},
		{Name: "text", Feature: hf.Value("string")},
	}}
}

// write writes the dataset into dir and returns its manifest.
func (f manifestFixture) write(t testing.TB, dir string) *shard.Manifest {
	t.Helper()
	schema := f.schema()
	ms, err := shard.NewSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	feats, err := f.features().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	ext := map[format.Format]string{format.Parquet: "parquet", format.ArrowFile: "arrow", format.ArrowStream: "arrow", format.JSONL: "jsonl"}[f.format]
	m := &shard.Manifest{Version: shard.ManifestVersion, Format: f.format.String(), Layout: shard.LayoutHub}
	for _, split := range f.splits {
		name := func(i int) string { return fmt.Sprintf("data/%s-%05d-of-%05d.%s", split, i, f.shards, ext) }
		w, err := shard.NewWriter(schema, shard.WriterOptions{
			Format: f.format, MaxShardRows: int64(f.rows), RowGroupRows: int64(max(f.rows/2, 1)),
			Path: func(i int) string { return filepath.Join(dir, filepath.FromSlash(name(i))) },
		})
		if err != nil {
			t.Fatal(err)
		}
		for s := range f.shards {
			b := manifestBatch(schema, int64(s*f.rows), f.rows)
			err := w.Write(b)
			b.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		written, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		sp := shard.ManifestSplit{Name: split, Schema: ms, Features: feats}
		for _, ws := range written {
			sp.Shards = append(sp.Shards, shard.ManifestShard{Path: name(ws.Index), Rows: ws.Rows, Bytes: ws.Bytes, SHA256: ws.SHA256})
		}
		m.Splits = append(m.Splits, sp)
	}
	m.Total()
	if err := shard.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func manifestBatch(schema *arrow.Schema, first int64, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := first; i < first+int64(n); i++ {
		b.Field(0).(*array.Int64Builder).Append(i)
		b.Field(1).(*array.Int64Builder).Append(i % 2)
		if i%7 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("row %d", i))
		}
	}
	return b.NewRecordBatch()
}

// shardFiles is the manifest's shard paths of split, full under root.
func shardFiles(m *shard.Manifest, split string, full func(string) string) []string {
	ms, _ := m.Split(split)
	var out []string
	for _, sh := range ms.Shards {
		out = append(out, full(sh.Path))
	}
	return out
}

// openedShards counts the shards of d that were opened.
func openedShards(d *Dataset) int {
	n := 0
	for _, sf := range d.files.shards {
		if sf.lazy == nil || sf.lazy.opened() != nil {
			n++
		}
	}
	return n
}

func TestManifestOpenLocal(t *testing.T) {
	for _, f := range []format.Format{format.Parquet, format.ArrowFile, format.JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			fx := manifestFixture{format: f, splits: []string{"train", "test"}, shards: 3, rows: 40}
			dir := t.TempDir()
			m := fx.write(t, dir)
			ctx := context.Background()

			ds, err := Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			if ds.Layout().Kind != LayoutManifest || ds.Layout().Manifest == nil {
				t.Fatalf("layout %s, manifest %v", ds.Layout().Kind, ds.Layout().Manifest != nil)
			}
			if got := ds.Splits(); !slices.Equal(got, []string{"train", "test"}) {
				t.Errorf("splits %v", got)
			}
			if ds.Split() != "train" || ds.Len() != 120 {
				t.Errorf("split %s of %d rows, want train of 120", ds.Split(), ds.Len())
			}
			if diff := shard.SameColumns(fx.schema(), ds.Schema()); diff != "" {
				t.Errorf("schema: %s", diff)
			}
			if got := ds.Features().Fields[1].Feature.Kind; got != hf.KindClassLabel {
				t.Errorf("label is a %v, want the manifest's ClassLabel", got)
			}
			shards := ds.Shards()
			ms, _ := m.Split("train")
			for i, sh := range shards {
				if sh.Rows != 40 || sh.Bytes != ms.Shards[i].Bytes || sh.Format != f.String() {
					t.Errorf("shard %d: %+v, manifest %+v", i, sh, ms.Shards[i])
				}
			}
			if n := openedShards(ds); n != 0 {
				t.Fatalf("%d shards opened before any read", n)
			}

			// The rows are those of the same files opened one by one.
			want, err := OpenFiles(ctx, shardFiles(m, "train", localFS(dir).full))
			if err != nil {
				t.Fatal(err)
			}
			defer want.Close()
			wantRows, wantDigest := scanDigest(t, want, nil)
			gotRows, gotDigest := scanDigest(t, ds, nil)
			if gotRows != wantRows || gotDigest != wantDigest {
				t.Errorf("manifest open reads %d rows (%s), the files %d (%s)", gotRows, gotDigest, wantRows, wantDigest)
			}
			if n := openedShards(ds); n != 3 {
				t.Errorf("%d shards opened after a scan, want 3", n)
			}

			test, err := Open(ctx, filepath.Join(dir, shard.ManifestFile), WithSplit("test"))
			if err != nil {
				t.Fatal(err)
			}
			defer test.Close()
			if rows, _ := scanDigest(t, test, &ScanOptions{Columns: []string{"text"}}); rows != 120 {
				t.Errorf("test split: %d rows", rows)
			}
		})
	}
}

// TestManifestRandomAccess reads rows of a manifest dataset by index
// (which opens every shard, to index their chunks).
func TestManifestRandomAccess(t *testing.T) {
	fx := manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 4, rows: 25}
	dir := t.TempDir()
	fx.write(t, dir)
	ds, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	b, err := ds.Take(context.Background(), []int64{60, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	ids := b.Column(0).(*array.Int64)
	if ids.Value(0) != 60 || ids.Value(1) != 3 {
		t.Errorf("Take(60, 3) gave ids %d, %d", ids.Value(0), ids.Value(1))
	}
}

// TestManifestDisagrees opens datasets whose manifest no longer matches
// the shards: the error comes at the first read and names the shard.
func TestManifestDisagrees(t *testing.T) {
	fx := manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 2, rows: 10}
	second := filepath.Join("data", "train-00001-of-00002.parquet")
	for _, c := range []struct {
		name   string
		break_ func(t *testing.T, dir string, m *shard.Manifest)
		want   error
	}{
		{"schema", func(t *testing.T, dir string, m *shard.Manifest) {
			other := arrow.NewSchema([]arrow.Field{
				{Name: "id", Type: arrow.PrimitiveTypes.Int64},
				{Name: "label", Type: arrow.BinaryTypes.String},
				{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
			}, nil)
			s, err := shard.NewSchema(other)
			if err != nil {
				t.Fatal(err)
			}
			m.Splits[0].Schema = s
			if err := shard.WriteManifest(dir, m); err != nil {
				t.Fatal(err)
			}
		}, ErrSchemaMismatch},
		{"size", func(t *testing.T, dir string, m *shard.Manifest) {
			if err := os.Truncate(filepath.Join(dir, second), m.Splits[0].Shards[1].Bytes-5); err != nil {
				t.Fatal(err)
			}
		}, ErrLayout},
		{"missing", func(t *testing.T, dir string, m *shard.Manifest) {
			if err := os.Remove(filepath.Join(dir, second)); err != nil {
				t.Fatal(err)
			}
		}, ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.break_(t, dir, fx.write(t, dir))
			ds, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err) // the shards are not touched yet
			}
			defer ds.Close()
			_, _, err = digestBatches(ds, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("scan: %v, want %v", err, c.want)
			}
			name := "train-00000-of-00002.parquet" // the schema differs from the first shard on
			if c.name != "schema" {
				name = filepath.Base(second)
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error does not name %s: %v", name, err)
			}
		})
	}
}

// TestManifestCorrupt: a manifest that is not valid fails the open with
// ErrLayout, not a panic or a fallback to the files.
func TestManifestCorrupt(t *testing.T) {
	dir := t.TempDir()
	manifestFixture{format: format.Parquet, splits: []string{"train"}, shards: 1, rows: 5}.write(t, dir)
	if err := os.WriteFile(filepath.Join(dir, shard.ManifestFile), []byte(`{"tome_manifest": 1, "splits": [}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dir); !errors.Is(err, ErrLayout) || !errors.Is(err, format.ErrCorrupt) {
		t.Errorf("corrupt manifest: %v", err)
	}
}
