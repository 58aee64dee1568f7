package hf

import (
	"errors"
	"strings"
	"testing"

	"github.com/tome-data/tome/format"
)

// TestPythonStringEscaping pins json.dumps' ensure_ascii escaping.
func TestPythonStringEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ~!", `"plain ~!"`},
		{`q"b\s/`, `"q\"b\\s/"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x1f\x7f", `"\u0000\u001f\u007f"`},
		{"é日", `"\u00e9\u65e5"`},
		{"🎉", `"\ud83c\udf89"`},
		{"\U0010ffff", `"\udbff\udfff"`},
		{"a\xffb", `"a\ufffdb"`},
		{"<&>", `"<&>"`},
	}
	for _, tt := range tests {
		if got := string(stylePython.appendString(nil, tt.in)); got != tt.want {
			t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestJSONStyles writes one tree in each style; the Python renderings
// are what json.dumps(obj) and json.dump(obj, f, indent=2) print.
func TestJSONStyles(t *testing.T) {
	doc, err := parseJSON([]byte(`{"a": [1, 2.50, -3e+07], "b": {}, "c": [], "d": {"x": null, "y": true}, "é": "ü"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		style jsonStyle
		want  string
	}{
		{"compact", styleCompact, `{"a":[1,2.50,-3e+07],"b":{},"c":[],"d":{"x":null,"y":true},"é":"ü"}`},
		{"python", stylePython, `{"a": [1, 2.50, -3e+07], "b": {}, "c": [], "d": {"x": null, "y": true}, "\u00e9": "\u00fc"}`},
		{"python indent", stylePython2, strings.Join([]string{
			`{`,
			`  "a": [`,
			`    1,`,
			`    2.50,`,
			`    -3e+07`,
			`  ],`,
			`  "b": {},`,
			`  "c": [],`,
			`  "d": {`,
			`    "x": null,`,
			`    "y": true`,
			`  },`,
			`  "\u00e9": "\u00fc"`,
			`}`,
		}, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendJSON(nil, doc, tt.style)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ``},
		{"truncated", `{"a": [1, 2`},
		{"trailing data", `{} {}`},
		{"bad token", `{"a": nope}`},
		{"too deep", strings.Repeat("[", maxJSONDepth+2) + strings.Repeat("]", maxJSONDepth+2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJSON([]byte(tt.in))
			if !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("got %v, want an ErrCorrupt error", err)
			}
		})
	}
}

// TestDuplicateKeys follows Python's dict: the first position, the last
// value.
func TestDuplicateKeys(t *testing.T) {
	v, err := parseJSON([]byte(`{"a": 1, "b": 2, "a": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	got := appendJSON(nil, jsonValue{kind: jsonObject, members: v.dedup()}, styleCompact)
	if string(got) != `{"a":3,"b":2}` {
		t.Errorf("got %s", got)
	}
	if a, _ := v.get("a"); a.text != "3" {
		t.Errorf("get(a) = %s, want 3", a.text)
	}
}
