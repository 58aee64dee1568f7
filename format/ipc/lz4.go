package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// An LZ4 frame decoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md)
// that writes into a destination of fixed size and fails, rather than
// grows, when the data decodes to more or less than that. Arrow IPC
// compresses each buffer as one LZ4 frame; its length prefix tells the
// decoded size, which the caller checks before sizing dst.

var errLZ4 = errors.New("bad lz4 frame")

func lz4Errorf(msg string, args ...any) error {
	return fmt.Errorf("%w: %s", errLZ4, fmt.Sprintf(msg, args...))
}

const (
	lz4Magic         = 0x184D2204
	lz4SkippableMask = 0xFFFFFFF0
	lz4Skippable     = 0x184D2A50
	lz4MinMatch      = 4
	lz4MaxOffset     = 65535
)

// lz4DecodeFrames decodes the concatenated frames in src into dst, which
// they must fill exactly.
func lz4DecodeFrames(dst, src []byte) error {
	o := 0
	for len(src) > 0 {
		if len(src) < 4 {
			return lz4Errorf("%d stray bytes after a frame", len(src))
		}
		magic := binary.LittleEndian.Uint32(src)
		if magic&lz4SkippableMask == lz4Skippable {
			if len(src) < 8 {
				return lz4Errorf("truncated skippable frame")
			}
			n := int64(binary.LittleEndian.Uint32(src[4:]))
			if n > int64(len(src)-8) {
				return lz4Errorf("skippable frame of %d bytes runs past the data", n)
			}
			src = src[8+n:]
			continue
		}
		if magic != lz4Magic {
			return lz4Errorf("bad magic %#x", magic)
		}
		n, rest, err := lz4DecodeFrame(dst[o:], src[4:])
		if err != nil {
			return err
		}
		o += n
		src = rest
	}
	if o != len(dst) {
		return lz4Errorf("decoded %d bytes, want %d", o, len(dst))
	}
	return nil
}

// lz4DecodeFrame decodes one frame (after its magic) into the start of
// dst, returning how many bytes it wrote and the input after the frame.
func lz4DecodeFrame(dst, src []byte) (int, []byte, error) {
	if len(src) < 3 {
		return 0, nil, lz4Errorf("truncated frame header")
	}
	flg, bd := src[0], src[1]
	var (
		independent  = flg&0x20 != 0
		blockSum     = flg&0x10 != 0
		hasSize      = flg&0x08 != 0
		contentSum   = flg&0x04 != 0
		hasDict      = flg&0x01 != 0
		blockMaxCode = bd >> 4 & 0x7
	)
	switch {
	case flg>>6 != 1:
		return 0, nil, lz4Errorf("frame version %d", flg>>6)
	case flg&0x02 != 0 || bd&0x8F != 0:
		return 0, nil, lz4Errorf("reserved descriptor bits set")
	case blockMaxCode < 4:
		return 0, nil, lz4Errorf("block size code %d", blockMaxCode)
	case hasDict:
		return 0, nil, lz4Errorf("frames with a dictionary are not used by arrow")
	}
	blockMax := 1 << (8 + 2*blockMaxCode) // 64 KiB, 256 KiB, 1 MiB, 4 MiB
	desc := 2
	if hasSize {
		desc += 8
	}
	if len(src) < desc+1 {
		return 0, nil, lz4Errorf("truncated frame header")
	}
	if want := byte(xxh32(src[:desc], 0) >> 8); src[desc] != want {
		return 0, nil, lz4Errorf("header checksum %#x, want %#x", src[desc], want)
	}
	var contentSize uint64
	if hasSize {
		contentSize = binary.LittleEndian.Uint64(src[2:])
		if contentSize > uint64(len(dst)) {
			return 0, nil, lz4Errorf("frame content size %d exceeds the %d bytes expected", contentSize, len(dst))
		}
	}
	src = src[desc+1:]
	o := 0
	for {
		if len(src) < 4 {
			return 0, nil, lz4Errorf("truncated block header")
		}
		word := binary.LittleEndian.Uint32(src)
		src = src[4:]
		if word == 0 {
			break // end mark
		}
		size := int(word &^ (1 << 31))
		if size > blockMax || size > len(src) {
			return 0, nil, lz4Errorf("block of %d bytes (maximum %d, %d left)", size, blockMax, len(src))
		}
		block := src[:size]
		src = src[size:]
		if blockSum {
			if len(src) < 4 {
				return 0, nil, lz4Errorf("truncated block checksum")
			}
			if binary.LittleEndian.Uint32(src) != xxh32(block, 0) {
				return 0, nil, lz4Errorf("block checksum mismatch")
			}
			src = src[4:]
		}
		limit := min(len(dst), o+blockMax)
		if word&(1<<31) != 0 { // stored uncompressed
			if len(block) > limit-o {
				return 0, nil, lz4Errorf("data decodes to more than %d bytes", len(dst))
			}
			o += copy(dst[o:], block)
			continue
		}
		base := 0
		if independent {
			base = o
		}
		n, err := lz4DecodeBlock(dst[:limit], block, o, base)
		if err != nil {
			return 0, nil, err
		}
		o = n
	}
	if contentSum {
		if len(src) < 4 {
			return 0, nil, lz4Errorf("truncated content checksum")
		}
		if binary.LittleEndian.Uint32(src) != xxh32(dst[:o], 0) {
			return 0, nil, lz4Errorf("content checksum mismatch")
		}
		src = src[4:]
	}
	if hasSize && uint64(o) != contentSize {
		return 0, nil, lz4Errorf("frame decoded to %d bytes, its header says %d", o, contentSize)
	}
	return o, src, nil
}

// lz4DecodeBlock decodes one LZ4 block into dst starting at o; matches may
// reach back to base. It returns the new end of the output.
func lz4DecodeBlock(dst, src []byte, o, base int) (int, error) {
	i := 0
	for i < len(src) {
		token := src[i]
		i++
		lit, err := lz4Length(src, &i, int(token>>4))
		if err != nil {
			return 0, err
		}
		if lit > len(src)-i || lit > len(dst)-o {
			return 0, lz4Errorf("literals of %d bytes overrun the block or the output", lit)
		}
		o += copy(dst[o:], src[i:i+lit])
		i += lit
		if i == len(src) {
			break // the last sequence has literals only
		}
		if len(src)-i < 2 {
			return 0, lz4Errorf("truncated match offset")
		}
		off := int(binary.LittleEndian.Uint16(src[i:]))
		i += 2
		if off == 0 || off > o-base {
			return 0, lz4Errorf("match offset %d reaches before the start of the data", off)
		}
		ml, err := lz4Length(src, &i, int(token&0xF))
		if err != nil {
			return 0, err
		}
		ml += lz4MinMatch
		if ml > len(dst)-o {
			return 0, lz4Errorf("match of %d bytes overruns the output", ml)
		}
		lz4Copy(dst, o, off, ml)
		o += ml
	}
	return o, nil
}

// lz4Length reads the rest of a length whose 4-bit start is n: 15 means
// more bytes follow, each adding up to 255.
func lz4Length(src []byte, i *int, n int) (int, error) {
	if n != 15 {
		return n, nil
	}
	for {
		if *i >= len(src) {
			return 0, lz4Errorf("truncated length")
		}
		b := src[*i]
		*i++
		n += int(b)
		if b != 255 {
			return n, nil
		}
	}
}

// lz4Copy copies a match of ml bytes from off bytes back, which may overlap
// the bytes being written (a run).
func lz4Copy(dst []byte, o, off, ml int) {
	from := o - off
	for ml > 0 { // each pass at least doubles the repeated pattern
		n := copy(dst[o:o+min(ml, o-from)], dst[from:o])
		o += n
		ml -= n
	}
}
