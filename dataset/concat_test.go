package dataset

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/internal/conformance"
)

func seq(from, to int64) []int64 {
	var out []int64
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestConcatenate(t *testing.T) {
	mem := checkedMem(t)
	a := fixture{ext: ".arrow", shards: 2, rows: 30, batchRows: 16}.open(t, WithAllocator(mem))
	b := fixture{ext: ".parquet", shards: 1, rows: 40, batchRows: 16, first: 1000}.open(t, WithAllocator(mem))
	c, err := Concatenate(a, b, a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := slices.Concat(seq(0, 60), seq(1000, 1040), seq(0, 60))
	if c.Len() != int64(len(want)) || len(c.Shards()) != 5 {
		t.Fatalf("Len %d, %d shards", c.Len(), len(c.Shards()))
	}
	for _, opts := range []*ScanOptions{nil, {BatchRows: 25}, {Columns: []string{"text", "id"}}} {
		if got := column[int64](t, c, "id", opts); !cmp.Equal(got, want) {
			t.Fatalf("%+v: ids (-want +got):\n%s", opts, cmp.Diff(want, got))
		}
	}
	if f, _ := c.Features().Get("label"); f == nil || f.Kind != hf.KindClassLabel {
		t.Errorf("label feature %+v", f)
	}
	// Views of the concatenation reach into every part.
	sel, err := c.Select([]int64{159, 60, 0, 100})
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	if got := column[int64](t, sel, "id", nil); !cmp.Equal(got, []int64{59, 1000, 0, 0}) {
		t.Fatalf("select of concatenation: %v", got)
	}
}

func TestConcatenateViews(t *testing.T) {
	ctx := context.Background()
	a := fixture{ext: ".arrow", shards: 2, rows: 25, batchRows: 10}.open(t)
	b := fixture{ext: ".arrow", shards: 1, rows: 20, batchRows: 10, first: 100}.open(t)
	sh, err := a.Shuffle(4)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	odd, err := b.Filter(ctx, func(r Row) (bool, error) {
		id, err := Get[int64](r, "id")
		return id%2 == 1, err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer odd.Close()
	c, err := Concatenate(sh, b, odd)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := slices.Concat(column[int64](t, sh, "id", nil), seq(100, 120), column[int64](t, odd, "id", nil))
	if got := column[int64](t, c, "id", nil); !cmp.Equal(got, want) {
		t.Fatalf("ids (-want +got):\n%s", cmp.Diff(want, got))
	}
	if c.Len() != int64(len(want)) {
		t.Fatalf("Len %d, want %d", c.Len(), len(want))
	}

	// A concatenation of concatenations, shuffled and sharded.
	cc, err := Concatenate(c, odd)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	want = slices.Concat(want, column[int64](t, odd, "id", nil))
	if got := column[int64](t, cc, "id", nil); !cmp.Equal(got, want) {
		t.Fatalf("nested ids (-want +got):\n%s", cmp.Diff(want, got))
	}
	shc, err := cc.Shuffle(8)
	if err != nil {
		t.Fatal(err)
	}
	defer shc.Close()
	part, err := shc.Shard(3, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	defer part.Close()
	all := column[int64](t, shc, "id", nil)
	var wantPart []int64
	for i := 2; i < len(all); i += 3 {
		wantPart = append(wantPart, all[i])
	}
	if got := column[int64](t, part, "id", nil); !cmp.Equal(got, wantPart) {
		t.Fatalf("shard of shuffle of concatenation (-want +got):\n%s", cmp.Diff(wantPart, got))
	}
	if !cmp.Equal(slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(want))) {
		t.Fatal("shuffle of concatenation lost rows")
	}
}

func TestConcatenateOutlivesItsParts(t *testing.T) {
	mem := checkedMem(t)
	f := fixture{ext: ".parquet", shards: 2, rows: 20, batchRows: 8}
	dir := t.TempDir()
	a, err := OpenFiles(context.Background(), f.write(t, dir), WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Select([]int64{3, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Concatenate(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	want := append(seq(0, 40), 3, 2, 1)
	if got := column[int64](t, c, "id", nil); !cmp.Equal(got, want) {
		t.Fatalf("after closing the parts (-want +got):\n%s", cmp.Diff(want, got))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestConcatenateColumnOperations(t *testing.T) {
	a := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10}.open(t)
	b := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10, first: 10}.open(t)
	ra, err := a.RenameColumn("text", "sentence")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	rb, err := b.RenameColumn("text", "sentence")
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	c, err := Concatenate(ra, rb)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := column[int64](t, c, "id", &ScanOptions{Columns: []string{"sentence", "id"}}); !cmp.Equal(got, seq(0, 20)) {
		t.Fatalf("ids %v", got)
	}
	if got := fieldNamesOf(c.Schema()); !cmp.Equal(got, []string{"id", "label", "sentence", "score"}) {
		t.Fatalf("columns %v", got)
	}
}

func TestConcatenateErrors(t *testing.T) {
	ctx := context.Background()
	a := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10}.open(t)
	plain := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10, noHF: true}.open(t)
	other := func(f func(*Dataset) (*Dataset, error)) *Dataset {
		d, err := f(a)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	fewer := other(func(d *Dataset) (*Dataset, error) { return d.RemoveColumns("score") })
	renamed := other(func(d *Dataset) (*Dataset, error) { return d.RenameColumn("text", "txt") })
	cast := other(func(d *Dataset) (*Dataset, error) { return d.CastColumn("score", arrow.PrimitiveTypes.Float64) })
	// The same output columns as plain's, read from other stored columns.
	swapped, err := plain.RenameColumns(map[string]string{"id": "label", "label": "id"})
	if err != nil {
		t.Fatal(err)
	}
	defer swapped.Close()
	reordered, err := swapped.SelectColumns("id", "label", "text", "score")
	if err != nil {
		t.Fatal(err)
	}
	defer reordered.Close()

	jl, err := Open(ctx, filepath.Join("..", "testdata", "reviews.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer jl.Close()
	sel, err := jl.SelectColumns("id")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()

	tests := []struct {
		name  string
		parts []*Dataset
		is    error
		text  string
	}{
		{"none", nil, ErrNotFound, "no datasets"},
		{"fewer columns", []*Dataset{a, fewer}, ErrSchemaMismatch, "part 1 has 3 columns"},
		{"renamed", []*Dataset{a, renamed}, ErrSchemaMismatch, "column 2 is txt"},
		{"other type", []*Dataset{a, cast}, ErrSchemaMismatch, "score: float64 in part 1"},
		{"other features", []*Dataset{a, plain}, ErrSchemaMismatch, "column label"},
		{"other column operations", []*Dataset{plain, reordered}, ErrSchemaMismatch, "different column operations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Concatenate(tt.parts...)
			if err == nil {
				c.Close()
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.is, tt.text)
			}
		})
	}
	// JSON Lines parts concatenate while no part is a view (no random
	// access is needed), and refuse otherwise.
	jj, err := Concatenate(jl, jl)
	if err != nil {
		t.Fatal(err)
	}
	defer jj.Close()
	if n, err := jj.Count(ctx); err != nil || n != 1000 || jj.Len() != -1 {
		t.Fatalf("JSON Lines twice: Count %d, %v; Len %d", n, err, jj.Len())
	}
	rows, err := plain.Select([]int64{1})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if c, err := Concatenate(plain, rows); err != nil {
		t.Errorf("plain and a view of it: %v", err)
	} else {
		c.Close()
	}
	// A column operation is no row view: it needs no random access.
	if c, err := Concatenate(sel, sel); err != nil {
		t.Errorf("JSON Lines with selected columns: %v", err)
	} else {
		c.Close()
	}
	// JSON Lines before a view: the view's rows cannot be offset.
	jdir := t.TempDir()
	writeFile(t, jdir, "a.jsonl", `{"id": 1, "name": "x"}`+"\n")
	small, err := Open(ctx, filepath.Join(jdir, "a.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	ipcDS, err := Open(ctx, writeShards(t, ".arrow", 1, 5, 5))
	if err != nil {
		t.Fatal(err)
	}
	defer ipcDS.Close()
	pick, err := ipcDS.Select([]int64{4})
	if err != nil {
		t.Fatal(err)
	}
	defer pick.Close()
	if _, err := Concatenate(small, pick); !errors.Is(err, ErrNoRandomAccess) {
		t.Errorf("JSON Lines and a view: %v, want ErrNoRandomAccess", err)
	}
	if c, err := Concatenate(small, ipcDS); err != nil {
		t.Errorf("JSON Lines and Arrow: %v", err)
	} else {
		if got := column[int64](t, c, "id", nil); !cmp.Equal(got, []int64{1, 0, 1, 2, 3, 4}) {
			t.Errorf("JSON Lines and Arrow ids %v", got)
		}
		c.Close()
	}
}

func TestConcatenateConformance(t *testing.T) {
	ctx := context.Background()
	dir := conformance.Dir(t, "hf/save_to_disk/sst2_datasetdict_train_arrow_missing")
	val, err := Open(ctx, dir, WithSplit("validation"))
	if err != nil {
		t.Fatal(err)
	}
	defer val.Close()
	test, err := Open(ctx, dir, WithSplit("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer test.Close()
	c, err := Concatenate(val, test)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Len() != 872+1821 {
		t.Fatalf("Len %d", c.Len())
	}
	want := slices.Concat(column[string](t, val, "sentence", nil), column[string](t, test, "sentence", nil))
	if got := column[string](t, c, "sentence", nil); !cmp.Equal(got, want) {
		t.Fatal("sentences differ from the parts'")
	}
	if f, _ := c.Features().Get("label"); f == nil || f.Kind != hf.KindClassLabel {
		t.Fatalf("label feature %+v", f)
	}
}
