package dataset

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/internal/conformance"
)

func TestColumnOperations(t *testing.T) {
	for _, ext := range []string{".arrow", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			mem := checkedMem(t)
			ds := fixture{ext: ext, shards: 2, rows: 50, batchRows: 16}.open(t, WithAllocator(mem))
			ids := make([]int64, 100)
			for i := range ids {
				ids[i] = int64(i)
			}
			tests := []struct {
				name    string
				op      func(*Dataset) (*Dataset, error)
				columns []string
			}{
				{"select", func(d *Dataset) (*Dataset, error) { return d.SelectColumns("score", "id") }, []string{"score", "id"}},
				{"remove", func(d *Dataset) (*Dataset, error) { return d.RemoveColumns("text", "label") }, []string{"id", "score"}},
				{"rename", func(d *Dataset) (*Dataset, error) { return d.RenameColumn("text", "sentence") }, []string{"id", "label", "sentence", "score"}},
				{"swap", func(d *Dataset) (*Dataset, error) {
					return d.RenameColumns(map[string]string{"label": "score", "score": "label"})
				}, []string{"id", "score", "text", "label"}},
				{"rename then select", func(d *Dataset) (*Dataset, error) {
					r, err := d.RenameColumn("id", "key")
					if err != nil {
						return nil, err
					}
					defer r.Close()
					return r.SelectColumns("key", "text")
				}, []string{"key", "text"}},
				{"cast", func(d *Dataset) (*Dataset, error) { return d.CastColumn("label", arrow.PrimitiveTypes.Int8) }, []string{"id", "label", "text", "score"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					v, err := tt.op(ds)
					if err != nil {
						t.Fatal(err)
					}
					defer v.Close()
					if diff := cmp.Diff(tt.columns, fieldNamesOf(v.Schema())); diff != "" {
						t.Fatalf("columns (-want +got):\n%s", diff)
					}
					for b, err := range v.Batches(context.Background(), nil) {
						if err != nil {
							t.Fatal(err)
						}
						if !b.Schema().Equal(v.Schema()) {
							t.Fatalf("batch schema %s, dataset schema %s", b.Schema(), v.Schema())
						}
					}
					if f := v.Features(); f == nil || !cmp.Equal(f.Names(), tt.columns) {
						t.Fatalf("features %v, want columns %v", f, tt.columns)
					}
					// Every output column holds its source column's values.
					src := map[string]string{"sentence": "text", "key": "id"}
					if tt.name == "swap" {
						src = map[string]string{"score": "label", "label": "score"}
					}
					for _, c := range tt.columns {
						from := c
						if s, ok := src[c]; ok {
							from = s
						}
						got := column[any](t, v, c, nil)
						want := column[any](t, ds, from, nil)
						if tt.name == "cast" && c == "label" {
							for i := range want {
								want[i] = want[i].(int64) // int8 values come back as int64 too
							}
						}
						if diff := cmp.Diff(want, got); diff != "" {
							t.Fatalf("column %s (from %s) (-want +got):\n%s", c, from, diff)
						}
					}
				})
			}
		})
	}
}

func TestColumnOperationsKeepFeatures(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10}.open(t)
	v, err := ds.RenameColumns(map[string]string{"label": "labels", "text": "sentence"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	r, err := v.RemoveColumns("score")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recorded, ok, err := hf.FromMetadata(r.Schema().Metadata())
	if err != nil || !ok {
		t.Fatalf("no features in the metadata: %v", err)
	}
	if diff := cmp.Diff([]string{"id", "labels", "sentence"}, recorded.Names()); diff != "" {
		t.Errorf("recorded features (-want +got):\n%s", diff)
	}
	if f, ok := r.Features().Get("labels"); !ok || f.Kind != hf.KindClassLabel || !cmp.Equal(f.Names, []string{"neg", "neu", "pos"}) {
		t.Errorf("labels feature %+v, want the ClassLabel", f)
	}

	// A cast column's feature follows its new type.
	c, err := r.CastColumn("labels", arrow.PrimitiveTypes.Int32)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f, _ := c.Features().Get("labels"); f.Kind != hf.KindValue || f.Dtype != "int32" {
		t.Errorf("cast labels feature %+v, want Value(int32)", f)
	}
	if f, _ := c.Features().Get("sentence"); f.Kind != hf.KindValue || f.Dtype != "string" {
		t.Errorf("sentence feature %+v", f)
	}
	// The original is untouched.
	if f, _ := ds.Features().Get("label"); f.Kind != hf.KindClassLabel {
		t.Errorf("the original's label feature changed to %+v", f)
	}
}

func TestColumnOperationsWithoutFeatures(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10, noHF: true}.open(t)
	v, err := ds.RenameColumn("label", "y")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, ok := v.Schema().Metadata().GetValue(hf.MetadataKey); ok {
		t.Error("a rename added features metadata the files did not have")
	}
	if f, _ := v.Features().Get("y"); f == nil || f.Dtype != "int64" {
		t.Errorf("inferred feature of y: %+v", f)
	}
}

func TestColumnOperationErrors(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10}.open(t)
	tests := []struct {
		name string
		op   func() (*Dataset, error)
		is   error
		text string
	}{
		{"select unknown", func() (*Dataset, error) { return ds.SelectColumns("id", "nope") }, ErrNotFound, `"nope"`},
		{"select twice", func() (*Dataset, error) { return ds.SelectColumns("id", "id") }, nil, `"id" named twice`},
		{"remove unknown", func() (*Dataset, error) { return ds.RemoveColumns("nope") }, ErrNotFound, `"nope"`},
		{"rename unknown", func() (*Dataset, error) { return ds.RenameColumn("nope", "x") }, ErrNotFound, `"nope"`},
		{"rename onto existing", func() (*Dataset, error) { return ds.RenameColumn("id", "label") }, format.ErrSchema, `"label"`},
		{"rename to empty", func() (*Dataset, error) { return ds.RenameColumn("id", "") }, format.ErrSchema, "empty"},
		{"rename two to one", func() (*Dataset, error) {
			return ds.RenameColumns(map[string]string{"id": "x", "label": "x"})
		}, format.ErrSchema, `"x"`},
		{"cast unknown", func() (*Dataset, error) { return ds.CastColumn("nope", arrow.PrimitiveTypes.Int32) }, ErrNotFound, `"nope"`},
		{"cast impossible", func() (*Dataset, error) {
			return ds.CastColumn("score", arrow.ListOf(arrow.PrimitiveTypes.Int32))
		}, format.ErrUnsupported, `"score"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.op()
			if err == nil {
				v.Close()
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want it to mention %s", err, tt.text)
			}
		})
	}
	ds.Close()
	if _, err := ds.SelectColumns("id"); err == nil || !strings.Contains(err.Error(), "Close") {
		t.Errorf("select after Close: %v", err)
	}
}

func TestCastColumnFailsAtScanNamingTheColumn(t *testing.T) {
	mem := checkedMem(t)
	ds := fixture{ext: ".parquet", shards: 1, rows: 300, batchRows: 100}.open(t, WithAllocator(mem))
	v, err := ds.CastColumn("id", arrow.PrimitiveTypes.Int8) // ids above 127 do not fit
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var rows int64
	var scanErr error
	for b, err := range v.Batches(context.Background(), nil) {
		if err != nil {
			scanErr = err
			break
		}
		rows += b.NumRows()
	}
	if !errors.Is(scanErr, format.ErrSchema) || !strings.Contains(scanErr.Error(), `"id"`) {
		t.Fatalf("err = %v, want ErrSchema naming column id", scanErr)
	}
	if rows != 100 {
		t.Errorf("%d rows before the error, want the first batch's 100", rows)
	}
}

func TestChainedCasts(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 20, batchRows: 20}.open(t)
	// float32 -> int64 truncates (unsafe casts are refused, so use exact
	// halves: only even ids give whole scores), then back to float64.
	even, err := ds.Filter(context.Background(), func(r Row) (bool, error) {
		id, err := Get[int64](r, "id")
		return id%2 == 0, err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer even.Close()
	a, err := even.CastColumn("score", arrow.PrimitiveTypes.Int64)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := a.CastColumn("score", arrow.BinaryTypes.String)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := column[string](t, b, "score", nil)
	for i, s := range got {
		if want := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}[i]; s != want {
			t.Fatalf("score %d = %q, want %q (through int64)", i, s, want)
		}
	}
}

func TestScanColumnsUseOutputNames(t *testing.T) {
	for _, ext := range []string{".arrow", ".parquet"} {
		t.Run(ext, func(t *testing.T) {
			ds := fixture{ext: ext, shards: 3, rows: 40, batchRows: 16}.open(t)
			v, err := ds.RenameColumns(map[string]string{"id": "key", "text": "sentence"})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			opts := &ScanOptions{Columns: []string{"sentence", "key"}, BatchRows: 25}
			for b, err := range v.Batches(context.Background(), opts) {
				if err != nil {
					t.Fatal(err)
				}
				if got := fieldNamesOf(b.Schema()); !cmp.Equal(got, opts.Columns) {
					t.Fatalf("batch columns %v, want %v", got, opts.Columns)
				}
			}
			keys := column[int64](t, v, "key", opts)
			if len(keys) != 120 || keys[119] != 119 {
				t.Fatalf("keys %v", keys)
			}
			for _, err := range v.Batches(context.Background(), &ScanOptions{Columns: []string{"id"}}) {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("old name: err = %v, want ErrNotFound", err)
				}
			}
		})
	}
}

func TestColumnPlanReadsOnlyWhatItNeeds(t *testing.T) {
	ds := fixture{ext: ".parquet", shards: 1, rows: 10, batchRows: 10}.open(t)
	v, err := ds.RenameColumns(map[string]string{"id": "key", "score": "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	w, err := v.CastColumn("s", arrow.PrimitiveTypes.Float64)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tests := []struct {
		columns []string
		stored  []string
	}{
		{nil, nil}, // all, in stored order: no projection
		{[]string{"s"}, []string{"score"}},
		{[]string{"s", "key"}, []string{"score", "id"}},
		{[]string{"key", "label", "text", "s"}, nil},
	}
	for _, tt := range tests {
		p, err := w.cols.plan(w.schema, tt.columns)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(p.stored, tt.stored) {
			t.Errorf("columns %v read %v, want %v", tt.columns, p.stored, tt.stored)
		}
	}
}

func TestColumnsAfterViews(t *testing.T) {
	// Shuffle, then select columns, then shard: rows and columns compose.
	ds := fixture{ext: ".arrow", shards: 3, rows: 30, batchRows: 7}.open(t)
	sh, err := ds.Shuffle(7)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	sel, err := sh.SelectColumns("id", "label")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	part, err := sel.Shard(4, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer part.Close()
	want := viewIDs(part)
	perm := viewIDs(sh)
	for i := range want {
		if want[i] != perm[1+4*i] {
			t.Fatalf("row %d of the shard is base row %d, want %d", i, want[i], perm[1+4*i])
		}
	}
	if got := column[int64](t, part, "id", nil); !cmp.Equal(got, want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	if got := fieldNamesOf(part.Schema()); !cmp.Equal(got, []string{"id", "label"}) {
		t.Fatalf("columns %v", got)
	}
	labels := column[int64](t, part, "label", nil)
	for i, l := range labels {
		if l != want[i]%3 {
			t.Fatalf("row %d: label %d, want %d", i, l, want[i]%3)
		}
	}
}

func TestColumnOperationsConformance(t *testing.T) {
	ctx := context.Background()
	dir := conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony")
	ds, err := Open(ctx, dir, WithSplit("train"))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	v, err := ds.RenameColumn("label", "labels")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	f, ok := v.Features().Get("labels")
	if !ok || f.Kind != hf.KindClassLabel || !cmp.Equal(f.Names, []string{"non_irony", "irony"}) {
		t.Fatalf("labels feature %+v", f)
	}
	want := column[int64](t, ds, "label", nil)
	got := column[int64](t, v, "labels", &ScanOptions{Columns: []string{"labels"}})
	if len(got) != 2862 || !cmp.Equal(got, want) {
		t.Fatalf("%d labels, equal to the source's: %v", len(got), cmp.Equal(got, want))
	}
}

func TestFeaturesFromDatasetInfoFollowRenames(t *testing.T) {
	// A save_to_disk directory whose features are only in
	// dataset_info.json: a rename must keep the ClassLabel.
	dir := t.TempDir()
	paths := fixture{ext: ".arrow", shards: 1, rows: 6, batchRows: 6, noHF: true}.write(t, dir)
	writeFile(t, dir, "state.json", `{"_data_files": [{"filename": "`+strings.TrimPrefix(paths[0], dir+"/")+`"}], "_split": "train"}`)
	info, err := fixtureFeatures.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "dataset_info.json", `{"features": `+string(info)+`}`)
	ds, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if f, _ := ds.Features().Get("label"); f == nil || f.Kind != hf.KindClassLabel {
		t.Fatalf("label feature from dataset_info.json: %+v", f)
	}
	v, err := ds.RenameColumn("label", "y")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if f, _ := v.Features().Get("y"); f == nil || f.Kind != hf.KindClassLabel {
		t.Fatalf("renamed feature: %+v", f)
	}
}

// countingMem counts the bytes allocated through it.
type countingMem struct {
	memory.Allocator
	n atomic.Int64
}

func (c *countingMem) Allocate(size int) []byte {
	c.n.Add(int64(size))
	return c.Allocator.Allocate(size)
}

func (c *countingMem) Reallocate(size int, b []byte) []byte {
	c.n.Add(int64(size))
	return c.Allocator.Reallocate(size, b)
}

func TestColumnOperationsPushDownToParquet(t *testing.T) {
	// Parquet decodes only the stored columns a scan needs: reading one
	// renamed column allocates a fraction of what reading all does.
	ctx := context.Background()
	mem := &countingMem{Allocator: memory.NewGoAllocator()}
	ds := fixture{ext: ".parquet", shards: 2, rows: 2000, batchRows: 500}.open(t, WithAllocator(mem))
	r, err := ds.RenameColumn("id", "key")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	key, err := r.SelectColumns("key")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	scan := func(d *Dataset, opts *ScanOptions) int64 {
		before := mem.n.Load()
		for _, err := range d.Batches(ctx, opts) {
			if err != nil {
				t.Fatal(err)
			}
		}
		return mem.n.Load() - before
	}
	all := scan(r, nil)
	for name, bytes := range map[string]int64{
		"SelectColumns":       scan(key, nil),
		"ScanOptions.Columns": scan(r, &ScanOptions{Columns: []string{"key"}}),
	} {
		if bytes*2 > all {
			t.Errorf("%s: one column allocated %d bytes, all four %d", name, bytes, all)
		}
	}
}
