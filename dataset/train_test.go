package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tome-data/tome/stream"
)

// TestTrainReleasesEverything reads Parquet shards (decoded into the
// dataset's allocator) and Arrow shards through every mode and read path
// — to the end, breaking early, with parallel gathering and prefetch,
// under a canceled context — and checks that no memory and no goroutine
// is left once the datasets are closed.
func TestTrainReleasesEverything(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	for _, ext := range []string{".parquet", ".arrow"} {
		t.Run(ext, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			f := trainFixture{ext: ext, sizes: []int64{900, 0, 1700, 400}, batchRows: 128}
			paths := f.write(t)
			ds, err := OpenFiles(context.Background(), paths, WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			for _, mode := range allModes {
				for _, read := range []TrainOptions{{}, {Parallel: 3, Prefetch: 2, BatchRows: 100}, {Prefetch: 1, Columns: []string{"text"}}} {
					o := read
					o.Mode, o.Seed, o.Window, o.BufferSize, o.World, o.Rank = mode, 5, 333, 77, 2, 1
					s, err := ds.Train(o)
					if err != nil {
						t.Fatal(err)
					}
					var n int64
					for b, err := range s.Batches(context.Background()) {
						if err != nil {
							t.Fatal(err)
						}
						n += b.NumRows()
					}
					if n != s.Len() {
						t.Fatalf("%s: delivered %d rows of %d", mode, n, s.Len())
					}
					for b, err := range s.Batches(context.Background()) {
						if err != nil || b.NumRows() == 0 {
							t.Fatalf("first batch: %v", err)
						}
						break
					}
					checkCanceled(t, s)
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := ds.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	goleak.VerifyNone(t, ignore)
}

// checkCanceled checks that a stream under a canceled context yields the
// context's error, once and last: canceled before the loop, and while it
// runs.
func checkCanceled(t *testing.T, s *TrainStream) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for b, err := range s.Batches(ctx) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stream under a canceled context yielded %v, %v", b, err)
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var last error
	for _, err := range s.Batches(ctx) {
		if last != nil {
			t.Fatalf("element after the error %v", last)
		}
		last = err
		cancel()
	}
	if last != nil && !errors.Is(last, context.Canceled) {
		t.Fatalf("stream canceled while running ended with %v", last)
	}
}

func TestTrainStreamOutlivesDataset(t *testing.T) {
	f := trainFixture{ext: ".arrow", sizes: []int64{50, 60}, batchRows: 16}
	ds, err := OpenFiles(context.Background(), f.write(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ds.Train(TrainOptions{Mode: ShuffleGlobal, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds.Close()
	if got := sortedCopy(streamIDs(t, s)); len(got) != 110 || got[0] != 0 || got[109] != 109 {
		t.Fatalf("stream of a closed dataset delivered %v", got)
	}
	s.Close()
	for _, err := range s.Batches(context.Background()) {
		if !errors.Is(err, ErrTrainConfig) {
			t.Fatalf("closed stream: %v", err)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	f := trainFixture{ext: ".arrow", sizes: []int64{30, 40}, batchRows: 8}
	ds := openTrain(t, f.write(t))
	other := openTrain(t, trainFixture{ext: ".arrow", sizes: []int64{30, 41}, batchRows: 8}.write(t))
	s, err := ds.Train(TrainOptions{Mode: ShuffleBlock, Window: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.State(20)
	if err != nil {
		t.Fatal(err)
	}
	mixState := st
	mixState.Mix = &TrainMixState{Weights: []float64{1}, Window: 1, Sources: make([]stream.MixSourceState, 1)}
	tests := []struct {
		name string
		d    *Dataset
		o    TrainOptions
		want error
	}{
		{"rank outside the world", ds, TrainOptions{World: 2, Rank: 2}, ErrTrainConfig},
		{"negative start", ds, TrainOptions{Start: -1}, ErrTrainConfig},
		{"unknown mode", ds, TrainOptions{Mode: ShuffleMode(17)}, ErrTrainConfig},
		{"negative batch", ds, TrainOptions{BatchRows: -1}, ErrTrainConfig},
		{"state of another dataset", other, TrainOptions{Resume: &st}, ErrStateMismatch},
		{"state of a mix", ds, TrainOptions{Resume: &mixState}, ErrStateMismatch},
		{"column that is not there", ds, TrainOptions{Columns: []string{"nope"}}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.d.Train(tt.o)
			if err == nil {
				// Some problems show when reading.
				for _, e := range s.Batches(context.Background()) {
					err = e
				}
				s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.State(s.RankLen() + 1); !errors.Is(err, ErrTrainConfig) {
		t.Fatalf("state past the end: %v", err)
	}
	jsonl := writeJSONLines(t)
	if _, err := jsonl.Train(TrainOptions{}); !errors.Is(err, ErrNoRandomAccess) {
		t.Fatalf("JSON Lines: %v, want ErrNoRandomAccess", err)
	}
	for _, doc := range []string{``, `{}`, `{"version":1,"mode":"block","window":0,"buffer_size":1}`, `{"version":1,"mode":"none","window":1,"buffer_size":1} {}`,
		`{"version":1,"mode":"none","window":1,"buffer_size":1,"extra":1}`, `{"version":1,"mode":"none","window":1,"buffer_size":1,"consumed":-4}`} {
		if _, err := ParseTrainState([]byte(doc)); !errors.Is(err, ErrTrainConfig) {
			t.Errorf("ParseTrainState(%s) = %v, want ErrTrainConfig", doc, err)
		}
	}
}

// writeJSONLines opens a JSON Lines file, which has no random access.
func writeJSONLines(t *testing.T) *Dataset {
	dir := t.TempDir()
	writeFile(t, dir, "x.jsonl", "{\"id\":1}\n{\"id\":2}\n")
	ds, err := Open(context.Background(), dir+"/x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ds.Close() })
	return ds
}

func TestTrainColumnsAndBatchRows(t *testing.T) {
	f := trainFixture{ext: ".parquet", sizes: []int64{250, 130}, batchRows: 64}
	ds := openTrain(t, f.write(t))
	want := trainIDs(t, ds, TrainOptions{Mode: ShuffleBuffer, Seed: 3, BufferSize: 50})
	s, err := ds.Train(TrainOptions{Mode: ShuffleBuffer, Seed: 3, BufferSize: 50, Columns: []string{"id"}, BatchRows: 37})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int64
	var sizes []int64
	for b, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if b.NumCols() != 1 || b.Schema().Field(0).Name != "id" {
			t.Fatalf("projected batch has columns %s", b.Schema())
		}
		sizes = append(sizes, b.NumRows())
		got = appendIDs(t, got, b)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("projected stream differs")
	}
	for i, n := range sizes {
		if n != 37 && i != len(sizes)-1 {
			t.Fatalf("batch %d of %d rows, want 37", i, n)
		}
	}
	var rows []int64
	for r, err := range s.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		id, err := Get[int64](r, "id")
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, id)
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("Rows differ from Batches")
	}
}

// TestTrainOverView trains over a view: its rows, in its order, are the
// epoch's one shard, and column operations apply.
func TestTrainOverView(t *testing.T) {
	f := trainFixture{ext: ".arrow", sizes: []int64{100, 100}, batchRows: 32}
	ds := openTrain(t, f.write(t))
	picked := []int64{150, 3, 77, 199, 0, 42, 100, 101}
	v, err := ds.Select(picked)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	renamed, err := v.RenameColumns(map[string]string{"text": "caption"})
	if err != nil {
		t.Fatal(err)
	}
	defer renamed.Close()
	got := trainIDs(t, renamed, TrainOptions{})
	if !slices.Equal(got, picked) {
		t.Fatalf("view in order: %v, want %v", got, picked)
	}
	s, err := renamed.Train(TrainOptions{Mode: ShuffleGlobal, Seed: 2, World: 3, Rank: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for b, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if b.Schema().Field(1).Name != "caption" {
			t.Fatalf("column operations lost: %s", b.Schema())
		}
	}
	st, _ := s.State(1)
	doc, _ := json.Marshal(st)
	whole, _ := ds.Train(TrainOptions{})
	defer whole.Close()
	if _, err := ds.Train(TrainOptions{Resume: &st}); !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("state of a view resumed on the whole dataset: %v (%s)", err, doc)
	}
}

// TestTrainMemoryIsBounded measures the Arrow memory a stream holds at
// once over memory-mapped shards, where only what it gathers is allocated:
// it is a few batches, whatever the dataset's size and mode.
func TestTrainMemoryIsBounded(t *testing.T) {
	rows := int64(200_000)
	if testing.Short() {
		rows = 50_000
	}
	f := trainFixture{ext: ".arrow", sizes: []int64{rows / 4, rows / 4, rows / 4, rows / 4}, batchRows: 1000}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ds, err := OpenFiles(context.Background(), f.write(t), WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, mode := range allModes {
		for _, o := range []TrainOptions{{World: 1}, {World: 3, Rank: 1}, {World: 2, Parallel: 2, Prefetch: 2}} {
			o.Mode, o.Seed, o.BufferSize = mode, 1, 5000
			s, err := ds.Train(o)
			if err != nil {
				t.Fatal(err)
			}
			peak, n := 0, int64(0)
			for b, err := range s.Batches(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				peak = max(peak, mem.CurrentAlloc())
				n += b.NumRows()
			}
			s.Close()
			// A gathered batch of 8192 rows is about 200 KiB; the
			// dataset's values are some 30 times that per 50 000 rows.
			limit := 3 << 20
			if o.Parallel > 1 {
				limit = 12 << 20
			}
			if peak > limit {
				t.Errorf("%s %+v: %d rows held up to %d bytes of Arrow memory at once, want at most %d", mode, o, n, peak, limit)
			}
			t.Logf("%s world %d parallel %d: peak %d KiB over %d rows", mode, o.World, o.Parallel, peak>>10, n)
		}
	}
	mem.AssertSize(t, 0)
}
