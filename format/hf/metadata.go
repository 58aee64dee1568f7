package hf

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// MetadataKey is the Arrow schema metadata key under which datasets
// stores its features, as JSON of the form {"info": {"features": {...}}}.
const MetadataKey = "huggingface"

// FromMetadata reads the features stored in Arrow schema metadata. ok is
// false when there are none: no "huggingface" key (files written by other
// tools, or by datasets before 2020), or a null info.features. Metadata
// that is not valid JSON of the expected shape gives an error wrapping
// format.ErrCorrupt.
func FromMetadata(md arrow.Metadata) (f *Features, ok bool, err error) {
	raw, found := md.GetValue(MetadataKey)
	if !found {
		return nil, false, nil
	}
	v, err := parseJSON([]byte(raw))
	if err != nil {
		return nil, false, fmt.Errorf("hf: %q schema metadata: %w", MetadataKey, err)
	}
	if v.kind != jsonObject {
		return nil, false, corrupt(fmt.Sprintf("%q schema metadata", MetadataKey), "want a JSON object, got %s", v.kindName())
	}
	info, found := v.get("info")
	if !found || info.kind == jsonNull {
		return nil, false, nil
	}
	features, found := info.get("features")
	if info.kind != jsonObject || !found || features.kind == jsonNull {
		return nil, false, nil
	}
	f, err = featuresFromJSON(features)
	if err != nil {
		return nil, false, err
	}
	return f, true, nil
}

// WithFeatures returns schema with f recorded in its "huggingface"
// metadata, written as datasets writes it (Python's json.dumps spelling).
// Other metadata keys are kept, and so are other members of an existing
// "huggingface" object (such as a cache file's "fingerprint"). A nil f
// removes the features.
//
// It does not check that f describes the schema's fields; FromSchema
// reconciles the two when reading.
func WithFeatures(schema *arrow.Schema, f *Features) *arrow.Schema {
	md := schema.Metadata()
	var doc jsonValue
	if raw, ok := md.GetValue(MetadataKey); ok {
		if v, err := parseJSON([]byte(raw)); err == nil && v.kind == jsonObject {
			doc = v
		}
	}
	if doc.kind != jsonObject {
		doc = jsonObj()
	}
	var features jsonValue
	if f != nil {
		features = f.toJSON()
	}
	info, _ := doc.get("info")
	if info.kind != jsonObject {
		info = jsonObj()
	}
	info = setMember(info, "features", features)
	doc = setMember(doc, "info", info)

	keys, values := md.Keys(), md.Values()
	newKeys := make([]string, 0, len(keys)+1)
	newValues := make([]string, 0, len(keys)+1)
	for i, k := range keys {
		if k != MetadataKey {
			newKeys, newValues = append(newKeys, k), append(newValues, values[i])
		}
	}
	newKeys = append(newKeys, MetadataKey)
	newValues = append(newValues, string(appendJSON(nil, doc, stylePython)))
	newMD := arrow.NewMetadata(newKeys, newValues)
	return arrow.NewSchemaWithEndian(schema.Fields(), &newMD, schema.Endianness())
}

// setMember returns obj with key set to value, in place if present.
func setMember(obj jsonValue, key string, value jsonValue) jsonValue {
	members := obj.dedup()
	for i := range members {
		if members[i].key == key {
			members[i].value = value
			return jsonValue{kind: jsonObject, members: members}
		}
	}
	return jsonValue{kind: jsonObject, members: append(members, jsonMember{key, value})}
}
