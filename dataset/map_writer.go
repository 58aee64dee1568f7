package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/atomicfile"
)

// shardWriter writes Map's output: uncompressed Arrow IPC stream shards
// (so they memory-map zero-copy), each written under a temporary name and
// renamed when complete, a new one begun once a shard reaches limit bytes.
// Every batch must have the first batch's column names and types.
type shardWriter struct {
	dir    string
	limit  int64
	mem    memory.Allocator
	schema *arrow.Schema // of the first batch; nil before it
	batch  int           // batches written, for errors

	f     *atomicfile.File
	buf   *bufio.Writer
	count *countingWriter
	w     *ipc.Writer
	paths []string // finished shards
}

// write appends a batch, which the caller still owns, to the current
// shard; a batch of no rows only fixes the schema.
func (s *shardWriter) write(b arrow.RecordBatch) error {
	defer func() { s.batch++ }()
	if s.schema == nil {
		s.schema = b.Schema()
	} else if err := s.conform(&b); err != nil {
		return err
	} else {
		defer b.Release()
	}
	if b.NumRows() == 0 {
		return nil
	}
	if s.w == nil {
		if err := s.open(); err != nil {
			return err
		}
	}
	if err := s.w.Write(b); err != nil {
		return fmt.Errorf("writing %s: %w", s.f.Name(), err)
	}
	if s.count.n >= s.limit {
		return s.finish()
	}
	return nil
}

// conform checks *b against the first batch's schema and replaces it by a
// batch (which the caller releases) carrying exactly that schema, so that
// metadata differences do not split the output.
func (s *shardWriter) conform(b *arrow.RecordBatch) error {
	got := (*b).Schema()
	if !sameColumns(s.schema, got) {
		return fmt.Errorf("%w: output batch %d has columns %s, the first had %s", ErrSchemaMismatch, s.batch, got, s.schema)
	}
	for i, f := range s.schema.Fields() {
		if !f.Nullable && (*b).Column(i).NullN() > 0 {
			return fmt.Errorf("%w: output batch %d has nulls in column %s, which the first batch declared non-nullable", ErrSchemaMismatch, s.batch, f.Name)
		}
	}
	*b = array.NewRecordBatch(s.schema, (*b).Columns(), (*b).NumRows())
	return nil
}

func (s *shardWriter) open() error {
	path := filepath.Join(s.dir, fmt.Sprintf("data-%05d.arrow", len(s.paths)))
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	s.f = f
	s.buf = bufio.NewWriterSize(f, 1<<20)
	s.count = &countingWriter{w: s.buf}
	s.w, err = ipc.NewStreamWriter(s.count, s.schema, ipc.WriteOptions{Allocator: s.mem})
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// finish completes the current shard and publishes it.
func (s *shardWriter) finish() error {
	path := filepath.Join(s.dir, fmt.Sprintf("data-%05d.arrow", len(s.paths)))
	err := s.w.Close()
	if err == nil {
		err = s.buf.Flush()
	}
	if err == nil {
		err = s.f.Commit()
	}
	s.w = nil
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	s.paths = append(s.paths, path)
	return nil
}

// close finishes the last shard and returns every shard's path. Output of
// no rows is one shard holding only the schema.
func (s *shardWriter) close() ([]string, error) {
	if s.w == nil && len(s.paths) == 0 {
		if err := s.open(); err != nil {
			return nil, err
		}
	}
	if s.w != nil {
		if err := s.finish(); err != nil {
			return nil, err
		}
	}
	return s.paths, nil
}

// abort discards the shard being written and the finished ones.
func (s *shardWriter) abort() error {
	var errs []error
	if s.w != nil {
		errs = append(errs, s.w.Close(), s.f.Abort())
		s.w = nil
	}
	for _, p := range s.paths {
		errs = append(errs, os.Remove(p))
	}
	s.paths = nil
	return errors.Join(errs...)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
