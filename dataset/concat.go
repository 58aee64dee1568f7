package dataset

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format/hf"
)

// Concatenate returns a dataset of the rows of every part, in order, as
// Hugging Face's concatenate_datasets does along rows: its Len is the sum
// of theirs, and row i of part k follows the last row of part k-1. It
// copies no data: the result reads the parts' files, which stay open
// until it and the parts are all closed, and a part that is a view (a
// Select, Shuffle, Filter, ...) contributes its rows in its order.
//
// The parts must have the same column names and types, in the same order,
// and the same Hugging Face features (a ClassLabel column cannot follow a
// plain integer one, nor one with other class names); the error names the
// first difference. They must also read their columns from the
// files the same way: parts whose files store different columns, or whose
// column operations (SelectColumns, RenameColumns, CastColumn) differ,
// cannot share one scan, and give ErrSchemaMismatch; write such a part
// out (Map does) before concatenating it. The result takes the first
// part's schema metadata, allocator and split name.
func Concatenate(parts ...*Dataset) (*Dataset, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("concatenate: %w: no datasets given", ErrNotFound)
	}
	for i, p := range parts {
		if err := p.checkOpen(fmt.Sprintf("concatenate: part %d", i)); err != nil {
			return nil, err
		}
		if i > 0 {
			if err := concatCompatible(parts[0], p, i); err != nil {
				return nil, err
			}
		}
	}
	rows, err := concatRows(parts)
	if err != nil {
		return nil, err
	}
	first := parts[0]
	files := concatShards(parts)
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	paths := make([]string, len(files.shards))
	for i, sf := range files.shards {
		paths[i] = sf.path
	}
	layout := &Layout{Root: strings.Join(paths, " "), Kind: LayoutFiles,
		Splits: []SplitLayout{{Name: first.split, Files: paths}}}
	schema := first.schema
	if _, ok, _ := hf.FromMetadata(schema.Metadata()); !ok {
		// Features from the first part's dataset_info.json would be lost
		// with its layout: record them in the schema.
		if info := first.infoFeatures(); info != nil {
			schema = hf.WithFeatures(schema, info)
		}
	}
	return &Dataset{
		name:   strings.Join(names, " + "),
		layout: layout,
		split:  first.split,
		cfg:    first.cfg,
		files:  files,
		schema: schema,
		rows:   rows,
		cols:   first.cols,
	}, nil
}

// concatCompatible checks that part i can follow part 0.
func concatCompatible(a, b *Dataset, i int) error {
	sa, sb := a.schema, b.schema
	if sa.NumFields() != sb.NumFields() {
		return fmt.Errorf("concatenate: %w: part %d has %d columns %s, part 0 has %d %s", ErrSchemaMismatch,
			i, sb.NumFields(), fieldNames(sb), sa.NumFields(), fieldNames(sa))
	}
	for k := range sa.NumFields() {
		fa, fb := sa.Field(k), sb.Field(k)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return fmt.Errorf("concatenate: %w: column %d is %s: %s in part %d but %s: %s in part 0", ErrSchemaMismatch,
				k, fb.Name, fb.Type, i, fa.Name, fa.Type)
		}
	}
	if fa, fb := a.Features(), b.Features(); fa != nil && fb != nil {
		for k, f := range fa.Fields {
			if !sameFeature(f.Feature, fb.Fields[k].Feature) {
				ja, _ := f.Feature.MarshalJSON()
				jb, _ := fb.Fields[k].Feature.MarshalJSON()
				return fmt.Errorf("concatenate: %w: column %s has feature %s in part %d but %s in part 0", ErrSchemaMismatch, f.Name, jb, i, ja)
			}
		}
	}
	ca, cb := a.columns(), b.columns()
	if !sameColumns(ca.source, cb.source) || !ca.equal(cb) {
		return fmt.Errorf("concatenate: %w: part %d reads its columns from files of columns %s, part 0 from %s, through different column operations; write part %d out (with Map) first",
			ErrSchemaMismatch, i, fieldNames(cb.source), fieldNames(ca.source), i)
	}
	return nil
}

// sameFeature reports whether two features describe the same data the
// same way (a ClassLabel's names, a list's length, ...), ignoring the keys
// that do not (an "id", a "decode" flag).
func sameFeature(a, b *hf.Feature) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Dtype != b.Dtype || a.Length != b.Length || a.Type != b.Type ||
		!slices.Equal(a.Names, b.Names) || !slices.Equal(a.Shape, b.Shape) || !slices.Equal(a.Languages, b.Languages) ||
		len(a.Fields) != len(b.Fields) || !sameFeature(a.Item, b.Item) {
		return false
	}
	for i, f := range a.Fields {
		if f.Name != b.Fields[i].Name || !sameFeature(f.Feature, b.Fields[i].Feature) {
			return false
		}
	}
	return true
}

// sameColumns reports whether two schemas have the same column names and
// types in the same order.
func sameColumns(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for k := range a.NumFields() {
		if a.Field(k).Name != b.Field(k).Name || !arrow.TypeEqual(a.Field(k).Type, b.Field(k).Type) {
			return false
		}
	}
	return true
}

// concatShards returns a shard set of the parts' shards in order. It
// borrows their files: it holds a reference to each part's set, released
// when it closes.
func concatShards(parts []*Dataset) *shardSet {
	set := &shardSet{}
	set.refs.Store(1)
	known := true
	var total int64
	for _, p := range parts {
		p.files.retain()
		set.parents = append(set.parents, p.files)
		set.shards = append(set.shards, p.files.shards...)
		if p.files.starts == nil {
			known = false
			continue
		}
		for _, s := range p.files.starts[:len(p.files.shards)] {
			set.starts = append(set.starts, total+s)
		}
		total += p.files.starts[len(p.files.shards)]
	}
	if known {
		set.starts = append(set.starts, total)
	} else {
		set.starts = nil
	}
	return set
}

// concatRows returns the index map of the concatenation: nil when every
// part reads all its files' rows in order, else each part's rows shifted
// by the rows of the files before it.
func concatRows(parts []*Dataset) (indexMap, error) {
	views := false
	for _, p := range parts {
		views = views || p.rows != nil
	}
	if !views {
		return nil, nil
	}
	m := concatMap{starts: []int64{0}}
	var offset int64
	for i, p := range parts {
		if p.files.starts == nil {
			return nil, fmt.Errorf("concatenate: part %d: %w (convert JSON Lines or CSV to Arrow or Parquet first)", i, ErrNoRandomAccess)
		}
		base := p.files.starts[len(p.files.shards)]
		if inner, ok := p.rows.(concatMap); ok {
			for k, sub := range inner.parts {
				sub.offset += offset
				m.parts = append(m.parts, sub)
				m.starts = append(m.starts, m.starts[len(m.starts)-1]+inner.starts[k+1]-inner.starts[k])
			}
		} else {
			n := base
			if p.rows != nil {
				n = p.rows.Len()
			}
			m.parts = append(m.parts, concatPart{rows: p.rows, offset: offset})
			m.starts = append(m.starts, m.starts[len(m.starts)-1]+n)
		}
		offset += base
	}
	return m, nil
}

// concatMap maps the rows of concatenated parts: part k covers view
// positions starts[k] to starts[k+1]-1 and reads its rows (through its own
// map, nil for all its rows in order) shifted by offset, the number of
// rows of the files before its own.
type concatMap struct {
	parts  []concatPart
	starts []int64 // len(parts)+1 entries; the last is Len
}

type concatPart struct {
	rows   indexMap
	offset int64
}

func (m concatMap) Len() int64 { return m.starts[len(m.starts)-1] }

func (m concatMap) At(i int64) int64 {
	k := sort.Search(len(m.parts), func(k int) bool { return m.starts[k+1] > i })
	p, j := m.parts[k], i-m.starts[k]
	if p.rows == nil {
		return p.offset + j
	}
	return p.offset + p.rows.At(j)
}

func (m concatMap) String() string {
	return fmt.Sprintf("concat(%d parts, %d rows)", len(m.parts), m.Len())
}
