package hf_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tome-data/tome/format/hf"
)

// A schema read from a file datasets wrote carries its features in the
// "huggingface" metadata; FromSchema returns them, checked against the
// columns.
func ExampleFromSchema() {
	md := arrow.NewMetadata([]string{hf.MetadataKey}, []string{
		`{"info": {"features": {"text": {"dtype": "string", "_type": "Value"}, ` +
			`"label": {"names": ["neg", "pos"], "_type": "ClassLabel"}}}}`,
	})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, &md)

	features, err := hf.FromSchema(schema)
	if err != nil {
		panic(err)
	}
	label, _ := features.Get("label")
	fmt.Println(label.Kind, label.Names)
	// Output:
	// ClassLabel [neg pos]
}

// Features built in Go give the Arrow schema datasets would use, with the
// metadata that makes datasets restore the features on load.
func ExampleFeatures_Arrow() {
	features := &hf.Features{Fields: []hf.Field{
		{Name: "tokens", Feature: hf.List(hf.Value("string"))},
		{Name: "label", Feature: hf.ClassLabel("neg", "pos")},
		{Name: "image", Feature: hf.Media(hf.KindImage)},
	}}
	schema, err := features.Arrow()
	if err != nil {
		panic(err)
	}
	for _, f := range schema.Fields() {
		fmt.Printf("%s: %s\n", f.Name, f.Type)
	}
	md, _ := schema.Metadata().GetValue(hf.MetadataKey)
	fmt.Println(md)
	// Output:
	// tokens: list<item: utf8, nullable>
	// label: int64
	// image: struct<bytes: binary nullable, path: utf8 nullable>
	// {"info": {"features": {"tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}, "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}, "image": {"_type": "Image"}}}}
}

// The legacy Sequence of a dict is a dict of lists.
func ExampleParseFeatures() {
	features, err := hf.ParseFeatures([]byte(`{"answers": {"feature": {"text": {"dtype": "string", "_type": "Value"}, ` +
		`"answer_start": {"dtype": "int32", "_type": "Value"}}, "_type": "Sequence"}}`))
	if err != nil {
		panic(err)
	}
	answers, _ := features.Get("answers")
	t, _ := answers.ArrowType()
	fmt.Println(answers.Kind, t)
	// Output:
	// dict struct<text: list<item: utf8, nullable> nullable, answer_start: list<item: int32, nullable> nullable>
}

// Writing the metadata files of a save_to_disk directory with one shard.
func ExampleWriteState() {
	dir, err := os.MkdirTemp("", "saved")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	features := &hf.Features{Fields: []hf.Field{{Name: "text", Feature: hf.Value("string")}}}
	// ... write data-00000-of-00001.arrow (IPC stream) first ...
	if err := hf.WriteDatasetInfo(dir, &hf.DatasetInfo{Features: features}); err != nil {
		panic(err)
	}
	if err := hf.WriteState(dir, hf.NewState(1, "train", "2f1c3e5a7b9d0e4f")); err != nil {
		panic(err)
	}
	state, err := hf.ReadState(filepath.Join(dir, hf.StateFile))
	if err != nil {
		panic(err)
	}
	fmt.Println(state.DataFiles[0].Filename, state.Split)
	// Output:
	// data-00000-of-00001.arrow train
}
