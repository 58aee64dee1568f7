package format

import (
	"context"
	"io"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultBatchSize is the number of rows per batch for formats where the
// reader chooses the batch size (Parquet, JSON Lines, CSV).
const DefaultBatchSize = 8192

// ReadOptions are the options every codec's reader understands. Codecs embed
// them in their own option structs. The zero value reads every column with
// the default batch size from the Go heap.
type ReadOptions struct {
	// Columns projects the file onto these columns, in this order. Nil means
	// every column. A name that is not in the file is an ErrSchema error.
	Columns []string

	// BatchSize is the number of rows per batch where the reader decides it;
	// zero means DefaultBatchSize. Arrow IPC files keep the writer's batches.
	BatchSize int

	// Allocator receives decoded buffers; nil means memory.DefaultAllocator.
	// Zero-copy buffers of a memory-mapped file do not come from it.
	Allocator memory.Allocator
}

// BatchRows returns BatchSize or its default.
func (o ReadOptions) BatchRows() int {
	if o.BatchSize > 0 {
		return o.BatchSize
	}
	return DefaultBatchSize
}

// Mem returns Allocator or its default.
func (o ReadOptions) Mem() memory.Allocator {
	if o.Allocator != nil {
		return o.Allocator
	}
	return memory.DefaultAllocator
}

// A Reader reads the record batches of one file.
//
// Batches yields the batches in file order. A yielded batch is valid until
// the loop body returns; Retain it to keep it. A non-nil error is yielded at
// most once, as the last element. Breaking out of the loop releases what the
// iteration holds. Batches may be called more than once; each call starts
// from the beginning.
type Reader interface {
	// Schema is the (projected) schema of every batch, with its metadata.
	Schema() *arrow.Schema
	// NumRows is the row count from the file's own metadata (footer, batch
	// headers), or -1 when the format does not record it (JSON Lines, CSV).
	NumRows() int64
	Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error]
	io.Closer
}

// A ChunkedReader is a Reader over a file cut into independently readable
// chunks whose row counts are known without reading data: the record
// batches of an Arrow IPC file or stream, the row groups of a Parquet file.
// It gives random access: locating row r takes a search over ChunkRows, and
// reading it touches one chunk.
type ChunkedReader interface {
	Reader
	NumChunks() int
	// ChunkRows is the number of rows in chunk i, from metadata.
	ChunkRows(i int) int64
	// ReadChunk yields the batches of chunk i in order, under the same rules
	// as Batches. An IPC chunk is one batch; a Parquet row group yields
	// batches of at most the configured batch size.
	ReadChunk(ctx context.Context, i int) iter.Seq2[arrow.RecordBatch, error]
}

// A Writer writes record batches to one file. Close writes the footer (if
// the format has one) and must be called for the file to be valid; it does
// not close the underlying io.Writer. Writers do not make files atomic:
// callers write to a temporary name and rename (see internal/atomicfile).
type Writer interface {
	Write(batch arrow.RecordBatch) error
	Close() error
}

// Mapped is implemented by an io.ReaderAt whose whole content is addressable
// in memory, such as a memory-mapped file. Readers that find it decode
// zero-copy: batch buffers point into Bytes. Each borrower calls Retain and,
// when done, Release; the bytes stay valid until the last Release.
type Mapped interface {
	Bytes() []byte
	Retain()
	Release()
}
