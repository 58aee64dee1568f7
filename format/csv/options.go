package csv

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

// Defaults for Options.
const (
	// DefaultInferRows is how many records inference samples.
	DefaultInferRows = 1000
	// DefaultMaxRecordBytes bounds one record (a row, which quoted fields
	// may spread over several lines).
	DefaultMaxRecordBytes = 64 << 20
	// batchBytes ends a batch early once its records hold this much text,
	// keeping memory bounded for very long rows.
	batchBytes = 64 << 20
)

// Delimiters are the field separators Open detects, in order of
// preference when the sample fits several equally well.
const Delimiters = ",\t;|"

// Options configure Open. The zero value reads a file with a header row,
// detects the delimiter and compression, and infers the column types from
// the first DefaultInferRows records.
type Options struct {
	format.ReadOptions

	// Compression is the whole-file compression. Gzip and zstd are also
	// recognised by their magic bytes, so the zero value reads them; a
	// value that contradicts the magic bytes is an error.
	Compression format.Compression

	// Schema, when set, gives the columns' names and types; inference is
	// skipped. Its fields are the file's columns in order; with a header,
	// the header's names must match them.
	Schema *arrow.Schema

	// NoHeader says the first record is data. Columns are then named by
	// Schema, or f0, f1, ... when inferred.
	NoHeader bool

	// Delimiter separates fields; 0 detects it among Delimiters from the
	// first lines. Any single byte other than '"', '\r' and '\n' works.
	Delimiter byte

	// InferRows is how many records inference reads: 0 means
	// DefaultInferRows, -1 the whole file (a full extra pass).
	InferRows int

	// MaxRecordBytes bounds one record; 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int

	// Name names the file in errors. Empty means the Name() of the
	// io.ReaderAt if it has one, else "csv".
	Name string
}

func (o Options) inferRows() int {
	if o.InferRows == 0 {
		return DefaultInferRows
	}
	return o.InferRows
}

func (o Options) maxRecord() int {
	if o.MaxRecordBytes > 0 {
		return o.MaxRecordBytes
	}
	return DefaultMaxRecordBytes
}

func (o Options) validate() error {
	switch {
	case o.InferRows < -1:
		return fmt.Errorf("csv: InferRows %d: want -1, 0 or a positive count", o.InferRows)
	case o.MaxRecordBytes < 0:
		return fmt.Errorf("csv: negative MaxRecordBytes %d", o.MaxRecordBytes)
	case o.BatchSize < 0:
		return fmt.Errorf("csv: negative BatchSize %d", o.BatchSize)
	case o.Delimiter == '"' || o.Delimiter == '\r' || o.Delimiter == '\n':
		return fmt.Errorf("csv: %q cannot be the delimiter", o.Delimiter)
	case o.Compression < format.Uncompressed || o.Compression > format.Zstd:
		return fmt.Errorf("csv: unknown compression %d", o.Compression)
	}
	return nil
}
