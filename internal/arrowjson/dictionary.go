package arrowjson

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// indexDictionaries checks the "dictionaries" section and indexes it by id.
// A dictionary no field refers to is ignored: nothing says what type its
// values have.
func indexDictionaries(dicts []jsonDictionary, fields map[int64]*field) (map[int64]*jsonColumn, error) {
	out := make(map[int64]*jsonColumn, len(dicts))
	for i := range dicts {
		dict := &dicts[i]
		if _, dup := out[dict.ID]; dup {
			return nil, fmt.Errorf("%w: dictionary id %d appears twice", format.ErrCorrupt, dict.ID)
		}
		if len(dict.Data.Columns) != 1 {
			return nil, fmt.Errorf("%w: dictionary %d has %d columns, want 1", format.ErrCorrupt, dict.ID, len(dict.Data.Columns))
		}
		if dict.Data.Count != dict.Data.Columns[0].Count {
			return nil, fmt.Errorf("%w: dictionary %d has count %d but its column has %d", format.ErrCorrupt, dict.ID, dict.Data.Count, dict.Data.Columns[0].Count)
		}
		if _, used := fields[dict.ID]; used {
			out[dict.ID] = &dict.Data.Columns[0]
		}
	}
	return out, nil
}

// dictionary returns the decoded dictionary with the given id, decoding it
// on first use. The decoder keeps the reference; callers retain their own.
func (d *decoder) dictionary(id int64) (*array.Data, error) {
	if data, ok := d.dicts[id]; ok {
		return data, nil
	}
	raw, ok := d.dictJSON[id]
	if !ok {
		return nil, fmt.Errorf("%w: no dictionary with id %d", format.ErrCorrupt, id)
	}
	if d.busy[id] {
		return nil, fmt.Errorf("%w: dictionary %d contains itself", format.ErrCorrupt, id)
	}
	d.busy[id] = true
	defer delete(d.busy, id)
	data, err := d.column(d.dictFields[id].valueField(), raw, fmt.Sprintf("dictionary %d", id))
	if err != nil {
		return nil, err
	}
	d.dicts[id] = data.(*array.Data)
	return d.dicts[id], nil
}

// indices decodes a dictionary-encoded column: validity and indices, which
// must point into the dictionary wherever the row is valid.
func (d *decoder) indices(f *field, c *jsonColumn, n int) (arrow.ArrayData, error) {
	dt := f.Type.(*arrow.DictionaryType)
	dict, err := d.dictionary(f.dictID)
	if err != nil {
		return nil, err
	}
	valid, nulls, err := validity(d.mem, c, n)
	if err != nil {
		return nil, err
	}
	defer release(valid)
	idx, err := d.fixedWidth(dt.IndexType, c, n)
	if err != nil {
		return nil, err
	}
	defer idx.Release()
	for i, raw := range c.Data {
		if !isValid(c, i) {
			continue
		}
		// Every index type's values fit in an int64 except uint64's
		// largest, which no dictionary is long enough to need.
		v, err := parseInt(raw, 64)
		if err != nil || v < 0 || v >= int64(dict.Len()) {
			return nil, fmt.Errorf("%w: index DATA[%d] = %s is outside dictionary %d of %d values", format.ErrCorrupt, i, abbreviate(raw), f.dictID, dict.Len())
		}
	}
	return array.NewDataWithDictionary(dt, n, []*memory.Buffer{valid, idx}, nulls, 0, dict), nil
}
