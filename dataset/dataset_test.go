package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
	"github.com/tome-data/tome/internal/conformance"
)

// Row counts of the conformance Hugging Face datasets, from the data (the
// manifest of the conformance folder), per split.
var conformanceRows = []struct {
	dir   string
	split string
	rows  int64
}{
	{"hf/save_to_disk/proxyqa_single_dataset", "", 100},
	{"hf/save_to_disk/ads_thesis_text_datasetdict", "train", 1715},
	{"hf/save_to_disk/ads_thesis_text_datasetdict", "test", 429},
	{"hf/save_to_disk/insuranceqa_datasetdict", "valid", 12888},
	{"hf/save_to_disk/ocr_screenshots_tiny_datasetdict", "validation", 2},
	{"hf/save_to_disk/poubelle_datasetdict", "val", 868},
	{"hf/save_to_disk/probforecast_timeseries_datasetdict", "train", 1},
	{"hf/save_to_disk/financial_cls_tokenized_only_test_present", "test", 648},
	{"hf/save_to_disk/figurative_lang_partial", "validation", 1221},
	{"hf/save_to_disk/amharic_ner_arrow_only_no_json", "test", 1},
	{"hf/hf_cache/financial_classification_builder_cache", "", 14388},
	{"hf/hub_parquet/tweet_eval_irony", "train", 2862},
	{"hf/hub_parquet/ner_mountain_sequences", "train", 3064},
	{"hf/hub_parquet/huggan_few-shot-cat", "", 160},
	{"hf/hub_parquet/tamil_sangam_pandas", "", 1052},
}

func TestOpenConformanceRowCounts(t *testing.T) {
	ctx := context.Background()
	for _, tt := range conformanceRows {
		t.Run(filepath.Base(tt.dir)+"/"+tt.split, func(t *testing.T) {
			ds, err := Open(ctx, conformance.Dir(t, tt.dir), WithSplit(tt.split))
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			if ds.Len() != tt.rows {
				t.Errorf("Len = %d, want %d", ds.Len(), tt.rows)
			}
			var scanned int64
			for b, err := range ds.Batches(ctx, nil) {
				if err != nil {
					t.Fatal(err)
				}
				if !b.Schema().Equal(ds.Schema()) {
					t.Fatalf("batch schema %s differs from dataset schema %s", b.Schema(), ds.Schema())
				}
				scanned += b.NumRows()
			}
			if scanned != tt.rows {
				t.Errorf("scanned %d rows, want %d", scanned, tt.rows)
			}
		})
	}
}

func TestOpenMissingFilesAreNamed(t *testing.T) {
	ctx := context.Background()
	dir := conformance.Dir(t, "hf/save_to_disk/sst2_datasetdict_train_arrow_missing")
	_, err := Open(ctx, dir) // the default split, train, lost its data file
	if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), filepath.Join("train", "data-00000-of-00001.arrow")) {
		t.Fatalf("err = %v, want ErrLayout naming train/data-00000-of-00001.arrow", err)
	}
	ds, err := Open(ctx, dir, WithSplit("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if got := ds.Splits(); strings.Join(got, ",") != "train,validation,test" {
		t.Errorf("splits %v", got)
	}
	if _, err := Open(ctx, dir, WithSplit("nope")); !errors.Is(err, ErrSplit) {
		t.Errorf("unknown split: %v", err)
	}
}

func TestOpenMalformedRealWorld(t *testing.T) {
	for _, f := range conformance.Glob(t, "hf/malformed_realworld/*/*") {
		_, err := Open(context.Background(), f)
		if !errors.Is(err, format.ErrNotData) {
			t.Errorf("%s: err = %v, want ErrNotData", f, err)
		}
	}
}

// writeShards writes n shards of rows int64 ids (0, 1, 2, ... across
// shards) in the given format, batches of batchRows, and returns the dir.
func writeShards(t *testing.T, ext string, shards, rowsPerShard, batchRows int) string {
	t.Helper()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	id := int64(0)
	for s := range shards {
		f, err := os.Create(filepath.Join(dir, "shard-"+strconv.Itoa(s)+ext))
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		switch ext {
		case ".parquet":
			w, err = parquet.NewWriter(f, schema, parquet.WriteOptions{RowGroupRows: int64(batchRows)})
		case ".arrow":
			w, err = ipc.NewStreamWriter(f, schema, ipc.WriteOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < rowsPerShard; off += batchRows {
			b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			for range min(batchRows, rowsPerShard-off) {
				b.Field(0).(*array.Int64Builder).Append(id)
				if id%5 == 0 {
					b.Field(1).AppendNull()
				} else {
					b.Field(1).(*array.StringBuilder).Append("row " + strconv.Itoa(int(id)))
				}
				id++
			}
			rec := b.NewRecordBatch()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			b.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// ids collects the id column of every batch.
func ids(t *testing.T, ds *Dataset, opts *ScanOptions) []int64 {
	t.Helper()
	var out []int64
	for b, err := range ds.Batches(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		if opts != nil && opts.BatchRows > 0 && b.NumRows() > int64(opts.BatchRows) {
			t.Fatalf("batch of %d rows, want at most %d", b.NumRows(), opts.BatchRows)
		}
		col := b.Column(b.Schema().FieldIndices("id")[0]).(*array.Int64)
		out = append(out, col.Int64Values()...)
	}
	return out
}

func TestDirectoryOfShardsInNaturalOrder(t *testing.T) {
	for _, ext := range []string{".parquet", ".arrow"} {
		t.Run(ext, func(t *testing.T) {
			dir := writeShards(t, ext, 12, 250, 100) // shard-10 must come after shard-9
			ds, err := Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			if ds.Len() != 3000 || len(ds.Shards()) != 12 {
				t.Fatalf("Len %d, shards %d", ds.Len(), len(ds.Shards()))
			}
			for _, opts := range []*ScanOptions{nil, {BatchRows: 64}, {BatchRows: 1000, Columns: []string{"id"}}, {Columns: []string{"name", "id"}}} {
				got := ids(t, ds, opts)
				if len(got) != 3000 {
					t.Fatalf("%+v: %d rows", opts, len(got))
				}
				for i, v := range got {
					if v != int64(i) {
						t.Fatalf("%+v: row %d has id %d", opts, i, v)
					}
				}
			}
		})
	}
}

func TestUnknownColumn(t *testing.T) {
	dir := writeShards(t, ".arrow", 1, 10, 10)
	ds, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, err := range ds.Batches(context.Background(), &ScanOptions{Columns: []string{"nope"}}) {
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("err = %v", err)
		}
		return
	}
	t.Fatal("no error for an unknown column")
}

func TestSchemaMismatchBetweenShards(t *testing.T) {
	a := writeShards(t, ".arrow", 1, 10, 10)
	other := filepath.Join(t.TempDir(), "b.jsonl")
	os.WriteFile(other, []byte(`{"x": 1}`+"\n"), 0o644)
	_, err := OpenFiles(context.Background(), []string{filepath.Join(a, "shard-0.arrow"), other})
	if !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("err = %v, want ErrSchemaMismatch", err)
	}
}

func TestScanTyped(t *testing.T) {
	type rec struct {
		ID   int64   `tome:"id"`
		Name *string `json:"name"`
	}
	dir := writeShards(t, ".parquet", 3, 40, 16)
	ds, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	var n int64
	for r, err := range Scan[rec](context.Background(), ds, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != n || (r.ID%5 == 0) != (r.Name == nil) {
			t.Fatalf("row %d: %+v", n, r)
		}
		n++
	}
	if n != 120 {
		t.Fatalf("%d rows", n)
	}
	type bad struct {
		ID string `tome:"id"`
	}
	for _, err := range Scan[bad](context.Background(), ds, nil) {
		if err == nil || !strings.Contains(err.Error(), "ID") {
			t.Fatalf("mismatched struct: err = %v, want one naming the field", err)
		}
		break
	}
}

func TestRowsAndJSONLines(t *testing.T) {
	ds, err := Open(context.Background(), filepath.Join("..", "testdata", "reviews.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if ds.Len() != -1 {
		t.Fatalf("Len of JSON Lines = %d, want -1 (unknown without a scan)", ds.Len())
	}
	n, err := ds.Count(context.Background())
	if err != nil || n != 500 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	var rows int
	for r, err := range ds.Rows(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		id, err := Get[int64](r, "id")
		if err != nil || id != int64(rows) {
			t.Fatalf("row %d: id %d, %v", rows, id, err)
		}
		rows++
	}
	if rows != 500 {
		t.Fatalf("%d rows", rows)
	}
}
