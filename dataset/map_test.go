package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
)

// doubleScore returns a MapFunc that keeps id and adds score2 = 2*score,
// allocating from mem.
func doubleScore(mem memory.Allocator) MapFunc {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score2", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	return func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		id := b.Column(int(b.Schema().FieldIndices("id")[0]))
		score := b.Column(b.Schema().FieldIndices("score")[0]).(*array.Float32)
		bld := array.NewFloat64Builder(mem)
		defer bld.Release()
		for _, v := range score.Float32Values() {
			bld.Append(2 * float64(v))
		}
		s2 := bld.NewArray()
		defer s2.Release()
		return array.NewRecordBatch(schema, []arrow.Array{id, s2}, b.NumRows()), nil
	}
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMap(t *testing.T) {
	for _, workers := range []int{1, 4} {
		for _, ext := range []string{".arrow", ".parquet"} {
			t.Run(fmt.Sprintf("%s/workers=%d", ext, workers), func(t *testing.T) {
				mem := checkedMem(t)
				ds := fixture{ext: ext, shards: 3, rows: 100, batchRows: 16}.open(t, WithAllocator(mem))
				cache := t.TempDir()
				m, err := ds.Map(context.Background(), doubleScore(mem), MapOptions{Workers: workers, CacheDir: cache, BatchRows: 10})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if m.Len() != 300 {
					t.Fatalf("Len %d", m.Len())
				}
				if got := fieldNamesOf(m.Schema()); !cmp.Equal(got, []string{"id", "score2"}) {
					t.Fatalf("columns %v", got)
				}
				ids := column[int64](t, m, "id", nil)
				s2 := column[float64](t, m, "score2", nil)
				for i := range ids {
					if ids[i] != int64(i) || s2[i] != float64(i) {
						t.Fatalf("row %d: id %d score2 %g", i, ids[i], s2[i])
					}
				}
				// One new directory in the cache, holding Arrow stream shards.
				dirs := dirEntries(t, cache)
				if len(dirs) != 1 || filepath.Join(cache, dirs[0]) != m.Name() {
					t.Fatalf("cache holds %v, result is %s", dirs, m.Name())
				}
				for _, s := range m.Shards() {
					if s.Format != (format.Kind{Format: format.ArrowStream}).String() {
						t.Errorf("shard %s is %s", s.Path, s.Format)
					}
				}
				if split := m.Split(); split != "train" {
					t.Errorf("split %q", split)
				}
			})
		}
	}
}

func TestMapRollsShards(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 1000, batchRows: 100}.open(t)
	cache := t.TempDir()
	m, err := ds.Map(context.Background(), func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		b.Retain() // the identity: hand the input back, retained
		return b, nil
	}, MapOptions{CacheDir: cache, ShardBytes: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	shards := m.Shards()
	if len(shards) < 3 {
		t.Fatalf("%d shards of at most 8 KiB for %d rows", len(shards), m.Len())
	}
	for i, s := range shards {
		if want := filepath.Join(m.Name(), "data-0000"+string(rune('0'+i))+".arrow"); s.Path != want {
			t.Errorf("shard %d is %s, want %s", i, s.Path, want)
		}
	}
	if got := column[int64](t, m, "id", nil); !cmp.Equal(got, seq(0, 1000)) {
		t.Fatal("ids differ after rolling shards")
	}
	// The identity keeps the schema, metadata included: the features too.
	if f, _ := m.Features().Get("label"); f == nil || f.Names == nil {
		t.Errorf("label feature %+v", f)
	}
	// The output is a dataset directory in its own right.
	again, err := Open(context.Background(), m.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Len() != 1000 {
		t.Errorf("reopened: Len %d", again.Len())
	}
}

func TestMapFiltersAndExpands(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 50, batchRows: 20}.open(t)
	// Keep the first two rows of each batch, twice over.
	m, err := ds.Map(context.Background(), func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		head := b.NewSlice(0, min(2, b.NumRows()))
		defer head.Release()
		cols := make([]arrow.Array, head.NumCols())
		for i := range cols {
			c, err := array.Concatenate([]arrow.Array{head.Column(i), head.Column(i)}, memory.DefaultAllocator)
			if err != nil {
				return nil, err
			}
			defer c.Release()
			cols[i] = c
		}
		return array.NewRecordBatch(head.Schema(), cols, 2*head.NumRows()), nil
	}, MapOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := column[int64](t, m, "id", nil); !cmp.Equal(got, []int64{0, 1, 0, 1, 20, 21, 20, 21, 40, 41, 40, 41}) {
		t.Fatalf("ids %v", got)
	}
}

func TestMapOfJSONLinesGivesRandomAccess(t *testing.T) {
	ctx := context.Background()
	jl, err := Open(ctx, filepath.Join("..", "testdata", "reviews.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer jl.Close()
	m, err := jl.Map(ctx, func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		b.Retain()
		return b, nil
	}, MapOptions{CacheDir: t.TempDir(), Columns: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Len() != 500 {
		t.Fatalf("Len %d", m.Len())
	}
	sh, err := m.Shuffle(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	if n := len(column[int64](t, sh, "id", nil)); n != 500 {
		t.Fatalf("%d rows", n)
	}
}

func TestMapOfEmptyDataset(t *testing.T) {
	ctx := context.Background()
	ds := fixture{ext: ".arrow", shards: 1, rows: 10, batchRows: 10}.open(t)
	none, err := ds.Filter(ctx, func(Row) (bool, error) { return false, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	calls := 0
	m, err := none.Map(ctx, func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		calls++
		return doubleScore(memory.DefaultAllocator)(b)
	}, MapOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if calls != 1 || m.Len() != 0 || !cmp.Equal(fieldNamesOf(m.Schema()), []string{"id", "score2"}) {
		t.Fatalf("%d calls, Len %d, columns %v", calls, m.Len(), fieldNamesOf(m.Schema()))
	}
}

func TestMapErrorsLeaveNothing(t *testing.T) {
	boom := errors.New("boom")
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	tests := []struct {
		name string
		fn   func(n int, b arrow.RecordBatch) (arrow.RecordBatch, error)
		is   error
		text string
	}{
		{"error", func(n int, b arrow.RecordBatch) (arrow.RecordBatch, error) {
			if n == 5 {
				return nil, boom
			}
			b.Retain()
			return b, nil
		}, boom, "boom"},
		{"panic", func(n int, b arrow.RecordBatch) (arrow.RecordBatch, error) {
			if n == 5 {
				panic("oops")
			}
			b.Retain()
			return b, nil
		}, nil, "oops"},
		{"nil batch", func(n int, b arrow.RecordBatch) (arrow.RecordBatch, error) { return nil, nil }, nil, "nil batch"},
		{"schema changes", func(n int, b arrow.RecordBatch) (arrow.RecordBatch, error) {
			if n == 5 {
				col := array.MakeArrayOfNull(memory.DefaultAllocator, arrow.PrimitiveTypes.Int64, int(b.NumRows()))
				defer col.Release()
				return array.NewRecordBatch(other, []arrow.Array{col}, b.NumRows()), nil
			}
			b.Retain()
			return b, nil
		}, ErrSchemaMismatch, "batch 5"},
	}
	for _, workers := range []int{1, 3} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/workers=%d", tt.name, workers), func(t *testing.T) {
				mem := checkedMem(t)
				ds := fixture{ext: ".parquet", shards: 2, rows: 100, batchRows: 10}.open(t, WithAllocator(mem))
				cache := t.TempDir()
				var calls atomic.Int64
				_, err := ds.Map(context.Background(), func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
					first := b.Column(0).(*array.Int64).Value(0)
					calls.Add(1)
					return tt.fn(int(first/10), b)
				}, MapOptions{CacheDir: cache, ShardBytes: 1 << 10, Workers: workers})
				if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
					t.Fatalf("err = %v, want %v saying %q", err, tt.is, tt.text)
				}
				if left := dirEntries(t, cache); len(left) != 0 {
					t.Fatalf("left behind: %v", left)
				}
			})
		}
	}
}

func TestMapCanceled(t *testing.T) {
	ds := fixture{ext: ".arrow", shards: 1, rows: 100, batchRows: 10}.open(t)
	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := ds.Map(ctx, func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		if b.Column(0).(*array.Int64).Value(0) == 30 {
			cancel()
		}
		b.Retain()
		return b, nil
	}, MapOptions{CacheDir: cache, Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left := dirEntries(t, cache); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

func TestMapWorkersRunInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	ds := fixture{ext: ".arrow", shards: 1, rows: 80, batchRows: 10}.open(t)
	var running, peak atomic.Int64
	m, err := ds.Map(context.Background(), func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		b.Retain()
		return b, nil
	}, MapOptions{CacheDir: t.TempDir(), Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if peak.Load() < 2 {
		t.Errorf("at most %d calls at once with 4 workers", peak.Load())
	}
	if got := column[int64](t, m, "id", nil); !cmp.Equal(got, seq(0, 80)) {
		t.Fatal("parallel output out of order")
	}
}

func TestMapDefaultCacheDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME sets os.UserCacheDir on Linux")
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	ds := fixture{ext: ".arrow", shards: 1, rows: 5, batchRows: 5}.open(t)
	m, err := ds.Map(context.Background(), func(b arrow.RecordBatch) (arrow.RecordBatch, error) {
		b.Retain()
		return b, nil
	}, MapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if dir := filepath.Dir(m.Name()); dir != filepath.Join(cache, "tome", "map") {
		t.Fatalf("output in %s, want under %s/tome/map", m.Name(), cache)
	}
}
