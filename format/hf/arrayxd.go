package hf

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Arrow's extension type convention: a field carrying these metadata keys
// holds an extension type over its storage type. arrow-go leaves them on
// the field when it reads an IPC file whose extension it has not
// registered, and pyarrow rebuilds the extension from them.
const (
	extensionNameKey     = "ARROW:extension:name"
	extensionMetadataKey = "ARROW:extension:metadata"
)

// arrayExtensionName returns the extension name datasets registers for an
// ArrayND feature: the module path and class name of its pyarrow
// extension type.
func arrayExtensionName(dims int) string {
	return fmt.Sprintf("datasets.features.features.Array%dDExtensionType", dims)
}

// arrayExtensionDims returns N if name is datasets' ArrayND extension name.
func arrayExtensionDims(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "datasets.features.features.Array")
	if !ok || len(rest) != len("2DExtensionType") || rest[1:] != "DExtensionType" || rest[0] < '2' || rest[0] > '5' {
		return 0, false
	}
	return int(rest[0] - '0'), true
}

// arrayExtensionMetadata is what datasets' __arrow_ext_serialize__ writes:
// json.dumps((shape, dtype)), such as [[null, 3], "int32"].
func arrayExtensionMetadata(f *Feature) string {
	shape := jsonValue{kind: jsonArray, array: make([]jsonValue, len(f.Shape))}
	for i, d := range f.Shape {
		shape.array[i] = jsonInt(int64(d))
		if d < 0 {
			shape.array[i] = jsonValue{kind: jsonNull}
		}
	}
	v := jsonValue{kind: jsonArray, array: []jsonValue{shape, jsonStr(f.Dtype)}}
	return string(appendJSON(nil, v, stylePython))
}

// arrayFromExtension rebuilds an ArrayND feature from its extension name
// and serialized metadata.
func arrayFromExtension(dims int, metadata string) (*Feature, error) {
	v, err := parseJSON([]byte(metadata))
	if err != nil {
		return nil, fmt.Errorf("hf: Array%dD extension metadata: %w", dims, err)
	}
	if v.kind != jsonArray || len(v.array) != 2 || v.array[0].kind != jsonArray ||
		len(v.array[0].array) != dims || v.array[1].kind != jsonString {
		return nil, corrupt(fmt.Sprintf("Array%dD extension", dims), "metadata %.100q is not [shape, dtype]", metadata)
	}
	shape, err := parseShape(v.array[0])
	if err != nil {
		return nil, corrupt(fmt.Sprintf("Array%dD extension", dims), "%v", err)
	}
	return Array(normalizeDtype(v.array[1].text), shape...), nil
}

// arrayStorage returns the storage datasets gives an ArrayND: one Arrow
// list per dimension (variable-size lists, not fixed-size ones, which
// older pyarrow could not validate after slicing).
func arrayStorage(f *Feature) (arrow.DataType, error) {
	if n := len(f.Shape); n < 2 || n > 5 {
		return nil, corrupt("Array feature", "%d dimensions; datasets has Array2D to Array5D", n)
	}
	dt, err := DtypeArrow(f.Dtype)
	if err != nil {
		return nil, err
	}
	for range f.Shape {
		dt = arrow.ListOf(dt)
	}
	return dt, nil
}
