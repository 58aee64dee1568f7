package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/bitutil"
	pq "github.com/apache/arrow-go/v18/parquet"
)

// leafSink accumulates one batch of a leaf's values (the column itself, or
// a list's elements) in Arrow layout: slots, each a value or a null.
type leafSink struct {
	f       *fastColumn
	data    growBuf   // fixed-width values, or binary bytes
	offsets growBuf   // binary offsets
	bools   bitmapBuf // boolean values
	valid   bitmapBuf
	slots   int
	end     int64 // binary: the data length, the last offset
}

func (s *leafSink) start(slots, dataBytes int) {
	switch s.f.kind {
	case kindFixed:
		s.data.reserve(slots * s.f.width)
	case kindBool:
		s.bools.made = true
		s.bools.buf.reserve(slots/8 + 1)
	case kindBinary:
		s.offsets.reserve((slots + 1) * s.offsetWidth())
		s.appendOffset(0)
		s.data.reserve(dataBytes)
	}
}

func (s *leafSink) offsetWidth() int {
	if s.f.large {
		return 8
	}
	return 4
}

// errBinaryOverflow is a batch too large for 32-bit offsets: the limit of
// a type, not corruption.
var errBinaryOverflow = errors.New("a batch's byte array data passes 2 GiB, which a string or binary array cannot hold (large_string and large_binary can)")

func (s *leafSink) appendOffset(v int64) {
	if s.f.large {
		binary.LittleEndian.PutUint64(s.offsets.extend(8, false), uint64(v))
	} else {
		binary.LittleEndian.PutUint32(s.offsets.extend(4, false), uint32(v))
	}
}

// appendNulls appends k null slots.
func (s *leafSink) appendNulls(k int) {
	s.valid.appendRun(false, k)
	s.slots += k
	switch s.f.kind {
	case kindFixed:
		s.data.extend(k*s.f.width, true)
	case kindBool:
		s.bools.appendRun(false, k)
	case kindBinary:
		for range k {
			s.appendOffset(s.end)
		}
	}
}

func (s *leafSink) release() {
	s.data.release()
	s.offsets.release()
	s.bools.release()
	s.valid.release()
}

// encByteStreamSplit is the BYTE_STREAM_SPLIT encoding.
const encByteStreamSplit = 9

// dictionary holds a column chunk's dictionary page, decoded once.
type dictionary struct {
	n       int
	fixed   []byte  // n values of width bytes
	offsets []int32 // n+1 offsets into data, for byte arrays
	data    []byte
}

// decodeDictionary decodes a PLAIN dictionary page of n values.
func decodeDictionary(f *fastColumn, body []byte, n int) (*dictionary, error) {
	d := &dictionary{n: n}
	switch f.kind {
	case kindFixed:
		size := int64(n) * int64(f.width)
		if size > int64(len(body)) {
			return nil, fmt.Errorf("dictionary page of %d bytes declares %d values of %d bytes", len(body), n, f.width)
		}
		d.fixed = append([]byte(nil), body[:size]...)
	case kindBinary:
		if int64(n)*4 > int64(len(body)) {
			return nil, fmt.Errorf("dictionary page of %d bytes declares %d byte arrays", len(body), n)
		}
		d.offsets = make([]int32, n+1)
		d.data = make([]byte, 0, len(body)-4*n)
		for i := range n {
			if len(body) < 4 {
				return nil, fmt.Errorf("dictionary page ends at value %d of %d", i, n)
			}
			l := binary.LittleEndian.Uint32(body)
			if uint64(l) > uint64(len(body)-4) {
				return nil, fmt.Errorf("dictionary value %d of %d bytes overruns the page", i, l)
			}
			d.data = append(d.data, body[4:4+l]...)
			d.offsets[i+1] = int32(len(d.data))
			body = body[4+l:]
		}
	default:
		return nil, fmt.Errorf("a dictionary for booleans")
	}
	return d, nil
}

// valueSource yields the values of one data page, in its encoding.
type valueSource struct {
	f       *fastColumn
	enc     int32
	plain   []byte // PLAIN values left
	bitOff  int    // PLAIN booleans: next bit of plain
	dict    *dictionary
	indices hybridReader[uint32]
	bools   hybridReader[uint8]
	delta   deltaReader // DELTA_BINARY_PACKED values, or byte array lengths
	prefix  deltaReader // DELTA_BYTE_ARRAY prefix lengths
	prev    []byte      // DELTA_BYTE_ARRAY: the previous value of the page
	wide2   []int64     // scratch
	split   int         // BYTE_STREAM_SPLIT: values in the page, and so bytes per stream
	at      int         // BYTE_STREAM_SPLIT: next value
	idx     []uint32    // scratch
	tmp     []uint8     // scratch
	wide    []int64     // scratch
}

func (v *valueSource) reset(enc int32, body []byte, dict *dictionary) error {
	v.enc, v.plain, v.bitOff, v.dict = enc, nil, 0, dict
	switch {
	case enc == encPlain:
		v.plain = body
	case enc == encPlainDictionary || enc == encRLEDictionary:
		if dict == nil {
			return errors.New("dictionary-encoded page without a dictionary page")
		}
		if len(body) == 0 {
			// All the page's values are null: there are no indices.
			return v.indices.reset(nil, 1)
		}
		return v.indices.reset(body[1:], int(body[0]))
	case enc == encDeltaBinaryPacked && v.f.kind == kindFixed && (v.f.physical == pq.Types.Int32 || v.f.physical == pq.Types.Int64):
		return v.delta.reset(body)
	case enc == encDeltaLengthByteArry && v.f.kind == kindBinary:
		// The lengths, then the bytes of every value one after another.
		rest, err := checkDeltaHeader(body)
		if err != nil {
			return err
		}
		if rest == nil {
			return errDelta
		}
		v.plain = rest
		return v.delta.reset(body[:len(body)-len(rest)])
	case enc == encDeltaByteArray && v.f.kind == kindBinary:
		// Prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY; each
		// value is a prefix of the one before it, within the page, and
		// its suffix.
		suffixes, err := checkDeltaHeader(body)
		if err == nil && suffixes != nil {
			var rest []byte
			if rest, err = checkDeltaHeader(suffixes); err == nil && rest != nil {
				v.plain, v.prev = rest, v.prev[:0]
				if err := v.prefix.reset(body[:len(body)-len(suffixes)]); err != nil {
					return err
				}
				return v.delta.reset(suffixes[:len(suffixes)-len(rest)])
			}
		}
		if err != nil {
			return err
		}
		return errDelta
	case enc == encByteStreamSplit && v.f.kind == kindFixed && v.f.narrow == 0:
		// Byte j of every value, then byte j+1 of every value...
		if len(body)%v.f.width != 0 {
			return fmt.Errorf("BYTE_STREAM_SPLIT data of %d bytes for values of %d", len(body), v.f.width)
		}
		v.plain, v.split, v.at = body, len(body)/v.f.width, 0
	case enc == encRLE && v.f.kind == kindBool:
		if len(body) < 4 {
			return errHybrid
		}
		size := binary.LittleEndian.Uint32(body)
		if uint64(size) > uint64(len(body)-4) {
			return errHybrid
		}
		return v.bools.reset(body[4:4+size], 1)
	default:
		return fmt.Errorf("value encoding %d is not in the column chunk's list of encodings", enc)
	}
	return nil
}

var errValuesShort = errors.New("the page's values end before its levels say")

// appendTo appends the page's next k values to s as valid slots.
func (v *valueSource) appendTo(s *leafSink, k int) error {
	if k == 0 {
		return nil
	}
	s.valid.appendRun(true, k)
	s.slots += k
	switch v.enc {
	case encPlain:
		return v.appendPlain(s, k)
	case encDeltaBinaryPacked:
		return v.appendDelta(s, k)
	case encDeltaLengthByteArry:
		return v.appendDeltaLength(s, k)
	case encDeltaByteArray:
		return v.appendDeltaByteArray(s, k)
	case encByteStreamSplit:
		if k > v.split-v.at {
			return errValuesShort
		}
		w := s.f.width
		out := s.data.extend(k*w, false)
		for j := range w {
			stream := v.plain[j*v.split+v.at : j*v.split+v.at+k]
			for i, b := range stream {
				out[i*w+j] = b
			}
		}
		v.at += k
		return nil
	case encRLE:
		v.tmp = grown(v.tmp, k)
		if err := v.bools.read(v.tmp); err != nil {
			return err
		}
		s.bools.grow(k)
		bits := s.bools.buf.b.Buf()
		for i, b := range v.tmp {
			bitutil.SetBitTo(bits, s.bools.n+i, b != 0)
		}
		s.bools.n += k
		return nil
	}
	v.idx = grown(v.idx, k)
	if err := v.indices.read(v.idx); err != nil {
		return err
	}
	var top uint32
	for _, i := range v.idx {
		top = max(top, i)
	}
	if int64(top) >= int64(v.dict.n) {
		return fmt.Errorf("dictionary index %d, the dictionary has %d values", top, v.dict.n)
	}
	switch s.f.kind {
	case kindFixed:
		gatherFixed(s.data.extend(k*s.f.width, false), v.dict.fixed, v.idx, s.f.width)
	case kindBinary:
		return v.gatherBinary(s)
	default:
		return errors.New("a dictionary-encoded boolean page")
	}
	return nil
}

func grown[T any](s []T, k int) []T {
	if cap(s) < k {
		return make([]T, k)
	}
	return s[:k]
}

func (v *valueSource) appendPlain(s *leafSink, k int) error {
	switch s.f.kind {
	case kindFixed:
		size := k * s.f.width
		if size > len(v.plain) {
			return errValuesShort
		}
		copy(s.data.extend(size, false), v.plain[:size])
		v.plain = v.plain[size:]
	case kindBool:
		if int64(v.bitOff)+int64(k) > int64(len(v.plain))*8 {
			return errValuesShort
		}
		s.bools.appendBits(v.plain, v.bitOff, k)
		v.bitOff += k
	case kindBinary:
		return v.appendPlainBinary(s, k)
	}
	return nil
}

func (v *valueSource) appendPlainBinary(s *leafSink, k int) error {
	p := v.plain
	offs := s.offsets.extend(k*s.offsetWidth(), false)
	end := s.end
	for i := range k {
		if len(p) < 4 {
			return errValuesShort
		}
		l := int(binary.LittleEndian.Uint32(p))
		if l > len(p)-4 || l < 0 {
			return errValuesShort
		}
		if end += int64(l); !s.f.large && end > math.MaxInt32 {
			return errBinaryOverflow
		}
		copy(s.data.extend(l, false), p[4:4+l])
		p = p[4+l:]
		putOffset(offs, i, end, s.f.large)
	}
	s.end = end
	v.plain = p
	return nil
}

// putOffset writes offset v at index i of offs, 32 or 64 bits wide.
func putOffset(offs []byte, i int, v int64, large bool) {
	if large {
		binary.LittleEndian.PutUint64(offs[8*i:], uint64(v))
	} else {
		binary.LittleEndian.PutUint32(offs[4*i:], uint32(v))
	}
}

func (v *valueSource) gatherBinary(s *leafSink) error {
	offs := v.dict.offsets
	total := 0
	for _, i := range v.idx {
		total += int(offs[i+1] - offs[i])
	}
	if !s.f.large && s.end+int64(total) > math.MaxInt32 {
		return errBinaryOverflow
	}
	data := s.data.extend(total, false)
	out := s.offsets.extend(len(v.idx)*s.offsetWidth(), false)
	at := 0
	for j, i := range v.idx {
		at += copy(data[at:], v.dict.data[offs[i]:offs[i+1]])
		putOffset(out, j, s.end+int64(at), s.f.large)
	}
	s.end += int64(total)
	return nil
}

func (v *valueSource) appendDelta(s *leafSink, k int) error {
	v.wide = grown(v.wide, k)
	if err := v.delta.read(v.wide); err != nil {
		return err
	}
	out := s.data.extend(k*s.f.width, false)
	if s.f.width == 8 {
		for i, x := range v.wide {
			binary.LittleEndian.PutUint64(out[8*i:], uint64(x))
		}
		return nil
	}
	for i, x := range v.wide {
		binary.LittleEndian.PutUint32(out[4*i:], uint32(x))
	}
	return nil
}

func (v *valueSource) appendDeltaLength(s *leafSink, k int) error {
	v.wide = grown(v.wide, k)
	if err := v.delta.read(v.wide); err != nil {
		return err
	}
	p := v.plain
	offs := s.offsets.extend(k*s.offsetWidth(), false)
	end := s.end
	for i, l := range v.wide {
		if l < 0 || l > int64(len(p)) {
			return errValuesShort
		}
		if end += l; !s.f.large && end > math.MaxInt32 {
			return errBinaryOverflow
		}
		copy(s.data.extend(int(l), false), p[:l])
		p = p[l:]
		putOffset(offs, i, end, s.f.large)
	}
	s.end = end
	v.plain = p
	return nil
}

func (v *valueSource) appendDeltaByteArray(s *leafSink, k int) error {
	v.wide, v.wide2 = grown(v.wide, k), grown(v.wide2, k)
	if err := v.prefix.read(v.wide2); err != nil {
		return err
	}
	if err := v.delta.read(v.wide); err != nil {
		return err
	}
	p := v.plain
	offs := s.offsets.extend(k*s.offsetWidth(), false)
	end := s.end
	for i, l := range v.wide {
		pre := v.wide2[i]
		if l < 0 || l > int64(len(p)) || pre < 0 || pre > int64(len(v.prev)) {
			return errValuesShort
		}
		v.prev = append(v.prev[:pre], p[:l]...)
		p = p[l:]
		if end += int64(len(v.prev)); !s.f.large && end > math.MaxInt32 {
			return errBinaryOverflow
		}
		copy(s.data.extend(len(v.prev), false), v.prev)
		putOffset(offs, i, end, s.f.large)
	}
	s.end = end
	v.plain = p
	return nil
}

// gatherFixed writes dict[idx[i]] to out for each i; indices are checked.
func gatherFixed(out, dict []byte, idx []uint32, width int) {
	switch width {
	case 4:
		o := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(out))), len(idx))
		d := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dict))), len(dict)/4)
		for i, j := range idx {
			o[i] = d[j]
		}
	case 8:
		o := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(out))), len(idx))
		d := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dict))), len(dict)/8)
		for i, j := range idx {
			o[i] = d[j]
		}
	default:
		for i, j := range idx {
			copy(out[i*width:(i+1)*width], dict[int(j)*width:])
		}
	}
}
