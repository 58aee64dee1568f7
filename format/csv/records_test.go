package csv

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/textio"
)

// records parses data with delimiter d, feeding it one byte at a time when
// slow is set (so that every field and quote crosses a buffer boundary),
// and renders each record as its line number and fields, quoted ones
// marked with a leading '"'.
func records(data string, d byte, slow bool) ([]string, error) {
	st := &textio.Stream{R: strings.NewReader(data)}
	if slow {
		st.R = iotest.OneByteReader(strings.NewReader(data))
	}
	rr := newRecordReader(st, format.Uncompressed, 1<<10)
	rr.delim = d
	var out []string
	for rr.next() {
		parts := []string{fmt.Sprint(rr.recLine)}
		for _, f := range rr.fields {
			s := string(f.text)
			if f.quoted {
				s = `"` + s
			}
			parts = append(parts, s)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rr.err
}

func TestRecords(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"simple", "a,b\n1,2\n", []string{"1|a|b", "2|1|2"}},
		{"no final newline", "a,b\n1,2", []string{"1|a|b", "2|1|2"}},
		{"crlf", "a,b\r\n1,2\r\n", []string{"1|a|b", "2|1|2"}},
		{"empty fields", ",\n,x,\n", []string{"1||", "2||x|"}},
		{"quoted", `"a","b,c"` + "\n", []string{`1|"a|"b,c`}},
		{"doubled quotes", `"say ""hi""",x` + "\n", []string{`1|"say "hi"|x`}},
		{"quoted empty", `"",x` + "\n", []string{`1|"|x`}},
		{"quoted line breaks", "\"a\nb\",\"c\r\nd\"\nnext,1\n", []string{"1|\"a\nb|\"c\r\nd", "4|next|1"}},
		{"quote inside an unquoted field", `ab"c,d` + "\n", []string{`1|ab"c|d`}},
		{"blank lines", "\n\na\n\r\n\nb\n\n", []string{"3|a", "6|b"}},
		{"byte order mark", "\xef\xbb\xbfa,b\n", []string{"1|a|b"}},
		{"carriage return inside a field", "a\rb,c\n", []string{"1|a\rb|c"}},
		{"quoted field at the end", `x,"y"`, []string{`1|x|"y`}},
		{"quoted field then crlf", "\"y\"\r\nz\r\n", []string{`1|"y`, "2|z"}},
		{"spaces kept", " a , b \n", []string{"1| a | b "}},
		{"only a byte order mark", "\xef\xbb\xbf", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/slow=%t", tt.name, slow), func(t *testing.T) {
				got, err := records(tt.data, ',', slow)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unclosed quote", "a\n\"b,c\nd\n", "line 2: format: corrupt data: quoted field never closed"},
		{"text after a closing quote", "a\nb\n\"x\"y,z\n", `line 3: format: corrupt data: 'y' after a closing quote`},
		{"text after a closing quote on a later line", "\"a\nb\"c\n", `line 2: format: corrupt data: 'c' after a closing quote`},
		{"lone carriage return after a quote", "\"x\"\ry\n", `line 1: format: corrupt data: byte 0x0d after a closing quote`},
		{"record too long", "a\n" + strings.Repeat("x", 2000) + "\n", "line 2: record longer than 1024 bytes"},
		{"quoted record too long", "a\n\"" + strings.Repeat("x", 2000) + "\"\n", "line 2: record longer than 1024 bytes"},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/slow=%t", tt.name, slow), func(t *testing.T) {
				_, err := records(tt.data, ',', slow)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) {
					t.Errorf("err = %v is untyped", err)
				}
			})
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		sample string
		want   byte
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a\tb\n1\t2\n", '\t'},
		{"a;b\n1,5;2,5\n", ';'},
		{"a|b|c\n1|2|3\n", '|'},
		{"name,desc\nx,\"a;b;c;d\"\n", ','},
		{"a;b,c\n1;2,3\n", ','},            // a tie: the first in Delimiters
		{"a,b;c;d\n1,2;3\n4,5;6;7\n", ','}, // only ',' is consistent
		{"single\ncolumn\n", ','},
		{"a;b\n1;2", ';'}, // a cut last line is ignored, but not when it is all there is
		{"", ','},
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.sample)); got != tt.want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", tt.sample, got, tt.want)
		}
	}
}
