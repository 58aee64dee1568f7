package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Parquet's RLE/bit-packed hybrid encoding holds definition and repetition
// levels, dictionary indices and RLE booleans. These decoders expand a whole
// page's worth at once into a slice the caller reuses: a run fills a range,
// a bit-packed group unpacks in a tight loop, and nothing is called per
// value. They trust nothing in the data: every count is checked against the
// bytes left and the values wanted, so a corrupt page ends in an error.

var errHybrid = errors.New("RLE/bit-packed data ends early or is malformed")

// hybridReader decodes a stream of RLE/bit-packed runs with no length
// prefix incrementally, so that a page's levels or indices expand a window
// at a time into a small reused buffer, whatever counts the page declares.
type hybridReader[T uint8 | uint32] struct {
	src    []byte
	off    int
	width  int
	mask   uint64
	rle    int    // values left in the current RLE run
	value  T      // the RLE run's value
	packed []byte // the current bit-packed run
	pos    int    // next value of packed
	npack  int    // values in packed
}

func (r *hybridReader[T]) reset(src []byte, width int) error {
	if width < 0 || width > 32 {
		return fmt.Errorf("bit width %d", width)
	}
	*r = hybridReader[T]{src: src, width: width, mask: 1<<uint(width) - 1}
	return nil
}

// read fills out, or fails when the runs end first or are malformed. A
// width of zero means every value is zero and takes no bits.
func (r *hybridReader[T]) read(out []T) error {
	if r.width == 0 {
		clear(out)
		return nil
	}
	for len(out) > 0 {
		switch {
		case r.rle > 0:
			k := min(r.rle, len(out))
			fill(out[:k], r.value)
			r.rle -= k
			out = out[k:]
		case r.pos < r.npack:
			k := min(r.npack-r.pos, len(out))
			unpackLSB(out[:k], r.packed, r.pos, r.width)
			r.pos += k
			out = out[k:]
		default:
			if err := r.nextRun(); err != nil {
				return err
			}
		}
	}
	return nil
}

// zeros consumes the next k values of a stream one bit wide and appends
// to out the positions, 0 to k-1, of those that are 0: where a flat
// list's repetition levels start lists. A run of ones costs one step
// whatever its length.
func (r *hybridReader[T]) zeros(k int, out []int32) ([]int32, error) {
	if r.width != 1 {
		return out, fmt.Errorf("zeros of %d-bit values", r.width)
	}
	for pos := 0; pos < k; {
		switch {
		case r.rle > 0:
			n := min(r.rle, k-pos)
			if r.value == 0 {
				for j := range n {
					out = append(out, int32(pos+j))
				}
			}
			r.rle -= n
			pos += n
		case r.pos < r.npack:
			n := min(r.npack-r.pos, k-pos)
			out = appendZeroBits(out, r.packed, r.pos, n, pos)
			r.pos += n
			pos += n
		case r.off+1 < len(r.src) && r.src[r.off] < 0x80 && r.src[r.off]&1 == 0 && r.src[r.off+1] <= 1:
			// An RLE run with a one-byte header, as a list's runs of 1
			// are: nextRun's work without its generality.
			r.rle, r.value = int(r.src[r.off]>>1), T(r.src[r.off+1])
			r.off += 2
		default:
			if err := r.nextRun(); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// appendZeroBits appends base+i for each i < n where bit first+i of src,
// counted from the least significant bit, is 0.
func appendZeroBits(out []int32, src []byte, first, n, base int) []int32 {
	for i := 0; i < n; {
		bit := first + i
		shift := uint(bit & 7)
		take := min(8-int(shift), n-i)
		z := uint(^src[bit>>3]) >> shift & (1<<uint(take) - 1)
		for z != 0 {
			out = append(out, int32(base+i+bits.TrailingZeros(z)))
			z &= z - 1
		}
		i += take
	}
	return out
}

func (r *hybridReader[T]) nextRun() error {
	h, k := binary.Uvarint(r.src[r.off:])
	if k <= 0 {
		return errHybrid
	}
	r.off += k
	if h&1 == 0 { // an RLE run: a count, then one value in whole bytes
		valueBytes := (r.width + 7) / 8
		if valueBytes > len(r.src)-r.off || h>>1 > 1<<40 {
			return errHybrid
		}
		var v uint64
		for i := range valueBytes {
			v |= uint64(r.src[r.off+i]) << (8 * i)
		}
		r.off += valueBytes
		if v > r.mask {
			return errHybrid
		}
		r.rle, r.value = int(h>>1), T(v)
		return nil
	}
	groups := h >> 1 // of 8 values, taking width bytes each
	if groups > uint64(len(r.src)) {
		return errHybrid
	}
	size := int(groups) * r.width
	if size > len(r.src)-r.off {
		// Writers may end the last run early when it is the stream's
		// last: keep the whole values there are.
		size = len(r.src) - r.off
	}
	r.packed, r.pos, r.npack = r.src[r.off:r.off+size], 0, size*8/r.width
	r.off += size
	if r.npack == 0 && groups > 0 {
		return errHybrid
	}
	return nil
}

// fill sets every element of s to v: short runs (repetition levels come
// in runs of a list's length) by a loop, the rest by doubling copies, which
// run at memmove speed.
func fill[T uint8 | uint32](s []T, v T) {
	head := min(len(s), 32)
	for i := range head {
		s[i] = v
	}
	for i := head; i < len(s); i *= 2 {
		copy(s[i:], s[:i])
	}
}

// unpackLSB unpacks len(out) values of width bits each, starting with
// value first of src, packed from the least significant bit as the hybrid
// encoding packs them. src holds at least (first+len(out))*width bits.
func unpackLSB[T uint8 | uint32](out []T, src []byte, first, width int) {
	mask := uint64(1)<<uint(width) - 1
	w := uint(width)
	i := 0
	if width == 1 {
		for ; i < len(out) && (first+i)&7 != 0; i++ {
			b := uint(first + i)
			out[i] = T(src[b>>3] >> (b & 7) & 1)
		}
		for ; i+8 <= len(out); i += 8 {
			b := src[(first+i)>>3]
			o := out[i : i+8 : i+8]
			o[0], o[1], o[2], o[3] = T(b&1), T(b>>1&1), T(b>>2&1), T(b>>3&1)
			o[4], o[5], o[6], o[7] = T(b>>4&1), T(b>>5&1), T(b>>6&1), T(b>>7)
		}
	}
	// Read 8 bytes at the value's first byte while they exist.
	for ; i < len(out); i++ {
		bit := uint(first+i) * w
		byteOff := int(bit >> 3)
		if byteOff+8 > len(src) {
			break
		}
		out[i] = T(binary.LittleEndian.Uint64(src[byteOff:]) >> (bit & 7) & mask)
	}
	for ; i < len(out); i++ {
		bit := uint(first+i) * w
		var v uint64
		for j := range w {
			b := bit + j
			v |= uint64(src[b>>3]>>(b&7)&1) << j
		}
		out[i] = T(v)
	}
}

// levelReader reads the repetition or definition levels of one page, a
// window at a time: RLE runs (the usual encoding) or the deprecated
// BIT_PACKED encoding, which packs from the most significant bit.
type levelReader struct {
	hybrid hybridReader[uint8]
	msb    []byte // BIT_PACKED data, or nil
	width  int
	pos    int
}

// reset starts reading the levels at the start of src, in encoding enc.
// prefixed says an RLE section starts with its 4-byte length, as a
// DataPage (v1) one does; n is the page's level count. It returns the bytes
// the section takes, when prefixed or bit-packed.
func (r *levelReader) reset(src []byte, enc int32, maxLevel int16, prefixed bool, n int) (int, error) {
	r.width, r.pos, r.msb = bitLen(uint64(maxLevel)), 0, nil
	switch enc {
	case encRLE:
		size := len(src)
		if prefixed {
			if len(src) < 4 {
				return 0, errHybrid
			}
			if s := binary.LittleEndian.Uint32(src); uint64(s) <= uint64(len(src)-4) {
				size = int(s)
			} else {
				return 0, errHybrid
			}
			src = src[4:]
		}
		if err := r.hybrid.reset(src[:size], r.width); err != nil {
			return 0, err
		}
		if prefixed {
			return 4 + size, nil
		}
		return size, nil
	case encBitPacked:
		size := (int64(n)*int64(r.width) + 7) / 8
		if size > int64(len(src)) {
			return 0, errHybrid
		}
		r.msb = src[:size]
		return int(size), nil
	}
	return 0, fmt.Errorf("level encoding %d", enc)
}

// skipRun consumes the next n levels and reports true when they all lie
// in the current RLE run and equal v; otherwise it consumes nothing.
func (r *levelReader) skipRun(n int, v uint8) bool {
	h := &r.hybrid
	if r.msb != nil || h.width == 0 {
		return false
	}
	if h.rle == 0 && h.pos >= h.npack && h.off < len(h.src) {
		// Between runs, as at a page's start: look at the next one. A
		// malformed one is left for read to report.
		saved := *h
		if h.nextRun() != nil {
			*h = saved
			return false
		}
	}
	if h.rle < n || h.value != v {
		return false
	}
	h.rle -= n
	return true
}

// hybridWidth1 reports whether the levels are RLE/bit-packed runs of one
// bit, as a flat list's repetition levels are.
func (r *levelReader) hybridWidth1() bool { return r.msb == nil && r.width == 1 }

// read fills out with the next levels.
func (r *levelReader) read(out []uint8) error {
	if r.msb == nil {
		return r.hybrid.read(out)
	}
	if (int64(r.pos)+int64(len(out)))*int64(r.width) > int64(len(r.msb))*8 {
		return errHybrid
	}
	w := uint(r.width)
	for i := range out {
		bit := uint(r.pos+i) * w
		var v uint8
		for j := range w {
			b := bit + j
			v = v<<1 | r.msb[b>>3]>>(7-b&7)&1
		}
		out[i] = v
	}
	r.pos += len(out)
	return nil
}

// maxLevelAbove reports whether any level exceeds max, which a valid page
// never has; the decoders index by level.
func maxLevelAbove(levels []uint8, max int16) bool {
	var m uint8
	for _, l := range levels {
		m |= l
	}
	if int16(m) <= max {
		return false
	}
	for _, l := range levels {
		if int16(l) > max {
			return true
		}
	}
	return false
}
