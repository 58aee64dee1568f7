package ipc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// A loader turns index entries into the messages arrow-go decodes: a
// private copy of the metadata, rewritten when columns are projected or
// the body is decompressed or copied, and the body itself.
type loader struct {
	src        *source
	mem        memory.Allocator
	maxDecoded int64
	// zeroCopy says bodies may be borrowed from the mapping: the source is
	// mapped and little-endian (arrow-go swaps big-endian data in place,
	// which read-only mapped pages do not allow).
	zeroCopy bool
	// full is the file's schema and keep the sorted top-level columns a
	// projection keeps; keep is nil when every column is read.
	full *arrow.Schema
	keep []int
}

func (l *loader) batch(e batchEntry) (*ipc.Message, error) {
	msg, err := l.load(e.entry, true)
	if err != nil {
		return nil, fmt.Errorf("%s: record batch at offset %d: %w", l.src.name, e.offset, err)
	}
	return msg, nil
}

func (l *loader) dict(e dictEntry) (*ipc.Message, error) {
	msg, err := l.load(e.entry, false)
	if err != nil {
		return nil, fmt.Errorf("%s: dictionary batch at offset %d: %w", l.src.name, e.offset, err)
	}
	return msg, nil
}

func (l *loader) load(e entry, isBatch bool) (*ipc.Message, error) {
	project := isBatch && l.keep != nil
	if !project && !e.compressed {
		// The common case needs no rewriting: arrow-go reads the index's
		// copy of the metadata, which nothing writes to.
		body, err := l.wholeBody(e)
		if err != nil {
			return nil, err
		}
		return newMessage(e.meta, body), nil
	}
	// The index checked this metadata; it is parsed again only to find
	// its parts in a private copy.
	meta := bytes.Clone(e.meta)
	m, err := parseMessage(meta)
	if err != nil {
		return nil, corrupt(err)
	}
	var b batchMeta
	if isBatch {
		b, err = parseBatch(m.header)
	} else {
		var d dictMeta
		d, err = parseDict(m.header)
		b = d.data
	}
	if err != nil {
		return nil, corrupt(err)
	}
	if project {
		if err := l.project(&b, m.version); err != nil {
			return nil, err
		}
	}
	var body *memory.Buffer
	if e.compressed {
		body, meta, err = l.decompress(meta, b, e)
	} else {
		body, err = l.projectedBody(b, e)
	}
	if err != nil {
		return nil, err
	}
	return newMessage(meta, body), nil
}

// newMessage hands body over to a message.
func newMessage(meta []byte, body *memory.Buffer) *ipc.Message {
	msg := ipc.NewMessage(memory.NewBufferBytes(meta), body)
	body.Release() // the message holds its own reference
	return msg
}

// project keeps only the field nodes, buffers and variadic counts of the
// projected columns, compacting the vectors in place.
func (l *loader) project(b *batchMeta, version int16) error {
	ranges, err := columnRanges(l.full, *b, version)
	if err != nil {
		return err
	}
	pick := func(get func(colRange) [2]int) [][2]int {
		out := make([][2]int, len(l.keep))
		for i, c := range l.keep {
			out[i] = get(ranges[c])
		}
		return out
	}
	compact(&b.nodes, pick(func(r colRange) [2]int { return r.nodes }))
	compact(&b.buffers, pick(func(r colRange) [2]int { return r.buffers }))
	compact(&b.variadic, pick(func(r colRange) [2]int { return r.variadic }))
	return nil
}

// compact moves the elements in the sorted ranges to the front of v and
// shortens it to them.
func compact(v *fbVector, ranges [][2]int) {
	if v.buf == nil {
		return // absent, so every range is empty
	}
	w := 0
	for _, r := range ranges {
		for i := r[0]; i < r[1]; i++ {
			if w != i {
				copy(v.at(w), v.at(i))
			}
			w++
		}
	}
	binary.LittleEndian.PutUint32(v.buf[v.start-4:], uint32(w))
	v.n = w
}

// wholeBody returns a message's body: borrowed from the mapping when that
// is allowed, copied into allocator memory otherwise.
func (l *loader) wholeBody(e entry) (*memory.Buffer, error) {
	if l.zeroCopy && e.bodyOff%8 == 0 {
		return l.src.borrow(e.bodyOff, e.bodyLen), nil
	}
	return l.src.copyTo(l.mem, e.bodyOff, e.bodyLen)
}

// projectedBody returns the body of a projected, uncompressed batch. When
// it cannot be borrowed, only the span the projected buffers cover is
// copied (through ReadAt, one read of those columns, not of the whole
// body), and the buffers' offsets are rebased onto it.
func (l *loader) projectedBody(b batchMeta, e entry) (*memory.Buffer, error) {
	if l.zeroCopy && e.bodyOff%8 == 0 {
		return l.src.borrow(e.bodyOff, e.bodyLen), nil
	}
	lo, hi := extent(b)
	buf, err := l.src.copyTo(l.mem, e.bodyOff+lo, hi-lo)
	if err != nil {
		return nil, err
	}
	for i := range b.buffers.n {
		s := b.buffer(i)
		if s.length == 0 {
			s.offset = lo
		}
		setBuffer(b, i, span{s.offset - lo, s.length})
	}
	return buf, nil
}

// extent returns the smallest span of the body holding every non-empty
// buffer of b.
func extent(b batchMeta) (lo, hi int64) {
	first := true
	for i := range b.buffers.n {
		s := b.buffer(i)
		if s.length == 0 {
			continue
		}
		if first || s.offset < lo {
			lo = s.offset
		}
		if first || s.offset+s.length > hi {
			hi = s.offset + s.length
		}
		first = false
	}
	return lo, hi
}

func setBuffer(b batchMeta, i int, s span) {
	e := b.buffers.at(i)
	binary.LittleEndian.PutUint64(e, uint64(s.offset))
	binary.LittleEndian.PutUint64(e[8:], uint64(s.length))
}

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
