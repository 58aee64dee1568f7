package ipc_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/conformance"
)

// checkProjections reads data whole, then every column alone and all
// columns in reverse order, and compares each projected column with the
// whole read's. Columns whose name the file repeats must be refused.
func checkProjections(t *testing.T, data []byte, opts ipc.Options) {
	t.Helper()
	open := func(cols []string) (*ipc.Reader, error) {
		o := opts
		o.Columns = cols
		return ipc.Open(newMemMapped(data), int64(len(data)), o)
	}
	r, err := open(nil)
	if err != nil {
		t.Fatal(err)
	}
	whole := collect(t, r)
	defer releaseAll(whole)
	schema := r.Schema()
	r.Close()

	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	count := func(n string) int {
		c := 0
		for _, m := range names {
			if m == n {
				c++
			}
		}
		return c
	}
	var unique []int
	for i, n := range names {
		if count(n) > 1 {
			if _, err := open([]string{n}); !errors.Is(err, format.ErrSchema) {
				t.Errorf("column %q is ambiguous, but Open gave %v", n, err)
			}
			continue
		}
		unique = append(unique, i)
	}
	check := func(cols []int) {
		picked := make([]string, len(cols))
		for i, c := range cols {
			picked[i] = names[c]
		}
		r, err := open(picked)
		if err != nil {
			t.Fatalf("columns %q: %v", picked, err)
		}
		defer r.Close()
		if r.Schema().NumFields() != len(cols) {
			t.Fatalf("columns %q: schema %s", picked, r.Schema())
		}
		got := collect(t, r)
		defer releaseAll(got)
		if len(got) != len(whole) {
			t.Fatalf("columns %q: %d batches, want %d", picked, len(got), len(whole))
		}
		for k := range got {
			for i, c := range cols {
				if !array.Equal(whole[k].Column(c), got[k].Column(i)) {
					t.Fatalf("columns %q: batch %d column %q differs:\n got %v\nwant %v", picked, k, names[c], got[k].Column(i), whole[k].Column(c))
				}
			}
		}
	}
	for _, c := range unique {
		check([]int{c})
	}
	rev := slices.Clone(unique)
	slices.Reverse(rev)
	check(rev)
	if len(unique) > 0 {
		check([]int{unique[0], unique[0]})
	}
	check([]int{})
}

func TestProjectionConformance(t *testing.T) {
	var files []string
	for _, ext := range []string{"*.stream", "*.arrow_file"} {
		files = append(files, conformance.Glob(t, filepath.Join("arrow-testing/data/arrow-ipc-stream/integration/*", ext))...)
	}
	for _, path := range files {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkProjections(t, data, ipc.Options{})
		})
	}
}

func TestProjectionRandom(t *testing.T) {
	for seed := range 8 {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		schema := randomSchema(rng)
		b1 := randomBatch(rng, memory.DefaultAllocator, schema, 50)
		b2 := randomBatch(rng, memory.DefaultAllocator, schema, 20)
		for _, comp := range []ipc.Compression{ipc.None, ipc.Zstd} {
			data := writeIPC(t, seed%2 == 0, schema, ipc.WriteOptions{Compression: comp}, b1, b2)
			checkProjections(t, data, ipc.Options{})
		}
		b1.Release()
		b2.Release()
	}
}

func TestProjectionErrors(t *testing.T) {
	schema := zeroCopySchema()
	b := randomBatch(rand.New(rand.NewPCG(1, 1)), memory.DefaultAllocator, schema, 3)
	defer b.Release()
	data := writeIPC(t, false, schema, ipc.WriteOptions{}, b)
	_, err := ipc.Open(bytes.NewReader(data), int64(len(data)), ipc.Options{ReadOptions: format.ReadOptions{Columns: []string{"id", "nope"}}})
	if !errors.Is(err, format.ErrSchema) {
		t.Fatalf("missing column: %v does not wrap ErrSchema", err)
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestProjectionReadsLess checks that, through ReadAt, a projection reads
// the projected columns' bytes and not the others'.
func TestProjectionReadsLess(t *testing.T) {
	schema := zeroCopySchema()
	b := randomBatch(rand.New(rand.NewPCG(5, 5)), memory.DefaultAllocator, schema, 5000)
	defer b.Release()
	for _, comp := range []ipc.Compression{ipc.None, ipc.LZ4} {
		data := writeIPC(t, true, schema, ipc.WriteOptions{Compression: comp}, b)
		read := func(cols []string) int64 {
			src := &countingReaderAt{r: bytes.NewReader(data)}
			r, err := ipc.Open(src, int64(len(data)), ipc.Options{ReadOptions: format.ReadOptions{Columns: cols}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			releaseAll(collect(t, r))
			return src.n.Load()
		}
		all, id := read(nil), read([]string{"id"})
		// id is 8 bytes a row of 5000 rows (less compressed); the text
		// and embedding columns are much more.
		if id > all/2 || (comp == ipc.None && id < 5000*8) {
			t.Errorf("%s: reading column id took %d bytes, the whole file %d", comp, id, all)
		}
	}
}
