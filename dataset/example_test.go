package dataset_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
)

// The examples read the quickstart fixture, 500 product reviews in JSON
// Lines (id, text, label 0 or 1, score, tags, created). JSON Lines has no
// random access, so most examples first write it out as an Arrow file.
var reviewsJSONL = filepath.Join("..", "testdata", "reviews.jsonl")

// openReviews writes the reviews to an Arrow IPC file in a temporary
// directory and opens that: memory-mapped, zero-copy, with random access.
// The caller closes the dataset and calls cleanup.
func openReviews(ctx context.Context) (ds *dataset.Dataset, cleanup func()) {
	dir, err := os.MkdirTemp("", "tome-example-")
	if err != nil {
		log.Fatal(err)
	}
	src, err := dataset.Open(ctx, reviewsJSONL)
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(dir, "reviews.arrow")
	if _, err := dataset.WriteFile(ctx, src, path, dataset.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	ds, err = dataset.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	return ds, func() { os.RemoveAll(dir) }
}

// ids returns the id column of a dataset.
func ids(ctx context.Context, ds *dataset.Dataset) []int64 {
	var out []int64
	for r, err := range ds.Rows(ctx, &dataset.ScanOptions{Columns: []string{"id"}}) {
		if err != nil {
			log.Fatal(err)
		}
		id, err := dataset.Get[int64](r, "id")
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func ExampleOpen() {
	ctx := context.Background()
	ds, err := dataset.Open(ctx, reviewsJSONL)
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()
	n, err := ds.Count(ctx) // JSON Lines records no row count: Len is -1
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Len(), n)
	for _, f := range ds.Schema().Fields() {
		fmt.Printf("%s: %s\n", f.Name, f.Type)
	}
	// Output:
	// -1 500
	// id: int64
	// text: utf8
	// label: int64
	// score: float64
	// tags: list<item: utf8, nullable>
	// created: utf8
}

func ExampleDataset_Batches() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	// Batches of exactly 200 rows of two columns; the last is shorter.
	opts := &dataset.ScanOptions{Columns: []string{"id", "score"}, BatchRows: 200}
	for b, err := range ds.Batches(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		// b is valid in this loop body only: Retain it to keep it.
		fmt.Println(b.NumRows(), b.NumCols(), b.Column(0).(*array.Int64).Value(0))
	}
	// Output:
	// 200 2 0
	// 200 2 200
	// 100 2 400
}

func ExampleDataset_Rows() {
	ctx := context.Background()
	ds, err := dataset.Open(ctx, reviewsJSONL) // no random access needed
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()
	for r, err := range ds.Rows(ctx, &dataset.ScanOptions{Columns: []string{"id", "label", "score"}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r)
		if r.Index() == 2 {
			break
		}
	}
	// Output:
	// {id: 0, label: 0, score: 4.9}
	// {id: 1, label: 0, score: 1.3}
	// {id: 2, label: 1, score: 3.9}
}

func ExampleScan() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	type review struct {
		ID    int64    `tome:"id"`
		Label int      `tome:"label"`
		Score float32  `tome:"score"`
		Tags  []string `tome:"tags"`
	}
	n := 0
	for r, err := range dataset.Scan[review](ctx, ds, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%+v\n", r)
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// {ID:0 Label:0 Score:4.9 Tags:[audio]}
	// {ID:1 Label:0 Score:1.3 Tags:[toys audio]}
	// {ID:2 Label:1 Score:3.9 Tags:[garden audio]}
}

func ExampleDataset_Select() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	sel, err := ds.Select([]int64{499, 7, 7, 0}) // any order, repeats allowed
	if err != nil {
		log.Fatal(err)
	}
	defer sel.Close()
	fmt.Println(sel.Len(), ids(ctx, sel))
	// Output:
	// 4 [499 7 7 0]
}

func ExampleDataset_Shuffle() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	a, err := ds.Shuffle(42)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := ds.Shuffle(42)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	x, y := ids(ctx, a), ids(ctx, b)
	fmt.Println(len(x), fmt.Sprint(x) == fmt.Sprint(y), fmt.Sprint(x) == fmt.Sprint(ids(ctx, ds)))
	// Output:
	// 500 true false
}

func ExampleDataset_Shard() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	block, err := ds.Shard(3, 1, true) // the second of three blocks: 167, 167, 166 rows
	if err != nil {
		log.Fatal(err)
	}
	defer block.Close()
	strided, err := ds.Shard(100, 7, false) // rows 7, 107, 207, ...
	if err != nil {
		log.Fatal(err)
	}
	defer strided.Close()
	b := ids(ctx, block)
	fmt.Println(block.Len(), b[0], b[len(b)-1])
	fmt.Println(ids(ctx, strided))
	// Output:
	// 167 167 333
	// [7 107 207 307 407]
}

func ExampleDataset_TrainTestSplit() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	train, test, err := ds.TrainTestSplit(ctx, dataset.SplitOptions{TestSize: 0.1, Seed: 7, StratifyBy: "label"})
	if err != nil {
		log.Fatal(err)
	}
	defer train.Close()
	defer test.Close()
	labels := map[int64]int{}
	for r, err := range test.Rows(ctx, &dataset.ScanOptions{Columns: []string{"label"}}) {
		if err != nil {
			log.Fatal(err)
		}
		l, _ := dataset.Get[int64](r, 0)
		labels[l]++
	}
	fmt.Println(train.Len(), test.Len(), labels)
	// Output:
	// 450 50 map[0:26 1:24]
}

func ExampleDataset_Filter() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	top, err := ds.Filter(ctx, func(r dataset.Row) (bool, error) {
		score, err := dataset.Get[float64](r, "score")
		return score >= 4.5, err
	})
	if err != nil {
		log.Fatal(err)
	}
	defer top.Close()
	fmt.Println(top.Len(), ids(ctx, top)[:5])
	// Output:
	// 43 [0 19 26 36 47]
}

func ExampleDataset_Map() {
	ctx := context.Background()
	ds, err := dataset.Open(ctx, reviewsJSONL)
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()
	cache, err := os.MkdirTemp("", "tome-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(cache)

	// Add a column: the length of each text.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "chars", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	lengths := func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		text := b.Column(1).(*array.String)
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		defer bld.Release()
		for i := range text.Len() {
			bld.Append(int64(len(text.Value(i))))
		}
		chars := bld.NewArray()
		defer chars.Release()
		return array.NewRecordBatch(schema, []arrow.Array{b.Column(0), chars}, b.NumRows()), nil
	}
	mapped, err := ds.Map(ctx, lengths, dataset.MapOptions{
		Columns:  []string{"id", "text"},
		Workers:  2,
		CacheDir: cache,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer mapped.Close()
	// The result is memory-mapped Arrow: it has a length and random access.
	sel, err := mapped.Select([]int64{0, 1, 2})
	if err != nil {
		log.Fatal(err)
	}
	defer sel.Close()
	fmt.Println(mapped.Len())
	for r, err := range sel.Rows(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r)
	}
	// Output:
	// 500
	// {id: 0, chars: 106}
	// {id: 1, chars: 52}
	// {id: 2, chars: 56}
}

func ExampleConcatenate() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	head, err := ds.Select([]int64{0, 1})
	if err != nil {
		log.Fatal(err)
	}
	defer head.Close()
	tail, err := ds.Shard(250, 249, true) // the last two rows
	if err != nil {
		log.Fatal(err)
	}
	defer tail.Close()
	both, err := dataset.Concatenate(tail, head, tail)
	if err != nil {
		log.Fatal(err)
	}
	defer both.Close()
	fmt.Println(both.Len(), ids(ctx, both))
	// Output:
	// 6 [498 499 0 1 498 499]
}

func ExampleDataset_SelectColumns() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	sel, err := ds.SelectColumns("score", "id")
	if err != nil {
		log.Fatal(err)
	}
	defer sel.Close()
	rest, err := ds.RemoveColumns("text", "tags", "created")
	if err != nil {
		log.Fatal(err)
	}
	defer rest.Close()
	fmt.Println(sel.Schema().Field(0).Name, sel.Schema().Field(1).Name)
	fmt.Println(rest.Features().Names())
	// Output:
	// score id
	// [id label score]
}

func ExampleDataset_RenameColumn() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	renamed, err := ds.RenameColumn("label", "labels")
	if err != nil {
		log.Fatal(err)
	}
	defer renamed.Close()
	// Scans name the new columns; nothing is copied.
	for r, err := range renamed.Rows(ctx, &dataset.ScanOptions{Columns: []string{"labels", "id"}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r)
		break
	}
	// Output:
	// {labels: 0, id: 0}
}

func ExampleDataset_CastColumn() {
	ctx := context.Background()
	ds, cleanup := openReviews(ctx)
	defer cleanup()
	defer ds.Close()
	cast, err := ds.CastColumn("score", arrow.BinaryTypes.String)
	if err != nil {
		log.Fatal(err)
	}
	defer cast.Close()
	f, _ := cast.Features().Get("score")
	fmt.Println(cast.Schema().Field(3).Type, f.Dtype)
	for r, err := range cast.Rows(ctx, &dataset.ScanOptions{Columns: []string{"score"}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q\n", r.Value(0))
		break
	}
	// Output:
	// utf8 string
	// "4.9"
}
