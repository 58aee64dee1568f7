package serve

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// forEachPiece passes b to write whole when its IPC body fits in limit
// bytes, else in row slices that each fit. A single row larger than the
// limit cannot be sent and is an error.
func forEachPiece(b arrow.RecordBatch, limit int64, write func(arrow.RecordBatch) error) error {
	if bufferBytes(b) <= limit {
		return write(b)
	}
	size, err := bodyBytes(b)
	if err != nil {
		return err
	}
	if size <= limit {
		return write(b)
	}
	rows := b.NumRows()
	if rows <= 1 {
		return status.Errorf(codes.ResourceExhausted, "serve: one row takes %d bytes, more than a Flight message may (%d)", size, limit)
	}
	pieces := min(rows, (size+limit-1)/limit+1)
	step := (rows + pieces - 1) / pieces
	for off := int64(0); off < rows; off += step {
		piece := b.NewSlice(off, min(off+step, rows))
		err := forEachPiece(piece, limit, write)
		piece.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// bufferBytes bounds b's IPC body from above: the sizes of every buffer
// its arrays point into (a slice's body is at most that, plus padding).
func bufferBytes(b arrow.RecordBatch) int64 {
	var n int64
	var visit func(d arrow.ArrayData)
	visit = func(d arrow.ArrayData) {
		for _, buf := range d.Buffers() {
			if buf != nil {
				n += int64(buf.Len()) + 8
			}
		}
		for _, c := range d.Children() {
			visit(c)
		}
		if d.DataType().ID() == arrow.DICTIONARY {
			visit(d.Dictionary())
		}
	}
	for _, col := range b.Columns() {
		visit(col.Data())
	}
	return n
}

// bodyBytes is the exact size of b's IPC body.
func bodyBytes(b arrow.RecordBatch) (int64, error) {
	p, err := ipc.GetRecordBatchPayload(b)
	if err != nil {
		return 0, err
	}
	defer p.Release()
	var c countingWriter
	c.w = io.Discard
	err = p.SerializeBody(&c)
	return c.n, err
}
