package hf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tome-data/tome/format"
)

// DatasetInfoFile is the name of the file save_to_disk writes a
// DatasetInfo to, next to the data.
const DatasetInfoFile = "dataset_info.json"

// DatasetInfo is datasets' DatasetInfo, as stored in dataset_info.json.
// Optional members are nil or empty when absent (or null, as older
// datasets versions wrote them). Members this package does not model
// (post_processed, supervised_keys, task_templates, and anything newer)
// are kept and written back.
type DatasetInfo struct {
	Description string
	Citation    string
	Homepage    string
	License     string
	Features    *Features

	BuilderName string
	DatasetName string
	ConfigName  string
	Version     *Version

	// Splits are the splits in file order. Row counts here can be stale
	// (a dataset saved after filtering keeps its builder's counts): trust
	// the data files.
	Splits            []SplitInfo
	DownloadChecksums []DownloadChecksum

	DownloadSize       *int64
	PostProcessingSize *int64
	DatasetSize        *int64
	SizeInBytes        *int64

	extra []jsonMember
}

// SplitInfo describes one split.
type SplitInfo struct {
	Name                 string
	NumBytes             int64
	NumExamples          int64
	ShardLengths         []int64 // rows per shard, when the builder wrote several
	OriginalShardLengths []int64
	DatasetName          string
}

// Version is a dataset version, such as {"version_str": "1.0.0", "major":
// 1, "minor": 0, "patch": 0}.
type Version struct {
	VersionStr          string
	Description         *string
	Major, Minor, Patch int64
}

// DownloadChecksum records one file a builder downloaded.
type DownloadChecksum struct {
	URL      string
	NumBytes int64
	Checksum *string // null in current datasets, which no longer hashes downloads
}

// ParseDatasetInfo parses dataset_info.json as any datasets version wrote
// it. Malformed content gives an error wrapping format.ErrCorrupt.
func ParseDatasetInfo(data []byte) (*DatasetInfo, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("hf: dataset info: %w", err)
	}
	if v.kind != jsonObject {
		return nil, notObject("dataset info", v)
	}
	info := &DatasetInfo{}
	for _, m := range v.dedup() {
		if err := info.set(m); err != nil {
			return nil, err
		}
	}
	return info, nil
}

// set reads one top-level member.
func (info *DatasetInfo) set(m jsonMember) error {
	var err error
	switch m.key {
	case "description":
		info.Description, err = optString(m)
	case "citation":
		info.Citation, err = optString(m)
	case "homepage":
		info.Homepage, err = optString(m)
	case "license":
		info.License, err = optString(m)
	case "builder_name":
		info.BuilderName, err = optString(m)
	case "dataset_name":
		info.DatasetName, err = optString(m)
	case "config_name":
		info.ConfigName, err = optString(m)
	case "features":
		if m.value.kind != jsonNull {
			info.Features, err = featuresFromJSON(m.value)
		}
	case "version":
		info.Version, err = parseVersion(m.value)
	case "splits":
		info.Splits, err = parseSplits(m.value)
	case "download_checksums":
		info.DownloadChecksums, err = parseChecksums(m.value)
	case "download_size":
		info.DownloadSize, err = optInt(m)
	case "post_processing_size":
		info.PostProcessingSize, err = optInt(m)
	case "dataset_size":
		info.DatasetSize, err = optInt(m)
	case "size_in_bytes":
		info.SizeInBytes, err = optInt(m)
	default:
		info.extra = append(info.extra, m)
	}
	return err
}

func optString(m jsonMember) (string, error) {
	switch m.value.kind {
	case jsonNull:
		return "", nil
	case jsonString:
		return m.value.text, nil
	}
	return "", corrupt("dataset info", "%s is %s, not a string", m.key, m.value.kindName())
}

func optInt(m jsonMember) (*int64, error) {
	if m.value.kind == jsonNull {
		return nil, nil
	}
	n, ok := jsonIntValue(m.value)
	if !ok {
		return nil, corrupt("dataset info", "%s is %s, not an integer", m.key, m.value.kindName())
	}
	return &n, nil
}

// parseVersion reads a version object, or the plain string older
// versions and dataset scripts wrote.
func parseVersion(v jsonValue) (*Version, error) {
	switch v.kind {
	case jsonNull:
		return nil, nil
	case jsonString:
		return versionFromString(v.text), nil
	case jsonObject:
	default:
		return nil, corrupt("dataset info", "version is %s", v.kindName())
	}
	ver := &Version{}
	if s, ok := v.get("version_str"); ok && s.kind == jsonString {
		ver = versionFromString(s.text)
	}
	for _, part := range []struct {
		key string
		dst *int64
	}{{"major", &ver.Major}, {"minor", &ver.Minor}, {"patch", &ver.Patch}} {
		if n, ok := v.get(part.key); ok {
			if x, ok := jsonIntValue(n); ok {
				*part.dst = x
			}
		}
	}
	if d, ok := v.get("description"); ok && d.kind == jsonString {
		ver.Description = &d.text
	}
	return ver, nil
}

// versionFromString splits "1.2.3" as datasets' Version does; parts that
// are not numbers stay zero.
func versionFromString(s string) *Version {
	ver := &Version{VersionStr: s}
	parts := strings.SplitN(s, ".", 3)
	dsts := []*int64{&ver.Major, &ver.Minor, &ver.Patch}
	for i, p := range parts {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			*dsts[i] = n
		}
	}
	return ver
}

// parseSplits reads the splits object ({name: info}), or the list of split
// infos that datasets before 1.0 wrote.
func parseSplits(v jsonValue) ([]SplitInfo, error) {
	var entries []jsonValue
	var names []string
	switch v.kind {
	case jsonNull:
		return nil, nil
	case jsonObject:
		for _, m := range v.dedup() {
			entries, names = append(entries, m.value), append(names, m.key)
		}
	case jsonArray:
		entries = v.array
		names = make([]string, len(entries))
	default:
		return nil, corrupt("dataset info", "splits is %s", v.kindName())
	}
	splits := make([]SplitInfo, 0, len(entries))
	for i, e := range entries {
		if e.kind != jsonObject {
			return nil, corrupt("dataset info", "split %d is %s, not an object", i, e.kindName())
		}
		s := SplitInfo{Name: names[i]}
		if n, ok := e.get("name"); ok && n.kind == jsonString {
			s.Name = n.text
		}
		if n, ok := e.get("dataset_name"); ok && n.kind == jsonString {
			s.DatasetName = n.text
		}
		for _, f := range []struct {
			key string
			dst *int64
		}{{"num_bytes", &s.NumBytes}, {"num_examples", &s.NumExamples}} {
			if n, ok := e.get(f.key); ok && n.kind != jsonNull {
				x, ok := jsonIntValue(n)
				if !ok {
					return nil, corrupt("dataset info", "split %q %s is %s, not an integer", s.Name, f.key, n.kindName())
				}
				*f.dst = x
			}
		}
		var err error
		if s.ShardLengths, err = intList(e, "shard_lengths"); err != nil {
			return nil, err
		}
		if s.OriginalShardLengths, err = intList(e, "original_shard_lengths"); err != nil {
			return nil, err
		}
		splits = append(splits, s)
	}
	return splits, nil
}

func intList(obj jsonValue, key string) ([]int64, error) {
	v, ok := obj.get(key)
	if !ok || v.kind == jsonNull {
		return nil, nil
	}
	if v.kind != jsonArray {
		return nil, corrupt("dataset info", "%s is %s, not a list", key, v.kindName())
	}
	out := make([]int64, len(v.array))
	for i, e := range v.array {
		n, ok := jsonIntValue(e)
		if !ok {
			return nil, corrupt("dataset info", "%s[%d] is %s, not an integer", key, i, e.kindName())
		}
		out[i] = n
	}
	return out, nil
}

func parseChecksums(v jsonValue) ([]DownloadChecksum, error) {
	switch v.kind {
	case jsonNull:
		return nil, nil
	case jsonObject:
	default:
		return nil, corrupt("dataset info", "download_checksums is %s", v.kindName())
	}
	out := make([]DownloadChecksum, 0, len(v.members))
	for _, m := range v.dedup() {
		c := DownloadChecksum{URL: m.key}
		if m.value.kind == jsonObject {
			if n, ok := m.value.get("num_bytes"); ok {
				c.NumBytes, _ = jsonIntValue(n)
			}
			if s, ok := m.value.get("checksum"); ok && s.kind == jsonString {
				c.Checksum = &s.text
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Encode returns dataset_info.json as a current datasets' save_to_disk
// writes it: json.dump with indent=2, top-level keys sorted, nested keys
// in their own order, absent members left out.
func (info *DatasetInfo) Encode() []byte {
	return appendJSON(nil, info.toJSON(), stylePython2)
}

// MarshalJSON writes the same members as Encode, compactly.
func (info *DatasetInfo) MarshalJSON() ([]byte, error) {
	return appendJSON(nil, info.toJSON(), styleCompact), nil
}

// UnmarshalJSON parses dataset_info.json; see ParseDatasetInfo.
func (info *DatasetInfo) UnmarshalJSON(data []byte) error {
	parsed, err := ParseDatasetInfo(data)
	if err != nil {
		return err
	}
	*info = *parsed
	return nil
}

func (info *DatasetInfo) toJSON() jsonValue {
	ms := []jsonMember{
		{"description", jsonStr(info.Description)},
		{"citation", jsonStr(info.Citation)},
		{"homepage", jsonStr(info.Homepage)},
		{"license", jsonStr(info.License)},
	}
	add := func(key string, v jsonValue) { ms = append(ms, jsonMember{key, v}) }
	if info.Features != nil {
		add("features", info.Features.toJSON())
	}
	for _, s := range []struct{ key, val string }{
		{"builder_name", info.BuilderName}, {"dataset_name", info.DatasetName}, {"config_name", info.ConfigName},
	} {
		if s.val != "" {
			add(s.key, jsonStr(s.val))
		}
	}
	if info.Version != nil {
		add("version", info.Version.toJSON())
	}
	if info.Splits != nil {
		splits := jsonObj()
		for _, s := range info.Splits {
			splits.members = append(splits.members, jsonMember{s.Name, s.toJSON()})
		}
		add("splits", splits)
	}
	if info.DownloadChecksums != nil {
		sums := jsonObj()
		for _, c := range info.DownloadChecksums {
			checksum := jsonValue{kind: jsonNull}
			if c.Checksum != nil {
				checksum = jsonStr(*c.Checksum)
			}
			sums.members = append(sums.members, jsonMember{c.URL, jsonObj(
				jsonMember{"num_bytes", jsonInt(c.NumBytes)}, jsonMember{"checksum", checksum})})
		}
		add("download_checksums", sums)
	}
	for _, n := range []struct {
		key string
		val *int64
	}{
		{"download_size", info.DownloadSize}, {"post_processing_size", info.PostProcessingSize},
		{"dataset_size", info.DatasetSize}, {"size_in_bytes", info.SizeInBytes},
	} {
		if n.val != nil {
			add(n.key, jsonInt(*n.val))
		}
	}
	ms = append(ms, info.extra...)
	// save_to_disk sorts the top level only: sorting nested keys would
	// reorder the features.
	slices.SortStableFunc(ms, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
	return jsonValue{kind: jsonObject, members: ms}
}

func (s SplitInfo) toJSON() jsonValue {
	v := jsonObj(
		jsonMember{"name", jsonStr(s.Name)},
		jsonMember{"num_bytes", jsonInt(s.NumBytes)},
		jsonMember{"num_examples", jsonInt(s.NumExamples)},
	)
	for _, l := range []struct {
		key string
		val []int64
	}{{"shard_lengths", s.ShardLengths}, {"original_shard_lengths", s.OriginalShardLengths}} {
		if l.val != nil {
			arr := jsonValue{kind: jsonArray, array: make([]jsonValue, len(l.val))}
			for i, n := range l.val {
				arr.array[i] = jsonInt(n)
			}
			v.members = append(v.members, jsonMember{l.key, arr})
		}
	}
	name := jsonValue{kind: jsonNull}
	if s.DatasetName != "" {
		name = jsonStr(s.DatasetName)
	}
	v.members = append(v.members, jsonMember{"dataset_name", name})
	return v
}

func (ver *Version) toJSON() jsonValue {
	v := jsonObj(jsonMember{"version_str", jsonStr(ver.VersionStr)})
	if ver.Description != nil {
		v.members = append(v.members, jsonMember{"description", jsonStr(*ver.Description)})
	}
	v.members = append(v.members,
		jsonMember{"major", jsonInt(ver.Major)},
		jsonMember{"minor", jsonInt(ver.Minor)},
		jsonMember{"patch", jsonInt(ver.Patch)})
	return v
}

// notObject reports a file whose JSON is not an object.
func notObject(what string, v jsonValue) error {
	return fmt.Errorf("hf: %s: %w: want a JSON object, got %s", what, format.ErrCorrupt, v.kindName())
}
