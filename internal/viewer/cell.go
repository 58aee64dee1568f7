package viewer

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/format/rowjson"
)

// maxCellRunes bounds the text of one cell, so that a page of long
// documents or big nested values stays a few hundred kilobytes.
const maxCellRunes = 300

// A cell is one rendered value of the rows table.
type cell struct {
	Null      bool
	Text      string // the value as text, at most maxCellRunes runes
	Truncated bool   // Text is a prefix of the value
	Quiet     bool   // Text describes the value (binary sizes) rather than being it
	ImageURL  string // set for an Image cell whose bytes sniff as an image
}

// A columnRenderer turns row i of one column into a cell.
type columnRenderer func(arr arrow.Array, i int) cell

// rendererFor picks how a column shows: Image structs as images (by
// their Hugging Face feature, or by the {bytes, path} storage an Image has
// when the features were lost), strings as plain text, binaries by size,
// lists and everything else as tome's canonical JSON, cut short.
func rendererFor(field arrow.Field, feature *hf.Feature, imageURL func(row int) string) columnRenderer {
	if isImage(field.Type, feature) {
		return func(arr arrow.Array, i int) cell { return imageCell(arr, i, imageURL) }
	}
	if feature != nil && feature.Kind == hf.KindClassLabel && arrow.IsInteger(field.Type.ID()) {
		return func(arr arrow.Array, i int) cell { return classLabelCell(arr, i, feature.Names) }
	}
	switch field.Type.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return func(arr arrow.Array, i int) cell {
			if arr.IsNull(i) {
				return cell{Null: true}
			}
			return textCell(arr.(interface{ Value(int) string }).Value(i))
		}
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return func(arr arrow.Array, i int) cell {
			if arr.IsNull(i) {
				return cell{Null: true}
			}
			return binaryCell(arr.(interface{ Value(int) []byte }).Value(i))
		}
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return func(arr arrow.Array, i int) cell {
			if arr.IsNull(i) {
				return cell{Null: true}
			}
			return listCell(arr.(array.ListLike), i)
		}
	}
	return func(arr arrow.Array, i int) cell {
		if arr.IsNull(i) {
			return cell{Null: true}
		}
		return textCell(string(rowjson.AppendValue(nil, arr, i)))
	}
}

// listCell encodes a list's elements only until the cell is full, so that
// a long embedding or token list costs what the page shows of it. Its text
// is what rowjson prints for the whole list, cut short.
func listCell(l array.ListLike, i int) cell {
	start, end := l.ValueOffsets(i)
	values := l.ListValues()
	if start < 0 || end < start || end > int64(values.Len()) {
		// rowjson prints an invalid list as null rather than reading
		// outside its child.
		return textCell(string(rowjson.AppendValue(nil, l, i)))
	}
	buf := []byte{'['}
	for j := start; j < end; j++ {
		if len(buf) > maxCellRunes*utf8.UTFMax {
			c := textCell(string(buf))
			c.Truncated = true
			return c
		}
		if j > start {
			buf = append(buf, ',')
		}
		buf = rowjson.AppendValue(buf, values, int(j))
	}
	return textCell(string(append(buf, ']')))
}

// classLabelCell shows a label with its class name: "1 dog".
func classLabelCell(arr arrow.Array, i int, names []string) cell {
	if arr.IsNull(i) {
		return cell{Null: true}
	}
	v := string(rowjson.AppendValue(nil, arr, i))
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(names) {
		v += " " + names[n]
	}
	return textCell(v)
}

// isImage reports whether a column holds Hugging Face Image structs.
func isImage(t arrow.DataType, feature *hf.Feature) bool {
	st, ok := t.(*arrow.StructType)
	if !ok {
		return false
	}
	if feature != nil && feature.Kind == hf.KindImage {
		return imageBytesIndex(st) >= 0
	}
	if st.NumFields() != 2 || imageBytesIndex(st) < 0 {
		return false
	}
	p, ok := st.FieldByName("path")
	return ok && (p.Type.ID() == arrow.STRING || p.Type.ID() == arrow.LARGE_STRING)
}

// imageBytesIndex is the index of an Image struct's binary "bytes" field,
// or -1.
func imageBytesIndex(st *arrow.StructType) int {
	i, ok := st.FieldIdx("bytes")
	if !ok {
		return -1
	}
	switch st.Field(i).Type.ID() {
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return i
	}
	return -1
}

// imageBytes returns the encoded image of row i of an Image struct array,
// or nil when the row or its bytes are null.
func imageBytes(arr arrow.Array, i int) []byte {
	st, ok := arr.(*array.Struct)
	if !ok || st.IsNull(i) {
		return nil
	}
	bi := imageBytesIndex(st.DataType().(*arrow.StructType))
	if bi < 0 {
		return nil
	}
	child := st.Field(bi)
	if child.IsNull(i) {
		return nil
	}
	return child.(interface{ Value(int) []byte }).Value(i)
}

// imagePath returns an Image struct's "path" of row i, or "".
func imagePath(arr arrow.Array, i int) string {
	st, ok := arr.(*array.Struct)
	if !ok || st.IsNull(i) {
		return ""
	}
	pi, ok := st.DataType().(*arrow.StructType).FieldIdx("path")
	if !ok {
		return ""
	}
	child := st.Field(pi)
	s, ok := child.(interface{ Value(int) string })
	if !ok || child.IsNull(i) {
		return ""
	}
	return s.Value(i)
}

// imageCell shows an image when the bytes are one (by
// http.DetectContentType; SVG, which can carry script, never sniffs as an
// image), else the path or the size.
func imageCell(arr arrow.Array, i int, imageURL func(row int) string) cell {
	if arr.IsNull(i) {
		return cell{Null: true}
	}
	b, path := imageBytes(arr, i), imagePath(arr, i)
	if b != nil && imageType(b) != "" {
		c := textCell(path)
		c.ImageURL = imageURL(i)
		return c
	}
	if b != nil {
		return binaryCell(b)
	}
	if path != "" {
		return textCell(path)
	}
	return cell{Null: true}
}

// imageType is the MIME type of an encoded image, or "" when b does not
// sniff as an image.
func imageType(b []byte) string {
	t := http.DetectContentType(b)
	if strings.HasPrefix(t, "image/") {
		return t
	}
	return ""
}

// textCell cuts s to maxCellRunes runes before anything else touches it,
// so a long document costs no more than its prefix, and copies it: s may
// point into a batch that is released after the page is built.
func textCell(s string) cell {
	n := 0
	for i := range s {
		if n == maxCellRunes {
			return cell{Text: strings.ToValidUTF8(strings.Clone(s[:i]), "\uFFFD"), Truncated: true}
		}
		n++
	}
	return cell{Text: strings.ToValidUTF8(strings.Clone(s), "\uFFFD")}
}

func binaryCell(b []byte) cell {
	desc := fmt.Sprintf("%d bytes", len(b))
	if t := http.DetectContentType(b); t != "application/octet-stream" && len(b) > 0 {
		desc += ", " + t
	}
	return cell{Text: desc, Quiet: true}
}
