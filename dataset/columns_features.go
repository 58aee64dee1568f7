package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format/hf"
)

// viewSchema is the schema of the batches a view reading through m
// yields: m's fields with d's schema metadata, the Hugging Face features in
// it edited to match. Renamed columns keep their features under the new
// name, removed columns lose them, and the columns named in recast get the
// features of their new Arrow type. A dataset that records no features
// (neither in its metadata nor in a dataset_info.json) gets none written:
// Features infers them from the types, which are already right.
func (d *Dataset) viewSchema(m *columnMap, recast map[string]bool) *arrow.Schema {
	fields := make([]arrow.Field, len(m.out))
	for i, c := range m.out {
		fields[i] = c.field
	}
	md := d.schema.Metadata()
	schema := arrow.NewSchemaWithEndian(fields, &md, d.schema.Endianness())

	recorded := d.recordedFeatures()
	if recorded == nil {
		return schema
	}
	// d's columns by output position, to find each column's old name.
	old := d.columns()
	byStored := make(map[int]string, len(old.out))
	for _, c := range old.out {
		byStored[c.src] = c.field.Name
	}
	var feats hf.Features
	for _, c := range m.out {
		var f *hf.Feature
		if recast[c.field.Name] {
			f = featureOfType(c.field)
		} else if name, ok := byStored[c.src]; ok {
			f = recorded[name]
		}
		if f != nil {
			feats.Fields = append(feats.Fields, hf.Field{Name: c.field.Name, Feature: f})
		}
	}
	return hf.WithFeatures(schema, &feats)
}

// recordedFeatures returns the Hugging Face feature of each of d's columns
// when d records features, in its schema metadata or in the split's
// dataset_info.json, reconciled with the columns' types as Features does;
// nil when it records none (or records them unreadably).
func (d *Dataset) recordedFeatures() map[string]*hf.Feature {
	recorded, ok, err := hf.FromMetadata(d.schema.Metadata())
	if err != nil {
		return nil
	}
	if !ok {
		recorded = d.infoFeatures()
		if recorded == nil {
			return nil
		}
	}
	out := make(map[string]*hf.Feature, d.schema.NumFields())
	for _, f := range d.schema.Fields() {
		feat, ok := recorded.Get(f.Name)
		if !ok {
			continue
		}
		// Check the recorded feature against the column's type on a
		// one-column schema, so that one column no feature describes
		// does not cost the others theirs.
		one := hf.WithFeatures(arrow.NewSchema([]arrow.Field{f}, nil), &hf.Features{Fields: []hf.Field{{Name: f.Name, Feature: feat}}})
		if got, err := hf.FromSchema(one); err == nil {
			out[f.Name] = got.Fields[0].Feature
		}
	}
	return out
}

// featureOfType infers the feature of a field from its Arrow type alone;
// nil when no feature describes the type.
func featureOfType(f arrow.Field) *hf.Feature {
	got, err := hf.FromArrow(arrow.NewSchema([]arrow.Field{f}, nil))
	if err != nil {
		return nil
	}
	return got.Fields[0].Feature
}
