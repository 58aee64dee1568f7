package ipc

import (
	"encoding/binary"
	"fmt"

	"github.com/tome-data/tome/format"
)

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
	idx := &index{format: format.ArrowFile}
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
