package jsonl

import "fmt"

// A member is one field of an object: its key and its decoder.
type member struct {
	name     string
	dec      decoder
	nullable bool
}

// object decodes the members of JSON objects into a fixed set of fields,
// for top-level rows and struct columns alike. Absent keys give nulls.
type object struct {
	path    string
	members []member
	index   map[string]int
	// ignore holds keys that are known but not decoded (columns projected
	// away); they are skipped even when strict.
	ignore map[string]bool
	// strict makes any other key an error (an inferred schema: the sample
	// did not contain the key). Otherwise unknown keys are skipped.
	strict bool

	// seen[i] == gen when member i was present in the current object.
	seen []uint32
	gen  uint32
}

func newObject(path string, members []member, strict bool) *object {
	o := &object{
		path:    path,
		members: members,
		index:   make(map[string]int, len(members)),
		strict:  strict,
		seen:    make([]uint32, len(members)),
	}
	// With duplicate names (which Arrow allows) the map keeps the first;
	// decodeMembers matches later ones by position.
	for i := len(members) - 1; i >= 0; i-- {
		o.index[members[i].name] = i
	}
	return o
}

// decodeMembers reads an object; the scanner is at its '{'.
func (o *object) decodeMembers(s *scanner) error {
	s.pos++
	o.gen++
	if o.gen == 0 {
		clear(o.seen)
		o.gen = 1
	}
	if s.skipSpace() == '}' {
		s.pos++
		return o.fillMissing(s)
	}
	next := 0
	for {
		s.skipSpace()
		kpos := s.pos
		key, err := s.key()
		if err != nil {
			return err
		}
		// Keys usually come in the order of the previous row, so the
		// expected member is tried before the map.
		i := -1
		if next < len(o.members) && string(key) == o.members[next].name && o.seen[next] != o.gen {
			i = next
		} else if j, ok := o.index[string(key)]; ok {
			i = j
			if o.seen[i] == o.gen {
				i = o.laterDuplicate(i, key)
			}
		}
		switch {
		case i < 0:
			if o.strict && !o.ignore[string(key)] {
				return schemaError(kpos, o.path, fmt.Sprintf("key %q is not in the schema", key))
			}
			if _, err := s.skipValue(0); err != nil {
				return err
			}
		case o.seen[i] == o.gen:
			return duplicateKey(kpos, o.path, key)
		default:
			o.seen[i] = o.gen
			if err := o.members[i].dec.decode(s); err != nil {
				return err
			}
			next = i + 1
		}
		if done, err := s.objectNext(); err != nil || done {
			if err != nil {
				return err
			}
			return o.fillMissing(s)
		}
	}
}

// laterDuplicate finds the next unseen member named key after i, for
// schemas that repeat a field name; it returns i when there is none, which
// makes the key a duplicate.
func (o *object) laterDuplicate(i int, key []byte) int {
	for j := i + 1; j < len(o.members); j++ {
		if o.members[j].name == string(key) && o.seen[j] != o.gen {
			return j
		}
	}
	return i
}

// fillMissing appends nulls for the members the object did not have.
func (o *object) fillMissing(s *scanner) error {
	for i := range o.members {
		if o.seen[i] == o.gen {
			continue
		}
		m := &o.members[i]
		if !m.nullable {
			return schemaError(s.pos-1, join(o.path, m.name), "missing key of a non-nullable field")
		}
		m.dec.appendNull()
	}
	return nil
}
