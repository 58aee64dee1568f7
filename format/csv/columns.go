package csv

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/jsonl"
)

// A column appends the cells of one projected column to its builder.
// Strings go straight in; every other type is parsed from its text by
// jsonl.ValueDecoder, the same conversions JSON Lines applies to string
// values (so the canonical text rowjson writes, which Writer uses, reads
// back exactly), with nested types given as JSON text.
type column struct {
	src      int // index of the field in a record
	name     string
	dt       arrow.DataType
	nullable bool
	inferred bool // check cells against the inferred type first
	emptyOK  bool // a quoted empty cell is an empty value, not a null
	str      interface {
		Append([]byte)
		AppendNull()
	}
	vd *jsonl.ValueDecoder
}

// newColumns binds a column to each builder of rb.
func newColumns(mem memory.Allocator, rb *array.RecordBuilder, src []int, inferred bool) ([]*column, error) {
	cols := make([]*column, len(src))
	for i, f := range rb.Schema().Fields() {
		c := &column{src: src[i], name: f.Name, dt: f.Type, nullable: f.Nullable, inferred: inferred, emptyOK: holdsEmpty(f.Type)}
		switch b := rb.Field(i).(type) {
		case *array.StringBuilder:
			c.str = b.BinaryBuilder
		case *array.LargeStringBuilder:
			c.str = b.BinaryBuilder
		case *array.StringViewBuilder:
			c.str = b.BinaryViewBuilder
		default:
			vd, err := jsonl.NewValueDecoder(mem, b, f.Name)
			if err != nil {
				releaseColumns(cols)
				return nil, err
			}
			c.vd = vd
		}
		cols[i] = c
	}
	return cols, nil
}

func releaseColumns(cols []*column) {
	for _, c := range cols {
		if c != nil && c.vd != nil {
			c.vd.Release()
		}
	}
}

// holdsEmpty reports whether the empty text is a value of type dt: an
// empty string or byte string.
func holdsEmpty(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return true
	case arrow.DICTIONARY:
		return holdsEmpty(dt.(*arrow.DictionaryType).ValueType)
	}
	return false
}

// append adds one cell. Empty cells are null, except that a quoted empty
// cell ("") of a string or binary column is the empty value.
func (c *column) append(f field, hint string) error {
	if len(f.text) == 0 && !(f.quoted && c.emptyOK) {
		if !c.nullable {
			return fmt.Errorf("column %s: empty value in a non-nullable column: %w", strconv.Quote(c.name), format.ErrSchema)
		}
		if c.str != nil {
			c.str.AppendNull()
		} else {
			c.vd.AppendNull()
		}
		return nil
	}
	if c.inferred && !fits(classify(f.text), c.dt) {
		return fmt.Errorf("column %s: value %s does not fit %s%s: %w", strconv.Quote(c.name), quoteText(f.text), c.dt, hint, format.ErrSchema)
	}
	if c.str != nil {
		if !utf8.Valid(f.text) {
			return fmt.Errorf("column %s: %w: invalid UTF-8", strconv.Quote(c.name), format.ErrCorrupt)
		}
		c.str.Append(f.text)
		return nil
	}
	return c.vd.AppendText(f.text)
}

// quoteText quotes the start of a cell for an error message.
func quoteText(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}
