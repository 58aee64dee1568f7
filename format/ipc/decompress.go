package ipc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// decompress decodes every buffer of b into one new body from the
// allocator and rewrites the metadata to describe it uncompressed. Each
// buffer's claimed size is checked before anything is allocated: against
// what its codec can expand the compressed bytes to, and, summed over the
// message, against maxDecoded.
func (l *loader) decompress(meta []byte, b batchMeta, e entry) (*memory.Buffer, []byte, error) {
	lo, hi := extent(b)
	var comp []byte
	if l.src.mapped != nil {
		comp = l.src.data[e.bodyOff+lo : e.bodyOff+hi]
	} else {
		tmp, err := l.src.copyTo(l.mem, e.bodyOff+lo, hi-lo)
		if err != nil {
			return nil, nil, err
		}
		defer tmp.Release()
		comp = tmp.Bytes()
	}
	type part struct {
		src      []byte
		raw      bool
		at, size int64
	}
	parts := make([]part, b.buffers.n)
	var total int64
	for i := range parts {
		s := b.buffer(i)
		if s.length == 0 {
			continue
		}
		src := comp[s.offset-lo : s.offset-lo+s.length]
		p := part{src: src[8:], at: total, size: int64(binary.LittleEndian.Uint64(src))}
		switch {
		case p.size == -1: // stored uncompressed
			p.raw, p.size = true, int64(len(p.src))
		case p.size < 0 || p.size > maxExpansion(b.codec, int64(len(p.src))):
			return nil, nil, fmt.Errorf("%w: buffer %d claims %d bytes decompressed from %d", format.ErrCorrupt, i, p.size, len(p.src))
		}
		total += (p.size + 7) &^ 7
		if total > l.maxDecoded {
			return nil, nil, fmt.Errorf("%w: the message decompresses to more than %d bytes (Options.MaxDecodedBytes)", format.ErrUnsupported, l.maxDecoded)
		}
		parts[i] = p
	}
	body := memory.NewResizableBuffer(l.mem)
	body.Resize(int(total))
	out := body.Bytes()
	for i, p := range parts {
		dst := out[p.at : p.at+p.size]
		var err error
		switch {
		case p.raw:
			copy(dst, p.src)
		case p.size == 0:
		case b.codec == codecLZ4:
			err = lz4DecodeFrames(dst, p.src)
		default:
			err = zstdDecode(dst, p.src)
		}
		if err != nil {
			body.Release()
			return nil, nil, fmt.Errorf("%w: buffer %d: %w", format.ErrCorrupt, i, err)
		}
		clear(out[p.at+p.size : min(int64(len(out)), (p.at+p.size+7)&^7)]) // padding
		setBuffer(b, i, span{p.at, p.size})
	}
	return body, dropCompression(meta, b.table), nil
}

// maxExpansion is the most n compressed bytes can decode to: an LZ4
// sequence of three bytes plus one per 255 bytes of match, a Zstandard
// run-length block of four bytes for 128 KiB.
func maxExpansion(codec int, n int64) int64 {
	if codec == codecLZ4 {
		return 256 * n
	}
	return (1 << 15) * n
}

// dropCompression removes the compression field from the RecordBatch
// table t, now that its buffers are decoded. The table gets a new vtable,
// appended to the metadata, without that field: vtables may be shared
// between tables, so the old one is left alone.
func dropCompression(meta []byte, t fbTable) []byte {
	e := 4 + 2*slotBatchCompression
	if e+2 > t.vtSize {
		return meta
	}
	vt := bytes.Clone(meta[t.vt : t.vt+t.vtSize])
	binary.LittleEndian.PutUint16(vt[e:], 0)
	at := len(meta)
	meta = append(meta, vt...)
	binary.LittleEndian.PutUint32(meta[t.pos:], uint32(int32(t.pos-at)))
	return meta
}
