package ipc_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/arrowjson"
	"github.com/tome-data/tome/internal/conformance"
)

// TestConformanceValues compares every batch of every integration file,
// read both ways, with the content its .json.gz spells out, value by
// value. Memory read through the checked allocator must all be freed.
func TestConformanceValues(t *testing.T) {
	var files []string
	for _, ext := range []string{"*.stream", "*.arrow_file"} {
		files = append(files, conformance.Glob(t, filepath.Join("arrow-testing/data/arrow-ipc-stream/integration/*", ext))...)
	}
	for _, path := range files {
		base := strings.TrimSuffix(strings.TrimSuffix(path, ".stream"), ".arrow_file")
		want, err := arrowjson.ReadFile(base+".json.gz", memory.DefaultAllocator)
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		for _, o := range openers {
			t.Run(o.name+"/"+filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				r, done, err := o.open(path, ipc.Options{ReadOptions: format.ReadOptions{Allocator: mem}})
				if err != nil {
					t.Fatal(err)
				}
				defer done()
				if o.name == "mapped" && r.ZeroCopy() == strings.Contains(path, "bigendian") {
					t.Errorf("ZeroCopy() = %v: arrow-go swaps big-endian data in place, which a mapping does not allow", r.ZeroCopy())
				}
				if !want.Schema.Metadata().Equal(r.Schema().Metadata()) {
					t.Errorf("schema metadata %v, want %v", r.Schema().Metadata(), want.Schema.Metadata())
				}
				k := 0
				for b, err := range r.Batches(t.Context()) {
					if err != nil {
						t.Fatal(err)
					}
					if k >= len(want.Batches) {
						t.Fatalf("more than the %d batches expected", len(want.Batches))
					}
					if err := arrowjson.CompareBatch(want.Batches[k], b); err != nil {
						t.Errorf("batch %d: %v", k, err)
					}
					k++
				}
				if k != len(want.Batches) {
					t.Errorf("%d batches, want %d", k, len(want.Batches))
				}
			})
		}
		want.Release()
	}
}
