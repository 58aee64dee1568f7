package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"iter"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

// Reader reads the record batches of one Parquet file. Its chunks are the
// file's row groups (or those Options.RowGroups selects), so it is a
// format.ChunkedReader: ChunkRows comes from the footer and ReadChunk decodes
// one row group.
//
// A Reader is safe for concurrent use: each call to Batches or ReadChunk
// decodes independently, reading through the io.ReaderAt given to Open,
// which must stay readable until the last iteration ends.
type Reader struct {
	name      string
	opts      Options
	file      *file.Reader
	arrow     *pqarrow.FileReader
	schema    *arrow.Schema
	cols      []column
	rowGroups []int
	numRows   int64
	src       source // for the fast decoder's chunk reads
	closed    atomic.Bool
	pages     pageAccess // random access by page (pageindex_read.go)

	// testStarted, set by tests, sees each row group batchesAhead starts.
	testStarted func(rowGroup int)
}

var _ format.ChunkedReader = (*Reader)(nil)

// Open reads and checks the footer of the Parquet file held by r, size bytes
// long. It reads no column data. The errors it returns wrap format's
// sentinels: ErrCorrupt for a malformed file, ErrEncrypted for one that
// needs keys, ErrNotData for an impostor such as an HTML page, ErrSchema for
// a projected column or row group the file does not have.
//
// If r has a Name() string method, as a shard.Source does, errors name it.
func Open(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	name := nameOf(r)
	if err := checkFraming(r, size, name); err != nil {
		return nil, err
	}
	rd := &Reader{name: name, opts: opts, pages: pageAccess{src: r, size: size}}
	guard := &pageGuard{maxPageSize: opts.maxPageSize()}
	if err := rd.open(source{r: r, size: size, guard: guard}); err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, classify(err))
	}
	return rd, nil
}

func (rd *Reader) open(src source) (err error) {
	defer recovered(&err)
	props := pq.NewReaderProperties(rd.opts.Mem())
	// One read per column chunk: the right shape for remote sources, and
	// the chunk's length has been checked against the file by then.
	props.BufferedStreamEnabled = false
	props.MaxCompressedPageSize = rd.opts.maxPageSize()
	props.MaxUncompressedPageSize = rd.opts.maxPageSize()
	rd.file, err = file.NewParquetReader(src, file.WithReadProps(props))
	if err != nil {
		return err
	}
	md := rd.file.MetaData()
	if err := checkArrowSchema(md.KeyValueMetadata()); err != nil {
		return err
	}
	rd.arrow, err = pqarrow.NewFileReader(rd.file, pqarrow.ArrowReadProperties{}, rd.opts.Mem())
	if err != nil {
		return err
	}
	if rd.cols, err = project(rd.arrow.Manifest, rd.opts.Columns); err != nil {
		return err
	}
	rd.rowGroups = rd.opts.RowGroups
	if rd.rowGroups == nil {
		rd.rowGroups = make([]int, md.NumRowGroups())
		for i := range rd.rowGroups {
			rd.rowGroups[i] = i
		}
	}
	if rd.numRows, src.guard.chunks, err = checkLayout(md, rd.rowGroups, rd.cols, src.size, rd.opts.maxPageSize()); err != nil {
		return err
	}
	rd.schema = schemaOf(rd.cols, md.KeyValueMetadata())
	rd.src = src
	return nil
}

// Schema returns the Arrow schema of the projected columns, with the file's
// key-value metadata (the "huggingface" key among it). Types an Arrow writer
// stored under "ARROW:schema" are restored: large strings and binaries,
// dictionaries, fixed-size lists, time zones, second-unit timestamps and
// times, date64. The key itself is left out.
func (rd *Reader) Schema() *arrow.Schema { return rd.schema }

// NumRows returns the row count of the selected row groups, from their
// footer entries. It is their sum and not the footer's file-level count,
// which some writers get wrong (parquet-testing's repeated_no_annotation
// says 0 rows and holds 6); the row groups are what reading yields.
func (rd *Reader) NumRows() int64 { return rd.numRows }

// NumChunks returns the number of selected row groups.
func (rd *Reader) NumChunks() int { return len(rd.rowGroups) }

// ChunkRows returns the row count of chunk i from the footer, or -1 when i
// is out of range.
func (rd *Reader) ChunkRows(i int) int64 {
	if i < 0 || i >= len(rd.rowGroups) {
		return -1
	}
	return rd.file.MetaData().RowGroup(rd.rowGroups[i]).NumRows()
}

// Batches yields the batches of every selected row group in order. A batch
// holds at most the configured batch size and never spans two row groups,
// so batch boundaries depend only on the file and the batch size.
//
// A yielded batch is valid until the loop body returns; Retain it to keep
// it, and Release what you retained. Its buffers come from the configured
// allocator and do not borrow the source. A non-nil error is yielded once,
// last.
func (rd *Reader) Batches(ctx context.Context) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if sizes, ok := rd.aheadSizes(); ok { // row groups in parallel: fastrowgroups.go
			rd.batchesAhead(ctx, sizes, yield)
			return
		}
		for i := range rd.rowGroups {
			if !rd.readRowGroup(ctx, i, yield) {
				return
			}
		}
	}
}

// ReadChunk yields the batches of chunk i under the rules of Batches.
func (rd *Reader) ReadChunk(ctx context.Context, i int) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		if i < 0 || i >= len(rd.rowGroups) {
			yield(nil, fmt.Errorf("%s: chunk %d out of range [0, %d)", rd.name, i, len(rd.rowGroups)))
			return
		}
		rd.readRowGroup(ctx, i, yield)
	}
}

// Close ends the Reader's use: iterations started afterwards yield an error.
// It does not close the io.ReaderAt, and batches already yielded and retained
// stay valid. Closing twice is a no-op.
func (rd *Reader) Close() error {
	rd.closed.Store(true)
	return nil
}

// checkArrowSchema reads the Arrow schema an Arrow writer stored under
// "ARROW:schema" with format/ipc, which checks every count and offset,
// before pqarrow hands the same bytes to arrow-go's IPC decoder, which
// trusts them: a child count in a forged schema made it allocate 70 GB.
// The value is base64, padded or not, as pqarrow accepts it.
func checkArrowSchema(kv metadata.KeyValueMetadata) error {
	v := kv.FindValue(arrowSchemaKey)
	if v == nil {
		return nil
	}
	var ser []byte
	var err error
	if len(*v)%4 == 0 {
		ser, err = base64.StdEncoding.DecodeString(*v)
	}
	if len(ser) == 0 || err != nil {
		if ser, err = base64.RawStdEncoding.DecodeString(*v); err != nil {
			return fmt.Errorf("%w: %s metadata is not base64: %w", format.ErrCorrupt, arrowSchemaKey, err)
		}
	}
	r, err := ipc.Open(bytes.NewReader(ser), int64(len(ser)), ipc.Options{})
	if err != nil {
		return fmt.Errorf("%w: %s metadata: %w", format.ErrCorrupt, arrowSchemaKey, err)
	}
	return r.Close()
}
