package parquet

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// FuzzOpen opens arbitrary bytes and reads every batch. Whatever the input,
// the result is rows or an error wrapping a format sentinel: never a panic,
// a hang, or an allocation the input did not pay for. Run it with
//
//	go test ./format/parquet -run '^$' -fuzz FuzzOpen
//
// and TOME_CONFORMANCE_DIR set to seed it with the malformed-file corpora.
func FuzzOpen(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{
			Workers:     2,
			MaxPageSize: 4 << 20,
			ReadOptions: format.ReadOptions{BatchSize: 64, Allocator: memory.NewGoAllocator()},
		}
		start := time.Now()
		r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
		if err == nil {
			_, err = drain(r.Batches(context.Background()))
		}
		// Generous, for coverage instrumentation on a busy machine; the
		// conformance tests hold real files to two seconds.
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Fatalf("took %v", elapsed)
		}
		if err == nil {
			return
		}
		for _, s := range []error{format.ErrCorrupt, format.ErrUnsupported, format.ErrEncrypted, format.ErrNotData, format.ErrSchema} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no format sentinel: %v", err)
	})
}

// fuzzSeeds are small files this package writes, one per codec and a mix
// of types, and, when the conformance data is present, the malformed files
// of parquet-testing and the arrow-testing Parquet fuzz corpus.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	rng := rand.New(rand.NewPCG(5, 6))
	for i, c := range allCompressions {
		schema := randomSchema(rng)
		batch := randomBatch(memory.DefaultAllocator, schema, 1+i*3, rng)
		seeds = append(seeds, writeFile(f, schema, WriteOptions{Compression: c, RowGroupRows: 4}, batch))
		batch.Release()
	}
	delta, _ := deltaFile(f, compress.Codecs.Zstd)
	seeds = append(seeds, delta)
	if os.Getenv(conformance.EnvVar) == "" {
		return seeds
	}
	root := conformance.Dir(f)
	for _, pattern := range []string{
		"parquet-testing/bad_data/*.parquet",
		"arrow-testing/data/parquet/fuzzing/*",
		"arrow-testing/data/parquet/encoding-fuzzing/*",
		"parquet-testing/data/delta_*.parquet",
		"parquet-testing/data/*dict*.parquet",
	} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds
}
