package ipc

import (
	"encoding/binary"
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
	version int16 // of the schema message (or footer)
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

// prefix reads a message's length prefix at off: the 0xFFFFFFFF
// continuation marker and an int32 length, or the int32 length alone
// (the framing before Arrow 0.15). A zero length is the end-of-stream
// marker.
func (s *source) prefix(off int64) (metaLen, size int64, err error) {
	if s.size-off < 4 {
		return 0, 0, fmt.Errorf("%w: %d stray bytes where a message length belongs", format.ErrCorrupt, s.size-off)
	}
	b, err := s.read(off, min(8, s.size-off))
	if err != nil {
		return 0, 0, err
	}
	word, size := binary.LittleEndian.Uint32(b), int64(4)
	if word == continuation {
		if len(b) < 8 {
			return 0, 0, fmt.Errorf("%w: truncated after a continuation marker", format.ErrCorrupt)
		}
		word, size = binary.LittleEndian.Uint32(b[4:]), 8
	}
	metaLen = int64(int32(word))
	switch {
	case metaLen < 0:
		return 0, 0, fmt.Errorf("%w: negative metadata length %d", format.ErrCorrupt, metaLen)
	case metaLen > maxMetadata:
		return 0, 0, fmt.Errorf("%w: metadata length %d exceeds %d", format.ErrCorrupt, metaLen, maxMetadata)
	case metaLen > s.size-off-size:
		return 0, 0, fmt.Errorf("%w: metadata of %d bytes runs past the end of the file", format.ErrCorrupt, metaLen)
	}
	return metaLen, size, nil
}

// indexStream walks the framing of an IPC stream.
func indexStream(s *source) (*index, error) {
	idx := &index{format: format.ArrowStream}
	for off := int64(0); off < s.size; {
		metaLen, pre, err := s.prefix(off)
		if err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		if metaLen == 0 {
			break // end-of-stream marker; whatever follows is not ours
		}
		e, m, err := s.message(off, pre, metaLen)
		if err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		if e.bodyLen > s.size-e.bodyOff {
			return nil, fmt.Errorf("%s: message at offset %d: %w: body of %d bytes runs past the end of the file", s.name, off, format.ErrCorrupt, e.bodyLen)
		}
		if err := idx.add(e, m, off == 0); err != nil {
			return nil, fmt.Errorf("%s: message at offset %d: %w", s.name, off, err)
		}
		off = e.bodyOff + e.bodyLen
	}
	if idx.schema == nil {
		return nil, fmt.Errorf("%s: %w: no schema message", s.name, format.ErrCorrupt)
	}
	return idx, nil
}

// message reads the metadata of the message at off whose prefix is pre
// bytes long.
func (s *source) message(off, pre, metaLen int64) (entry, message, error) {
	meta, err := s.read(off+pre, metaLen)
	if err != nil {
		return entry{}, message{}, err
	}
	m, err := parseMessage(meta)
	if err != nil {
		return entry{}, message{}, corrupt(err)
	}
	return entry{offset: off, meta: meta, bodyOff: off + pre + metaLen, bodyLen: m.bodyLen}, m, nil
}

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
		idx.schema, idx.info, idx.version = e.meta, info, m.version
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

// indexFile reads the footer of an IPC file.
func indexFile(s *source) (*index, error) {
	if s.size < fileHead+int64(fileTail) {
		return nil, fmt.Errorf("%s: %w: %d bytes is too short for an arrow file", s.name, format.ErrCorrupt, s.size)
	}
	tail, err := s.read(s.size-int64(fileTail), int64(fileTail))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if string(tail[4:]) != fileMagic {
		return nil, fmt.Errorf("%s: %w: no ARROW1 magic at the end (a truncated file?)", s.name, format.ErrCorrupt)
	}
	footerLen := int64(int32(binary.LittleEndian.Uint32(tail)))
	footerEnd := s.size - int64(fileTail)
	if footerLen <= 0 || footerLen > footerEnd-fileHead {
		return nil, fmt.Errorf("%s: %w: footer length %d does not fit the file", s.name, format.ErrCorrupt, footerLen)
	}
	buf, err := s.read(footerEnd-footerLen, footerLen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	f, err := parseFooter(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: footer at offset %d: %w", s.name, footerEnd-footerLen, corrupt(err))
	}
	idx := &index{format: format.ArrowFile, version: f.version}
	if idx.info, err = inspectSchema(f.schema); err != nil {
		return nil, fmt.Errorf("%s: footer schema: %w", s.name, corrupt(err))
	}
	idx.schema = schemaMessage(buf, f.schema.pos, f.version)
	limit := footerEnd - footerLen
	for i, blk := range f.dicts {
		e, m, err := s.block(blk, limit, headerDictionary)
		if err == nil {
			err = idx.add(e, m, false)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: dictionary block %d: %w", s.name, i, err)
		}
	}
	if err := idx.checkFileDicts(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	for i, blk := range f.batches {
		e, m, err := s.block(blk, limit, headerRecordBatch)
		if err == nil {
			err = idx.add(e, m, false)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: record batch block %d: %w", s.name, i, err)
		}
	}
	return idx, nil
}

// block reads the message a footer block points at, which must lie before
// limit (the footer) and be of type want.
func (s *source) block(b fileBlock, limit int64, want uint8) (entry, message, error) {
	meta, body := int64(b.metaLen), b.bodyLen
	switch {
	case b.offset < fileHead || b.offset%8 != 0 || meta < 8 || meta%8 != 0 || body < 0 || body%8 != 0:
		return entry{}, message{}, fmt.Errorf("%w: bad block (offset %d, metadata %d, body %d)", format.ErrCorrupt, b.offset, meta, body)
	case b.offset > limit || meta > limit-b.offset || body > limit-b.offset-meta:
		return entry{}, message{}, fmt.Errorf("%w: block at offset %d of %d+%d bytes runs into the footer at %d", format.ErrCorrupt, b.offset, meta, body, limit)
	}
	metaLen, pre, err := s.prefix(b.offset)
	if err != nil {
		return entry{}, message{}, err
	}
	if metaLen == 0 || pre+metaLen > meta {
		return entry{}, message{}, fmt.Errorf("%w: message at offset %d does not fit its block's %d metadata bytes", format.ErrCorrupt, b.offset, meta)
	}
	e, m, err := s.message(b.offset, pre, metaLen)
	if err != nil {
		return entry{}, message{}, err
	}
	if m.headerType != want {
		return entry{}, message{}, fmt.Errorf("%w: message at offset %d has type %d, want %d", format.ErrCorrupt, b.offset, m.headerType, want)
	}
	if m.bodyLen != body {
		return entry{}, message{}, fmt.Errorf("%w: message at offset %d has a body of %d bytes, its block %d", format.ErrCorrupt, b.offset, m.bodyLen, body)
	}
	e.bodyOff = b.offset + meta
	return e, m, nil
}

// checkFileDicts refuses dictionary replacement, which the file format does
// not allow: every batch of a file sees the same dictionaries.
func (idx *index) checkFileDicts() error {
	seen := make(map[int64]bool)
	for _, d := range idx.dicts {
		if seen[d.id] && !d.delta {
			return fmt.Errorf("%w: dictionary %d is replaced, which the file format does not allow", format.ErrUnsupported, d.id)
		}
		seen[d.id] = true
	}
	return nil
}

func (s schemaInfo) hasDict(id int64) bool {
	for _, f := range s.fields {
		for _, d := range f.dictIDs {
			if d == id {
				return true
			}
		}
	}
	return false
}

// schemaMessage wraps the footer's Schema table in a Message, so that the
// file's schema reaches arrow-go the way a stream's does. The new message
// table comes first and points forward into a copy of the footer, since
// flatbuffer offsets only point forward.
func schemaMessage(footer []byte, schemaPos int, version int16) []byte {
	const (
		vt    = 4  // vtable: size, table size, 3 slots, padding
		table = 16 // soffset, header offset, version, header type, padding
		head  = 32 // where the footer copy starts
	)
	buf := make([]byte, head+len(footer))
	le := binary.LittleEndian
	le.PutUint32(buf[0:], table)
	le.PutUint16(buf[vt:], 10)          // vtable size: 4 + 3 slots
	le.PutUint16(buf[vt+2:], 12)        // table size
	le.PutUint16(buf[vt+4:], 8)         // slot 0, version
	le.PutUint16(buf[vt+6:], 10)        // slot 1, header type
	le.PutUint16(buf[vt+8:], 4)         // slot 2, header
	le.PutUint32(buf[table:], table-vt) // soffset to the vtable
	le.PutUint32(buf[table+4:], uint32(head+schemaPos-(table+4)))
	le.PutUint16(buf[table+8:], uint16(version))
	buf[table+10] = headerSchema
	copy(buf[head:], footer)
	return buf
}
