package ipc

import (
	"fmt"
	"math"

	"github.com/tome-data/tome/format"
)

// An index is where every message of a file lies, built once at open from
// metadata alone: bodies are never read while indexing. Batch k is then
// decoded from the schema, the dictionary messages that precede it and its
// own message.
type index struct {
	format  format.Format
	schema  []byte
	info    schemaInfo
	dicts   []dictEntry
	batches []batchEntry
	rows    int64
}

// entry locates one message: its flatbuffer metadata (a private copy) and
// its body.
type entry struct {
	offset     int64 // where the message starts, for error messages
	meta       []byte
	bodyOff    int64
	bodyLen    int64
	compressed bool
}

type dictEntry struct {
	entry
	id    int64
	delta bool
}

type batchEntry struct {
	entry
	rows int64
	// dicts is how many dictionary messages precede the batch: the
	// dictionaries in force for it are those of dicts[:dicts].
	dicts int
}

const (
	continuation = 0xFFFFFFFF
	// maxMetadata bounds one message's metadata, as arrow-go's readers do:
	// real metadata is kilobytes, and larger claims come from bad files.
	maxMetadata = 64 << 20
	fileMagic   = "ARROW1"
	// fileHead is the magic padded to 8 bytes; fileTail is the footer length
	// and the closing magic.
	fileHead = 8
	fileTail = 4 + len(fileMagic)
)

// add records one message; first says whether it is the file's first.
func (idx *index) add(e entry, m message, first bool) error {
	if first != (m.headerType == headerSchema) {
		if first {
			return fmt.Errorf("%w: the first message is not a schema", format.ErrCorrupt)
		}
		return fmt.Errorf("%w: a second schema message", format.ErrCorrupt)
	}
	switch m.headerType {
	case headerSchema:
		info, err := inspectSchema(m.header)
		if err != nil {
			return fmt.Errorf("schema: %w", corrupt(err))
		}
		idx.schema, idx.info = e.meta, info
	case headerDictionary:
		d, err := parseDict(m.header)
		if err == nil {
			err = d.data.checkBuffers(e.bodyLen)
		}
		if err != nil {
			return fmt.Errorf("dictionary batch: %w", corrupt(err))
		}
		e.compressed = d.data.codec != codecNone
		if !idx.info.hasDict(d.id) {
			return fmt.Errorf("%w: dictionary batch for id %d, which no field uses", format.ErrCorrupt, d.id)
		}
		idx.dicts = append(idx.dicts, dictEntry{entry: e, id: d.id, delta: d.delta})
	case headerRecordBatch:
		b, err := parseBatch(m.header)
		if err == nil {
			err = b.checkBuffers(e.bodyLen)
		}
		if err != nil {
			return fmt.Errorf("record batch %d: %w", len(idx.batches), corrupt(err))
		}
		if b.length > math.MaxInt64-idx.rows {
			return fmt.Errorf("%w: row counts overflow", format.ErrCorrupt)
		}
		idx.rows += b.length
		e.compressed = b.codec != codecNone
		idx.batches = append(idx.batches, batchEntry{entry: e, rows: b.length, dicts: len(idx.dicts)})
	}
	return nil
}
