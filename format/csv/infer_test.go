package csv

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want cell
	}{
		{"", cell{kind: cellNull}},
		{"0", cell{kind: cellInt}}, {"-12", cell{kind: cellInt}}, {"+7", cell{kind: cellInt}},
		{"9223372036854775807", cell{kind: cellInt}}, {"-9223372036854775808", cell{kind: cellInt}},
		{"9223372036854775808", cell{kind: cellString}}, {"12345678901234567890123", cell{kind: cellString}},
		{"007", cell{kind: cellString}}, {"-01", cell{kind: cellString}}, {"00.5", cell{kind: cellString}},
		{"1.5", cell{kind: cellFloat}}, {"-0.0", cell{kind: cellFloat}}, {".5", cell{kind: cellFloat}}, {"5.", cell{kind: cellFloat}},
		{"1e10", cell{kind: cellFloat}}, {"1.5E-3", cell{kind: cellFloat}}, {"NaN", cell{kind: cellFloat}}, {"-inf", cell{kind: cellFloat}},
		{"Infinity", cell{kind: cellFloat}}, {"-nan", cell{kind: cellString}},
		{"1e", cell{kind: cellString}}, {".", cell{kind: cellString}}, {"-", cell{kind: cellString}}, {"1,5", cell{kind: cellString}},
		{"1 ", cell{kind: cellString}}, {"0x10", cell{kind: cellString}}, {"1_000", cell{kind: cellString}},
		{"true", cell{kind: cellBool}}, {"FALSE", cell{kind: cellBool}}, {"yes", cell{kind: cellString}},
		{"2024-02-29", cell{kind: cellDate}}, {"2023-02-29", cell{kind: cellString}}, {"2024-13-01", cell{kind: cellString}},
		{"2024-00-10", cell{kind: cellString}}, {"2024-1-5", cell{kind: cellString}},
		{"2024-02-29T10:11", cell{kind: cellTimestamp}},
		{"2024-02-29 10:11:12", cell{kind: cellTimestamp}},
		{"2024-02-29T10:11:12.123Z", cell{kind: cellTimestamp, zoned: true, frac: 3}},
		{"2024-02-29T10:11:12.1234567+02:00", cell{kind: cellTimestamp, zoned: true, frac: 7}},
		{"2024-02-29T10:11:12-0530", cell{kind: cellTimestamp, zoned: true}},
		{"2024-02-29T10:11:12+01", cell{kind: cellTimestamp, zoned: true}},
		{"2024-02-29T24:00:00", cell{kind: cellString}}, {"2024-02-29T10:11:12 UTC", cell{kind: cellString}},
		{"2024-02-29T10:11:12.", cell{kind: cellString}}, {"2024-02-29T10:11:12.1234567890", cell{kind: cellString}},
		{"2024-02-29X10:11", cell{kind: cellString}},
		{"hello", cell{kind: cellString}},
	}
	for _, tt := range tests {
		if got := classify([]byte(tt.in)); got != tt.want {
			t.Errorf("classify(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestInfer(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		schema string
		rows   []string
	}{
		{
			name:   "every inferred type",
			data:   "i,f,b,d,ts,s,n\n1,1.5,true,2024-01-02,2024-01-02T03:04:05,x,\n-2,2,False,2024-01-03,2024-01-02 03:04:06,\"\",\n",
			schema: "i: int64, f: float64, b: bool, d: date32, ts: timestamp[s], s: utf8, n: null",
			rows: []string{
				`{"i":1,"f":1.5,"b":true,"d":"2024-01-02","ts":"2024-01-02T03:04:05","s":"x","n":null}`,
				`{"i":-2,"f":2,"b":false,"d":"2024-01-03","ts":"2024-01-02T03:04:06","s":"","n":null}`,
			},
		},
		{
			name:   "empty is null everywhere, quoted empty is an empty string",
			data:   "a,b\n,\n\"\",\"\"\n1,x\n",
			schema: "a: int64, b: utf8",
			rows:   []string{`{"a":null,"b":null}`, `{"a":null,"b":""}`, `{"a":1,"b":"x"}`},
		},
		{
			name:   "quoted numbers are numbers",
			data:   "a\n\"1\"\n\"2\"\n",
			schema: "a: int64",
			rows:   []string{`{"a":1}`, `{"a":2}`},
		},
		{
			name:   "codes with leading zeros stay text",
			data:   "zip,id\n02134,12345678901234567890\n10001,1\n",
			schema: "zip: utf8, id: utf8",
			rows:   []string{`{"zip":"02134","id":"12345678901234567890"}`, `{"zip":"10001","id":"1"}`},
		},
		{
			name:   "mixes",
			data:   "a,b,c,d\n1,true,2024-01-01,1\nx,1,2024-01-01T00:00:00Z,2.5\n",
			schema: "a: utf8, b: utf8, c: utf8, d: float64",
		},
		{
			name:   "timestamp units and zones",
			data:   "s,ms,us,ns,utc,midnight\n2024-01-01T00:00:00,2024-01-01T00:00:00.1,2024-01-01T00:00:00.1234,2024-01-01T00:00:00.1234567,2024-01-01T01:00:00+01:00,2024-01-01\n2024-01-01T00:00:01,,,,2024-01-01T00:00:00Z,2024-01-02T12:00:00\n",
			schema: "s: timestamp[s], ms: timestamp[ms], us: timestamp[us], ns: timestamp[ns], utc: timestamp[s, tz=UTC], midnight: timestamp[s]",
			rows: []string{
				`{"s":"2024-01-01T00:00:00","ms":"2024-01-01T00:00:00.100","us":"2024-01-01T00:00:00.123400","ns":"2024-01-01T00:00:00.123456700","utc":"2024-01-01T00:00:00Z","midnight":"2024-01-01T00:00:00"}`,
				`{"s":"2024-01-01T00:00:01","ms":null,"us":null,"ns":null,"utc":"2024-01-01T00:00:00Z","midnight":"2024-01-02T12:00:00"}`,
			},
		},
		{
			name:   "zoned and naive make text",
			data:   "t\n2024-01-01T00:00:00Z\n2024-01-01T00:00:00\n",
			schema: "t: utf8",
		},
		{
			name:   "no rows",
			data:   "a,b\n",
			schema: "a: null, b: null",
		},
		{
			name:   "nothing at all",
			data:   "",
			schema: "",
		},
		{
			name:   "tab separated",
			data:   "a\tb\n1\tx y\n",
			schema: "a: int64, b: utf8",
			rows:   []string{`{"a":1,"b":"x y"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readString(t, tt.data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaString(r); got != tt.schema {
				t.Errorf("schema\n got %s\nwant %s", got, tt.schema)
			}
			if tt.rows != nil {
				if diff := cmp.Diff(tt.rows, rows); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestInferNoHeader(t *testing.T) {
	r, rows, err := readString(t, "1,a\n2,b\n", Options{NoHeader: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaString(r); got != "f0: int64, f1: utf8" {
		t.Errorf("schema %s", got)
	}
	if diff := cmp.Diff([]string{`{"f0":1,"f1":"a"}`, `{"f0":2,"f1":"b"}`}, rows); diff != "" {
		t.Error(diff)
	}
}

func TestInferAfterSample(t *testing.T) {
	data := "n,t\n1,2024-01-01\n2,2024-01-02\nthree,2024-01-03\n"
	_, rows, err := readString(t, data, Options{InferRows: 2})
	if !errors.Is(err, format.ErrSchema) {
		t.Fatalf("err = %v, want ErrSchema", err)
	}
	for _, want := range []string{"csv: line 4:", `column "n"`, `"three"`, "int64", "first 2 records", "InferRows"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(rows) != 0 {
		t.Errorf("rows %v yielded before the error", rows)
	}
	_, _, err = readString(t, "t\n2024-01-01T00:00:00Z\n2024-01-01T00:00:00\n", Options{InferRows: 1})
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), "timestamp[s, tz=UTC]") {
		t.Fatalf("naive after zoned: err = %v", err)
	}
	_, _, err = readString(t, "x,y\n,1\n\n\n5,2\n", Options{InferRows: 1})
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), "does not fit null") {
		t.Fatalf("value in a null column: err = %v", err)
	}
	r, rows, err := readString(t, data, Options{InferRows: -1})
	if err != nil || schemaString(r) != "n: utf8, t: date32" || len(rows) != 3 {
		t.Fatalf("whole file: %v %v %v", schemaString(r), rows, err)
	}
}
