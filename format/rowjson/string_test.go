package rowjson

import (
	"bytes"
	"encoding/json"
	"testing"
)

// stdlibString is encoding/json's rendering of s without HTML escaping,
// which appendString promises to reproduce byte for byte.
func stdlibString(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

var stringSeeds = []string{
	"", "plain", "héllo wörld", "日本語", "emoji 🎉", `q"b\s`, "\x00\x01\x1f\x7f",
	"\b\f\n\r\t", "<script>&amp;</script>", "\u2028\u2029", "a\xffb", "\xe2\x80",
	"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "tail\xf0",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringSeeds {
		if got, want := string(appendString(nil, s)), stdlibString(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
	// Every single byte and every two-byte sequence.
	for a := range 256 {
		s := string([]byte{byte(a)})
		if got, want := string(appendString(nil, s)), stdlibString(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
		for b := range 256 {
			s := string([]byte{byte(a), byte(b)})
			if got, want := string(appendString(nil, s)), stdlibString(t, s); got != want {
				t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		if want := stdlibString(t, s); string(got) != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestAppendBase64(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, `""`},
		{[]byte{0}, `"AA=="`},
		{[]byte{0, 1, 2, 0xff}, `"AAEC/w=="`},
		{[]byte("foobar"), `"Zm9vYmFy"`},
	}
	for _, tt := range tests {
		if got := string(appendBase64(nil, tt.in)); got != tt.want {
			t.Errorf("appendBase64(%x) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
