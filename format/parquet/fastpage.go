package parquet

import (
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// fastPages walks the pages of one column chunk held in memory, the way
// pagecheck.go and arrow-go walk them: until the levels seen reach the
// chunk's value count. Page headers are parsed with thrift.go's reader;
// bodies decompress through the bounded codecs of codecs.go into a scratch
// buffer reused from page to page, so a page's bytes are valid until the
// next call to next.
type fastPages struct {
	data    []byte // the chunk
	off     int
	left    int64 // levels the chunk still declares
	codec   compress.Codec
	none    bool // uncompressed: bodies are slices of data
	maxPage int64
	scratch []byte
}

// A fastPage is one decompressed page.
type fastPage struct {
	typ       int32
	numValues int // levels in a data page, values in a dictionary page
	encoding  int32
	v2        bool
	// v1: body holds levels then values; defEnc and repEnc say how the
	// levels are encoded. v2: rep and def hold the levels, body the values.
	defEnc, repEnc int32
	rep, def       []byte
	body           []byte
}

func newFastPages(data []byte, numValues int64, codec compress.Compression, maxPage int64) (*fastPages, error) {
	p := &fastPages{data: data, left: numValues, maxPage: maxPage, none: codec == compress.Codecs.Uncompressed}
	if !p.none {
		c, err := compress.GetCodec(codec)
		if err != nil {
			return nil, err
		}
		p.codec = c
	}
	return p, nil
}

// done reports whether the chunk's declared values have all been seen.
func (p *fastPages) done() bool { return p.left <= 0 || p.off >= len(p.data) }

// next returns the next dictionary or data page; ok is false at the end of
// the chunk. Index pages and page types this reader does not know are
// skipped, as arrow-go skips them.
func (p *fastPages) next() (pg fastPage, ok bool, err error) {
	for !p.done() {
		h, n, err := parsePageHeader(p.data[p.off:])
		if err != nil {
			return pg, false, fmt.Errorf("page header at chunk offset %d: %w", p.off, err)
		}
		at := p.off
		body := p.data[p.off+n:]
		if h.compressed < 0 || int(h.compressed) > len(body) {
			return pg, false, fmt.Errorf("page at chunk offset %d declares %d bytes, the chunk has %d left", at, h.compressed, len(body))
		}
		if h.uncompressed < 0 || int64(h.uncompressed) > p.maxPage || int64(h.compressed) > p.maxPage {
			return pg, false, fmt.Errorf("page at chunk offset %d declares %d bytes (%d compressed), which exceeds the page size limit of %d", at, h.uncompressed, h.compressed, p.maxPage)
		}
		body = body[:h.compressed]
		p.off += n + int(h.compressed)
		pg = fastPage{typ: h.typ, numValues: int(h.numValues), encoding: h.encoding, defEnc: h.defEncoding, repEnc: h.repEncoding}
		if h.numValues < 0 {
			return pg, false, fmt.Errorf("page at chunk offset %d declares %d values", at, h.numValues)
		}
		switch h.typ {
		case pageDictionary, pageData:
			if pg.body, err = p.decompress(body, int(h.uncompressed)); err != nil {
				return pg, false, fmt.Errorf("page at chunk offset %d: %w", at, err)
			}
		case pageDataV2:
			pg.v2 = true
			levels := int64(h.repLevelBytes) + int64(h.defLevelBytes)
			if h.repLevelBytes < 0 || h.defLevelBytes < 0 || levels > int64(len(body)) || levels > int64(h.uncompressed) {
				return pg, false, fmt.Errorf("page at chunk offset %d: levels of %d bytes in a page of %d", at, levels, len(body))
			}
			pg.rep = body[:h.repLevelBytes]
			pg.def = body[h.repLevelBytes:levels]
			values := body[levels:]
			if h.valuesCompressed && !p.none {
				values, err = p.decompress(values, int(int64(h.uncompressed)-levels))
			} else if int64(len(values)) != int64(h.uncompressed)-levels {
				err = fmt.Errorf("%d value bytes, the header says %d", len(values), int64(h.uncompressed)-levels)
			}
			if err != nil {
				return pg, false, fmt.Errorf("page at chunk offset %d: %w", at, err)
			}
			pg.body = values
		default:
			continue
		}
		if h.typ != pageDictionary {
			// The chunk's count bounds every page's: a page cannot make
			// the decoder expand more levels than the footer declares.
			if int64(h.numValues) > p.left {
				return pg, false, fmt.Errorf("page at chunk offset %d declares %d values, the column chunk %d more", at, h.numValues, p.left)
			}
			p.left -= int64(h.numValues)
		}
		return pg, true, nil
	}
	return pg, false, nil
}

// decompress returns src decompressed to exactly size bytes.
func (p *fastPages) decompress(src []byte, size int) ([]byte, error) {
	if p.none {
		if len(src) != size {
			return nil, fmt.Errorf("%d bytes, the header says %d uncompressed", len(src), size)
		}
		return src, nil
	}
	if size == 0 && len(src) == 0 {
		return nil, nil // an empty values section, as all-null pages have
	}
	if cap(p.scratch) < size {
		p.scratch = scratchBuffer(p.scratch, size)
	}
	out, err := compress.Decode(p.codec, p.scratch[:size], src)
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	if len(out) != size {
		return nil, fmt.Errorf("decompressed to %d bytes, the header says %d", len(out), size)
	}
	return out, nil
}

// Every column chunk decompresses its pages into a scratch buffer of its
// largest page's size, a megabyte for a typical writer: allocated anew
// per chunk, those buffers were a sixth of what a scan allocated, all of
// it cleared and, once the collector had returned it to the system,
// faulted in again. Decoders hand theirs back when they are released.
// Nothing a decoder yields points into its scratch buffer (values are
// copied out, dictionaries too), and every codec returns exactly the
// bytes it wrote (decompress checks the count), so a buffer is not
// cleared between uses.
var scratchPool sync.Pool // of *[]byte

// scratchBuffer returns a buffer of at least size bytes in place of old,
// which goes back to the pool.
func scratchBuffer(old []byte, size int) []byte {
	putScratch(old)
	if b, ok := scratchPool.Get().(*[]byte); ok {
		if cap(*b) >= size {
			return (*b)[:size]
		}
		scratchPool.Put(b) // too small for this page: leave it for another
	}
	return makeUncleared(size)
}

func putScratch(b []byte) {
	if cap(b) > 0 {
		scratchPool.Put(&b)
	}
}

// release hands the scratch buffer back; p must not be used afterwards.
func (p *fastPages) release() {
	putScratch(p.scratch)
	p.scratch = nil
}
