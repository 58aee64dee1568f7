package ipc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
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
