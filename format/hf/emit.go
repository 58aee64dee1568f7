package hf

import (
	"fmt"
	"slices"
)

// MarshalJSON writes the features as datasets' Features.to_dict does, in
// compact form. A parsed feature is written with its original keys in
// their original order; a constructed one as a current datasets writes it.
func (f *Features) MarshalJSON() ([]byte, error) {
	return appendJSON(nil, f.toJSON(), styleCompact), nil
}

// MarshalJSON writes one feature; see Features.MarshalJSON.
func (f *Feature) MarshalJSON() ([]byte, error) {
	return appendJSON(nil, f.toJSON(), styleCompact), nil
}

// PythonJSON returns the features JSON spelled as Python's json.dumps
// spells it (", " and ": " separators, non-ASCII escaped), which is how
// datasets writes the "huggingface" schema metadata.
func (f *Features) PythonJSON() []byte {
	return appendJSON(nil, f.toJSON(), stylePython)
}

func (f *Features) toJSON() jsonValue {
	return fieldsToJSON(f.Fields)
}

func fieldsToJSON(fields []Field) jsonValue {
	v := jsonValue{kind: jsonObject, members: make([]jsonMember, len(fields))}
	for i, fld := range fields {
		v.members[i] = jsonMember{fld.Name, fld.Feature.toJSON()}
	}
	return v
}

func (f *Feature) toJSON() jsonValue {
	if f == nil {
		return jsonValue{kind: jsonNull}
	}
	switch f.Kind {
	case KindStruct:
		if seq, ok := f.sequenceForm(); ok {
			return seq
		}
		return fieldsToJSON(f.Fields)
	case KindList:
		if f.spelling == spellLiteral && f.Length == -1 {
			return jsonValue{kind: jsonArray, array: []jsonValue{f.Item.toJSON()}}
		}
	}
	return orderMembers(f.interpreted(), f.attrs, f.keys, f.typeName())
}

// typeName is the "_type" written for f.
func (f *Feature) typeName() string {
	switch f.Kind {
	case KindArray:
		return fmt.Sprintf("Array%dD", len(f.Shape))
	case KindOther:
		return f.Type
	case KindList:
		if f.spelling == spellSequence {
			return "Sequence"
		}
	}
	return f.Kind.String()
}

// interpreted returns the members f writes from its typed fields, in the
// order of datasets' dataclass fields, without "_type".
func (f *Feature) interpreted() []jsonMember {
	var ms []jsonMember
	add := func(k string, v jsonValue) { ms = append(ms, jsonMember{k, v}) }
	switch f.Kind {
	case KindValue:
		add("dtype", jsonStr(f.Dtype))
	case KindClassLabel:
		if contains(f.keys, "num_classes") {
			add("num_classes", jsonInt(int64(len(f.Names))))
		}
		if !f.namesImplied {
			add("names", jsonStrings(f.Names))
		}
	case KindList:
		add("feature", f.Item.toJSON())
		if f.Length != -1 || contains(f.keys, "length") {
			add("length", jsonInt(int64(f.Length)))
		}
	case KindLargeList:
		add("feature", f.Item.toJSON())
	case KindArray:
		shape := jsonValue{kind: jsonArray, array: make([]jsonValue, len(f.Shape))}
		for i, d := range f.Shape {
			shape.array[i] = jsonInt(int64(d))
			if d < 0 {
				shape.array[i] = jsonValue{kind: jsonNull}
			}
		}
		add("shape", shape)
		add("dtype", jsonStr(f.Dtype))
	case KindTranslation:
		add("languages", jsonStrings(f.Languages))
	case KindTranslationVariableLanguages:
		// datasets sorts and deduplicates the languages and derives the
		// count; both are null when any language is allowed.
		langs := slices.Compact(slices.Sorted(slices.Values(f.Languages)))
		if len(langs) == 0 {
			add("languages", jsonValue{kind: jsonNull})
			add("num_languages", jsonValue{kind: jsonNull})
		} else {
			add("languages", jsonStrings(langs))
			add("num_languages", jsonInt(int64(len(langs))))
		}
	}
	return ms
}

// orderMembers lays out an object: in the parsed key order when there is
// one, and otherwise as a datasets dataclass does (its typed fields, the
// other attributes, then "_type"). Members added since parsing go just
// before "_type".
func orderMembers(typed, attrs []jsonMember, keys []string, typeName string) jsonValue {
	pending := append(append([]jsonMember{}, typed...), attrs...)
	out := jsonValue{kind: jsonObject, members: make([]jsonMember, 0, len(pending)+1)}
	take := func(key string) {
		for i, m := range pending {
			if m.key == key {
				out.members = append(out.members, m)
				pending = append(pending[:i], pending[i+1:]...)
				return
			}
		}
	}
	t := indexOf(keys, "_type")
	before, after := keys[:t], keys[min(t+1, len(keys)):]
	for _, k := range before {
		take(k)
	}
	rest := pending[:0:0]
	for _, m := range pending {
		if contains(after, m.key) {
			rest = append(rest, m)
		} else {
			out.members = append(out.members, m)
		}
	}
	pending = rest
	out.members = append(out.members, jsonMember{"_type", jsonStr(typeName)})
	for _, k := range after {
		take(k)
	}
	return out
}

// indexOf returns the index of s in ss, or len(ss).
func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return len(ss)
}

// sequenceForm writes back a Struct parsed from a legacy Sequence of a
// dict, if it still is one: every field a list of the recorded length.
func (f *Feature) sequenceForm() (jsonValue, bool) {
	if f.seq == nil {
		return jsonValue{}, false
	}
	item := jsonValue{kind: jsonObject, members: make([]jsonMember, len(f.Fields))}
	for i, fld := range f.Fields {
		sub := fld.Feature
		if sub == nil || sub.Kind != KindList || sub.Length != f.seq.length || sub.spelling != spellList || sub.keys != nil {
			return jsonValue{}, false
		}
		item.members[i] = jsonMember{fld.Name, sub.Item.toJSON()}
	}
	typed := []jsonMember{{"feature", item}}
	if f.seq.length != -1 || contains(f.seq.keys, "length") {
		typed = append(typed, jsonMember{"length", jsonInt(int64(f.seq.length))})
	}
	return orderMembers(typed, f.seq.attrs, f.seq.keys, "Sequence"), true
}
