package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/tome-data/tome/format"
)

// The files and metadata of this package are JSON written by Python's json
// module. Go's encoding/json neither keeps object key order nor writes
// Python's spacing, so the package parses into, and writes from, a small
// ordered tree of its own. That is what lets a parsed file be written back
// byte for byte.

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is one JSON value. Numbers keep their literal text, so that
// large integers and Python's float spellings survive a round trip.
type jsonValue struct {
	kind    jsonKind
	bool    bool
	text    string // string contents, or a number's literal
	array   []jsonValue
	members []jsonMember
}

type jsonMember struct {
	key   string
	value jsonValue
}

func jsonStr(s string) jsonValue   { return jsonValue{kind: jsonString, text: s} }
func jsonBoolean(b bool) jsonValue { return jsonValue{kind: jsonBool, bool: b} }
func jsonInt(n int64) jsonValue {
	return jsonValue{kind: jsonNumber, text: strconv.FormatInt(n, 10)}
}
func jsonObj(members ...jsonMember) jsonValue {
	return jsonValue{kind: jsonObject, members: members}
}

// jsonStrings returns a JSON array of strings.
func jsonStrings(ss []string) jsonValue {
	v := jsonValue{kind: jsonArray, array: make([]jsonValue, len(ss))}
	for i, s := range ss {
		v.array[i] = jsonStr(s)
	}
	return v
}

// get returns the value of key, as Python's json.loads would see it: the
// last of duplicate keys wins.
func (v jsonValue) get(key string) (jsonValue, bool) {
	for i := len(v.members) - 1; i >= 0; i-- {
		if v.members[i].key == key {
			return v.members[i].value, true
		}
	}
	return jsonValue{}, false
}

// dedup returns the members with duplicate keys merged as a Python dict
// merges them: the first position, the last value.
func (v jsonValue) dedup() []jsonMember {
	out := make([]jsonMember, 0, len(v.members))
	index := make(map[string]int, len(v.members))
	for _, m := range v.members {
		if i, ok := index[m.key]; ok {
			out[i].value = m.value
			continue
		}
		index[m.key] = len(out)
		out = append(out, m)
	}
	return out
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack; real features nest a handful of levels.
const maxJSONDepth = 512

var errJSONDepth = errors.New("nested too deeply")

// parseJSON parses one JSON document into the ordered tree. Errors wrap
// format.ErrCorrupt.
func parseJSON(data []byte) (jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("data after the JSON value")
		}
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return jsonValue{}, fmt.Errorf("%w: invalid JSON at offset %d: %v", format.ErrCorrupt, dec.InputOffset(), err)
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jsonValue, error) {
	if depth > maxJSONDepth {
		return jsonValue{}, errJSONDepth
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jsonValue{kind: jsonNull}, nil
	case bool:
		return jsonBoolean(t), nil
	case json.Number:
		return jsonValue{kind: jsonNumber, text: t.String()}, nil
	case string:
		return jsonStr(t), nil
	case json.Delim:
		switch t {
		case '[':
			v := jsonValue{kind: jsonArray}
			for dec.More() {
				elem, err := decodeValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				v.array = append(v.array, elem)
			}
			_, err := dec.Token() // ]
			return v, err
		case '{':
			v := jsonValue{kind: jsonObject}
			for dec.More() {
				keyTok, err := dec.Token()
				if err != nil {
					return jsonValue{}, err
				}
				key, _ := keyTok.(string)
				val, err := decodeValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				v.members = append(v.members, jsonMember{key, val})
			}
			_, err := dec.Token() // }
			return v, err
		}
	}
	return jsonValue{}, fmt.Errorf("unexpected token %v", tok)
}

// jsonStyle selects how a tree is written.
type jsonStyle struct {
	python bool // Python's json.dumps: ", " and ": " separators, ASCII-only
	indent int  // json.dump(indent=n): one member per line; 0 for none
}

var (
	styleCompact = jsonStyle{}                        // Go's encoding/json
	stylePython  = jsonStyle{python: true}            // json.dumps(obj)
	stylePython2 = jsonStyle{python: true, indent: 2} // json.dump(obj, f, indent=2)
)

// appendJSON writes v in the given style.
func appendJSON(dst []byte, v jsonValue, style jsonStyle) []byte {
	return style.appendValue(dst, v, 0)
}

func (s jsonStyle) appendValue(dst []byte, v jsonValue, depth int) []byte {
	switch v.kind {
	case jsonNull:
		return append(dst, "null"...)
	case jsonBool:
		return strconv.AppendBool(dst, v.bool)
	case jsonNumber:
		return append(dst, v.text...)
	case jsonString:
		return s.appendString(dst, v.text)
	case jsonArray:
		if len(v.array) == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		for i, elem := range v.array {
			dst = s.appendSeparator(dst, i, depth+1)
			dst = s.appendValue(dst, elem, depth+1)
		}
		dst = s.appendClose(dst, depth)
		return append(dst, ']')
	}
	if len(v.members) == 0 {
		return append(dst, "{}"...)
	}
	dst = append(dst, '{')
	for i, m := range v.members {
		dst = s.appendSeparator(dst, i, depth+1)
		dst = s.appendString(dst, m.key)
		dst = append(dst, ':')
		if s.python {
			dst = append(dst, ' ')
		}
		dst = s.appendValue(dst, m.value, depth+1)
	}
	dst = s.appendClose(dst, depth)
	return append(dst, '}')
}

// appendSeparator writes what goes before element i of a container.
func (s jsonStyle) appendSeparator(dst []byte, i, depth int) []byte {
	if i > 0 {
		dst = append(dst, ',')
		if s.python && s.indent == 0 {
			dst = append(dst, ' ')
		}
	}
	if s.indent > 0 {
		dst = append(dst, '\n')
		for range depth * s.indent {
			dst = append(dst, ' ')
		}
	}
	return dst
}

func (s jsonStyle) appendClose(dst []byte, depth int) []byte {
	if s.indent > 0 {
		dst = append(dst, '\n')
		for range depth * s.indent {
			dst = append(dst, ' ')
		}
	}
	return dst
}

// appendString quotes str. In Python style it escapes as json.dumps does
// with ensure_ascii=True: everything outside printable ASCII becomes
// \uXXXX (lowercase hex, surrogate pairs beyond the BMP). Invalid UTF-8,
// which Python strings cannot hold, becomes U+FFFD.
func (s jsonStyle) appendString(dst []byte, str string) []byte {
	if !s.python {
		b, _ := json.Marshal(str)
		return append(dst, b...)
	}
	dst = append(dst, '"')
	for _, r := range str { // ranging a string yields U+FFFD for invalid bytes
		switch {
		case r == '"':
			dst = append(dst, '\\', '"')
		case r == '\\':
			dst = append(dst, '\\', '\\')
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\b':
			dst = append(dst, '\\', 'b')
		case r == '\f':
			dst = append(dst, '\\', 'f')
		case r >= 0x20 && r < 0x7f:
			dst = append(dst, byte(r))
		case r > 0xffff:
			r -= 0x10000
			dst = appendU4(dst, 0xd800+(r>>10))
			dst = appendU4(dst, 0xdc00+(r&0x3ff))
		default:
			dst = appendU4(dst, r)
		}
	}
	return append(dst, '"')
}

func appendU4(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
