package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// deltaReader decodes DELTA_BINARY_PACKED values incrementally, a window at
// a time, with no allocation: a header (block size, miniblocks per block,
// value count, first value), then blocks of a minimum delta, one bit width
// per miniblock and the miniblocks' bit-packed deltas. The header is
// checked as pagecheck.go checks it for arrow-go (checkDeltaHeader), every
// miniblock against the bytes left, and values past the declared count are
// an error. Arithmetic wraps, as the encoding specifies; INT32 columns keep
// the low 32 bits, which wrapping in 64 bits leaves the same.
type deltaReader struct {
	src      []byte
	off      int
	perMini  int
	minis    int
	left     int // values not yet returned
	last     int64
	first    bool // the header's first value is still to be returned
	minDelta int64
	widths   []byte // the current block's miniblock bit widths
	mini     int    // next miniblock of the block
	packed   []byte // the current miniblock
	width    int
	pos      int // next value of packed
	npack    int // values in packed
}

var errDelta = errors.New("DELTA_BINARY_PACKED data ends early or is malformed")

// reset starts reading the sequence at the start of src.
func (r *deltaReader) reset(src []byte) error {
	*r = deltaReader{src: src}
	t := thriftReader{b: src} // the same varints
	block, err1 := t.uvarint()
	minis, err2 := t.uvarint()
	total, err3 := t.uvarint()
	first, err4 := t.varint()
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || minis == 0 || block%minis != 0 || block == 0 {
		return errDelta
	}
	if block > maxDeltaBlock || total > maxDeltaValues || block/minis%8 != 0 {
		return fmt.Errorf("delta block of %d values in %d miniblocks, %d values", block, minis, total)
	}
	r.off, r.perMini, r.minis, r.left, r.last, r.first = t.off, int(block/minis), int(minis), int(total), first, total > 0
	r.mini = r.minis // no block read yet
	return nil
}

// read fills out with the next values.
func (r *deltaReader) read(out []int64) error {
	if len(out) > r.left {
		return errDelta
	}
	i := 0
	if r.first && len(out) > 0 {
		out[0] = r.last
		r.first = false
		i = 1
	}
	for i < len(out) {
		if r.pos == r.npack {
			if err := r.nextMiniblock(); err != nil {
				return err
			}
			continue
		}
		k := min(r.npack-r.pos, len(out)-i)
		last, minDelta := r.last, r.minDelta
		if r.width == 0 {
			for j := range k {
				last += minDelta
				out[i+j] = last
			}
		} else {
			for j := range k {
				last += minDelta + int64(unpackOne(r.packed, r.pos+j, r.width))
				out[i+j] = last
			}
		}
		r.last = last
		r.pos += k
		i += k
	}
	r.left -= len(out)
	return nil
}

func (r *deltaReader) nextMiniblock() error {
	if r.mini == r.minis {
		t := thriftReader{b: r.src, off: r.off}
		minDelta, err := t.varint()
		if err != nil || t.skipBytes(uint64(r.minis)) != nil {
			return errDelta
		}
		r.minDelta, r.widths, r.mini, r.off = minDelta, r.src[t.off-r.minis:t.off], 0, t.off
	}
	width := int(r.widths[r.mini])
	r.mini++
	if width > 64 {
		return fmt.Errorf("delta bit width %d", width)
	}
	size := r.perMini * width / 8
	if size > len(r.src)-r.off {
		// The last miniblock may stop at the data's end: keep the whole
		// values there are.
		size = len(r.src) - r.off
	}
	r.packed, r.width, r.pos = r.src[r.off:r.off+size], width, 0
	r.npack = r.perMini
	if width > 0 {
		r.npack = min(r.perMini, size*8/width)
	}
	r.off += size
	if r.npack == 0 {
		return errDelta
	}
	return nil
}

// unpackOne returns value i of width bits (1 to 64), packed from the least
// significant bit; src holds it whole.
func unpackOne(src []byte, i, width int) uint64 {
	bit := i * width
	b, s := bit>>3, uint(bit&7)
	if b+8 <= len(src) {
		v := binary.LittleEndian.Uint64(src[b:]) >> s
		if int(s)+width > 64 {
			v |= uint64(src[b+8]) << (64 - s)
		}
		if width == 64 {
			return v
		}
		return v & (1<<uint(width) - 1)
	}
	var v uint64
	for j := range width {
		p := bit + j
		v |= uint64(src[p>>3]>>(p&7)&1) << uint(j)
	}
	return v
}
