package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A minimal reader of Thrift's compact protocol, enough to decode the page
// headers pagecheck.go validates. It allocates nothing and bounds nesting, so
// a hostile header costs at most a pass over its bytes.

var errThrift = errors.New("malformed thrift")

// Compact protocol type ids.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
	tUUID   = 13
)

const maxThriftDepth = 32

type thriftReader struct {
	b   []byte
	off int
}

func (r *thriftReader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, errThrift
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *thriftReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, errThrift
	}
	r.off += n
	return v, nil
}

func (r *thriftReader) varint() (int64, error) {
	u, err := r.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (r *thriftReader) i32() (int32, error) {
	v, err := r.varint()
	if err == nil && (v < -1<<31 || v > 1<<31-1) {
		err = errThrift
	}
	return int32(v), err
}

func (r *thriftReader) skipBytes(n uint64) error {
	if n > uint64(len(r.b)-r.off) {
		return errThrift
	}
	r.off += int(n)
	return nil
}

// field reads a field header; id is relative to last, the previous field
// id of the same struct. It returns type tStop at the struct's end.
func (r *thriftReader) field(last int16) (id int16, typ byte, err error) {
	c, err := r.byte()
	if err != nil || c == tStop {
		return 0, tStop, err
	}
	typ = c & 0x0f
	if delta := c >> 4; delta != 0 {
		return last + int16(delta), typ, nil
	}
	v, err := r.varint()
	return int16(v), typ, err
}

// bool reads a boolean field's value, which compact thrift keeps in the type.
func boolField(typ byte) bool { return typ == tTrue }

// collectionElem is the type an element of a list, set or map is skipped
// as: a boolean there takes a byte of its own, where a boolean field keeps
// its value in the field header. Without this a map of booleans would
// take no bytes per entry, and a hostile count would spin for hours.
func collectionElem(typ byte) byte {
	if typ == tTrue || typ == tFalse {
		return tByte
	}
	return typ
}

// checkCount refuses a collection of n elements when fewer than n bytes
// are left: no element is smaller than a byte.
func (r *thriftReader) checkCount(n uint64) error {
	if n > uint64(len(r.b)-r.off) {
		return fmt.Errorf("%w: %d elements in %d bytes", errThrift, n, len(r.b)-r.off)
	}
	return nil
}

// skip skips a value of type typ.
func (r *thriftReader) skip(typ byte, depth int) error {
	if depth > maxThriftDepth {
		return errThrift
	}
	switch typ {
	case tTrue, tFalse:
		return nil
	case tByte:
		_, err := r.byte()
		return err
	case tI16, tI32, tI64:
		_, err := r.uvarint()
		return err
	case tDouble:
		return r.skipBytes(8)
	case tUUID:
		return r.skipBytes(16)
	case tBinary:
		n, err := r.uvarint()
		if err != nil {
			return err
		}
		return r.skipBytes(n)
	case tList, tSet:
		c, err := r.byte()
		if err != nil {
			return err
		}
		n, elem := uint64(c>>4), c&0x0f
		if n == 15 {
			if n, err = r.uvarint(); err != nil {
				return err
			}
		}
		// Every element takes at least a byte, so a count larger than
		// the bytes left is a lie, refused before the loop.
		if err := r.checkCount(n); err != nil {
			return err
		}
		elem = collectionElem(elem)
		for range n {
			if err := r.skip(elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tMap:
		n, err := r.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := r.byte()
		if err != nil {
			return err
		}
		if err := r.checkCount(n); err != nil {
			return err
		}
		key, value := collectionElem(kv>>4), collectionElem(kv&0x0f)
		for range n {
			if err := r.skip(key, depth+1); err != nil {
				return err
			}
			if err := r.skip(value, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tStruct:
		var last int16
		for {
			id, t, err := r.field(last)
			if err != nil || t == tStop {
				return err
			}
			if err := r.skip(t, depth+1); err != nil {
				return err
			}
			last = id
		}
	}
	return fmt.Errorf("%w: type %d", errThrift, typ)
}

// Page types and encodings of the Parquet format.
const (
	pageData       = 0
	pageIndex      = 1
	pageDictionary = 2
	pageDataV2     = 3

	encPlain               = 0
	encPlainDictionary     = 2
	encRLE                 = 3
	encBitPacked           = 4
	encDeltaBinaryPacked   = 5
	encDeltaLengthByteArry = 6
	encDeltaByteArray      = 7
)

// pageHeader holds the PageHeader fields pagecheck.go uses.
type pageHeader struct {
	typ                          int32
	uncompressed, compressed     int32
	numValues, numRows           int32
	encoding                     int32
	defEncoding, repEncoding     int32
	defLevelBytes, repLevelBytes int32
	valuesCompressed             bool // DataPageV2's is_compressed
}

// parsePageHeader decodes the page header at the start of b and returns it
// with its length in bytes.
func parsePageHeader(b []byte) (pageHeader, int, error) {
	r := thriftReader{b: b}
	h := pageHeader{valuesCompressed: true, defEncoding: encRLE, repEncoding: encRLE}
	var last int16
	for {
		id, typ, err := r.field(last)
		if err != nil {
			return h, 0, err
		}
		if typ == tStop {
			return h, r.off, nil
		}
		last = id
		switch {
		case id == 1 && typ == tI32:
			h.typ, err = r.i32()
		case id == 2 && typ == tI32:
			h.uncompressed, err = r.i32()
		case id == 3 && typ == tI32:
			h.compressed, err = r.i32()
		case id == 5 && typ == tStruct:
			err = r.dataPageHeader(&h)
		case id == 7 && typ == tStruct:
			err = r.dictionaryPageHeader(&h)
		case id == 8 && typ == tStruct:
			err = r.dataPageHeaderV2(&h)
		default:
			err = r.skip(typ, 1)
		}
		if err != nil {
			return h, 0, err
		}
	}
}

func (r *thriftReader) dataPageHeader(h *pageHeader) error {
	return r.fields(func(id int16, typ byte) (err error) {
		switch {
		case id == 1 && typ == tI32:
			h.numValues, err = r.i32()
		case id == 2 && typ == tI32:
			h.encoding, err = r.i32()
		case id == 3 && typ == tI32:
			h.defEncoding, err = r.i32()
		case id == 4 && typ == tI32:
			h.repEncoding, err = r.i32()
		default:
			err = r.skip(typ, 2)
		}
		return err
	})
}

func (r *thriftReader) dictionaryPageHeader(h *pageHeader) error {
	return r.fields(func(id int16, typ byte) (err error) {
		switch {
		case id == 1 && typ == tI32:
			h.numValues, err = r.i32()
		case id == 2 && typ == tI32:
			h.encoding, err = r.i32()
		default:
			err = r.skip(typ, 2)
		}
		return err
	})
}

func (r *thriftReader) dataPageHeaderV2(h *pageHeader) error {
	return r.fields(func(id int16, typ byte) (err error) {
		switch {
		case id == 1 && typ == tI32:
			h.numValues, err = r.i32()
		case id == 3 && typ == tI32:
			h.numRows, err = r.i32()
		case id == 4 && typ == tI32:
			h.encoding, err = r.i32()
		case id == 5 && typ == tI32:
			h.defLevelBytes, err = r.i32()
		case id == 6 && typ == tI32:
			h.repLevelBytes, err = r.i32()
		case id == 7 && (typ == tTrue || typ == tFalse):
			h.valuesCompressed = boolField(typ)
		default:
			err = r.skip(typ, 2)
		}
		return err
	})
}

// fields calls fn for each field of a struct until its end.
func (r *thriftReader) fields(fn func(id int16, typ byte) error) error {
	var last int16
	for {
		id, typ, err := r.field(last)
		if err != nil || typ == tStop {
			return err
		}
		if err := fn(id, typ); err != nil {
			return err
		}
		last = id
	}
}
