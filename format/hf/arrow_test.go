package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tome-data/tome/format"
)

func nullable(name string, dt arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: dt, Nullable: true}
}

// TestDtypes maps every dtype datasets knows to its Arrow type and back.
func TestDtypes(t *testing.T) {
	tests := []struct {
		dtype string
		arrow arrow.DataType
	}{
		{"null", arrow.Null},
		{"bool", arrow.FixedWidthTypes.Boolean},
		{"int8", arrow.PrimitiveTypes.Int8},
		{"int16", arrow.PrimitiveTypes.Int16},
		{"int32", arrow.PrimitiveTypes.Int32},
		{"int64", arrow.PrimitiveTypes.Int64},
		{"uint8", arrow.PrimitiveTypes.Uint8},
		{"uint16", arrow.PrimitiveTypes.Uint16},
		{"uint32", arrow.PrimitiveTypes.Uint32},
		{"uint64", arrow.PrimitiveTypes.Uint64},
		{"float16", arrow.FixedWidthTypes.Float16},
		{"float32", arrow.PrimitiveTypes.Float32},
		{"float64", arrow.PrimitiveTypes.Float64},
		{"string", arrow.BinaryTypes.String},
		{"large_string", arrow.BinaryTypes.LargeString},
		{"string_view", arrow.BinaryTypes.StringView},
		{"binary", arrow.BinaryTypes.Binary},
		{"large_binary", arrow.BinaryTypes.LargeBinary},
		{"binary_view", arrow.BinaryTypes.BinaryView},
		{"date32", arrow.FixedWidthTypes.Date32},
		{"date64", arrow.FixedWidthTypes.Date64},
		{"time32[s]", arrow.FixedWidthTypes.Time32s},
		{"time32[ms]", arrow.FixedWidthTypes.Time32ms},
		{"time64[us]", arrow.FixedWidthTypes.Time64us},
		{"time64[ns]", arrow.FixedWidthTypes.Time64ns},
		{"timestamp[s]", &arrow.TimestampType{Unit: arrow.Second}},
		{"timestamp[ms]", &arrow.TimestampType{Unit: arrow.Millisecond}},
		{"timestamp[us]", &arrow.TimestampType{Unit: arrow.Microsecond}},
		{"timestamp[ns]", &arrow.TimestampType{Unit: arrow.Nanosecond}},
		{"timestamp[us, tz=UTC]", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{"timestamp[ns, tz=America/New_York]", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}},
		{"timestamp[s, tz=+05:30]", &arrow.TimestampType{Unit: arrow.Second, TimeZone: "+05:30"}},
		{"duration[s]", &arrow.DurationType{Unit: arrow.Second}},
		{"duration[ms]", &arrow.DurationType{Unit: arrow.Millisecond}},
		{"duration[us]", &arrow.DurationType{Unit: arrow.Microsecond}},
		{"duration[ns]", &arrow.DurationType{Unit: arrow.Nanosecond}},
		{"decimal128(10, 2)", &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		{"decimal128(4, -2)", &arrow.Decimal128Type{Precision: 4, Scale: -2}},
		{"decimal256(76, 38)", &arrow.Decimal256Type{Precision: 76, Scale: 38}},
	}
	for _, tt := range tests {
		t.Run(tt.dtype, func(t *testing.T) {
			got, err := DtypeArrow(tt.dtype)
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(got, tt.arrow) {
				t.Errorf("DtypeArrow = %s, want %s", got, tt.arrow)
			}
			back, err := ArrowDtype(tt.arrow)
			if err != nil {
				t.Fatal(err)
			}
			if back != tt.dtype {
				t.Errorf("ArrowDtype = %q, want %q", back, tt.dtype)
			}
		})
	}
}

// TestDtypeAliases covers the other spellings string_to_arrow accepts.
func TestDtypeAliases(t *testing.T) {
	for alias, want := range map[string]arrow.DataType{
		"float":                   arrow.PrimitiveTypes.Float32,
		"double":                  arrow.PrimitiveTypes.Float64,
		"utf8":                    arrow.BinaryTypes.String,
		"large_utf8":              arrow.BinaryTypes.LargeString,
		"timestamp[us, tz=]":      &arrow.TimestampType{Unit: arrow.Microsecond},
		"decimal128(10,2)":        &arrow.Decimal128Type{Precision: 10, Scale: 2},
		"month_day_nano_interval": arrow.FixedWidthTypes.MonthDayNanoInterval,
	} {
		got, err := DtypeArrow(alias)
		if err != nil || !arrow.TypeEqual(got, want) {
			t.Errorf("DtypeArrow(%q) = %v, %v; want %s", alias, got, err, want)
		}
	}
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	if got, err := ArrowDtype(dict); err != nil || got != "string" {
		t.Errorf("ArrowDtype(dictionary) = %q, %v; want the value type's dtype", got, err)
	}
}

func TestDtypeErrors(t *testing.T) {
	for _, dtype := range []string{"", "int128", "timestamp[m]", "time32[us]", "time64[s]", "duration[d]",
		"decimal128(0, 0)", "decimal128(39, 2)", "decimal256(77, 2)", "decimal64(10, 2)", "list<int64>"} {
		if _, err := DtypeArrow(dtype); !errors.Is(err, format.ErrUnsupported) {
			t.Errorf("DtypeArrow(%q) = %v, want an ErrUnsupported error", dtype, err)
		}
	}
	for _, dt := range []arrow.DataType{
		arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
		arrow.FixedWidthTypes.MonthInterval,
		&arrow.FixedSizeBinaryType{ByteWidth: 4},
		&arrow.Decimal64Type{Precision: 10, Scale: 2},
		arrow.ListViewOf(arrow.PrimitiveTypes.Int64),
	} {
		if _, err := ArrowDtype(dt); !errors.Is(err, format.ErrUnsupported) {
			t.Errorf("ArrowDtype(%s) = %v, want an ErrUnsupported error", dt, err)
		}
	}
}

// TestFeatureArrow maps every feature type to the Arrow type datasets'
// get_nested_type gives it, and infers it back from that type where
// generate_from_arrow_type can.
func TestFeatureArrow(t *testing.T) {
	strList := arrow.ListOf(arrow.BinaryTypes.String)
	tests := []struct {
		name    string
		feature *Feature
		arrow   arrow.DataType
		back    *Feature // what FromArrow infers; nil if it is feature itself
	}{
		{"value", Value("float32"), arrow.PrimitiveTypes.Float32, nil},
		{"class label", ClassLabel("a", "b"), arrow.PrimitiveTypes.Int64, Value("int64")},
		{"list", List(Value("string")), strList, nil},
		{"fixed list", FixedList(Value("int8"), 4), arrow.FixedSizeListOf(4, arrow.PrimitiveTypes.Int8), nil},
		{"large list", LargeList(Value("bool")), arrow.LargeListOf(arrow.FixedWidthTypes.Boolean), nil},
		{"list of list", List(List(Value("float64"))), arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Float64)), nil},
		{"dict", Struct(Field{"b", Value("int64")}, Field{"a", List(Value("string"))}),
			arrow.StructOf(nullable("b", arrow.PrimitiveTypes.Int64), nullable("a", strList)), nil},
		{"array2d", Array("int32", 2, 3), arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), nil},
		{"array4d", Array("float16", -1, 2, 2, 2), arrow.ListOf(arrow.ListOf(arrow.ListOf(arrow.ListOf(arrow.FixedWidthTypes.Float16)))), nil},
		{"image", Media(KindImage), mediaType, Struct(Field{"bytes", Value("binary")}, Field{"path", Value("string")})},
		{"audio", Media(KindAudio), mediaType, Struct(Field{"bytes", Value("binary")}, Field{"path", Value("string")})},
		{"video", Media(KindVideo), mediaType, Struct(Field{"bytes", Value("binary")}, Field{"path", Value("string")})},
		{"pdf", Media(KindPdf), mediaType, Struct(Field{"bytes", Value("binary")}, Field{"path", Value("string")})},
		{"nifti", Media(KindNifti), mediaType, Struct(Field{"bytes", Value("binary")}, Field{"path", Value("string")})},
		{"translation sorts languages", Translation("fr", "de", "en"),
			arrow.StructOf(nullable("de", arrow.BinaryTypes.String), nullable("en", arrow.BinaryTypes.String), nullable("fr", arrow.BinaryTypes.String)),
			Struct(Field{"de", Value("string")}, Field{"en", Value("string")}, Field{"fr", Value("string")})},
		{"translation variable languages", TranslationVariableLanguages("en"),
			arrow.StructOf(nullable("language", strList), nullable("translation", strList)),
			Struct(Field{"language", List(Value("string"))}, Field{"translation", List(Value("string"))})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			features := &Features{Fields: []Field{{"col", tt.feature}}}
			schema, err := features.Arrow()
			if err != nil {
				t.Fatal(err)
			}
			got := schema.Field(0)
			if !arrow.TypeEqual(got.Type, tt.arrow) || !got.Nullable {
				t.Errorf("Arrow type %s (nullable %v), want nullable %s", got.Type, got.Nullable, tt.arrow)
			}
			inferred, err := FromArrow(schema)
			if err != nil {
				t.Fatal(err)
			}
			wantBack := tt.back
			if wantBack == nil {
				wantBack = tt.feature
			}
			if g, w := mustJSON(t, inferred.Fields[0].Feature), mustJSON(t, wantBack); g != w {
				t.Errorf("FromArrow gives %s, want %s", g, w)
			}
			// FromSchema prefers the recorded feature, which matches.
			resolved, err := FromSchema(schema)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := mustJSON(t, resolved.Fields[0].Feature), mustJSON(t, tt.feature); g != w {
				t.Errorf("FromSchema gives %s, want %s", g, w)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSequenceOfDictArrow checks the legacy convention: a Sequence of a
// dict is stored as a struct of lists.
func TestSequenceOfDictArrow(t *testing.T) {
	f, err := ParseFeatures([]byte(`{"answers": {"feature": {"text": {"dtype": "string", "_type": "Value"}, ` +
		`"answer_start": {"dtype": "int32", "_type": "Value"}}, "_type": "Sequence"}}`))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := f.Arrow()
	if err != nil {
		t.Fatal(err)
	}
	want := arrow.StructOf(nullable("text", arrow.ListOf(arrow.BinaryTypes.String)), nullable("answer_start", arrow.ListOf(arrow.PrimitiveTypes.Int32)))
	if got := schema.Field(0).Type; !arrow.TypeEqual(got, want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestArrayExtensionMetadata(t *testing.T) {
	schema, err := (&Features{Fields: []Field{{"m", Array("float32", -1, 3)}}}).Arrow()
	if err != nil {
		t.Fatal(err)
	}
	md := schema.Field(0).Metadata
	name, _ := md.GetValue(extensionNameKey)
	meta, _ := md.GetValue(extensionMetadataKey)
	if name != "datasets.features.features.Array2DExtensionType" || meta != `[[null, 3], "float32"]` {
		t.Errorf("extension metadata %q, %q", name, meta)
	}
}

// arrayND is a registered-style Go extension type with datasets' name, to
// check that FromArrow recognises the extension itself and not only its
// field metadata.
type arrayND struct {
	arrow.ExtensionBase
	name, meta string
}

func (a *arrayND) ArrayType() reflect.Type                                         { return reflect.TypeOf(array.ExtensionArrayBase{}) }
func (a *arrayND) ExtensionName() string                                           { return a.name }
func (a *arrayND) Serialize() string                                               { return a.meta }
func (a *arrayND) ExtensionEquals(o arrow.ExtensionType) bool                      { return o.ExtensionName() == a.name }
func (a *arrayND) Deserialize(arrow.DataType, string) (arrow.ExtensionType, error) { return a, nil }

func TestFromArrowExtensionType(t *testing.T) {
	ext := &arrayND{ExtensionBase: arrow.ExtensionBase{Storage: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int64))},
		name: "datasets.features.features.Array2DExtensionType", meta: `[[2, 2], "int64"]`}
	f, err := FromArrow(arrow.NewSchema([]arrow.Field{nullable("m", ext)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, f); got != `{"m":{"shape":[2,2],"dtype":"int64","_type":"Array2D"}}` {
		t.Errorf("got %s", got)
	}
	other := &arrayND{ExtensionBase: arrow.ExtensionBase{Storage: arrow.BinaryTypes.String}, name: "other.ext"}
	f, err = FromArrow(arrow.NewSchema([]arrow.Field{nullable("s", other)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, f); got != `{"s":{"dtype":"string","_type":"Value"}}` {
		t.Errorf("an unknown extension should give its storage's feature, got %s", got)
	}
}

func TestFromArrowUnsupported(t *testing.T) {
	for _, dt := range []arrow.DataType{
		arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
		arrow.SparseUnionOf([]arrow.Field{nullable("a", arrow.PrimitiveTypes.Int8)}, []arrow.UnionTypeCode{0}),
		arrow.StructOf(nullable("x", arrow.ListViewOf(arrow.PrimitiveTypes.Int8))),
	} {
		_, err := FromArrow(arrow.NewSchema([]arrow.Field{nullable("c", dt)}, nil))
		if !errors.Is(err, format.ErrUnsupported) {
			t.Errorf("FromArrow(%s) = %v, want an ErrUnsupported error", dt, err)
		}
	}
	unknown := &Features{Fields: []Field{{"c", &Feature{Kind: KindOther, Type: "Mesh"}}}}
	if _, err := unknown.Arrow(); !errors.Is(err, format.ErrUnsupported) {
		t.Errorf("Arrow of an unknown feature type = %v, want an ErrUnsupported error", err)
	}
}

// TestFromSchemaStaleMetadata follows datasets: a recorded feature whose
// type does not match the column is replaced by the inferred one.
func TestFromSchemaStaleMetadata(t *testing.T) {
	recorded := &Features{Fields: []Field{
		{"label", ClassLabel("a", "b")},
		{"tokens", List(Value("string"))},
		{"gone", Value("int8")},
	}}
	schema := WithFeatures(arrow.NewSchema([]arrow.Field{
		nullable("label", arrow.BinaryTypes.String),                                                             // was re-typed
		{Name: "tokens", Type: arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.BinaryTypes.String})}, // Parquet's item name
		nullable("extra", arrow.PrimitiveTypes.Float64),
	}, nil), recorded)
	f, err := FromSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"label":{"dtype":"string","_type":"Value"},"tokens":{"feature":{"dtype":"string","_type":"Value"},"_type":"List"},"extra":{"dtype":"float64","_type":"Value"}}`
	if got := mustJSON(t, f); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFromMetadata(t *testing.T) {
	tests := []struct {
		name  string
		value string
		ok    bool
		err   bool
	}{
		{"features", `{"info": {"features": {"a": {"dtype": "int8", "_type": "Value"}}}}`, true, false},
		{"extra members", `{"info": {"features": {"a": {"dtype": "int8", "_type": "Value"}}}, "fingerprint": "abc"}`, true, false},
		{"null features", `{"info": {"features": null}}`, false, false},
		{"no info", `{"fingerprint": "abc"}`, false, false},
		{"not json", `{"info": `, false, true},
		{"not an object", `["info"]`, false, true},
		{"bad feature", `{"info": {"features": {"a": {"_type": "Value"}}}}`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := arrow.NewMetadata([]string{MetadataKey}, []string{tt.value})
			f, ok, err := FromMetadata(md)
			if (err != nil) != tt.err || ok != tt.ok || (ok && f == nil) {
				t.Errorf("got %v, %v, %v", f, ok, err)
			}
			if err != nil && !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("error %v does not wrap ErrCorrupt", err)
			}
		})
	}
	if _, ok, err := FromMetadata(arrow.Metadata{}); ok || err != nil {
		t.Errorf("empty metadata: %v, %v", ok, err)
	}
}

func TestWithFeaturesKeepsOtherMetadata(t *testing.T) {
	md := arrow.NewMetadata([]string{"pandas", MetadataKey}, []string{"{}", `{"info": {"features": {}, "x": 1}, "fingerprint": "f"}`})
	schema := arrow.NewSchema([]arrow.Field{nullable("a", arrow.PrimitiveTypes.Int8)}, &md)
	out := WithFeatures(schema, &Features{Fields: []Field{{"a", Value("int8")}}})
	if v, _ := out.Metadata().GetValue("pandas"); v != "{}" {
		t.Errorf("pandas metadata lost: %q", v)
	}
	want := `{"info": {"features": {"a": {"dtype": "int8", "_type": "Value"}}, "x": 1}, "fingerprint": "f"}`
	if v, _ := out.Metadata().GetValue(MetadataKey); v != want {
		t.Errorf("got  %s\nwant %s", v, want)
	}
}

// TestIPCRoundTrip writes a batch whose schema comes from features through
// Arrow IPC and reads the features back, as a save_to_disk reader would:
// the ArrayND extension metadata and the features survive.
func TestIPCRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	features := &Features{Fields: []Field{
		{"label", ClassLabel("neg", "pos")},
		{"m", Array("int32", -1, 2)},
		{"img", Media(KindImage)},
		{"ans", Struct(Field{"text", List(Value("string"))})},
	}}
	schema, err := features.Arrow()
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(1)
	if err := b.Field(1).UnmarshalJSON([]byte(`[[[1, 2], [3, 4]]]`)); err != nil {
		t.Fatal(err)
	}
	b.Field(2).AppendNull()
	b.Field(3).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()

	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewReader(&buf, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	got, err := FromSchema(r.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, features); g != w {
		t.Errorf("read back %s\nwant       %s", g, w)
	}
	inferred, err := FromArrow(r.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := inferred.Get("m"); m.Kind != KindArray {
		t.Errorf("the Array2D extension metadata did not survive IPC: %s", mustJSON(t, m))
	}
}

// TestFromSchemaKeepsUnknownTypes keeps a feature of a newer datasets,
// which cannot be checked against the column, rather than dropping it.
func TestFromSchemaKeepsUnknownTypes(t *testing.T) {
	md := arrow.NewMetadata([]string{MetadataKey}, []string{`{"info": {"features": {"doc": {"schema": "x", "_type": "Json"}}}}`})
	schema := arrow.NewSchema([]arrow.Field{nullable("doc", arrow.BinaryTypes.String)}, &md)
	f, err := FromSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, f); got != `{"doc":{"schema":"x","_type":"Json"}}` {
		t.Errorf("got %s", got)
	}
}
