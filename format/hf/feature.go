package hf

import (
	"encoding/json"
	"fmt"
)

// Kind is what a Feature is. The names follow the classes of datasets'
// features module.
type Kind uint8

// The feature kinds.
const (
	KindInvalid     Kind = iota
	KindValue            // Value(dtype): a scalar of an Arrow type
	KindClassLabel       // ClassLabel(names): an int64 class index
	KindList             // List(feature, length), a legacy Sequence or a [feature] literal
	KindLargeList        // LargeList(feature): 64-bit offsets
	KindStruct           // a dict of named sub-features
	KindArray            // Array2D ... Array5D: a fixed-shape tensor
	KindImage            // Image: struct<bytes: binary, path: string>
	KindAudio            // Audio: struct<bytes: binary, path: string>
	KindVideo            // Video: struct<bytes: binary, path: string>
	KindPdf              // Pdf: struct<bytes: binary, path: string>
	KindNifti            // Nifti: struct<bytes: binary, path: string>
	KindTranslation      // Translation(languages): struct of one string per language
	KindTranslationVariableLanguages
	KindOther // a feature type this package does not know, kept verbatim
)

var kindTypes = [...]string{
	KindValue:                        "Value",
	KindClassLabel:                   "ClassLabel",
	KindList:                         "List",
	KindLargeList:                    "LargeList",
	KindArray:                        "Array",
	KindImage:                        "Image",
	KindAudio:                        "Audio",
	KindVideo:                        "Video",
	KindPdf:                          "Pdf",
	KindNifti:                        "Nifti",
	KindTranslation:                  "Translation",
	KindTranslationVariableLanguages: "TranslationVariableLanguages",
}

func (k Kind) String() string {
	switch {
	case k == KindStruct:
		return "dict"
	case k == KindOther:
		return "other"
	case int(k) < len(kindTypes) && kindTypes[k] != "":
		return kindTypes[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// A Feature is the type of one column or sub-field, as datasets describes
// it: a tree whose leaves are Values, ClassLabels and media features.
//
// Only the fields of its Kind are meaningful. Keys of the JSON that the
// package does not interpret ("id", "decode", "sampling_rate", ...) are
// kept in order and written back; see Attr and SetAttr.
type Feature struct {
	Kind Kind

	// Dtype is the datasets dtype of a Value, or of an Array's elements:
	// "int64", "string", "timestamp[us, tz=UTC]", "decimal128(10, 2)".
	Dtype string

	// Names are a ClassLabel's class names; label i is Names[i].
	Names []string

	// Item is the element feature of a List or LargeList.
	Item *Feature

	// Length is a List's fixed length (an Arrow fixed-size list), or -1
	// for variable-length lists.
	Length int

	// Fields are a Struct's sub-features, in order.
	Fields []Field

	// Shape is an Array's shape; len(Shape) is its number of dimensions
	// (2 to 5). The first dimension may be -1 (None in Python): variable.
	Shape []int

	// Languages are a Translation's languages, or the allowed languages of
	// a TranslationVariableLanguages (none: any).
	Languages []string

	// Type is the "_type" of a KindOther feature.
	Type string

	attrs    []jsonMember // uninterpreted keys, in order
	spelling spelling     // how a list was written
	keys     []string     // key order as parsed; nil when constructed

	// namesImplied marks a ClassLabel parsed from num_classes alone, whose
	// names ("0", "1", ...) are not written back.
	namesImplied bool

	// seq marks a Struct that datasets wrote as a legacy Sequence of a
	// dict: each field is a list, and it is written back in that form.
	seq *sequenceSpelling
}

// spelling is how a list feature was written in JSON.
type spelling uint8

const (
	spellList     spelling = iota // {"feature": ..., "_type": "List"}
	spellSequence                 // {"feature": ..., "_type": "Sequence"}, datasets < 4
	spellLiteral                  // [feature], a Python list literal, datasets < 4
)

// sequenceSpelling is what a legacy Sequence of a dict looked like.
type sequenceSpelling struct {
	length int
	keys   []string
	attrs  []jsonMember
}

// A Field is a named feature: a column, or a sub-field of a Struct.
type Field struct {
	Name    string
	Feature *Feature
}

// Features are a dataset's columns and their features, in order: the
// Features class of datasets.
type Features struct {
	Fields []Field
}

// Get returns the feature of the column name.
func (f *Features) Get(name string) (*Feature, bool) {
	for _, fld := range f.Fields {
		if fld.Name == name {
			return fld.Feature, true
		}
	}
	return nil, false
}

// Names returns the column names in order.
func (f *Features) Names() []string {
	names := make([]string, len(f.Fields))
	for i, fld := range f.Fields {
		names[i] = fld.Name
	}
	return names
}

// Value returns a Value feature of the given datasets dtype.
func Value(dtype string) *Feature { return &Feature{Kind: KindValue, Dtype: dtype} }

// ClassLabel returns a ClassLabel feature with the given class names.
func ClassLabel(names ...string) *Feature { return &Feature{Kind: KindClassLabel, Names: names} }

// List returns a variable-length List of item.
func List(item *Feature) *Feature { return &Feature{Kind: KindList, Item: item, Length: -1} }

// FixedList returns a List of exactly length items (an Arrow fixed-size
// list).
func FixedList(item *Feature, length int) *Feature {
	return &Feature{Kind: KindList, Item: item, Length: length}
}

// LargeList returns a LargeList of item.
func LargeList(item *Feature) *Feature { return &Feature{Kind: KindLargeList, Item: item} }

// Struct returns a dict feature of the given fields.
func Struct(fields ...Field) *Feature { return &Feature{Kind: KindStruct, Fields: fields} }

// Array returns an ArrayND feature (N = len(shape), 2 to 5) of the given
// element dtype. A first dimension of -1 is variable.
func Array(dtype string, shape ...int) *Feature {
	return &Feature{Kind: KindArray, Dtype: dtype, Shape: shape}
}

// Media returns an Image, Audio, Video, Pdf or Nifti feature with default
// attributes.
func Media(kind Kind) *Feature { return &Feature{Kind: kind} }

// Translation returns a Translation feature over fixed languages.
func Translation(languages ...string) *Feature {
	return &Feature{Kind: KindTranslation, Languages: languages}
}

// TranslationVariableLanguages returns a TranslationVariableLanguages
// feature; no languages means any.
func TranslationVariableLanguages(languages ...string) *Feature {
	return &Feature{Kind: KindTranslationVariableLanguages, Languages: languages}
}

// Attr returns the JSON of an uninterpreted key, such as an Image's
// "decode" or an Audio's "sampling_rate".
func (f *Feature) Attr(key string) (json.RawMessage, bool) {
	for _, m := range f.attrs {
		if m.key == key {
			return appendJSON(nil, m.value, styleCompact), true
		}
	}
	return nil, false
}

// SetAttr sets an uninterpreted key to the JSON of value (as encoding/json
// marshals it), replacing it if present and appending it otherwise.
func (f *Feature) SetAttr(key string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("hf: attribute %q: %w", key, err)
	}
	v, err := parseJSON(b)
	if err != nil {
		return fmt.Errorf("hf: attribute %q: %w", key, err)
	}
	for i := range f.attrs {
		if f.attrs[i].key == key {
			f.attrs[i].value = v
			return nil
		}
	}
	f.attrs = append(f.attrs, jsonMember{key, v})
	return nil
}

// AttrKeys returns the uninterpreted keys in order.
func (f *Feature) AttrKeys() []string {
	keys := make([]string, len(f.attrs))
	for i, m := range f.attrs {
		keys[i] = m.key
	}
	return keys
}
