package gather

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// offset is the width of a variable-length layout's offsets.
type offset interface{ int32 | int64 }

// maxOffset is the largest offset O holds.
func maxOffset[O offset]() int64 {
	if _, ok := any(O(0)).(int32); ok {
		return math.MaxInt32
	}
	return math.MaxInt64
}

// gatherOffsets writes the output offsets of the spans into out (n+1
// values) and returns, per span, the range [start, end) of the source's
// values (bytes or child rows) it covers. It checks every source offset
// against limits (the length of each source's values) and the total
// against the offset type's range.
func gatherOffsets[O offset](out []O, srcOffs [][]O, limits []int64, spans []Span, ranges []Span) ([]Span, error) {
	maxTotal := maxOffset[O]()
	var total int64
	pos := 0
	out[0] = 0
	for i, s := range spans {
		if i+prefetchAhead < len(spans) {
			p := spans[i+prefetchAhead]
			prefetchAt(srcOffs[p.Src], p.Off, p.Len+1)
		}
		so := srcOffs[s.Src]
		start, end := so[s.Off], so[s.Off+s.Len]
		if start < 0 || end < start || int64(end) > limits[s.Src] {
			return nil, corrupt("offsets [%d, %d] outside %d values", start, end, limits[s.Src])
		}
		if int64(end-start) > maxTotal-total {
			return nil, errTooLarge(maxTotal)
		}
		total += int64(end - start)
		if s.Len == 1 {
			out[pos+1] = out[pos] + (end - start)
		} else {
			delta := out[pos] - start
			prev := start
			for j := 1; j <= s.Len; j++ {
				o := so[s.Off+j]
				if o < prev {
					return nil, corrupt("offsets decrease from %d to %d", prev, o)
				}
				out[pos+j] = o + delta
				prev = o
			}
		}
		pos += s.Len
		ranges = AppendSpan(ranges, Span{Src: s.Src, Off: int(start), Len: int(end - start)})
	}
	return ranges, nil
}

// gatherBinary copies binary and string values: offsets first, which size
// the data buffer exactly, then one copy per span. offs is c.offs32 or
// c.offs64, as O.
func gatherBinary[O offset](mem memory.Allocator, c *column, offs [][]O, spans []Span, n int) (arrow.ArrayData, error) {
	offsets := alloc(mem, (n+1)*int(sizeOf[O]()))
	scratch := borrowSpans(len(spans))
	ranges, err := gatherOffsets(typed[O](offsets.Bytes()), offs, c.limits, spans, *scratch)
	defer func() { returnSpans(scratch, ranges) }()
	if err != nil {
		releaseBuffers(offsets)
		return nil, err
	}
	validity, nulls := c.validity(mem, spans, n)
	data := alloc(mem, int(typed[O](offsets.Bytes())[n]))
	dst := data.Bytes()
	srcData := c.values
	pos := 0
	for i, r := range ranges {
		if i+prefetchAhead < len(ranges) {
			p := ranges[i+prefetchAhead]
			prefetchAt(srcData[p.Src], p.Off, p.Len)
		}
		pos += copy(dst[pos:], srcData[r.Src][r.Off:r.Off+r.Len])
	}
	return newData(c.dt, n, []*memory.Buffer{validity, offsets, data}, nil, nulls), nil
}

func sizeOf[O offset]() uintptr {
	var o O
	if _, ok := any(o).(int32); ok {
		return 4
	}
	return 8
}
