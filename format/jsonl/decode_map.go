package jsonl

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// mapDecoder reads a map from an object (string keys, converted to the key
// type from their text) or from an array of {"key": k, "value": v}
// objects, the two forms rowjson writes.
type mapDecoder struct {
	textDecoder
	b          *array.MapBuilder
	key, item  decoder
	path, want string
}

func (d *mapDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '{':
		d.b.Append(true)
		return d.objectEntries(s)
	case '[':
		d.b.Append(true)
		_, err := elements(s, (*mapEntry)(d))
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

func (d *mapDecoder) objectEntries(s *scanner) error {
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
		if err := d.key.appendText(key); err != nil {
			return at(err, kpos)
		}
		if err := d.item.decode(s); err != nil {
			return err
		}
		if done, err := s.objectNext(); err != nil || done {
			return err
		}
	}
}

// mapEntry decodes one {"key": k, "value": v} element of a map's array
// form. A missing value is null; a missing key is an error.
type mapEntry mapDecoder

func (e *mapEntry) decode(s *scanner) error {
	if s.skipSpace() != '{' {
		return nonContainer(s, e.path, `an object {"key": ..., "value": ...}`)
	}
	start := s.pos
	s.pos++
	var haveKey, haveValue bool
	if s.skipSpace() == '}' {
		s.pos++
	} else {
		for {
			s.skipSpace()
			kpos := s.pos
			key, err := s.key()
			if err != nil {
				return err
			}
			switch {
			case string(key) == "key" && !haveKey:
				haveKey = true
				err = e.key.decode(s)
			case string(key) == "value" && !haveValue:
				haveValue = true
				err = e.item.decode(s)
			default:
				return schemaError(kpos, e.path, fmt.Sprintf("map entry has unexpected key %q (want \"key\" and \"value\")", key))
			}
			if err != nil {
				return err
			}
			if done, err := s.objectNext(); err != nil || done {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	if !haveKey {
		return schemaError(start, e.path, `map entry without a "key"`)
	}
	if !haveValue {
		e.item.appendNull()
	}
	return nil
}

func (e *mapEntry) appendText([]byte) error { return nil }
func (e *mapEntry) appendNull()             {}

func (d *mapDecoder) appendText(b []byte) error { return d.decodeText(d, b) }
func (d *mapDecoder) appendNull()               { d.b.AppendNull() }
