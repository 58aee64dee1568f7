package dataset

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/tome-data/tome/format"
)

// A columnMap is how a Dataset's columns are made from its files' columns:
// which stored column each output column reads, under which name, through
// which casts. Column operations (SelectColumns, RenameColumns,
// RemoveColumns, CastColumn) only edit the map; scans apply it batch by
// batch (see columns_scan.go), reading only the stored columns they need.
// A nil *columnMap reads the files' columns as stored.
type columnMap struct {
	source *arrow.Schema // the files' schema: what the scan reads
	out    []outColumn   // the output columns, in order
	// whole makes every output column from a batch of every stored
	// column (applyColumns), made once so that random access to single
	// rows does not plan each time.
	whole *columnPlan
}

// outColumn is one output column.
type outColumn struct {
	src   int              // index of the stored column in source
	field arrow.Field      // name, type (after casts), nullability, metadata
	casts []arrow.DataType // applied in order; empty: as stored
}

// columns returns d's map, the identity over its schema when it has none.
// The result is a copy the caller may edit.
func (d *Dataset) columns() *columnMap {
	if d.cols != nil {
		return &columnMap{source: d.cols.source, out: slices.Clone(d.cols.out)}
	}
	m := &columnMap{source: d.schema, out: make([]outColumn, d.schema.NumFields())}
	for i, f := range d.schema.Fields() {
		m.out[i] = outColumn{src: i, field: f}
	}
	return m
}

// checkOpen fails operations on a closed Dataset.
func (d *Dataset) checkOpen(op string) error {
	if d.files == nil {
		return fmt.Errorf("%s: dataset %s: use after Close", op, d.name)
	}
	return nil
}

// index returns the position of the output column name, or an ErrNotFound
// error naming it and the columns there are.
func (m *columnMap) index(op, name string) (int, error) {
	for i, c := range m.out {
		if c.field.Name == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s: %w: no column %q (columns: %s)", op, ErrNotFound, name, m.names())
}

func (m *columnMap) names() string {
	names := make([]string, len(m.out))
	for i, c := range m.out {
		names[i] = c.field.Name
	}
	return "[" + strings.Join(names, " ") + "]"
}

// identity reports whether m reads every stored column as stored.
func (m *columnMap) identity() bool {
	if len(m.out) != m.source.NumFields() {
		return false
	}
	for i, c := range m.out {
		if c.src != i || len(c.casts) > 0 || c.field.Name != m.source.Field(i).Name {
			return false
		}
	}
	return true
}

// equal reports whether two maps read the same stored columns (by name)
// the same way into the same output columns.
func (m *columnMap) equal(o *columnMap) bool {
	if len(m.out) != len(o.out) {
		return false
	}
	for i, c := range m.out {
		oc := o.out[i]
		if c.field.Name != oc.field.Name || m.source.Field(c.src).Name != o.source.Field(oc.src).Name ||
			!slices.EqualFunc(c.casts, oc.casts, func(a, b arrow.DataType) bool { return arrow.TypeEqual(a, b) }) {
			return false
		}
	}
	return true
}

// SelectColumns returns a view with only the named columns, in the order
// given, as Hugging Face's Dataset.select_columns does. It copies no data;
// scans of the view read only these columns (Parquet decodes no others).
func (d *Dataset) SelectColumns(names ...string) (*Dataset, error) {
	if err := d.checkOpen("select columns"); err != nil {
		return nil, err
	}
	m := d.columns()
	out := make([]outColumn, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("select columns: column %q named twice", n)
		}
		seen[n] = true
		i, err := m.index("select columns", n)
		if err != nil {
			return nil, err
		}
		out = append(out, m.out[i])
	}
	m.out = out
	return d.withColumns(m, nil), nil
}

// RemoveColumns returns a view without the named columns, as Hugging
// Face's Dataset.remove_columns does. It copies no data.
func (d *Dataset) RemoveColumns(names ...string) (*Dataset, error) {
	if err := d.checkOpen("remove columns"); err != nil {
		return nil, err
	}
	m := d.columns()
	drop := make(map[int]bool, len(names))
	for _, n := range names {
		i, err := m.index("remove columns", n)
		if err != nil {
			return nil, err
		}
		drop[i] = true
	}
	out := m.out[:0:0]
	for i, c := range m.out {
		if !drop[i] {
			out = append(out, c)
		}
	}
	m.out = out
	return d.withColumns(m, nil), nil
}

// RenameColumn returns a view with column old named new. It copies no
// data; the Hugging Face features follow the column.
func (d *Dataset) RenameColumn(old, new string) (*Dataset, error) {
	return d.RenameColumns(map[string]string{old: new})
}

// RenameColumns returns a view with columns renamed by the map (old name
// to new name), all at once, as Hugging Face's Dataset.rename_columns
// does: names may be swapped, but every old name must exist and the new
// names must not collide with each other or with the columns kept. It
// copies no data.
func (d *Dataset) RenameColumns(renames map[string]string) (*Dataset, error) {
	if err := d.checkOpen("rename columns"); err != nil {
		return nil, err
	}
	m := d.columns()
	olds := slices.Sorted(maps.Keys(renames)) // deterministic errors
	at := make([]int, len(olds))
	for k, old := range olds {
		i, err := m.index("rename columns", old)
		if err != nil {
			return nil, err
		}
		if renames[old] == "" {
			return nil, fmt.Errorf("rename columns: %q: %w: the new name is empty", old, format.ErrSchema)
		}
		at[k] = i
	}
	for k, old := range olds { // all at once, so that names can swap
		m.out[at[k]].field.Name = renames[old]
	}
	seen := make(map[string]bool, len(m.out))
	for _, c := range m.out {
		if seen[c.field.Name] {
			return nil, fmt.Errorf("rename columns: %w: two columns would be named %q", format.ErrSchema, c.field.Name)
		}
		seen[c.field.Name] = true
	}
	return d.withColumns(m, nil), nil
}

// CastColumn returns a view whose column name is cast to type to, as
// Hugging Face's Dataset.cast_column does, but lazily: each batch is cast
// with Arrow's compute.CastArray as it is read, and a value that does not
// fit (an overflow, an unparsable string) fails that scan with an error
// naming the column and wrapping format.ErrSchema. A cast that Arrow cannot
// do at all fails here, wrapping format.ErrUnsupported. The column's
// Hugging Face feature is derived anew from the new type.
func (d *Dataset) CastColumn(name string, to arrow.DataType) (*Dataset, error) {
	if err := d.checkOpen("cast column"); err != nil {
		return nil, err
	}
	m := d.columns()
	i, err := m.index("cast column", name)
	if err != nil {
		return nil, err
	}
	c := &m.out[i]
	if arrow.TypeEqual(c.field.Type, to) {
		return d.withColumns(m, nil), nil
	}
	if to == nil || !compute.CanCast(c.field.Type, to) {
		return nil, fmt.Errorf("cast column %q: %w: no cast from %s to %v", name, format.ErrUnsupported, c.field.Type, to)
	}
	c.casts = append(slices.Clip(c.casts), to)
	c.field.Type = to
	c.field.Metadata = dropExtensionKeys(c.field.Metadata)
	return d.withColumns(m, map[string]bool{name: true}), nil
}

// dropExtensionKeys removes Arrow's extension type keys, which describe
// the stored type, not the cast one.
func dropExtensionKeys(md arrow.Metadata) arrow.Metadata {
	var keys, values []string
	for i, k := range md.Keys() {
		if !strings.HasPrefix(k, "ARROW:extension:") {
			keys, values = append(keys, k), append(values, md.Values()[i])
		}
	}
	return arrow.NewMetadata(keys, values)
}

// withColumns returns a view of d reading its columns through m. recast
// names the output columns whose type just changed: their Hugging Face
// features are derived from the new type; the others keep theirs.
func (d *Dataset) withColumns(m *columnMap, recast map[string]bool) *Dataset {
	schema := d.viewSchema(m, recast)
	v := *d
	d.files.retain()
	v.schema = schema
	v.cols = nil
	if !m.identity() {
		v.cols = m
		m.whole = m.wholePlan(schema)
	}
	return &v
}
