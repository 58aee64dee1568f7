package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// This file is a minimal FlatBuffers reader. arrow-go's generated accessors
// trust every offset they read, so a hostile file can make them index out of
// range or size an allocation by a forged vector length. Everything the
// indexer reads goes through these accessors instead, which check each
// offset and length against the buffer and report errors.

// errFlatbuffer is wrapped by every structural error found here; callers add
// format.ErrCorrupt and the message's position.
var errFlatbuffer = errors.New("malformed flatbuffer")

func fbErrorf(msg string, args ...any) error {
	return fmt.Errorf("%w: %s", errFlatbuffer, fmt.Sprintf(msg, args...))
}

// fbTable is a table inside buf: pos is where its vtable offset lies.
type fbTable struct {
	buf    []byte
	pos    int
	vt     int // position of the vtable
	vtSize int // vtable size in bytes
}

// fbRoot returns the root table of a flatbuffer.
func fbRoot(buf []byte) (fbTable, error) {
	if len(buf) < 4 {
		return fbTable{}, fbErrorf("%d bytes is too short for a root offset", len(buf))
	}
	return fbTableAt(buf, int64(binary.LittleEndian.Uint32(buf)))
}

// fbTableAt checks the table whose vtable offset lies at pos.
func fbTableAt(buf []byte, pos int64) (fbTable, error) {
	if pos < 0 || pos > int64(len(buf))-4 {
		return fbTable{}, fbErrorf("table at %d outside %d bytes", pos, len(buf))
	}
	vt := pos - int64(int32(binary.LittleEndian.Uint32(buf[pos:])))
	if vt < 0 || vt > int64(len(buf))-4 {
		return fbTable{}, fbErrorf("vtable at %d outside %d bytes", vt, len(buf))
	}
	vtSize := int64(binary.LittleEndian.Uint16(buf[vt:]))
	if vtSize < 4 || vtSize%2 != 0 || vt+vtSize > int64(len(buf)) {
		return fbTable{}, fbErrorf("vtable at %d has bad size %d", vt, vtSize)
	}
	return fbTable{buf: buf, pos: int(pos), vt: int(vt), vtSize: int(vtSize)}, nil
}

// field returns the absolute position of field slot, checking that size
// bytes fit there, or 0 when the field is absent (a table's own position is
// never a field's).
func (t fbTable) field(slot, size int) (int, error) {
	e := 4 + 2*slot
	if e+2 > t.vtSize {
		return 0, nil
	}
	off := int(binary.LittleEndian.Uint16(t.buf[t.vt+e:]))
	if off == 0 {
		return 0, nil
	}
	p := t.pos + off
	if p+size > len(t.buf) {
		return 0, fbErrorf("field %d of table at %d runs past the buffer", slot, t.pos)
	}
	return p, nil
}

func (t fbTable) int64(slot int, def int64) (int64, error) {
	p, err := t.field(slot, 8)
	if err != nil || p == 0 {
		return def, err
	}
	return int64(binary.LittleEndian.Uint64(t.buf[p:])), nil
}

func (t fbTable) int16(slot int, def int16) (int16, error) {
	p, err := t.field(slot, 2)
	if err != nil || p == 0 {
		return def, err
	}
	return int16(binary.LittleEndian.Uint16(t.buf[p:])), nil
}

func (t fbTable) uint8(slot int, def uint8) (uint8, error) {
	p, err := t.field(slot, 1)
	if err != nil || p == 0 {
		return def, err
	}
	return t.buf[p], nil
}

func (t fbTable) bool(slot int) (bool, error) {
	v, err := t.uint8(slot, 0)
	return v != 0, err
}

// ref follows the offset stored in field slot; ok is false when the field
// is absent.
func (t fbTable) ref(slot int) (pos int64, ok bool, err error) {
	p, err := t.field(slot, 4)
	if err != nil || p == 0 {
		return 0, false, err
	}
	return int64(p) + int64(binary.LittleEndian.Uint32(t.buf[p:])), true, nil
}

// table returns the sub-table in field slot.
func (t fbTable) table(slot int) (fbTable, bool, error) {
	pos, ok, err := t.ref(slot)
	if err != nil || !ok {
		return fbTable{}, false, err
	}
	sub, err := fbTableAt(t.buf, pos)
	return sub, err == nil, err
}

// fbVector is a vector of n elements of elem bytes starting at start.
type fbVector struct {
	buf   []byte
	start int
	n     int
	elem  int
}

// vector returns the vector in field slot, checking that all of it lies
// inside the buffer, so its length can size an allocation safely.
func (t fbTable) vector(slot, elem int) (fbVector, error) {
	pos, ok, err := t.ref(slot)
	if err != nil || !ok {
		return fbVector{}, err
	}
	return fbVectorAt(t.buf, pos, elem)
}

func fbVectorAt(buf []byte, pos int64, elem int) (fbVector, error) {
	if pos < 0 || pos > int64(len(buf))-4 {
		return fbVector{}, fbErrorf("vector at %d outside %d bytes", pos, len(buf))
	}
	n := int64(binary.LittleEndian.Uint32(buf[pos:]))
	if n*int64(elem) > int64(len(buf))-pos-4 {
		return fbVector{}, fbErrorf("vector at %d of %d elements runs past the buffer", pos, n)
	}
	return fbVector{buf: buf, start: int(pos) + 4, n: int(n), elem: elem}, nil
}

// at returns element i's bytes.
func (v fbVector) at(i int) []byte {
	p := v.start + i*v.elem
	return v.buf[p : p+v.elem]
}

// table returns element i of a vector of tables.
func (v fbVector) table(i int) (fbTable, error) {
	p := v.start + i*4
	return fbTableAt(v.buf, int64(p)+int64(binary.LittleEndian.Uint32(v.buf[p:])))
}

// string returns the string in field slot, copied to the Go heap so that it
// never aliases the metadata it came from.
func (t fbTable) string(slot int) (string, error) {
	v, err := t.vector(slot, 1)
	if err != nil || v.n == 0 {
		return "", err
	}
	return string(v.buf[v.start : v.start+v.n]), nil
}
