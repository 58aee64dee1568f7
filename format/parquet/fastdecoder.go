package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/tome-data/tome/format"
)

// encRLEDictionary is the RLE_DICTIONARY encoding, which thrift.go's list
// does not need.
const encRLEDictionary = 8

// levelWindow is how many levels are expanded at a time: small enough for
// the scratch to stay in cache and bounded whatever a page declares.
const levelWindow = 32 << 10

// fastDecoder decodes one column chunk of an eligible column (see fast.go)
// straight from its pages into Arrow buffers, a batch at a time.
type fastDecoder struct {
	f      fastColumn
	mem    memory.Allocator
	target arrow.DataType // nil when f.typ is the type to yield
	pages  *fastPages
	unmap  func() // releases the mapped or borrowed bytes the chunk lies in, or nil
	dict   *dictionary
	// bytesPerRow estimates a batch's binary data from the chunk's
	// uncompressed size; elemsPerRow a list's elements per row.
	bytesPerRow, elemsPerRow float64

	// The current data page and the window of its levels being read.
	pageLeft   int // levels of the page not yet in a window
	v2         bool
	rep, def   levelReader
	vals       valueSource
	repW, defW []uint8
	wPos, wLen int
	allPresent bool // the window's levels are all maxDef
	// When a flat list's window is all present, its repetition levels
	// are not expanded into repW: starts holds where the window's lists
	// start (its levels of 0), and nextStart the first not yet passed.
	startsOnly   bool
	starts       []int32
	nextStart    int
	started      bool // a list has begun: levels before one are corrupt
	elems        leafSink
	listOffsets  growBuf
	listValidity bitmapBuf
}

// newFastDecoder reads the column chunk of c in row group rg and prepares
// to decode it. The chunk is read with one ReadAt through src, so the
// pageGuard sees it as it sees pqarrow's reads.
func newFastDecoder(md fastChunkMeta, f fastColumn, target arrow.DataType, mem memory.Allocator) (*fastDecoder, error) {
	pages, err := newFastPages(md.data, md.numValues, md.codec, md.maxPage)
	if err != nil {
		return nil, err
	}
	d := &fastDecoder{f: f, mem: mem, target: target, pages: pages}
	if md.rows > 0 {
		d.bytesPerRow = float64(md.uncompressed) / float64(md.rows)
		d.elemsPerRow = float64(md.numValues) / float64(md.rows)
	}
	d.elems.f = &d.f
	// Values and offsets are written in full, so they need not be
	// cleared first (nozero.go); bitmaps are.
	vmem := valueAllocator(mem)
	d.elems.data.mem, d.elems.offsets.mem, d.listOffsets.mem = vmem, vmem, vmem
	d.elems.bools.buf.mem, d.elems.valid.buf.mem, d.listValidity.buf.mem = mem, mem, mem
	d.vals.f = &d.f
	return d, nil
}

// fastChunkMeta is what newFastDecoder needs of a column chunk.
type fastChunkMeta struct {
	data         []byte
	numValues    int64
	rows         int64
	uncompressed int64
	codec        compress.Compression
	maxPage      int64
}

func (d *fastDecoder) release() {
	d.elems.release()
	d.listOffsets.release()
	d.listValidity.release()
	if d.pages != nil {
		d.pages.release()
		d.pages = nil
	}
	if d.unmap != nil {
		d.unmap()
		d.unmap = nil
	}
}

func (d *fastDecoder) next(n int64) (_ arrow.Array, err error) {
	// A panic here is a bug, which the fuzz target (calling decode) hunts;
	// users get it as a corrupt-data error, as for arrow-go's decoders.
	defer recovered(&err)
	data, err := d.decode(int(n))
	if err != nil {
		d.elems.release()
		d.listOffsets.release()
		d.listValidity.release()
		return nil, d.wrap(err)
	}
	defer data.Release()
	if d.target != nil {
		conv, err := convertData(data, d.target, nil, d.mem)
		if err != nil {
			return nil, err
		}
		defer conv.Release()
		return array.MakeFromData(conv), nil
	}
	return array.MakeFromData(data), nil
}

// errListOverflow is a batch of lists too long for 32-bit offsets.
var errListOverflow = errors.New("a batch of lists holds more values than a list array's 32-bit offsets reach (large_list's do)")

// wrap classifies a decoding error: the data contradicts itself, except
// that a batch past 32-bit offsets is a limit of the type.
func (d *fastDecoder) wrap(err error) error {
	if errors.Is(err, errBinaryOverflow) || errors.Is(err, errListOverflow) {
		return fmt.Errorf("%w: %w", format.ErrUnsupported, err)
	}
	return fmt.Errorf("%w: %w", format.ErrCorrupt, err)
}

// decode decodes up to n rows; fewer only at the chunk's end.
func (d *fastDecoder) decode(n int) (arrow.ArrayData, error) {
	if d.f.list {
		return d.decodeList(n)
	}
	d.elems.start(n, int(d.bytesPerRow*float64(n))+64)
	for d.elems.slots < n {
		ok, err := d.window()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		k := min(n-d.elems.slots, d.wLen-d.wPos)
		if err := d.appendSlots(d.defW[d.wPos:d.wPos+k], d.allPresent); err != nil {
			return nil, err
		}
		d.wPos += k
	}
	return d.elems.finish(d.f.elemType), nil
}

// decodeList decodes up to n lists: every level up to the one that would
// start list n+1, which may lie pages ahead in DataPage (v1) files.
func (d *fastDecoder) decodeList(n int) (arrow.ArrayData, error) {
	ow := 4
	if d.f.largeList {
		ow = 8
	}
	d.listOffsets.reserve((n + 1) * ow)
	elems := int(d.elemsPerRow*float64(n)) + 16
	d.elems.start(elems, int(d.bytesPerRow*float64(n))+64)
	rows, base := 0, 0 // base: elements before the window segment
	appendOffset := func(v int) {
		if ow == 8 {
			binary.LittleEndian.PutUint64(d.listOffsets.extend(8, false), uint64(v))
		} else {
			binary.LittleEndian.PutUint32(d.listOffsets.extend(4, false), uint32(v))
		}
	}
	for {
		ok, err := d.window()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		start, rowsBefore := d.wPos, rows
		rep, def := d.repW[:d.wLen], d.defW[:d.wLen]
		if !d.started {
			if d.startsOnly && (len(d.starts) == 0 || d.starts[0] != 0) || !d.startsOnly && rep[start] != 0 {
				return nil, fmt.Errorf("the column's first value has a repetition level that is not 0")
			}
			d.started = true
		}
		i, full := start, false
		if d.startsOnly {
			// As below, with the starts found when the window was read.
			i = d.wLen
			starts := d.starts[d.nextStart:]
			take := len(starts)
			if take > n-rows {
				take = n - rows
				i, full = int(starts[take]), true
			}
			d.appendListOffsets(starts[:take], base-start)
			rows += take
			d.nextStart += take
			if d.f.listNullable {
				d.listValidity.appendRun(true, rows-rowsBefore)
			}
			if err := d.elems.appendValid(&d.vals, i-start); err != nil {
				return nil, err
			}
			base += i - start
		} else if d.allPresent {
			// Every level is an element: lists start at the zeros of rep.
			for i < len(rep) {
				j := bytes.IndexByte(rep[i:], 0)
				if j < 0 {
					i = len(rep)
					break
				}
				i += j
				if rows == n {
					full = true
					break
				}
				appendOffset(base + i - start)
				rows++
				i++
			}
			if d.f.listNullable {
				d.listValidity.appendRun(true, rows-rowsBefore)
			}
			if err := d.elems.appendValid(&d.vals, i-start); err != nil {
				return nil, err
			}
			base += i - start
		} else {
			segStart := i
			for ; i < len(rep); i++ {
				r, l := rep[i], def[i]
				if r == 0 {
					if rows == n {
						full = true
						break
					}
					appendOffset(base)
					rows++
					if d.f.listNullable {
						d.listValidity.appendRun(int16(l) >= d.f.listDef, 1)
					}
				}
				if int16(l) >= d.f.slotDef {
					base++
				} else if r != 0 {
					return nil, fmt.Errorf("a repeated value with definition level %d", l)
				}
			}
			// The elements' levels, compacted in place past the window's
			// read position (which is never read again).
			slots := def[segStart:segStart]
			for k := segStart; k < i; k++ {
				if int16(def[k]) >= d.f.slotDef {
					slots = append(slots, def[k])
				}
			}
			if err := d.appendSlots(slots, false); err != nil {
				return nil, err
			}
		}
		d.wPos = i
		if full {
			break
		}
	}
	if !d.f.largeList && base > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d values", errListOverflow, base)
	}
	appendOffset(base)
	return d.finishList(rows)
}

// appendListOffsets appends the offsets of lists starting at the given
// window positions, shift being the elements before the window's start.
func (d *fastDecoder) appendListOffsets(starts []int32, shift int) {
	if d.f.largeList {
		out := d.listOffsets.extend(8*len(starts), false)
		for j, at := range starts {
			binary.LittleEndian.PutUint64(out[8*j:], uint64(int(at)+shift))
		}
		return
	}
	out := d.listOffsets.extend(4*len(starts), false)
	for j, at := range starts {
		binary.LittleEndian.PutUint32(out[4*j:], uint32(int(at)+shift))
	}
}

// appendValid appends k present values from v.
func (s *leafSink) appendValid(v *valueSource, k int) error {
	return v.appendTo(s, k)
}

// appendSlots appends the leaf slots whose definition levels are given:
// a value where the level is maxDef, else a null.
func (d *fastDecoder) appendSlots(levels []uint8, allPresent bool) error {
	if allPresent || d.f.maxDef == 0 {
		return d.elems.appendValid(&d.vals, len(levels))
	}
	maxDef := uint8(d.f.maxDef)
	for i := 0; i < len(levels); {
		j := i
		if levels[i] == maxDef {
			for j < len(levels) && levels[j] == maxDef {
				j++
			}
			if err := d.elems.appendValid(&d.vals, j-i); err != nil {
				return err
			}
		} else {
			for j < len(levels) && levels[j] != maxDef {
				j++
			}
			d.elems.appendNulls(j - i)
		}
		i = j
	}
	return nil
}

// window makes levels available at d.wPos, reading the next window of the
// page or the next page; it returns false at the chunk's end.
func (d *fastDecoder) window() (bool, error) {
	for d.wPos >= d.wLen {
		if d.pageLeft == 0 {
			ok, err := d.nextDataPage()
			if !ok || err != nil {
				return false, err
			}
			continue
		}
		k := min(d.pageLeft, levelWindow)
		d.repW, d.defW = grown(d.repW, k), grown(d.defW, k)
		// (A window inside one run of maxDef, the usual case for a column
		// without nulls, is all present and its levels never expanded.)
		d.allPresent = d.f.maxDef == 0 || d.def.skipRun(k, uint8(d.f.maxDef))
		if !d.allPresent {
			if err := d.def.read(d.defW); err != nil {
				return false, fmt.Errorf("definition levels: %w", err)
			}
			d.allPresent = allEqual(d.defW, uint8(d.f.maxDef))
			if !d.allPresent && !levelsFit(d.f.maxDef) && maxLevelAbove(d.defW, d.f.maxDef) {
				return false, fmt.Errorf("a definition level above %d", d.f.maxDef)
			}
		}
		d.startsOnly = d.allPresent && d.f.maxRep == 1 && d.rep.hybridWidth1()
		switch {
		case d.startsOnly:
			// Every level is an element, and only where lists start
			// matters: runs of 1 are skipped whole, not expanded and
			// searched (a list of 64 values is two runs).
			var err error
			if d.starts, err = d.rep.hybrid.zeros(k, d.starts[:0]); err != nil {
				return false, fmt.Errorf("repetition levels: %w", err)
			}
			d.nextStart = 0
		case d.f.maxRep > 0:
			if err := d.rep.read(d.repW); err != nil {
				return false, fmt.Errorf("repetition levels: %w", err)
			}
			if !levelsFit(d.f.maxRep) && maxLevelAbove(d.repW, d.f.maxRep) {
				return false, fmt.Errorf("a repetition level above %d", d.f.maxRep)
			}
		}
		d.pageLeft -= k
		d.wPos, d.wLen = 0, k
	}
	return true, nil
}

// levelsFit reports whether every level a reader of max's bit width
// yields is at most max, so that no check is needed: max is 2^k-1.
func levelsFit(max int16) bool { return max&(max+1) == 0 }

// allEqual reports whether every byte of s is v, eight at a time.
func allEqual(s []uint8, v uint8) bool {
	pattern := uint64(v) * 0x0101010101010101
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(s[i:]) != pattern {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] != v {
			return false
		}
	}
	return true
}

// The definition levels in d.defW are read only when d.allPresent is
// false: otherwise every level is maxDef and only their count matters.

// nextDataPage moves to the next data page, decoding a dictionary page on
// the way.
func (d *fastDecoder) nextDataPage() (bool, error) {
	for {
		pg, ok, err := d.pages.next()
		if !ok || err != nil {
			return false, err
		}
		if pg.typ == pageDictionary {
			if d.dict != nil {
				return false, fmt.Errorf("a second dictionary page")
			}
			if pg.encoding != encPlain && pg.encoding != encPlainDictionary {
				return false, fmt.Errorf("dictionary page encoding %d", pg.encoding)
			}
			if d.dict, err = decodeDictionary(&d.f, pg.body, pg.numValues); err != nil {
				return false, err
			}
			continue
		}
		if int64(pg.numValues) > d.pages.maxPage {
			return false, fmt.Errorf("a page of %d values", pg.numValues)
		}
		if err := d.startPage(pg); err != nil {
			return false, err
		}
		if pg.numValues == 0 {
			continue
		}
		return true, nil
	}
}

func (d *fastDecoder) startPage(pg fastPage) error {
	d.pageLeft = pg.numValues
	body := pg.body
	if pg.v2 {
		if d.f.maxRep > 0 {
			if _, err := d.rep.reset(pg.rep, encRLE, d.f.maxRep, false, pg.numValues); err != nil {
				return fmt.Errorf("repetition levels: %w", err)
			}
		}
		if d.f.maxDef > 0 {
			if _, err := d.def.reset(pg.def, encRLE, d.f.maxDef, false, pg.numValues); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
		}
	} else {
		if d.f.maxRep > 0 {
			used, err := d.rep.reset(body, pg.repEnc, d.f.maxRep, true, pg.numValues)
			if err != nil {
				return fmt.Errorf("repetition levels: %w", err)
			}
			body = body[used:]
		}
		if d.f.maxDef > 0 {
			used, err := d.def.reset(body, pg.defEnc, d.f.maxDef, true, pg.numValues)
			if err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
			body = body[used:]
		}
	}
	return d.vals.reset(pg.encoding, body, d.dict)
}

// finish turns the sink's slots into array data of type t and empties it.
func (s *leafSink) finish(t arrow.DataType) arrow.ArrayData {
	valid, nulls := s.valid.finish()
	var bufs []*memory.Buffer
	switch s.f.kind {
	case kindFixed:
		bufs = []*memory.Buffer{valid, s.narrowed(s.data.finish())}
	case kindBool:
		vals, _ := s.bools.finish()
		bufs = []*memory.Buffer{valid, vals}
	case kindBinary:
		bufs = []*memory.Buffer{valid, s.offsets.finish(), s.data.finish()}
	}
	data := array.NewData(t, s.slots, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	s.slots, s.end = 0, 0
	return data
}

// narrowed converts INT32 values to the 8- or 16-bit integers Arrow holds,
// truncating as pqarrow does, when the column is such; it consumes b.
func (s *leafSink) narrowed(b *memory.Buffer) *memory.Buffer {
	if s.f.narrow == 0 {
		return b
	}
	defer b.Release()
	wide := arrow.Int32Traits.CastFromBytes(b.Bytes())[:s.slots]
	out := memory.NewResizableBuffer(s.data.mem)
	out.Resize(s.slots * s.f.narrow)
	if s.f.narrow == 1 {
		for i, v := range wide {
			out.Bytes()[i] = byte(v)
		}
	} else {
		o := arrow.Int16Traits.CastFromBytes(out.Bytes())
		for i, v := range wide {
			o[i] = int16(v)
		}
	}
	return out
}

func (d *fastDecoder) finishList(rows int) (arrow.ArrayData, error) {
	elems := d.elems.finish(d.f.elemType)
	defer elems.Release()
	valid, nulls := d.listValidity.finish()
	offsets := d.listOffsets.finish()
	data := array.NewData(d.f.typ, rows, []*memory.Buffer{valid, offsets}, []arrow.ArrayData{elems}, nulls, 0)
	if valid != nil {
		valid.Release()
	}
	offsets.Release()
	return data, nil
}
