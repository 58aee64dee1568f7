package dataset

import (
	"github.com/tome-data/tome/format/hf"
)

// Features returns the dataset's Hugging Face features: those recorded in
// the schema's "huggingface" metadata (where they still match the columns),
// else those of the split's manifest (tome.json) or dataset_info.json,
// local or remote, else features inferred from
// the Arrow types, as datasets' Features.from_arrow_schema does. It returns
// nil only when the schema has a type no feature describes.
func (d *Dataset) Features() *hf.Features {
	if _, ok, _ := hf.FromMetadata(d.schema.Metadata()); !ok {
		if f := d.infoFeatures(); f != nil {
			return f
		}
	}
	f, err := hf.FromSchema(d.schema)
	if err != nil {
		// Unreadable metadata: describe the columns as they are.
		f, err = hf.FromArrow(d.schema)
		if err != nil {
			return nil
		}
	}
	return f
}

// infoFeatures reads the features of the split's manifest or
// dataset_info.json, when the layout has one and it describes exactly the
// dataset's columns.
func (d *Dataset) infoFeatures() *hf.Features {
	if d.layout == nil {
		return nil
	}
	sl, ok := d.layout.Split(d.split)
	if !ok {
		return nil
	}
	feats := d.layoutFeatures(sl) // layout_features.go
	if feats == nil {
		return nil
	}
	withInfo := hf.WithFeatures(d.schema, feats)
	f, err := hf.FromSchema(withInfo)
	if err != nil {
		return nil
	}
	return f
}
