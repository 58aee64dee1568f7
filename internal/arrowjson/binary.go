package arrowjson

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// binary decodes binary, utf8 and their large variants: validity, offsets
// and the values, which must span exactly the bytes the offsets say.
func (d *decoder) binary(dt arrow.DataType, c *jsonColumn, n int) (arrow.ArrayData, error) {
	large := dt.ID() == arrow.LARGE_BINARY || dt.ID() == arrow.LARGE_STRING
	parse := parseBytes
	if dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING {
		parse = parseString
	}
	values, err := parseAll(c, n, parse)
	if err != nil {
		return nil, err
	}
	off, err := offsets(c, n, large, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if off[i+1]-off[i] != int64(len(v)) {
			return nil, fmt.Errorf("%w: OFFSET gives row %d %d bytes but DATA[%d] has %d", format.ErrCorrupt, i, off[i+1]-off[i], i, len(v))
		}
	}
	// Offsets need not start at zero; rebasing them keeps the data buffer
	// as large as the values and no larger.
	base := off[0]
	for i := range off {
		off[i] -= base
	}
	data := newBuffer(d.mem, int(off[n]))
	defer data.Release()
	for i, v := range values {
		copy(data.Bytes()[off[i]:], v)
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	offBuf := offsetBuffer(d.mem, off, large)
	defer offBuf.Release()
	return array.NewData(dt, n, []*memory.Buffer{valid, offBuf, data}, nil, nulls, 0), nil
}

func parseAll(c *jsonColumn, n int, parse func(json.RawMessage) ([]byte, error)) ([][]byte, error) {
	if err := checkLen("DATA", len(c.Data), n); err != nil {
		return nil, err
	}
	values := make([][]byte, n)
	for i, raw := range c.Data {
		v, err := parse(raw)
		if err != nil {
			return nil, fmt.Errorf("DATA[%d]: %w", i, err)
		}
		values[i] = v
	}
	return values, nil
}

// views decodes binary_view and utf8_view columns: a VIEWS entry per row,
// inlined when at most 12 bytes long, otherwise a prefix and a reference
// into one of the VARIADIC_DATA_BUFFERS.
func (d *decoder) views(dt arrow.DataType, c *jsonColumn, n int) (arrow.ArrayData, error) {
	if err := checkLen("VIEWS", len(c.Views), n); err != nil {
		return nil, err
	}
	variadic := make([][]byte, len(c.Variadic))
	for i, s := range c.Variadic {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: VARIADIC_DATA_BUFFERS[%d] is not hex: %v", format.ErrCorrupt, i, err)
		}
		variadic[i] = b
	}
	utf8 := dt.ID() == arrow.STRING_VIEW
	headers := newBuffer(d.mem, n*arrow.ViewHeaderSizeBytes)
	defer headers.Release()
	hs := arrow.GetData[arrow.ViewHeader](headers.Bytes())
	for i := range c.Views {
		if err := setView(&hs[i], &c.Views[i], variadic, utf8); err != nil {
			return nil, fmt.Errorf("VIEWS[%d]: %w", i, err)
		}
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	buffers := []*memory.Buffer{valid, headers}
	for _, b := range variadic {
		buf := newBuffer(d.mem, len(b))
		copy(buf.Bytes(), b)
		defer buf.Release()
		buffers = append(buffers, buf)
	}
	return array.NewData(dt, n, buffers, nil, nulls, 0), nil
}

// setView fills one view header from its JSON, checking that a reference
// lies inside its buffer and that the prefix matches the bytes there.
func setView(h *arrow.ViewHeader, v *jsonView, variadic [][]byte, utf8 bool) error {
	if v.Size < 0 || v.Size > math.MaxInt32 {
		return fmt.Errorf("%w: SIZE %d out of range", format.ErrCorrupt, v.Size)
	}
	if v.Inlined != nil {
		data := []byte(*v.Inlined)
		if !utf8 {
			var err error
			if data, err = hex.DecodeString(*v.Inlined); err != nil {
				return fmt.Errorf("%w: INLINED is not hex: %v", format.ErrCorrupt, err)
			}
		}
		if int64(len(data)) != v.Size || !arrow.IsViewInline(len(data)) {
			return fmt.Errorf("%w: INLINED has %d bytes, SIZE says %d (at most 12 inline)", format.ErrCorrupt, len(data), v.Size)
		}
		h.SetBytes(data)
		return nil
	}
	if v.PrefixHex == nil || v.BufferIndex == nil || v.Offset == nil {
		return fmt.Errorf("%w: neither INLINED nor PREFIX_HEX, BUFFER_INDEX and OFFSET", format.ErrCorrupt)
	}
	if arrow.IsViewInline(int(v.Size)) {
		return fmt.Errorf("%w: a view of %d bytes must be inlined", format.ErrCorrupt, v.Size)
	}
	idx, off := *v.BufferIndex, *v.Offset
	if idx < 0 || idx >= int64(len(variadic)) {
		return fmt.Errorf("%w: BUFFER_INDEX %d, have %d buffers", format.ErrCorrupt, idx, len(variadic))
	}
	buf := variadic[idx]
	if off < 0 || off > math.MaxInt32 || off > int64(len(buf))-v.Size {
		return fmt.Errorf("%w: OFFSET %d and SIZE %d overrun buffer %d of %d bytes", format.ErrCorrupt, off, v.Size, idx, len(buf))
	}
	data := buf[off : off+v.Size]
	prefix, err := hex.DecodeString(*v.PrefixHex)
	if err != nil || !bytes.Equal(prefix, data[:arrow.ViewPrefixLen]) {
		return fmt.Errorf("%w: PREFIX_HEX %q does not match the referenced bytes %X", format.ErrCorrupt, *v.PrefixHex, data[:arrow.ViewPrefixLen])
	}
	h.SetBytes(data)
	h.SetIndexOffset(int32(idx), int32(off))
	return nil
}
