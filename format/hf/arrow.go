package hf

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tome-data/tome/format"
)

// mediaType is the storage of Image, Audio, Video, Pdf and Nifti.
var mediaType = arrow.StructOf(
	arrow.Field{Name: "bytes", Type: arrow.BinaryTypes.Binary, Nullable: true},
	arrow.Field{Name: "path", Type: arrow.BinaryTypes.String, Nullable: true},
)

// Arrow returns the Arrow schema of the features, as datasets'
// Features.arrow_schema does, with the "huggingface" metadata key set.
// Every field is nullable and list items are named "item", as pyarrow
// names them. An ArrayND column is its storage type (nested lists) with
// the extension name and metadata of datasets' extension type on the
// field, which pyarrow turns back into the extension type.
//
// A feature that has no Arrow type (an unknown feature type, a dtype
// pyarrow does not know) gives an error wrapping format.ErrUnsupported.
func (f *Features) Arrow() (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(f.Fields))
	for i, fld := range f.Fields {
		af, err := arrowField(fld.Name, fld.Feature, strconv.Quote(fld.Name))
		if err != nil {
			return nil, err
		}
		fields[i] = af
	}
	return WithFeatures(arrow.NewSchema(fields, nil), f), nil
}

// ArrowType returns the Arrow type of one feature (for an ArrayND, its
// storage type); see Features.Arrow.
func (f *Feature) ArrowType() (arrow.DataType, error) {
	af, err := arrowField("item", f, "feature")
	return af.Type, err
}

// arrowField maps a feature to a nullable field, as datasets'
// get_nested_type does.
func arrowField(name string, f *Feature, path string) (arrow.Field, error) {
	field := arrow.Field{Name: name, Nullable: true}
	if f == nil {
		return field, corrupt(path, "missing feature")
	}
	var err error
	switch f.Kind {
	case KindValue:
		field.Type, err = DtypeArrow(f.Dtype)
	case KindClassLabel:
		field.Type = arrow.PrimitiveTypes.Int64
	case KindList, KindLargeList:
		var item arrow.Field
		if item, err = arrowField("item", f.Item, path+"[]"); err != nil {
			return field, err
		}
		switch {
		case f.Kind == KindLargeList:
			field.Type = arrow.LargeListOfField(item)
		case f.Length >= 0:
			field.Type = arrow.FixedSizeListOfField(int32(f.Length), item)
		default:
			field.Type = arrow.ListOfField(item)
		}
	case KindStruct:
		fields := make([]arrow.Field, len(f.Fields))
		for i, sub := range f.Fields {
			if fields[i], err = arrowField(sub.Name, sub.Feature, joinPath(path, sub.Name)); err != nil {
				return field, err
			}
		}
		field.Type = arrow.StructOf(fields...)
	case KindArray:
		field.Type, err = arrayStorage(f)
		field.Metadata = arrow.NewMetadata(
			[]string{extensionNameKey, extensionMetadataKey},
			[]string{arrayExtensionName(len(f.Shape)), arrayExtensionMetadata(f)})
	case KindImage, KindAudio, KindVideo, KindPdf, KindNifti:
		field.Type = mediaType
	case KindTranslation:
		langs := slices.Clone(f.Languages)
		slices.Sort(langs)
		fields := make([]arrow.Field, len(langs))
		for i, l := range langs {
			fields[i] = arrow.Field{Name: l, Type: arrow.BinaryTypes.String, Nullable: true}
		}
		field.Type = arrow.StructOf(fields...)
	case KindTranslationVariableLanguages:
		field.Type = arrow.StructOf(
			arrow.Field{Name: "language", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
			arrow.Field{Name: "translation", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		)
	default:
		err = fmt.Errorf("hf: %s: %w: feature type %q has no known Arrow storage", path, format.ErrUnsupported, f.typeName())
	}
	if err != nil {
		if !errors.Is(err, format.ErrUnsupported) && !errors.Is(err, format.ErrCorrupt) {
			err = fmt.Errorf("hf: %s: %w", path, err)
		}
		return field, err
	}
	return field, nil
}

// FromArrow infers features from an Arrow schema alone, as datasets'
// generate_from_arrow_type does, ignoring any "huggingface" metadata:
// structs become dicts, lists Lists (fixed-size lists with a length),
// large lists LargeLists, datasets' ArrayND extension types (registered, or
// left on the field as Arrow extension metadata) ArrayND features,
// dictionaries the Value of their value type, other extension types their
// storage, and everything else a Value.
//
// Types datasets cannot express (maps, unions, list views, intervals,
// fixed-size binary, ...) give an error wrapping format.ErrUnsupported.
func FromArrow(schema *arrow.Schema) (*Features, error) {
	f := &Features{Fields: make([]Field, schema.NumFields())}
	for i, af := range schema.Fields() {
		feat, err := featureOfField(af, strconv.Quote(af.Name))
		if err != nil {
			return nil, err
		}
		f.Fields[i] = Field{Name: af.Name, Feature: feat}
	}
	return f, nil
}

func featureOfField(af arrow.Field, path string) (*Feature, error) {
	if name, ok := af.Metadata.GetValue(extensionNameKey); ok {
		if dims, ok := arrayExtensionDims(name); ok {
			md, _ := af.Metadata.GetValue(extensionMetadataKey)
			return arrayFromExtension(dims, md)
		}
	}
	return featureOfType(af.Type, path)
}

func featureOfType(dt arrow.DataType, path string) (*Feature, error) {
	switch t := dt.(type) {
	case arrow.ExtensionType:
		if dims, ok := arrayExtensionDims(t.ExtensionName()); ok {
			return arrayFromExtension(dims, t.Serialize())
		}
		return featureOfType(t.StorageType(), path)
	case *arrow.StructType:
		fields := make([]Field, t.NumFields())
		for i, sub := range t.Fields() {
			feat, err := featureOfField(sub, joinPath(path, sub.Name))
			if err != nil {
				return nil, err
			}
			fields[i] = Field{Name: sub.Name, Feature: feat}
		}
		return Struct(fields...), nil
	case *arrow.FixedSizeListType:
		item, err := featureOfField(t.ElemField(), path+"[]")
		if err != nil {
			return nil, err
		}
		return FixedList(item, int(t.Len())), nil
	case *arrow.ListType:
		item, err := featureOfField(t.ElemField(), path+"[]")
		if err != nil {
			return nil, err
		}
		return List(item), nil
	case *arrow.LargeListType:
		item, err := featureOfField(t.ElemField(), path+"[]")
		if err != nil {
			return nil, err
		}
		return LargeList(item), nil
	}
	dtype, err := ArrowDtype(dt)
	if err != nil {
		return nil, fmt.Errorf("hf: column %s: %w", path, err)
	}
	return Value(dtype), nil
}

// FromSchema returns the features of data with this schema, as datasets'
// Features.from_arrow_schema does: for each column, the feature recorded
// in the "huggingface" metadata if its Arrow type matches the column's
// type, and otherwise the feature inferred from the column's type (so
// stale metadata cannot misdescribe the data). Types match when they
// agree up to nullability, list item names ("item" or Parquet's
// "element") and field metadata.
//
// A recorded feature this package cannot map to Arrow (a feature type of a
// newer datasets) is kept unchecked. Metadata that is not valid features
// JSON gives an error wrapping format.ErrCorrupt; callers that prefer to
// ignore it can use FromArrow.
func FromSchema(schema *arrow.Schema) (*Features, error) {
	recorded, _, err := FromMetadata(schema.Metadata())
	if err != nil {
		return nil, err
	}
	out := &Features{Fields: make([]Field, schema.NumFields())}
	for i, af := range schema.Fields() {
		if recorded != nil {
			if feat, ok := recorded.Get(af.Name); ok {
				want, err := arrowField(af.Name, feat, af.Name)
				// A feature type this package does not know cannot be
				// checked; a newer datasets wrote it, so it is kept.
				if err == nil && sameLayout(want.Type, af.Type) || errors.Is(err, format.ErrUnsupported) {
					out.Fields[i] = Field{Name: af.Name, Feature: feat}
					continue
				}
			}
		}
		feat, err := featureOfField(af, strconv.Quote(af.Name))
		if err != nil {
			return nil, err
		}
		out.Fields[i] = Field{Name: af.Name, Feature: feat}
	}
	return out, nil
}

// sameLayout reports whether two Arrow types describe the same data,
// ignoring nullability, list item names and extension wrappers.
func sameLayout(a, b arrow.DataType) bool {
	if ext, ok := a.(arrow.ExtensionType); ok {
		a = ext.StorageType()
	}
	if ext, ok := b.(arrow.ExtensionType); ok {
		b = ext.StorageType()
	}
	if a.ID() != b.ID() {
		return false
	}
	switch a := a.(type) {
	case *arrow.StructType:
		b := b.(*arrow.StructType)
		if a.NumFields() != b.NumFields() {
			return false
		}
		for i := range a.NumFields() {
			if a.Field(i).Name != b.Field(i).Name || !sameLayout(a.Field(i).Type, b.Field(i).Type) {
				return false
			}
		}
		return true
	case *arrow.FixedSizeListType:
		b := b.(*arrow.FixedSizeListType)
		return a.Len() == b.Len() && sameLayout(a.Elem(), b.Elem())
	case arrow.ListLikeType:
		return sameLayout(a.Elem(), b.(arrow.ListLikeType).Elem())
	}
	return arrow.TypeEqual(a, b)
}
