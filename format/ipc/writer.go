package ipc

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// Compression is the codec a Writer compresses each body buffer with.
type Compression int

// The body compressions of the Arrow IPC format.
const (
	None Compression = iota
	LZ4              // LZ4 frame
	Zstd             // Zstandard
)

func (c Compression) String() string {
	switch c {
	case LZ4:
		return "lz4"
	case Zstd:
		return "zstd"
	}
	return "none"
}

// WriteOptions configure a Writer. The zero value writes uncompressed
// bodies with memory.DefaultAllocator.
type WriteOptions struct {
	Compression Compression
	// Allocator receives the writer's scratch buffers (compressed bodies);
	// nil means memory.DefaultAllocator.
	Allocator memory.Allocator
}

func (o WriteOptions) arrowOptions(schema *arrow.Schema) ([]ipc.Option, error) {
	mem := o.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	opts := []ipc.Option{ipc.WithSchema(schema), ipc.WithAllocator(mem)}
	switch o.Compression {
	case None:
	case LZ4:
		opts = append(opts, ipc.WithLZ4())
	case Zstd:
		opts = append(opts, ipc.WithZstd())
	default:
		return nil, fmt.Errorf("%w: compression %d", format.ErrUnsupported, o.Compression)
	}
	return opts, nil
}

// A Writer writes record batches as an Arrow IPC file or stream. The
// schema's metadata and its fields' metadata are written as they are, so a
// Hugging Face "huggingface" key survives.
type Writer struct {
	schema *arrow.Schema
	w      interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	closed bool
}

var _ format.Writer = (*Writer)(nil)

// NewFileWriter returns a Writer of the IPC file format ("ARROW1" magic,
// footer with an index of the batches). Close writes the footer.
func NewFileWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	o, err := opts.arrowOptions(schema)
	if err != nil {
		return nil, err
	}
	fw, err := ipc.NewFileWriter(w, o...)
	if err != nil {
		return nil, err
	}
	return &Writer{schema: schema, w: fw}, nil
}

// NewStreamWriter returns a Writer of the IPC stream format, which Hugging
// Face datasets uses for its .arrow files. Close writes the end-of-stream
// marker.
func NewStreamWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	o, err := opts.arrowOptions(schema)
	if err != nil {
		return nil, err
	}
	return &Writer{schema: schema, w: ipc.NewWriter(w, o...)}, nil
}

// Write writes one batch, whose schema must equal the Writer's (metadata
// aside) or the error wraps format.ErrSchema.
func (w *Writer) Write(batch arrow.RecordBatch) (err error) {
	if w.closed {
		return errors.New("ipc: write after close")
	}
	if !batch.Schema().Equal(w.schema) {
		return fmt.Errorf("%w: batch schema %s differs from the writer's %s", format.ErrSchema, batch.Schema(), w.schema)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("ipc: writing a batch: %v", p)
		}
	}()
	return w.w.Write(batch)
}

// Close finishes the file or stream; it does not close the io.Writer.
// Calling it twice is a no-op.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.w.Close()
}
