package parquet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/edsrzf/mmap-go"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/cputime"
)

// benchFile returns the benchmark file (see writeBenchFile): the one
// TOME_BENCH_PARQUET_FILE names, written there first if missing, so that
// repeated runs at 2 M rows skip the minute of writing; else a fresh one.
func benchFile(b *testing.B) (string, int) {
	rows := benchRows(b)
	path := os.Getenv("TOME_BENCH_PARQUET_FILE")
	if path == "" {
		path = filepath.Join(b.TempDir(), fmt.Sprintf("bench-%d.parquet", rows))
	}
	if _, err := os.Stat(path); err != nil {
		writeBenchFile(b, path, rows)
	}
	return path, rows
}

// BenchmarkReadPaths reads the benchmark file three ways, interleaved in
// each iteration so that machine load hits them alike: tome's Reader with
// the fast path, tome's Reader forced onto the general path, and plain
// pqarrow with Parallel, each with two workers. It reports the median wall
// and CPU seconds of each. At scale:
//
//	TOME_BENCH_PARQUET_ROWS=2000000 TOME_BENCH_PARQUET_FILE=/tmp/bench-2m.parquet \
//	  go test ./format/parquet -run '^$' -bench ReadPaths -benchtime 5x
func BenchmarkReadPaths(b *testing.B) {
	path, rows := benchFile(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	size := st.Size()
	tome := func(general bool) func() (int64, error) {
		return func() (int64, error) {
			r, err := Open(f, size, Options{Workers: 2, GeneralPath: general, ReadOptions: format.ReadOptions{Allocator: memory.NewGoAllocator()}})
			if err != nil {
				return 0, err
			}
			return drain(r.Batches(context.Background()))
		}
	}
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Unmap()
	mapped := func() (int64, error) {
		src := mappedSource{bytes.NewReader(m), m}
		r, err := Open(src, size, Options{Workers: 2, ReadOptions: format.ReadOptions{Allocator: memory.NewGoAllocator()}})
		if err != nil {
			return 0, err
		}
		return drain(r.Batches(context.Background()))
	}
	plain := func() (int64, error) {
		pf, err := file.NewParquetReader(io.NewSectionReader(f, 0, size))
		if err != nil {
			return 0, err
		}
		defer pf.Close()
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{Parallel: true, BatchSize: int64(format.DefaultBatchSize)}, memory.NewGoAllocator())
		if err != nil {
			return 0, err
		}
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		if err != nil {
			return 0, err
		}
		defer rr.Release()
		var n int64
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		return n, rr.Err()
	}
	paths := []struct {
		name string
		run  func() (int64, error)
	}{{"fast", tome(false)}, {"fast-mmap", mapped}, {"general", tome(true)}, {"pqarrow", plain}}
	// TOME_BENCH_PARQUET_PATHS=fast (say) keeps some, for profiling one.
	if keep := os.Getenv("TOME_BENCH_PARQUET_PATHS"); keep != "" {
		paths = slices.DeleteFunc(paths, func(p struct {
			name string
			run  func() (int64, error)
		}) bool {
			return !slices.Contains(strings.Split(keep, ","), p.name)
		})
	}
	wall := make([][]float64, len(paths))
	cpu := make([][]float64, len(paths))
	for b.Loop() {
		for i, p := range paths {
			c0, t0 := cputime.Process(), time.Now()
			n, err := p.run()
			if err != nil {
				b.Fatalf("%s: %v", p.name, err)
			}
			if n != int64(rows) {
				b.Fatalf("%s: read %d rows, want %d", p.name, n, rows)
			}
			wall[i] = append(wall[i], time.Since(t0).Seconds())
			cpu[i] = append(cpu[i], (cputime.Process() - c0).Seconds())
		}
	}
	for i, p := range paths {
		b.ReportMetric(median(wall[i]), p.name+"-s")
		b.ReportMetric(median(cpu[i]), p.name+"-cpu-s")
	}
}

// mappedSource is a memory-mapped file as shard.Local presents one: a
// format.Mapped io.ReaderAt. The benchmark holds the mapping throughout.
type mappedSource struct {
	*bytes.Reader
	b []byte
}

func (m mappedSource) Bytes() []byte { return m.b }
func (m mappedSource) Retain()       {}
func (m mappedSource) Release()      {}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
