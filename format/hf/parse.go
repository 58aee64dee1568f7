package hf

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tome-data/tome/format"
)

// ParseFeatures parses the features JSON of datasets (the "features" of
// dataset_info.json and of the "huggingface" schema metadata) written by
// any datasets version: List and LargeList (datasets >= 4), the legacy
// Sequence and [feature] list literal, "id": null and other keys of older
// versions. Unknown feature types are kept as KindOther rather than
// refused, so that a newer datasets' output still parses.
//
// Malformed input gives an error wrapping format.ErrCorrupt.
func ParseFeatures(data []byte) (*Features, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("hf: features: %w", err)
	}
	return featuresFromJSON(v)
}

func featuresFromJSON(v jsonValue) (*Features, error) {
	if v.kind != jsonObject {
		return nil, fmt.Errorf("hf: features: %w: want a JSON object, got %s", format.ErrCorrupt, v.kindName())
	}
	fields, err := fieldsFromJSON(v, "")
	if err != nil {
		return nil, err
	}
	return &Features{Fields: fields}, nil
}

// UnmarshalJSON parses features JSON; see ParseFeatures.
func (f *Features) UnmarshalJSON(data []byte) error {
	parsed, err := ParseFeatures(data)
	if err != nil {
		return err
	}
	*f = *parsed
	return nil
}

// UnmarshalJSON parses the JSON of one feature, as ParseFeatures does.
func (f *Feature) UnmarshalJSON(data []byte) error {
	v, err := parseJSON(data)
	if err != nil {
		return fmt.Errorf("hf: feature: %w", err)
	}
	parsed, err := featureFromJSON(v, "")
	if err != nil {
		return err
	}
	*f = *parsed
	return nil
}

func fieldsFromJSON(v jsonValue, path string) ([]Field, error) {
	members := v.dedup()
	fields := make([]Field, len(members))
	for i, m := range members {
		sub, err := featureFromJSON(m.value, joinPath(path, m.key))
		if err != nil {
			return nil, err
		}
		fields[i] = Field{Name: m.key, Feature: sub}
	}
	return fields, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return strconv.Quote(name)
	}
	return path + "." + strconv.Quote(name)
}

// corrupt returns an ErrCorrupt error naming the feature's path.
func corrupt(path, msg string, args ...any) error {
	if path == "" {
		path = "feature"
	}
	return fmt.Errorf("hf: %s: %w: %s", path, format.ErrCorrupt, fmt.Sprintf(msg, args...))
}

// featureFromJSON mirrors datasets' generate_from_dict: a list is a list
// literal, an object without a string "_type" is a dict of sub-features,
// and anything else is the dataclass its "_type" names.
func featureFromJSON(v jsonValue, path string) (*Feature, error) {
	switch v.kind {
	case jsonArray:
		if len(v.array) != 1 {
			return nil, corrupt(path, "a list feature holds exactly one item feature, not %d", len(v.array))
		}
		item, err := featureFromJSON(v.array[0], path+"[0]")
		if err != nil {
			return nil, err
		}
		return &Feature{Kind: KindList, Item: item, Length: -1, spelling: spellLiteral}, nil
	case jsonObject:
	default:
		return nil, corrupt(path, "a feature is a JSON object, not %s", v.kindName())
	}
	typ, ok := v.get("_type")
	if !ok || typ.kind != jsonString {
		fields, err := fieldsFromJSON(v, path)
		if err != nil {
			return nil, err
		}
		return &Feature{Kind: KindStruct, Fields: fields}, nil
	}
	f := &Feature{keys: make([]string, 0, len(v.members))}
	for _, m := range v.dedup() {
		f.keys = append(f.keys, m.key)
	}
	var err error
	switch name := typ.text; name {
	case "Value":
		err = f.parseValue(v, path)
	case "ClassLabel":
		err = f.parseClassLabel(v, path)
	case "List", "Sequence", "LargeList":
		return parseList(f, name, v, path)
	case "Array2D", "Array3D", "Array4D", "Array5D":
		err = f.parseArray(v, path, int(name[5]-'0'))
	case "Image", "Audio", "Video", "Pdf", "Nifti":
		f.Kind = map[string]Kind{"Image": KindImage, "Audio": KindAudio, "Video": KindVideo, "Pdf": KindPdf, "Nifti": KindNifti}[name]
		f.keepAttrs(v)
	case "Translation", "TranslationVariableLanguages":
		err = f.parseTranslation(v, path, name)
	default:
		f.Kind, f.Type = KindOther, name
		f.keepAttrs(v)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// keepAttrs stores every key except the interpreted ones as attributes.
func (f *Feature) keepAttrs(v jsonValue, interpreted ...string) {
	for _, m := range v.dedup() {
		if m.key == "_type" || contains(interpreted, m.key) {
			continue
		}
		f.attrs = append(f.attrs, m)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (f *Feature) parseValue(v jsonValue, path string) error {
	f.Kind = KindValue
	dtype, ok := v.get("dtype")
	if !ok || dtype.kind != jsonString {
		return corrupt(path, "Value without a string dtype")
	}
	f.Dtype = normalizeDtype(dtype.text)
	f.keepAttrs(v, "dtype")
	return nil
}

// maxImpliedClasses bounds a ClassLabel given only num_classes, whose
// names this package generates.
const maxImpliedClasses = 1 << 20

func (f *Feature) parseClassLabel(v jsonValue, path string) error {
	f.Kind = KindClassLabel
	f.keepAttrs(v, "names", "num_classes")
	names, hasNames := v.get("names")
	if hasNames && names.kind != jsonNull {
		if names.kind != jsonArray {
			return corrupt(path, "ClassLabel names is %s, not a list", names.kindName())
		}
		f.Names = make([]string, len(names.array))
		for i, n := range names.array {
			switch n.kind {
			case jsonString, jsonNumber:
				f.Names[i] = n.text // datasets keeps str(name)
			default:
				return corrupt(path, "ClassLabel name %d is %s, not a string", i, n.kindName())
			}
		}
		return nil
	}
	n, ok := v.get("num_classes")
	if !ok || n.kind == jsonNull {
		// names_file names a file on the machine that wrote the JSON:
		// nothing to read here, so the feature keeps no names.
		return nil
	}
	count, err := strconv.ParseInt(n.text, 10, 64)
	if n.kind != jsonNumber || err != nil || count < 0 || count > maxImpliedClasses {
		return corrupt(path, "ClassLabel num_classes %s is not a count up to %d", n.text, maxImpliedClasses)
	}
	f.Names = make([]string, count)
	for i := range f.Names {
		f.Names[i] = strconv.Itoa(i)
	}
	f.namesImplied = true
	return nil
}

// parseList handles List, LargeList and the legacy Sequence, which for a
// dict item means a dict of lists (datasets kept TensorFlow Datasets'
// convention): Sequence({"a": X, "b": Y}) is stored as
// struct<a: list<X>, b: list<Y>>. Only datasets before 4 wrote
// "Sequence", and they applied this rule to every dict; datasets 4 reads
// a Sequence of a dict whose values are all lists as a list of structs
// instead, which does not match what those versions stored.
func parseList(f *Feature, name string, v jsonValue, path string) (*Feature, error) {
	itemJSON, ok := v.get("feature")
	if !ok {
		return nil, corrupt(path, "%s without a feature", name)
	}
	item, err := featureFromJSON(itemJSON, path+"[]")
	if err != nil {
		return nil, err
	}
	f.keepAttrs(v, "feature", "length")
	f.Length = -1
	if name != "LargeList" {
		if l, ok := v.get("length"); ok && l.kind != jsonNull {
			n, err := strconv.ParseInt(l.text, 10, 32)
			if l.kind != jsonNumber || err != nil || n < -1 {
				return nil, corrupt(path, "%s length %s is not -1 or a size", name, l.text)
			}
			f.Length = int(n)
		}
	}
	switch {
	case name == "LargeList":
		f.Kind, f.Item = KindLargeList, item
	case name == "Sequence" && item.Kind == KindStruct:
		fields := make([]Field, len(item.Fields))
		for i, fld := range item.Fields {
			fields[i] = Field{Name: fld.Name, Feature: FixedList(fld.Feature, f.Length)}
		}
		return &Feature{Kind: KindStruct, Fields: fields,
			seq: &sequenceSpelling{length: f.Length, keys: f.keys, attrs: f.attrs}}, nil
	default:
		f.Kind, f.Item = KindList, item
		if name == "Sequence" {
			f.spelling = spellSequence
		}
	}
	return f, nil
}

func (f *Feature) parseArray(v jsonValue, path string, dims int) error {
	f.Kind = KindArray
	f.keepAttrs(v, "shape", "dtype")
	dtype, ok := v.get("dtype")
	if !ok || dtype.kind != jsonString {
		return corrupt(path, "Array%dD without a string dtype", dims)
	}
	f.Dtype = normalizeDtype(dtype.text)
	shape, ok := v.get("shape")
	if !ok || shape.kind != jsonArray || len(shape.array) != dims {
		return corrupt(path, "Array%dD shape must list %d dimensions", dims, dims)
	}
	var err error
	if f.Shape, err = parseShape(shape); err != nil {
		return corrupt(path, "Array%dD %v", dims, err)
	}
	return nil
}

// parseShape reads an ArrayND shape: sizes, of which only the first may be
// null (variable, -1 here).
func parseShape(shape jsonValue) ([]int, error) {
	out := make([]int, len(shape.array))
	for i, d := range shape.array {
		if d.kind == jsonNull && i == 0 {
			out[i] = -1
			continue
		}
		n, err := strconv.ParseInt(d.text, 10, 32)
		if d.kind != jsonNumber || err != nil || n < 0 {
			return nil, fmt.Errorf("dimension %d is %s, not a size", i, d.text)
		}
		out[i] = int(n)
	}
	return out, nil
}

func (f *Feature) parseTranslation(v jsonValue, path, name string) error {
	f.Kind = KindTranslation
	if name == "TranslationVariableLanguages" {
		f.Kind = KindTranslationVariableLanguages
	}
	f.keepAttrs(v, "languages", "num_languages")
	langs, ok := v.get("languages")
	if !ok || langs.kind == jsonNull {
		if f.Kind == KindTranslation {
			return corrupt(path, "Translation without languages")
		}
		return nil
	}
	if langs.kind != jsonArray {
		return corrupt(path, "%s languages is %s, not a list", name, langs.kindName())
	}
	for i, l := range langs.array {
		if l.kind != jsonString {
			return corrupt(path, "%s language %d is %s, not a string", name, i, l.kindName())
		}
		f.Languages = append(f.Languages, l.text)
	}
	return nil
}

// normalizeDtype applies the renames of datasets' Value.__post_init__,
// which fixes dtypes inferred from numpy names.
func normalizeDtype(dtype string) string {
	switch dtype {
	case "double":
		return "float64"
	case "float":
		return "float32"
	}
	return dtype
}

func (v jsonValue) kindName() string {
	switch v.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "a list"
	}
	return "an object"
}

// jsonIntValue reads an integer member, if present and integral.
func jsonIntValue(v jsonValue) (int64, bool) {
	if v.kind != jsonNumber {
		return 0, false
	}
	if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
		return n, true
	}
	// Python writes integral floats as 1.0 only if they were floats; be
	// lenient with what older writers produced.
	if f, err := strconv.ParseFloat(v.text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 &&
		!strings.ContainsAny(v.text, "eE") {
		return int64(f), true
	}
	return 0, false
}
