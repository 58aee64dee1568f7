package jsonl

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// dictionaryDecoder reads the dictionary's value (rowjson writes values,
// not indices) and lets the builder find or add its index. String values
// go straight to the memo table; other value types are decoded into a
// one-value scratch array first, which is slower but exact for every type
// a dictionary can hold.
type dictionaryDecoder struct {
	b       array.DictionaryBuilder
	strings *array.BinaryDictionaryBuilder // for string values, else nil
	scratch array.Builder
	value   decoder
	path    string
}

func (c *compiler) dictionary(b array.DictionaryBuilder, path string) (decoder, error) {
	vt := b.Type().(*arrow.DictionaryType).ValueType
	d := &dictionaryDecoder{b: b, path: path}
	if sb, ok := b.(*array.BinaryDictionaryBuilder); ok && (vt.ID() == arrow.STRING || vt.ID() == arrow.LARGE_STRING) {
		d.strings = sb
		return d, nil
	}
	d.scratch = array.NewBuilder(c.mem, vt)
	c.owned = append(c.owned, d.scratch)
	value, err := c.compile(d.scratch, path)
	if err != nil {
		return nil, err
	}
	d.value = value
	return d, nil
}

func (d *dictionaryDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	case '"':
		if d.strings != nil {
			start := s.pos
			v, err := s.str()
			if err != nil {
				return err
			}
			if err := d.strings.Append(v); err != nil {
				return schemaError(start, d.path, err.Error())
			}
			return nil
		}
	}
	if d.strings != nil {
		return (&stringDecoder{b: dictStrings{d.strings}}).decode(s)
	}
	start := s.pos
	if err := d.value.decode(s); err != nil {
		return err
	}
	return at(d.flush(), start)
}

func (d *dictionaryDecoder) appendText(b []byte) error {
	if d.strings != nil {
		if err := d.strings.Append(b); err != nil {
			return schemaError(0, d.path, err.Error())
		}
		return nil
	}
	if err := d.value.appendText(b); err != nil {
		return err
	}
	return d.flush()
}

// flush moves the value just decoded into the scratch builder over to the
// dictionary.
func (d *dictionaryDecoder) flush() error {
	arr := d.scratch.NewArray()
	defer arr.Release()
	if err := d.b.AppendArray(arr); err != nil {
		return schemaError(0, d.path, err.Error())
	}
	return nil
}

func (d *dictionaryDecoder) appendNull() { d.b.AppendNull() }

// dictStrings lets stringDecoder store the JSON text of a non-string value
// in a string dictionary, as it does in a plain string column.
type dictStrings struct {
	b *array.BinaryDictionaryBuilder
}

func (d dictStrings) Append(v []byte) { _ = d.b.Append(v) }
func (d dictStrings) AppendNull()     { d.b.AppendNull() }

// intervalDecoder reads an interval as an object of integer members named
// as in Arrow's integration JSON ({"months": 1, "days": 2,
// "nanoseconds": 3}), the form rowjson writes; a month interval may also
// be a bare integer. Absent members are zero.
type intervalDecoder struct {
	textDecoder
	b          array.Builder
	names      []string
	path, want string
}

func (d *intervalDecoder) decode(s *scanner) error {
	start, kind, tok, err := s.scalar()
	if err != nil {
		return err
	}
	var v [3]int64
	switch kind {
	case tokNull:
		d.b.AppendNull()
		return nil
	case tokInt:
		n, ok := parseInt(tok)
		if !ok || len(d.names) != 1 {
			return s.misfit(start, kind, d.path, d.want, nil)
		}
		v[0] = n
	case tokObject:
		if err := d.members(s, &v); err != nil {
			return err
		}
	default:
		return s.misfit(start, kind, d.path, d.want, nil)
	}
	if err := d.append(v); err != nil {
		return at(err, start)
	}
	return nil
}

func (d *intervalDecoder) members(s *scanner, v *[3]int64) error {
	s.pos++
	if s.skipSpace() == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		kpos := s.pos
		key, err := s.key()
		if err != nil {
			return err
		}
		i := 0
		for i < len(d.names) && d.names[i] != string(key) {
			i++
		}
		if i == len(d.names) {
			return schemaError(kpos, d.path, fmt.Sprintf("key %q does not fit %s", key, d.want))
		}
		start, kind, tok, err := s.scalar()
		if err != nil {
			return err
		}
		n, ok := parseInt(tok)
		if kind != tokInt || !ok {
			return s.misfit(start, kind, d.path, "an integer", nil)
		}
		v[i] = n
		if done, err := s.objectNext(); err != nil || done {
			return err
		}
	}
}

func (d *intervalDecoder) append(v [3]int64) error {
	fits32 := func(x int64) bool { return x >= math.MinInt32 && x <= math.MaxInt32 }
	switch b := d.b.(type) {
	case *array.MonthIntervalBuilder:
		if fits32(v[0]) {
			b.Append(arrow.MonthInterval(v[0]))
			return nil
		}
	case *array.DayTimeIntervalBuilder:
		if fits32(v[0]) && fits32(v[1]) {
			b.Append(arrow.DayTimeInterval{Days: int32(v[0]), Milliseconds: int32(v[1])})
			return nil
		}
	case *array.MonthDayNanoIntervalBuilder:
		if fits32(v[0]) && fits32(v[1]) {
			b.Append(arrow.MonthDayNanoInterval{Months: int32(v[0]), Days: int32(v[1]), Nanoseconds: v[2]})
			return nil
		}
	}
	return schemaError(0, d.path, "interval member "+errOverflow.Error())
}

func (d *intervalDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *intervalDecoder) appendNull()               { d.b.AppendNull() }
