package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
)

// maxSchemaFile bounds a --schema file: a schema is a few kilobytes.
const maxSchemaFile = 16 << 20

// readSchemaFile reads --schema FILE, in either of two JSON forms:
//
//   - a list of columns, [{"name": "id", "type": "int64"}, ...], with an
//     optional "nullable" (default true). Types are pyarrow's names, as
//     Hugging Face dtypes spell them (int64, float32, string, bool,
//     timestamp[ms], decimal128(10, 2), ...), arrow-go's aliases (utf8,
//     large_utf8, boolean), and nested list<T>, large_list<T>,
//     fixed_size_list<T, N>, struct<name: T, ...> and map<K, V>;
//   - Hugging Face features, as in dataset_info.json: {"id": {"dtype":
//     "int64", "_type": "Value"}, ...}, which also records ClassLabel
//     names and the like in the output's metadata.
func readSchemaFile(path string) (*arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--schema: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSchemaFile+1))
	if err != nil {
		return nil, fmt.Errorf("--schema %s: %w", path, err)
	}
	if len(data) > maxSchemaFile {
		return nil, fmt.Errorf("--schema %s: %w: larger than %d bytes", path, format.ErrSchema, maxSchemaFile)
	}
	s, err := parseSchemaJSON(data)
	if err != nil {
		return nil, fmt.Errorf("--schema %s: %w", path, err)
	}
	return s, nil
}

// parseSchemaJSON parses either form of readSchemaFile.
func parseSchemaJSON(data []byte) (*arrow.Schema, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		feats, err := hf.ParseFeatures(trimmed)
		if err != nil {
			return nil, err
		}
		if len(feats.Fields) == 0 {
			return nil, fmt.Errorf("%w: no columns", format.ErrSchema)
		}
		return feats.Arrow()
	}
	var cols []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable *bool  `json:"nullable"`
	}
	if err := json.Unmarshal(trimmed, &cols); err != nil {
		return nil, fmt.Errorf("%w: want a JSON list of {name, type} or Hugging Face features: %v", format.ErrSchema, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: no columns", format.ErrSchema)
	}
	fields := make([]arrow.Field, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("%w: column %d: empty or repeated name %q", format.ErrSchema, i, c.Name)
		}
		seen[c.Name] = true
		dt, err := parseArrowType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: dt, Nullable: c.Nullable == nil || *c.Nullable}
	}
	return arrow.NewSchema(fields, nil), nil
}

// maxTypeDepth bounds nesting in a type string.
const maxTypeDepth = 64

// parseArrowType parses a type name of readSchemaFile's list form.
func parseArrowType(s string) (arrow.DataType, error) {
	return parseTypeDepth(strings.TrimSpace(s), 0)
}

func parseTypeDepth(s string, depth int) (arrow.DataType, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("%w: type nested deeper than %d", format.ErrSchema, maxTypeDepth)
	}
	name, args, nested := strings.Cut(s, "<")
	if !nested {
		switch s {
		case "boolean":
			return arrow.FixedWidthTypes.Boolean, nil
		case "":
			return nil, fmt.Errorf("%w: empty type", format.ErrSchema)
		}
		dt, err := hf.DtypeArrow(s)
		if err != nil {
			return nil, fmt.Errorf("%w: unknown type %q", format.ErrSchema, s)
		}
		return dt, nil
	}
	if !strings.HasSuffix(args, ">") {
		return nil, fmt.Errorf("%w: type %q: unbalanced <>", format.ErrSchema, s)
	}
	parts, err := splitTopLevel(strings.TrimSuffix(args, ">"))
	if err != nil {
		return nil, fmt.Errorf("%w: type %q: %v", format.ErrSchema, s, err)
	}
	child := func(i int) (arrow.DataType, error) { return parseTypeDepth(parts[i], depth+1) }
	want := func(n int) error {
		if len(parts) != n {
			return fmt.Errorf("%w: type %q takes %d parameters", format.ErrSchema, s, n)
		}
		return nil
	}
	switch strings.TrimSpace(name) {
	case "list", "large_list":
		if err := want(1); err != nil {
			return nil, err
		}
		item, err := child(0)
		if err != nil {
			return nil, err
		}
		if name == "large_list" {
			return arrow.LargeListOf(item), nil
		}
		return arrow.ListOf(item), nil
	case "fixed_size_list":
		if err := want(2); err != nil {
			return nil, err
		}
		item, err := child(0)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(parts[1]), 10, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: type %q: bad length %q", format.ErrSchema, s, parts[1])
		}
		return arrow.FixedSizeListOf(int32(n), item), nil
	case "map":
		if err := want(2); err != nil {
			return nil, err
		}
		k, err := child(0)
		if err != nil {
			return nil, err
		}
		v, err := child(1)
		if err != nil {
			return nil, err
		}
		return arrow.MapOf(k, v), nil
	case "struct":
		fields := make([]arrow.Field, 0, len(parts))
		for _, p := range parts {
			fname, ftype, ok := strings.Cut(p, ":")
			if !ok || strings.TrimSpace(fname) == "" {
				return nil, fmt.Errorf("%w: type %q: struct member %q is not name: type", format.ErrSchema, s, p)
			}
			dt, err := parseTypeDepth(strings.TrimSpace(ftype), depth+1)
			if err != nil {
				return nil, err
			}
			fields = append(fields, arrow.Field{Name: strings.TrimSpace(fname), Type: dt, Nullable: true})
		}
		return arrow.StructOf(fields...), nil
	}
	return nil, fmt.Errorf("%w: unknown type %q", format.ErrSchema, s)
}

// splitTopLevel splits s at the commas outside <>, [] and ().
func splitTopLevel(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '<', '[', '(':
			depth++
		case '>', ']', ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced brackets")
			}
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced brackets")
	}
	return append(parts, strings.TrimSpace(s[start:])), nil
}
