package hf

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// File names of the save_to_disk layout.
const (
	StateFile       = "state.json"
	DatasetDictFile = "dataset_dict.json"
)

// DataFileName returns the name save_to_disk gives shard i of n:
// data-00000-of-00001.arrow.
func DataFileName(i, n int) string {
	return fmt.Sprintf("data-%05d-of-%05d.arrow", i, n)
}

// State is datasets' state.json: which Arrow files hold a saved Dataset,
// in order, and how the Dataset was formatted when it was saved.
type State struct {
	DataFiles   []DataFile // _data_files
	Fingerprint string     // _fingerprint

	// FormatColumns are the columns set_format selected; nil means all
	// (written as null).
	FormatColumns    []string                   // _format_columns
	FormatKwargs     map[string]json.RawMessage // _format_kwargs
	FormatType       string                     // _format_type; "" is null (python objects)
	OutputAllColumns bool                       // _output_all_columns

	// Split is the split the Dataset was built as; "" is null. It can be
	// stale (a split saved from another one keeps its name).
	Split string // _split

	extra []jsonMember
}

// DataFile is one entry of _data_files.
type DataFile struct {
	Filename string
}

// NewState returns the state of a freshly saved Dataset of n data files
// with no format set, as save_to_disk writes it.
func NewState(n int, split, fingerprint string) *State {
	s := &State{Fingerprint: fingerprint, Split: split, DataFiles: make([]DataFile, n), FormatKwargs: map[string]json.RawMessage{}}
	for i := range s.DataFiles {
		s.DataFiles[i].Filename = DataFileName(i, n)
	}
	return s
}

// NewFingerprint derives a datasets-style fingerprint (16 hex digits) from
// parts. datasets uses it only to name cache files, so any stable digest
// of what identifies the content will do.
func NewFingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ParseState parses state.json. Malformed content gives an error wrapping
// format.ErrCorrupt.
func ParseState(data []byte) (*State, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("hf: state: %w", err)
	}
	if v.kind != jsonObject {
		return nil, notObject("state", v)
	}
	s := &State{}
	for _, m := range v.dedup() {
		if err := s.set(m); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *State) set(m jsonMember) error {
	bad := func(want string) error {
		return corrupt("state", "%s is %s, not %s", m.key, m.value.kindName(), want)
	}
	v := m.value
	switch m.key {
	case "_data_files":
		if v.kind == jsonNull {
			return nil
		}
		if v.kind != jsonArray {
			return bad("a list")
		}
		for i, e := range v.array {
			name, ok := e.get("filename")
			if e.kind != jsonObject || !ok || name.kind != jsonString {
				return corrupt("state", "_data_files[%d] has no filename", i)
			}
			s.DataFiles = append(s.DataFiles, DataFile{Filename: name.text})
		}
	case "_fingerprint":
		if v.kind != jsonString && v.kind != jsonNull {
			return bad("a string")
		}
		s.Fingerprint = v.text
	case "_format_columns":
		if v.kind == jsonNull {
			return nil
		}
		if v.kind != jsonArray {
			return bad("a list")
		}
		s.FormatColumns = make([]string, len(v.array))
		for i, e := range v.array {
			if e.kind != jsonString {
				return corrupt("state", "_format_columns[%d] is %s", i, e.kindName())
			}
			s.FormatColumns[i] = e.text
		}
	case "_format_kwargs":
		if v.kind == jsonNull {
			return nil
		}
		if v.kind != jsonObject {
			return bad("an object")
		}
		s.FormatKwargs = make(map[string]json.RawMessage, len(v.members))
		for _, kw := range v.dedup() {
			s.FormatKwargs[kw.key] = appendJSON(nil, kw.value, styleCompact)
		}
	case "_format_type":
		if v.kind != jsonString && v.kind != jsonNull {
			return bad("a string")
		}
		s.FormatType = v.text
	case "_output_all_columns":
		if v.kind != jsonBool && v.kind != jsonNull {
			return bad("a boolean")
		}
		s.OutputAllColumns = v.bool
	case "_split":
		if v.kind != jsonString && v.kind != jsonNull {
			return bad("a string")
		}
		s.Split = v.text
	default:
		s.extra = append(s.extra, m)
	}
	return nil
}

// Encode returns state.json as save_to_disk writes it: json.dump with
// indent=2 and sort_keys=True.
func (s *State) Encode() ([]byte, error) {
	v, err := s.toJSON()
	if err != nil {
		return nil, err
	}
	return appendJSON(nil, sortKeys(v), stylePython2), nil
}

// MarshalJSON writes the same members as Encode, compactly.
func (s *State) MarshalJSON() ([]byte, error) {
	v, err := s.toJSON()
	if err != nil {
		return nil, err
	}
	return appendJSON(nil, sortKeys(v), styleCompact), nil
}

// UnmarshalJSON parses state.json; see ParseState.
func (s *State) UnmarshalJSON(data []byte) error {
	parsed, err := ParseState(data)
	if err != nil {
		return err
	}
	*s = *parsed
	return nil
}

func (s *State) toJSON() (jsonValue, error) {
	files := jsonValue{kind: jsonArray, array: make([]jsonValue, len(s.DataFiles))}
	for i, f := range s.DataFiles {
		files.array[i] = jsonObj(jsonMember{"filename", jsonStr(f.Filename)})
	}
	columns := jsonValue{kind: jsonNull}
	if s.FormatColumns != nil {
		columns = jsonStrings(s.FormatColumns)
	}
	kwargs := jsonObj()
	for k, raw := range s.FormatKwargs {
		v, err := parseJSON(raw)
		if err != nil {
			return jsonValue{}, fmt.Errorf("hf: state: _format_kwargs %q: %w", k, err)
		}
		kwargs.members = append(kwargs.members, jsonMember{k, v})
	}
	nullable := func(str string) jsonValue {
		if str == "" {
			return jsonValue{kind: jsonNull}
		}
		return jsonStr(str)
	}
	ms := []jsonMember{
		{"_data_files", files},
		{"_fingerprint", jsonStr(s.Fingerprint)},
		{"_format_columns", columns},
		{"_format_kwargs", kwargs},
		{"_format_type", nullable(s.FormatType)},
		{"_output_all_columns", jsonBoolean(s.OutputAllColumns)},
		{"_split", nullable(s.Split)},
	}
	return jsonValue{kind: jsonObject, members: append(ms, s.extra...)}, nil
}

// sortKeys sorts the keys of every object in v, as sort_keys=True does.
func sortKeys(v jsonValue) jsonValue {
	switch v.kind {
	case jsonArray:
		out := jsonValue{kind: jsonArray, array: make([]jsonValue, len(v.array))}
		for i, e := range v.array {
			out.array[i] = sortKeys(e)
		}
		return out
	case jsonObject:
		out := jsonValue{kind: jsonObject, members: make([]jsonMember, len(v.members))}
		for i, m := range v.members {
			out.members[i] = jsonMember{m.key, sortKeys(m.value)}
		}
		slices.SortStableFunc(out.members, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
		return out
	}
	return v
}

// DatasetDict is datasets' dataset_dict.json: the splits of a saved
// DatasetDict, each saved as a Dataset in the subdirectory of its name.
type DatasetDict struct {
	Splits []string
}

// ParseDatasetDict parses dataset_dict.json. Malformed content gives an
// error wrapping format.ErrCorrupt.
func ParseDatasetDict(data []byte) (*DatasetDict, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("hf: dataset dict: %w", err)
	}
	if v.kind != jsonObject {
		return nil, notObject("dataset dict", v)
	}
	splits, ok := v.get("splits")
	if !ok || splits.kind != jsonArray {
		return nil, corrupt("dataset dict", "no list of splits")
	}
	d := &DatasetDict{Splits: make([]string, len(splits.array))}
	for i, s := range splits.array {
		if s.kind != jsonString {
			return nil, corrupt("dataset dict", "split %d is %s, not a name", i, s.kindName())
		}
		d.Splits[i] = s.text
	}
	return d, nil
}

// Encode returns dataset_dict.json as DatasetDict.save_to_disk writes it:
// json.dump({"splits": [...]}) on one line.
func (d *DatasetDict) Encode() []byte {
	return appendJSON(nil, jsonObj(jsonMember{"splits", jsonStrings(d.Splits)}), stylePython)
}

// MarshalJSON writes {"splits": [...]} compactly.
func (d *DatasetDict) MarshalJSON() ([]byte, error) {
	return appendJSON(nil, jsonObj(jsonMember{"splits", jsonStrings(d.Splits)}), styleCompact), nil
}

// UnmarshalJSON parses dataset_dict.json; see ParseDatasetDict.
func (d *DatasetDict) UnmarshalJSON(data []byte) error {
	parsed, err := ParseDatasetDict(data)
	if err != nil {
		return err
	}
	*d = *parsed
	return nil
}
