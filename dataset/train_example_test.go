package dataset_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/stream"
)

// writeNumbers writes shards of ids first, first+1, ... of the given sizes
// into dir and returns their paths.
func writeNumbers(dir, name string, first int64, sizes ...int) []string {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var paths []string
	for s, n := range sizes {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.arrow", name, s))
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		w, err := ipc.NewStreamWriter(f, schema, ipc.WriteOptions{})
		if err != nil {
			log.Fatal(err)
		}
		b := array.NewInt64Builder(memory.DefaultAllocator)
		for range n {
			b.Append(first)
			first++
		}
		col := b.NewArray()
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(n))
		if err := w.Write(rec); err != nil {
			log.Fatal(err)
		}
		rec.Release()
		col.Release()
		b.Release()
		if err := w.Close(); err != nil {
			log.Fatal(err)
		}
		f.Close()
		paths = append(paths, path)
	}
	return paths
}

// sampleIDs returns the id of every sample a training stream delivers.
func sampleIDs(ctx context.Context, s *dataset.TrainStream) []int64 {
	var out []int64
	for b, err := range s.Batches(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, b.Column(0).(*array.Int64).Int64Values()...)
	}
	return out
}

// Two ranks share a block-shuffled epoch of 10 rows in two shards; rank 1
// saves its state after 3 samples, and the run resumes on one rank.
func ExampleDataset_Train() {
	dir, err := os.MkdirTemp("", "tome-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	ds, err := dataset.OpenFiles(ctx, writeNumbers(dir, "part", 0, 6, 4))
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()

	opts := dataset.TrainOptions{Mode: dataset.ShuffleBlock, Seed: 7, Window: 4, World: 2}
	for rank := range 2 {
		opts.Rank = rank
		s, err := ds.Train(opts)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rank %d: %v\n", rank, sampleIDs(ctx, s))
		s.Close()
	}

	// Rank 1 has delivered 3 samples, so the ranks together 6.
	s, err := ds.Train(opts)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	state, err := s.State(3)
	if err != nil {
		log.Fatal(err)
	}
	doc, _ := json.Marshal(state)
	fmt.Println("consumed:", state.Consumed)

	saved, err := dataset.ParseTrainState(doc)
	if err != nil {
		log.Fatal(err)
	}
	resumed, err := ds.Train(dataset.TrainOptions{Resume: saved}) // one rank now
	if err != nil {
		log.Fatal(err)
	}
	defer resumed.Close()
	fmt.Println("resumed:", sampleIDs(ctx, resumed))
	// Output:
	// rank 0: [0 3 4 6 9]
	// rank 1: [2 1 5 7 8]
	// consumed: 6
	// resumed: [6 7 9 8]
}

// A mix of two datasets, weighted 3:1 over windows of 4 samples, ending
// when the smaller one runs out.
func ExampleTrainMix() {
	dir, err := os.MkdirTemp("", "tome-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	web, err := dataset.OpenFiles(ctx, writeNumbers(dir, "web", 100, 12))
	if err != nil {
		log.Fatal(err)
	}
	defer web.Close()
	books, err := dataset.OpenFiles(ctx, writeNumbers(dir, "books", 900, 3))
	if err != nil {
		log.Fatal(err)
	}
	defer books.Close()

	mix := dataset.MixOptions{Weights: []float64{3, 1}, Window: 4, Stop: stream.FirstExhausted}
	s, err := dataset.TrainMix([]*dataset.Dataset{web, books}, mix, dataset.TrainOptions{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	fmt.Println(sampleIDs(ctx, s))
	// Output:
	// [100 101 900 102 901 103 104 105 106 902 107 108 109 110 111]
}
