package jsonl

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// Defaults for Options.
const (
	// DefaultInferRows is how many non-blank lines inference samples.
	DefaultInferRows = 1000
	// DefaultMaxLineBytes bounds a line; a longer one is an error rather
	// than an unbounded allocation.
	DefaultMaxLineBytes = 64 << 20
	// DefaultBatchBytes ends a batch early once its lines hold this much
	// text, so that files of long lines keep batches (and memory) bounded.
	DefaultBatchBytes = 64 << 20
)

// Options configure Open. The zero value infers the schema from the first
// DefaultInferRows lines and detects compression.
type Options struct {
	format.ReadOptions

	// Compression is the whole-file compression. Gzip and zstd are also
	// recognised by their magic bytes, so the zero value (Uncompressed)
	// reads compressed files too; a value that contradicts the magic bytes
	// is an error.
	Compression format.Compression

	// Schema, when set, is the schema of the file: inference is skipped and
	// values are parsed into its types (see the package documentation for
	// the JSON accepted for each Arrow type). Keys not in it are ignored.
	Schema *arrow.Schema

	// InferRows is how many non-blank lines inference reads: 0 means
	// DefaultInferRows, -1 the whole file (a full extra pass).
	InferRows int

	// MaxLineBytes bounds the length of a line; 0 means DefaultMaxLineBytes.
	MaxLineBytes int

	// Name names the file in errors. Empty means the Name() of the
	// io.ReaderAt if it has one (shard.Local and os.File do), else "jsonl".
	Name string

	// Workers is how many goroutines decode lines into batches; 0 means
	// one per CPU, up to 4. Batches are yielded in file order whatever it
	// is. 1 decodes on the iterating goroutine.
	Workers int
}

func (o Options) inferRows() int {
	if o.InferRows == 0 {
		return DefaultInferRows
	}
	return o.InferRows
}

func (o Options) maxLine() int {
	if o.MaxLineBytes > 0 {
		return o.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (o Options) validate() error {
	switch {
	case o.InferRows < -1:
		return fmt.Errorf("jsonl: InferRows %d: want -1, 0 or a positive count", o.InferRows)
	case o.MaxLineBytes < 0:
		return fmt.Errorf("jsonl: negative MaxLineBytes %d", o.MaxLineBytes)
	case o.BatchSize < 0:
		return fmt.Errorf("jsonl: negative BatchSize %d", o.BatchSize)
	case o.Workers < 0:
		return fmt.Errorf("jsonl: negative Workers %d", o.Workers)
	case o.Compression < format.Uncompressed || o.Compression > format.Zstd:
		return fmt.Errorf("jsonl: unknown compression %d", o.Compression)
	}
	return nil
}
