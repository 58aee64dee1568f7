package viewer

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/format/ipc"
)

// testCatalog serves datasets opened from paths, caching each split, the
// way tome serve's catalog does.
type testCatalog struct {
	paths map[string]string
	mu    sync.Mutex
	open  map[[2]string]*dataset.Dataset
}

func newTestCatalog(t testing.TB, paths map[string]string) *testCatalog {
	c := &testCatalog{paths: paths, open: map[[2]string]*dataset.Dataset{}}
	t.Cleanup(func() {
		for _, d := range c.open {
			d.Close()
		}
	})
	return c
}

func (c *testCatalog) Names() []string {
	var names []string
	for name := range c.paths {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (c *testCatalog) Dataset(ctx context.Context, name, split string) (*dataset.Dataset, error) {
	path, ok := c.paths[name]
	if !ok {
		return nil, fmt.Errorf("%w: no dataset named %q", dataset.ErrNotFound, name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]string{name, split}
	if d, ok := c.open[key]; ok {
		return d, nil
	}
	var opts []dataset.Option
	if split != "" {
		opts = append(opts, dataset.WithSplit(split))
	}
	d, err := dataset.Open(ctx, path, opts...)
	if err != nil {
		return nil, err
	}
	c.open[key] = d
	return d, nil
}

// hostile is text that would become markup or script if a page let it
// through unescaped.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

// textOf is the "text" column's value of row i.
func textOf(split string, i int) string {
	switch {
	case i == 3:
		return hostile
	case i == 5:
		return strings.Repeat("long ", 200)
	}
	return fmt.Sprintf("%s row %d", split, i)
}

// writeImageDataset writes a Hub-style repository with a train split of
// trainRows rows and a test split of 7, whose columns are id (int64), text
// (string), label (ClassLabel) and image (Image: a PNG in every row but row
// 2, which holds HTML bytes, and row 4, which is null).
func writeImageDataset(t testing.TB, trainRows int) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSplit(t, filepath.Join(dir, "data", "train-00000-of-00001.arrow"), "train", trainRows)
	writeSplit(t, filepath.Join(dir, "data", "test-00000-of-00001.arrow"), "test", 7)
	return dir
}

var imageFeatures = &hf.Features{Fields: []hf.Field{
	{Name: "id", Feature: hf.Value("int64")},
	{Name: "text", Feature: hf.Value("string")},
	{Name: "label", Feature: hf.ClassLabel("cat", "dog")},
	{Name: "image", Feature: hf.Media(hf.KindImage)},
}}

func writeSplit(t testing.TB, path, split string, rows int) {
	t.Helper()
	base, err := imageFeatures.Arrow()
	if err != nil {
		t.Fatal(err)
	}
	schema := hf.WithFeatures(base, imageFeatures)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ids := b.Field(0).(*array.Int64Builder)
	texts := b.Field(1).(*array.StringBuilder)
	labels := b.Field(2).(*array.Int64Builder)
	images := b.Field(3).(*array.StructBuilder)
	imgBytes := images.FieldBuilder(0).(*array.BinaryBuilder)
	imgPaths := images.FieldBuilder(1).(*array.StringBuilder)
	for i := range rows {
		ids.Append(int64(i))
		texts.Append(textOf(split, i))
		labels.Append(int64(i % 2))
		switch i {
		case 4:
			images.AppendNull()
		case 2:
			images.Append(true)
			imgBytes.Append([]byte("<html><script>alert(3)</script></html>"))
			imgPaths.AppendNull()
		default:
			images.Append(true)
			imgBytes.Append(pngOf(i))
			imgPaths.Append(fmt.Sprintf("img-%d.png", i))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	writeArrowFile(t, path, rec)
}

// pngOf is a 2x2 PNG whose colour depends on i.
func pngOf(i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	for x := range 2 {
		for y := range 2 {
			img.Set(x, y, color.RGBA{uint8(i), uint8(i * 7), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// writeJSONLines writes a JSON Lines file of rows rows, which has no
// random access and no recorded row count.
func writeJSONLines(t testing.TB, rows int) string {
	t.Helper()
	var buf bytes.Buffer
	for i := range rows {
		fmt.Fprintf(&buf, "{\"n\": %d, \"s\": \"line %d\"}\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeListDataset writes an Arrow file of one list<int64> column "values",
// a null row for each nil list.
func writeListDataset(t testing.TB, lists [][]int64) string {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "values", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	lb := b.Field(0).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.Int64Builder)
	for _, l := range lists {
		if l == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		vb.AppendValues(l, nil)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "lists.arrow")
	writeArrowFile(t, path, rec)
	return path
}

func writeArrowFile(t testing.TB, path string, rec arrow.RecordBatch) {
	t.Helper()
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, rec.Schema(), ipc.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
