package jsonl

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// compileNested returns the decoder of a nested, dictionary, extension or
// interval column.
func (c *compiler) compileNested(b array.Builder, path string) (decoder, error) {
	dt := b.Type()
	want := dt.String()
	switch b := b.(type) {
	case *array.StructBuilder:
		st := dt.(*arrow.StructType)
		members := make([]member, st.NumFields())
		for i, f := range st.Fields() {
			p := join(path, f.Name)
			dec, err := c.compile(b.FieldBuilder(i), p)
			if err != nil {
				return nil, err
			}
			members[i] = member{name: f.Name, dec: field(dec, f.Nullable, p), nullable: f.Nullable}
		}
		d := &structDecoder{b: b, obj: newObject(path, members, c.strict), path: path, want: want}
		return d, nil
	case *array.MapBuilder:
		mt := dt.(*arrow.MapType)
		key, err := c.compile(b.KeyBuilder(), path+"{key}")
		if err != nil {
			return nil, err
		}
		item, err := c.compile(b.ItemBuilder(), path+"{value}")
		if err != nil {
			return nil, err
		}
		return &mapDecoder{
			b:    b,
			key:  field(key, false, path+"{key}"),
			item: field(item, mt.ItemField().Nullable, path+"{value}"),
			path: path, want: want,
		}, nil
	case *array.FixedSizeListBuilder:
		lt := dt.(*arrow.FixedSizeListType)
		elem, err := c.compile(b.ValueBuilder(), path+"[]")
		if err != nil {
			return nil, err
		}
		return &fixedListDecoder{b: b, elem: field(elem, lt.ElemField().Nullable, path+"[]"), n: int(lt.Len()), path: path, want: want}, nil
	case *array.ListViewBuilder:
		return c.listView(b, b.ValueBuilder(), path)
	case *array.LargeListViewBuilder:
		return c.listView(b, b.ValueBuilder(), path)
	case array.ListLikeBuilder: // list, large list
		lt := dt.(arrow.ListLikeType)
		elem, err := c.compile(b.ValueBuilder(), path+"[]")
		if err != nil {
			return nil, err
		}
		return &listDecoder{b: b, elem: field(elem, lt.ElemField().Nullable, path+"[]"), path: path, want: want}, nil
	case array.DictionaryBuilder:
		return c.dictionary(b, path)
	case *array.RunEndEncodedBuilder:
		value, err := c.compile(b.ValueBuilder(), path)
		if err != nil {
			return nil, err
		}
		return &runEndDecoder{b: b, value: value}, nil
	case *array.MonthIntervalBuilder:
		return &intervalDecoder{b: b, names: []string{"months"}, path: path, want: want}, nil
	case *array.DayTimeIntervalBuilder:
		return &intervalDecoder{b: b, names: []string{"days", "milliseconds"}, path: path, want: want}, nil
	case *array.MonthDayNanoIntervalBuilder:
		return &intervalDecoder{b: b, names: []string{"months", "days", "nanoseconds"}, path: path, want: want}, nil
	case interface{ StorageBuilder() array.Builder }:
		// An extension type reads as its storage, which is what rowjson
		// writes for it.
		return c.compile(b.StorageBuilder(), path)
	}
	why := ""
	if dt.ID() == arrow.SPARSE_UNION || dt.ID() == arrow.DENSE_UNION {
		why = "JSON holds a union's value but not which member it belongs to"
	}
	return nil, unsupported(path, dt, why)
}

// textDecoder gives the nested decoders their appendText: the text is a
// JSON value in its own right, as the CSV writer stores nested cells.
type textDecoder struct{ s scanner }

func (t *textDecoder) decodeText(d decoder, b []byte) error {
	t.s.reset(b)
	if err := d.decode(&t.s); err != nil {
		return err
	}
	if !t.s.atEnd() {
		return t.s.syntaxError("unexpected data after value")
	}
	return nil
}

// nonContainer reports a value of the wrong kind for a nested column.
func nonContainer(s *scanner, path, want string) error {
	start, kind, _, err := s.scalar()
	if err != nil {
		return err
	}
	return s.misfit(start, kind, path, want, nil)
}

type structDecoder struct {
	textDecoder
	b          *array.StructBuilder
	obj        *object
	path, want string
}

func (d *structDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '{':
		d.b.Append(true)
		return d.obj.decodeMembers(s)
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	return nonContainer(s, d.path, d.want)
}

func (d *structDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *structDecoder) appendNull()               { d.b.AppendNull() }

// elements calls elem for each element of the array at the scanner (at
// its '[') and returns how many there were.
func elements(s *scanner, elem decoder) (int, error) {
	s.pos++
	if s.skipSpace() == ']' {
		s.pos++
		return 0, nil
	}
	for n := 1; ; n++ {
		if err := elem.decode(s); err != nil {
			return n, err
		}
		if done, err := s.arrayNext(); err != nil || done {
			return n, err
		}
	}
}

type listDecoder struct {
	textDecoder
	b          array.ListLikeBuilder
	elem       decoder
	path, want string
}

func (d *listDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '[':
		d.b.Append(true)
		_, err := elements(s, d.elem)
		return err
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	return nonContainer(s, d.path, d.want)
}

func (d *listDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *listDecoder) appendNull()               { d.b.AppendNull() }

// listViewDecoder writes a list view's offset and size after its elements,
// when the size is known.
type listViewDecoder struct {
	textDecoder
	b interface {
		AppendDimensions(offset, size int)
		AppendNull()
	}
	values     array.Builder
	elem       decoder
	path, want string
}

func (c *compiler) listView(b array.ListLikeBuilder, values array.Builder, path string) (decoder, error) {
	lt := b.Type().(arrow.ListLikeType)
	elem, err := c.compile(values, path+"[]")
	if err != nil {
		return nil, err
	}
	dims, ok := b.(interface {
		AppendDimensions(offset, size int)
		AppendNull()
	})
	if !ok {
		return nil, unsupported(path, b.Type(), "")
	}
	return &listViewDecoder{b: dims, values: values, elem: field(elem, lt.ElemField().Nullable, path+"[]"), path: path, want: b.Type().String()}, nil
}

func (d *listViewDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '[':
		start := d.values.Len()
		n, err := elements(s, d.elem)
		if err != nil {
			return err
		}
		d.b.AppendDimensions(start, n)
		return nil
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	return nonContainer(s, d.path, d.want)
}

func (d *listViewDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *listViewDecoder) appendNull()               { d.b.AppendNull() }

type fixedListDecoder struct {
	textDecoder
	b          *array.FixedSizeListBuilder
	elem       decoder
	n          int
	path, want string
}

func (d *fixedListDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '[':
		start := s.pos
		d.b.Append(true)
		n, err := elements(s, d.elem)
		if err != nil {
			return err
		}
		if n != d.n {
			return schemaError(start, d.path, fmt.Sprintf("list of %d elements does not fit %s", n, d.want))
		}
		return nil
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	return nonContainer(s, d.path, d.want)
}

func (d *fixedListDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *fixedListDecoder) appendNull()               { d.b.AppendNull() }

// runEndDecoder appends each value as a run of one; the result is a valid
// run-end encoded array, if not the most compact one.
type runEndDecoder struct {
	b     *array.RunEndEncodedBuilder
	value decoder
}

func (d *runEndDecoder) decode(s *scanner) error {
	if s.skipSpace() == 'n' {
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	d.b.Append(1)
	return d.value.decode(s)
}

func (d *runEndDecoder) appendText(b []byte) error {
	d.b.Append(1)
	return d.value.appendText(b)
}

func (d *runEndDecoder) appendNull() { d.b.AppendNull() }
