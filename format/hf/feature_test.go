package hf

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tome-data/tome/format"
)

// TestFeatureRoundTrip parses the features JSON of every feature type, as
// current and older datasets versions wrote it, and checks that writing
// it back gives the same bytes, and that the parsed tree is what datasets
// would build.
func TestFeatureRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, f *Feature)
	}{
		{"value", `{"dtype": "int64", "_type": "Value"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindValue && f.Dtype == "int64", f)
		}},
		{"value with id (datasets < 3)", `{"dtype": "string", "id": null, "_type": "Value"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindValue && f.Dtype == "string" && strings.Join(f.AttrKeys(), ",") == "id", f)
		}},
		{"timestamp with zone", `{"dtype": "timestamp[us, tz=America/New_York]", "_type": "Value"}`, nil},
		{"class label", `{"names": ["neg", "pos"], "_type": "ClassLabel"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindClassLabel && cmp.Equal(f.Names, []string{"neg", "pos"}), f)
		}},
		{"class label (datasets < 2.4)", `{"num_classes": 2, "names": ["neg", "pos"], "names_file": null, "id": null, "_type": "ClassLabel"}`,
			func(t *testing.T, f *Feature) { want(t, len(f.Names) == 2, f) }},
		{"class label from num_classes", `{"num_classes": 3, "_type": "ClassLabel"}`, func(t *testing.T, f *Feature) {
			want(t, cmp.Equal(f.Names, []string{"0", "1", "2"}), f)
		}},
		{"list", `{"feature": {"dtype": "int32", "_type": "Value"}, "_type": "List"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindList && f.Length == -1 && f.Item.Dtype == "int32", f)
		}},
		{"fixed list", `{"feature": {"dtype": "float32", "_type": "Value"}, "length": 3, "_type": "List"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindList && f.Length == 3, f)
		}},
		{"sequence", `{"feature": {"dtype": "string", "_type": "Value"}, "_type": "Sequence"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindList && f.Length == -1, f)
		}},
		{"sequence (datasets < 2.4)", `{"feature": {"dtype": "int64", "id": null, "_type": "Value"}, "length": -1, "id": null, "_type": "Sequence"}`, nil},
		{"sequence of sequence", `{"feature": {"feature": {"dtype": "float32", "_type": "Value"}, "_type": "Sequence"}, "_type": "Sequence"}`,
			func(t *testing.T, f *Feature) { want(t, f.Kind == KindList && f.Item.Kind == KindList, f) }},
		{"sequence of dict is a dict of lists", `{"feature": {"text": {"dtype": "string", "_type": "Value"}, "answer_start": {"dtype": "int32", "_type": "Value"}}, "length": 2, "_type": "Sequence"}`,
			func(t *testing.T, f *Feature) {
				want(t, f.Kind == KindStruct && len(f.Fields) == 2 && f.Fields[0].Name == "text" &&
					f.Fields[0].Feature.Kind == KindList && f.Fields[0].Feature.Length == 2 &&
					f.Fields[1].Feature.Item.Dtype == "int32", f)
			}},
		{"list literal (datasets < 4)", `[{"dtype": "int64", "_type": "Value"}]`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindList && f.Item.Dtype == "int64", f)
		}},
		{"large list", `{"feature": {"dtype": "binary", "_type": "Value"}, "_type": "LargeList"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindLargeList && f.Item.Dtype == "binary", f)
		}},
		{"dict", `{"a": {"dtype": "bool", "_type": "Value"}, "_type": {"dtype": "string", "_type": "Value"}}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindStruct && len(f.Fields) == 2 && f.Fields[1].Name == "_type", f)
		}},
		{"array2d", `{"shape": [1, 3], "dtype": "int32", "_type": "Array2D"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindArray && cmp.Equal(f.Shape, []int{1, 3}) && f.Dtype == "int32", f)
		}},
		{"array5d with dynamic first dimension", `{"shape": [null, 2, 2, 2, 2], "dtype": "float16", "_type": "Array5D"}`,
			func(t *testing.T, f *Feature) { want(t, f.Shape[0] == -1 && len(f.Shape) == 5, f) }},
		{"image", `{"_type": "Image"}`, func(t *testing.T, f *Feature) { want(t, f.Kind == KindImage, f) }},
		{"image (datasets 2)", `{"decode": true, "id": null, "_type": "Image"}`, func(t *testing.T, f *Feature) {
			raw, ok := f.Attr("decode")
			want(t, ok && string(raw) == "true", f)
		}},
		{"image with mode", `{"mode": "RGB", "decode": false, "_type": "Image"}`, nil},
		{"audio", `{"sampling_rate": 16000, "mono": true, "decode": true, "id": null, "_type": "Audio"}`, func(t *testing.T, f *Feature) {
			raw, _ := f.Attr("sampling_rate")
			want(t, f.Kind == KindAudio && string(raw) == "16000", f)
		}},
		{"video", `{"decode": true, "_type": "Video"}`, func(t *testing.T, f *Feature) { want(t, f.Kind == KindVideo, f) }},
		{"pdf", `{"_type": "Pdf"}`, func(t *testing.T, f *Feature) { want(t, f.Kind == KindPdf, f) }},
		{"nifti", `{"_type": "Nifti"}`, func(t *testing.T, f *Feature) { want(t, f.Kind == KindNifti, f) }},
		{"translation", `{"languages": ["en", "de"], "id": null, "_type": "Translation"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindTranslation && cmp.Equal(f.Languages, []string{"en", "de"}), f)
		}},
		{"translation variable languages", `{"languages": ["de", "en", "fr"], "num_languages": 3, "id": null, "_type": "TranslationVariableLanguages"}`,
			func(t *testing.T, f *Feature) {
				want(t, f.Kind == KindTranslationVariableLanguages && len(f.Languages) == 3, f)
			}},
		{"translation any language", `{"languages": null, "num_languages": null, "_type": "TranslationVariableLanguages"}`,
			func(t *testing.T, f *Feature) { want(t, len(f.Languages) == 0, f) }},
		{"unknown type kept verbatim", `{"schema": {"x": [1, 2]}, "decode": true, "_type": "Json"}`, func(t *testing.T, f *Feature) {
			want(t, f.Kind == KindOther && f.Type == "Json", f)
		}},
		{"non-ascii names", `{"\u00e9t\u00e9": {"names": ["\u65e5", "b"], "_type": "ClassLabel"}}`, func(t *testing.T, f *Feature) {
			want(t, f.Fields[0].Name == "été" && f.Fields[0].Feature.Names[0] == "日", f)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Feature
			if err := json.Unmarshal([]byte(tt.json), &f); err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, &f)
			}
			got := string(appendJSON(nil, f.toJSON(), stylePython))
			if got != tt.json {
				t.Errorf("written back as\n%s\nwant\n%s", got, tt.json)
			}
			// MarshalJSON gives the same document compactly.
			compact, err := json.Marshal(&f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := sameJSON(t, []byte(tt.json), compact); diff != "" {
				t.Errorf("MarshalJSON differs:\n%s", diff)
			}
		})
	}
}

func want(t *testing.T, ok bool, f *Feature) {
	t.Helper()
	if !ok {
		b, _ := json.Marshal(f)
		t.Errorf("unexpected parse: %+v (%s)", *f, b)
	}
}

// TestConstructedFeaturesJSON checks that features built in Go are
// written as a current datasets (4.x) writes them.
func TestConstructedFeaturesJSON(t *testing.T) {
	audio := Media(KindAudio)
	if err := audio.SetAttr("sampling_rate", 16000); err != nil {
		t.Fatal(err)
	}
	f := &Features{Fields: []Field{
		{"text", Value("string")},
		{"label", ClassLabel("neg", "pos")},
		{"ids", List(Value("int32"))},
		{"xyz", FixedList(Value("float32"), 3)},
		{"big", LargeList(Value("int8"))},
		{"meta", Struct(Field{"a", Value("bool")})},
		{"m", Array("int32", -1, 3)},
		{"img", Media(KindImage)},
		{"audio", audio},
		{"tr", Translation("fr", "en")},
		{"trv", TranslationVariableLanguages()},
	}}
	want := `{"text": {"dtype": "string", "_type": "Value"}, ` +
		`"label": {"names": ["neg", "pos"], "_type": "ClassLabel"}, ` +
		`"ids": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "List"}, ` +
		`"xyz": {"feature": {"dtype": "float32", "_type": "Value"}, "length": 3, "_type": "List"}, ` +
		`"big": {"feature": {"dtype": "int8", "_type": "Value"}, "_type": "LargeList"}, ` +
		`"meta": {"a": {"dtype": "bool", "_type": "Value"}}, ` +
		`"m": {"shape": [null, 3], "dtype": "int32", "_type": "Array2D"}, ` +
		`"img": {"_type": "Image"}, ` +
		`"audio": {"sampling_rate": 16000, "_type": "Audio"}, ` +
		`"tr": {"languages": ["fr", "en"], "_type": "Translation"}, ` +
		`"trv": {"languages": null, "num_languages": null, "_type": "TranslationVariableLanguages"}}`
	if got := string(f.PythonJSON()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestEditedFeatureJSON checks that a parsed feature edited in Go writes
// its new content in its old key order.
func TestEditedFeatureJSON(t *testing.T) {
	f, err := ParseFeatures([]byte(`{"label": {"num_classes": 2, "names": ["a", "b"], "id": null, "_type": "ClassLabel"}}`))
	if err != nil {
		t.Fatal(err)
	}
	label, _ := f.Get("label")
	label.Names = append(label.Names, "c")
	if err := label.SetAttr("note", "added"); err != nil {
		t.Fatal(err)
	}
	want := `{"label": {"num_classes": 3, "names": ["a", "b", "c"], "id": null, "note": "added", "_type": "ClassLabel"}}`
	if got := string(f.PythonJSON()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseFeaturesErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not json", `{"a": `},
		{"not an object", `[1]`},
		{"feature is a number", `{"a": 1}`},
		{"value without dtype", `{"a": {"_type": "Value"}}`},
		{"value with numeric dtype", `{"a": {"dtype": 3, "_type": "Value"}}`},
		{"list without feature", `{"a": {"_type": "List"}}`},
		{"negative length", `{"a": {"feature": {"dtype": "int8", "_type": "Value"}, "length": -5, "_type": "List"}}`},
		{"huge length", `{"a": {"feature": {"dtype": "int8", "_type": "Value"}, "length": 99999999999, "_type": "List"}}`},
		{"list literal of two", `{"a": [{"dtype": "int8", "_type": "Value"}, {"dtype": "int8", "_type": "Value"}]}`},
		{"array shape rank", `{"a": {"shape": [1, 2, 3], "dtype": "int8", "_type": "Array2D"}}`},
		{"array null inner dimension", `{"a": {"shape": [1, null], "dtype": "int8", "_type": "Array2D"}}`},
		{"class names not a list", `{"a": {"names": "ab", "_type": "ClassLabel"}}`},
		{"hostile num_classes", `{"a": {"num_classes": 1000000000000, "_type": "ClassLabel"}}`},
		{"translation without languages", `{"a": {"_type": "Translation"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeatures([]byte(tt.in))
			if !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("got %v, want an ErrCorrupt error", err)
			}
		})
	}
}

// TestTranslationVariableLanguagesSorted follows datasets' __post_init__,
// which sorts and deduplicates the languages.
func TestTranslationVariableLanguagesSorted(t *testing.T) {
	f := &Features{Fields: []Field{{"t", TranslationVariableLanguages("fr", "en", "fr")}}}
	want := `{"t": {"languages": ["en", "fr"], "num_languages": 2, "_type": "TranslationVariableLanguages"}}`
	if got := string(f.PythonJSON()); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
