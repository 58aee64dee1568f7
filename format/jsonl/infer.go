package jsonl

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// The kinds of value inference distinguishes, in the order of the lattice:
// null fits anything, int widens to float, and any other disagreement
// makes a string column that keeps each value's JSON text.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindInt
	kindFloat
	kindString
	kindList
	kindStruct
)

// A shape is what the sample says about one column: its kind and, for
// lists and structs, the shapes inside.
type shape struct {
	kind   kind
	elem   *shape         // kindList
	fields []shapeField   // kindStruct, in first-seen order
	index  map[string]int // kindStruct
	// seen[i] == gen when field i occurred in the object being read, to
	// refuse duplicate keys here as the decoders do.
	seen []uint32
	gen  uint32
}

type shapeField struct {
	name  string
	shape *shape
}

// widen merges a scalar kind into the shape.
func (sh *shape) widen(k kind) {
	switch {
	case sh.kind == k:
	case sh.kind == kindNull:
		sh.kind = k
	case sh.kind == kindInt && k == kindFloat:
		sh.kind = kindFloat
	case sh.kind == kindFloat && k == kindInt:
	default:
		sh.toString()
	}
}

// toString makes the shape a string column, forgetting any structure.
func (sh *shape) toString() {
	*sh = shape{kind: kindString}
}

// observe reads the value at the scanner and merges it into the shape.
func (sh *shape) observe(s *scanner, depth int) error {
	if depth > maxDepth {
		return s.syntaxError("nesting too deep")
	}
	c := s.skipSpace()
	if sh.kind == kindString {
		// Anything fits a string column; only check the syntax.
		_, err := s.skipValue(depth)
		return err
	}
	switch c {
	case '[':
		if sh.kind != kindNull && sh.kind != kindList {
			sh.toString()
			_, err := s.skipValue(depth)
			return err
		}
		sh.kind = kindList
		if sh.elem == nil {
			sh.elem = &shape{}
		}
		return sh.observeArray(s, depth)
	case '{':
		if sh.kind != kindNull && sh.kind != kindStruct {
			sh.toString()
			_, err := s.skipValue(depth)
			return err
		}
		if sh.kind == kindNull {
			*sh = shape{kind: kindStruct, index: map[string]int{}}
		}
		return sh.observeObject(s, depth)
	}
	_, k, tok, err := s.scalar()
	if err != nil {
		return err
	}
	switch k {
	case tokNull:
	case tokTrue, tokFalse:
		sh.widen(kindBool)
	case tokString:
		sh.widen(kindString)
	case tokInt:
		// An integer beyond int64 can only be held as a float.
		if _, ok := parseInt(tok); ok {
			sh.widen(kindInt)
		} else {
			sh.widen(kindFloat)
		}
	case tokFloat:
		sh.widen(kindFloat)
	}
	return nil
}

func (sh *shape) observeArray(s *scanner, depth int) error {
	s.pos++
	if s.skipSpace() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := sh.elem.observe(s, depth+1); err != nil {
			return err
		}
		if done, err := s.arrayNext(); err != nil || done {
			return err
		}
	}
}

func (sh *shape) observeObject(s *scanner, depth int) error {
	s.pos++
	if s.skipSpace() == '}' {
		s.pos++
		return nil
	}
	if sh.gen++; sh.gen == 0 {
		clear(sh.seen)
		sh.gen = 1
	}
	for {
		s.skipSpace()
		kpos := s.pos
		key, err := s.key()
		if err != nil {
			return err
		}
		i, ok := sh.index[string(key)]
		if !ok {
			i = len(sh.fields)
			sh.index[string(key)] = i
			sh.fields = append(sh.fields, shapeField{name: string(key), shape: &shape{}})
			sh.seen = append(sh.seen, 0)
		}
		if sh.seen[i] == sh.gen {
			return duplicateKey(kpos, "", key)
		}
		sh.seen[i] = sh.gen
		if err := sh.fields[i].shape.observe(s, depth+1); err != nil {
			return err
		}
		if done, err := s.objectNext(); err != nil || done {
			return err
		}
	}
}

// dataType is the Arrow type of the shape. A column that was null in the
// whole sample has the null type, as in Hugging Face datasets and pyarrow;
// an array that was always empty is a list of nulls.
func (sh *shape) dataType() arrow.DataType {
	switch sh.kind {
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindInt:
		return arrow.PrimitiveTypes.Int64
	case kindFloat:
		return arrow.PrimitiveTypes.Float64
	case kindString:
		return arrow.BinaryTypes.String
	case kindList:
		return arrow.ListOf(sh.elem.dataType())
	case kindStruct:
		return arrow.StructOf(sh.arrowFields()...)
	}
	return arrow.Null
}

func (sh *shape) arrowFields() []arrow.Field {
	fields := make([]arrow.Field, len(sh.fields))
	for i, f := range sh.fields {
		fields[i] = arrow.Field{Name: f.name, Type: f.shape.dataType(), Nullable: true}
	}
	return fields
}

// inferrer accumulates the shape of rows.
type inferrer struct {
	root shape
	s    scanner
}

func newInferrer() *inferrer {
	return &inferrer{root: shape{kind: kindStruct, index: map[string]int{}}}
}

// observeLine merges one non-blank line, which must hold one object.
func (in *inferrer) observeLine(line []byte) error {
	in.s.reset(line)
	if in.s.skipSpace() != '{' {
		return notObject(&in.s)
	}
	if err := in.root.observeObject(&in.s, 1); err != nil {
		return err
	}
	if !in.s.atEnd() {
		return in.s.syntaxError("unexpected data after the object")
	}
	return nil
}

// schema returns the inferred schema: one nullable column per key, in the
// order the keys were first seen.
func (in *inferrer) schema() *arrow.Schema {
	return arrow.NewSchema(in.root.arrowFields(), nil)
}
