package viewer

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPageEscapes renders a dataset page whose every data-derived string
// (dataset, split and column names, types, features, cell text, error
// messages) is the fuzzed one, and checks that the string added no markup:
// the page has exactly as many '<' and '"' as with a harmless string, since
// html/template must turn every one coming from data into an entity. It
// also checks that a cell is valid UTF-8 and at most maxCellRunes long.
func FuzzPageEscapes(f *testing.F) {
	for _, s := range []string{hostile, `"'><svg onload=x>`, "javascript:alert(1)", "\xff\xfe<", "</td></tr></table>", "{{.}}", "a\u2028b", ""} {
		f.Add(s)
	}
	baseline := renderAll(f, "x")
	f.Fuzz(func(t *testing.T, s string) {
		c := textCell(s)
		if !utf8.ValidString(c.Text) || utf8.RuneCountInString(c.Text) > maxCellRunes {
			t.Fatalf("cell %q of %q: invalid UTF-8 or over %d runes", c.Text, s, maxCellRunes)
		}
		got := renderAll(t, s)
		for _, ch := range []string{"<", `"`} {
			if strings.Count(got, ch) != strings.Count(baseline, ch) {
				t.Fatalf("%q changed the number of %s in the page:\n%s", s, ch, got)
			}
		}
	})
}

// renderAll renders the dataset, index and error pages with s everywhere
// data goes. It prefixes s with "x" so that the pages take the same
// branches (an empty error message shows no error) whatever s is.
func renderAll(t testing.TB, s string) string {
	s = "x" + s
	split := splitSummary{Name: s, URL: datasetURL(s, nil), Rows: s, Err: ""}
	page := &datasetPage{
		Name: s, Split: s, Total: s,
		Splits:   []splitSummary{split, {Name: s, Err: s}},
		Columns:  []columnInfo{{Name: s, Type: s, Feature: s}},
		Rows:     []pageRow{{Index: 1, Cells: []cell{{Text: textCell(s).Text}, {Text: s, Quiet: true}, {Text: s, ImageURL: imageURL(s, s, 0, s)}, {Null: true}}}},
		FirstURL: datasetURL(s, nil), Prev: datasetURL(s, nil), Next: datasetURL(s, nil), LastURL: datasetURL(s, nil),
	}
	var buf bytes.Buffer
	for _, p := range []struct {
		name string
		data any
	}{
		{"dataset", page},
		{"index", indexPage{Datasets: []datasetSummary{{Name: s, URL: datasetURL(s, nil), Splits: []splitSummary{split}}, {Name: s, Err: s}}}},
		{"error", errorPage{Status: s, Message: s}},
	} {
		if err := pages.ExecuteTemplate(&buf, p.name, p.data); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}
