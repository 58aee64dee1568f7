package gen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/atomicfile"
)

// version names the generator's output: change it whenever the files it
// writes change, so that caches of an older generator are not reused.
const version = "v1"

// BatchRows is the number of rows per record batch of the Arrow IPC files
// (tome's own default for Arrow output).
const BatchRows = dataset.ArrowWriteBatchRows

// File names one file of a data set.
type File string

// The files of a data set. The names carry the format in their extension,
// which is how tome's writer and DuckDB's readers tell the formats apart.
const (
	IPCList       File = "data.arrow"              // Arrow IPC file, list embedding
	IPCFixed      File = "data-fixed.arrow"        // Arrow IPC file, fixed-size list embedding
	StreamList    File = "data.arrows"             // Arrow IPC stream, list embedding
	ParquetZstd   File = "data.zstd.parquet"       // Parquet, zstd pages, list embedding
	ParquetSnappy File = "data.snappy.parquet"     // Parquet, snappy pages, list embedding
	ParquetFixed  File = "data-fixed.zstd.parquet" // Parquet, zstd pages, fixed-size list embedding
	JSONL         File = "data.jsonl"              // JSON Lines, list embedding
	Reviews       File = "reviews.jsonl"           // issue 6's JSON Lines conversion input
)

// A Set is the data set of one (rows, seed) pair in a work directory. Files
// are generated the first time they are asked for; a Set is safe for
// concurrent use.
type Set struct {
	Dir  string
	Rows int64
	Seed uint64

	mu sync.Mutex
}

// Open returns the Set of rows rows generated from seed under workDir,
// creating its directory.
func Open(workDir string, rows int64, seed uint64) (*Set, error) {
	if rows <= 0 {
		return nil, fmt.Errorf("gen: %d rows, want at least 1", rows)
	}
	dir := filepath.Join(workDir, fmt.Sprintf("%s-n%d-s%d", version, rows, seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return &Set{Dir: dir, Rows: rows, Seed: seed}, nil
}

// Path returns the path of f, generating it (and the files it derives from)
// if it does not exist yet.
func (s *Set) Path(ctx context.Context, f File) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ensure(ctx, f)
}

func (s *Set) ensure(ctx context.Context, f File) (string, error) {
	path := filepath.Join(s.Dir, string(f))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("gen: %w", err)
	}
	var err error
	switch f {
	case IPCList, IPCFixed:
		err = s.writeIPC()
	case Reviews:
		err = writeReviews(path, s.Rows, s.Seed)
	case StreamList, ParquetZstd, ParquetSnappy, JSONL:
		err = s.derive(ctx, IPCList, path, derivedCompression[f])
	case ParquetFixed:
		err = s.derive(ctx, IPCFixed, path, "zstd")
	default:
		return "", fmt.Errorf("gen: unknown file %q", f)
	}
	if err != nil {
		return "", fmt.Errorf("gen: writing %s: %w", path, err)
	}
	return path, nil
}

// derivedCompression is the codec of each file written from an IPC file.
var derivedCompression = map[File]string{
	StreamList:    "none",
	ParquetZstd:   "zstd",
	ParquetSnappy: "snappy",
	JSONL:         "none",
}

// writeIPC writes both Arrow IPC files in one pass over the rows.
func (s *Set) writeIPC() error {
	list, err := atomicfile.Create(filepath.Join(s.Dir, string(IPCList)))
	if err != nil {
		return err
	}
	defer list.Abort()
	fixed, err := atomicfile.Create(filepath.Join(s.Dir, string(IPCFixed)))
	if err != nil {
		return err
	}
	defer fixed.Abort()
	lw, err := ipc.NewFileWriter(list, ListSchema, ipc.WriteOptions{})
	if err != nil {
		return err
	}
	fw, err := ipc.NewFileWriter(fixed, FixedSchema, ipc.WriteOptions{})
	if err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	src := newRowSource(s.Rows, s.Seed)
	for rec := src.nextBatch(mem, BatchRows); rec != nil; rec = src.nextBatch(mem, BatchRows) {
		frec := toFixed(rec)
		err := errors.Join(lw.Write(rec), fw.Write(frec))
		rec.Release()
		frec.Release()
		if err != nil {
			return err
		}
	}
	if err := errors.Join(lw.Close(), fw.Close()); err != nil {
		return err
	}
	return errors.Join(list.Commit(), fixed.Commit())
}

// derive writes dest from the IPC file from through tome's own writers
// (dataset.WriteFile, which writes atomically), with the writer's default
// row groups: what a user of tome gets.
func (s *Set) derive(ctx context.Context, from File, dest, compression string) error {
	src, err := s.ensure(ctx, from)
	if err != nil {
		return err
	}
	d, err := dataset.Open(ctx, src)
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = dataset.WriteFile(ctx, d, dest, dataset.WriteOptions{Compression: compression})
	return err
}
