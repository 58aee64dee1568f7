package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tome-data/tome/internal/atomicfile"
)

// LayoutKind names how a dataset's files are organised.
type LayoutKind string

// The layouts Open understands.
const (
	LayoutFile         LayoutKind = "file"          // one data file
	LayoutFiles        LayoutKind = "files"         // an explicit list or a glob
	LayoutSaveToDisk   LayoutKind = "save_to_disk"  // datasets' Dataset.save_to_disk (state.json)
	LayoutDatasetDict  LayoutKind = "dataset_dict"  // DatasetDict.save_to_disk (dataset_dict.json)
	LayoutBuilderCache LayoutKind = "builder_cache" // a builder's <name>-<split>.arrow cache files
	LayoutHub          LayoutKind = "hub"           // a Hub repository: README configs or split-name patterns
)

// A Layout is a dataset's splits and the files of each, resolved from file
// names and the small JSON and YAML files that describe them. Resolving
// reads no data.
type Layout struct {
	Root    string
	Kind    LayoutKind
	Splits  []SplitLayout
	Config  string   // the Hub config chosen, when the README declares configs
	Configs []string // every config the README declares
}

// SplitLayout is one split's files, in order.
type SplitLayout struct {
	Name  string
	Files []string
	// Missing lists files the layout names (in state.json or
	// dataset_dict.json) that do not exist. Opening the split fails and
	// names them.
	Missing []string
	// InfoFile is the split's dataset_info.json, when there is one.
	InfoFile string
}

// SplitNames lists the split names in layout order.
func (l *Layout) SplitNames() []string {
	names := make([]string, len(l.Splits))
	for i, s := range l.Splits {
		names[i] = s.Name
	}
	return names
}

// Split returns the named split.
func (l *Layout) Split(name string) (*SplitLayout, bool) {
	for i := range l.Splits {
		if l.Splits[i].Name == name {
			return &l.Splits[i], true
		}
	}
	return nil, false
}

// DefaultSplit is the split used when none is named: the only one, or
// "train" when there are several and one is called that.
func (l *Layout) DefaultSplit() (string, error) {
	switch {
	case len(l.Splits) == 1:
		return l.Splits[0].Name, nil
	case slices.Contains(l.SplitNames(), "train"):
		return "train", nil
	case len(l.Splits) == 0:
		return "", fmt.Errorf("%w: %s has no data files", ErrNotFound, l.Root)
	}
	return "", fmt.Errorf("%w: %s has splits %s; choose one", ErrSplit, l.Root, strings.Join(l.SplitNames(), ", "))
}

// defaultSplitName names the split of a dataset that does not name its own,
// as Hugging Face does.
const defaultSplitName = "train"

// ResolveLayout works out the layout of a local path: a data file, a glob,
// or a directory in any of the layouts of LayoutKind. config picks a Hub
// config when the README declares several ("" for the default one).
func ResolveLayout(path, config string) (*Layout, error) {
	if hasGlobMeta(path) {
		files, err := filepath.Glob(path)
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", path, err)
		}
		files = slices.DeleteFunc(files, func(f string) bool { return !isDataFile(f) || isDir(f) })
		if len(files) == 0 {
			return nil, fmt.Errorf("%w: no data files match %s", ErrNotFound, path)
		}
		sortNatural(files)
		return &Layout{Root: path, Kind: LayoutFiles, Splits: []SplitLayout{{Name: defaultSplitName, Files: files}}}, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
		}
		return nil, err
	}
	if !st.IsDir() {
		return &Layout{Root: path, Kind: LayoutFile, Splits: []SplitLayout{{Name: defaultSplitName, Files: []string{path}}}}, nil
	}
	return resolveDir(path, config)
}

// FilesLayout is the layout of an explicit list of files: one split.
func FilesLayout(paths []string) *Layout {
	return &Layout{Root: strings.Join(paths, " "), Kind: LayoutFiles,
		Splits: []SplitLayout{{Name: defaultSplitName, Files: slices.Clone(paths)}}}
}

func resolveDir(dir, config string) (*Layout, error) {
	if exists(filepath.Join(dir, "dataset_dict.json")) {
		return resolveDatasetDict(dir)
	}
	if exists(filepath.Join(dir, "state.json")) {
		split, err := resolveSaveToDisk(dir, "")
		if err != nil {
			return nil, err
		}
		return &Layout{Root: dir, Kind: LayoutSaveToDisk, Splits: []SplitLayout{split}}, nil
	}
	if exists(filepath.Join(dir, "dataset.arrow")) { // datasets < 2.0 save_to_disk
		return &Layout{Root: dir, Kind: LayoutSaveToDisk, Splits: []SplitLayout{{
			Name: defaultSplitName, Files: []string{filepath.Join(dir, "dataset.arrow")},
			InfoFile: existing(filepath.Join(dir, "dataset_info.json")),
		}}}, nil
	}
	if l, ok, err := resolveSplitDirs(dir); ok || err != nil {
		return l, err
	}
	files, err := listDataFiles(dir)
	if err != nil {
		return nil, err
	}
	if l, ok, err := resolveReadmeConfigs(dir, files, config); ok || err != nil {
		return l, err
	}
	if l, ok := resolveBuilderCache(dir, files); ok {
		return l, nil
	}
	return resolveSplitPatterns(dir, files)
}

// datasetDictJSON is dataset_dict.json.
type datasetDictJSON struct {
	Splits []string `json:"splits"`
}

// stateJSON is the part of save_to_disk's state.json that locates data.
type stateJSON struct {
	DataFiles []struct {
		Filename string `json:"filename"`
	} `json:"_data_files"`
	Split *string `json:"_split"`
}

func resolveDatasetDict(dir string) (*Layout, error) {
	var dd datasetDictJSON
	if err := readJSON(filepath.Join(dir, "dataset_dict.json"), &dd); err != nil {
		return nil, err
	}
	if len(dd.Splits) == 0 {
		return nil, fmt.Errorf("%w: %s lists no splits", ErrLayout, filepath.Join(dir, "dataset_dict.json"))
	}
	l := &Layout{Root: dir, Kind: LayoutDatasetDict}
	for _, name := range dd.Splits {
		if strings.ContainsAny(name, `/\`) || name == ".." || name == "." {
			return nil, fmt.Errorf("%w: %s names split %q, which is not a plain name", ErrLayout, filepath.Join(dir, "dataset_dict.json"), name)
		}
		split, err := resolveSaveToDisk(filepath.Join(dir, name), name)
		if err != nil {
			return nil, err
		}
		l.Splits = append(l.Splits, split)
	}
	return l, nil
}

// resolveSaveToDisk reads one save_to_disk directory. name overrides the
// split name; state.json's _split is often stale (a test split saved with
// "_split": "train"), so a DatasetDict's own names win.
func resolveSaveToDisk(dir, name string) (SplitLayout, error) {
	split := SplitLayout{Name: name, InfoFile: existing(filepath.Join(dir, "dataset_info.json"))}
	statePath := filepath.Join(dir, "state.json")
	if !exists(statePath) {
		split.Missing = []string{statePath}
		if split.Name == "" {
			split.Name = defaultSplitName
		}
		return split, nil
	}
	var st stateJSON
	if err := readJSON(statePath, &st); err != nil {
		return split, err
	}
	if split.Name == "" {
		split.Name = defaultSplitName
		if st.Split != nil && *st.Split != "" {
			split.Name = *st.Split
		}
	}
	if len(st.DataFiles) == 0 {
		return split, fmt.Errorf("%w: %s lists no data files", ErrLayout, statePath)
	}
	for _, f := range st.DataFiles {
		if f.Filename == "" || filepath.IsAbs(f.Filename) || strings.Contains(filepath.ToSlash(f.Filename), "..") {
			return split, fmt.Errorf("%w: %s names data file %q outside its directory", ErrLayout, statePath, f.Filename)
		}
		p := filepath.Join(dir, f.Filename)
		if exists(p) {
			split.Files = append(split.Files, p)
		} else {
			split.Missing = append(split.Missing, p)
		}
	}
	return split, nil
}

// resolveSplitDirs handles a DatasetDict saved without its
// dataset_dict.json: every subdirectory is a save_to_disk directory.
func resolveSplitDirs(dir string) (*Layout, bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !hiddenName(e.Name()) {
			if !exists(filepath.Join(dir, e.Name(), "state.json")) {
				return nil, false, nil
			}
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, false, nil
	}
	sortNatural(names)
	l := &Layout{Root: dir, Kind: LayoutDatasetDict}
	for _, name := range names {
		split, err := resolveSaveToDisk(filepath.Join(dir, name), name)
		if err != nil {
			return nil, true, err
		}
		l.Splits = append(l.Splits, split)
	}
	return l, true, nil
}

// builderCacheFile matches a builder's cache files:
// {dataset_name}-{split}[-{shard:05d}-of-{num_shards:05d}].arrow.
var builderCacheFile = regexp.MustCompile(`^([a-z0-9_]+)-(\w+?)(?:-\d{5}-of-\d{5})?\.arrow$`)

func resolveBuilderCache(dir string, files []string) (*Layout, bool) {
	if !exists(filepath.Join(dir, "dataset_info.json")) || len(files) == 0 {
		return nil, false
	}
	l := &Layout{Root: dir, Kind: LayoutBuilderCache}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		m := builderCacheFile.FindStringSubmatch(rel)
		if m == nil {
			return nil, false
		}
		l.addFile(m[2], f)
	}
	for i := range l.Splits {
		l.Splits[i].InfoFile = filepath.Join(dir, "dataset_info.json")
	}
	return l, true
}

func (l *Layout) addFile(split, file string) {
	for i := range l.Splits {
		if l.Splits[i].Name == split {
			l.Splits[i].Files = append(l.Splits[i].Files, file)
			return
		}
	}
	l.Splits = append(l.Splits, SplitLayout{Name: split, Files: []string{file}})
}

// Split-name patterns, as in Hugging Face datasets' data_files.py.
var (
	splitKeywords = []struct {
		split    string
		keywords []string
	}{
		{"train", []string{"train", "training"}},
		{"validation", []string{"validation", "valid", "dev", "val"}},
		{"test", []string{"test", "testing", "eval", "evaluation"}},
	}
	dirNamePatterns  = []string{"**/{keyword}/**", "**/{keyword}[{sep}]*/**", "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"}
	fileNamePatterns = []string{"**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"}
	shardedSplitFile = regexp.MustCompile(`^data/(\w+)-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]*$`)
	nonWordChars     = "-._ 0-9"
)

// resolveSplitPatterns assigns files to splits the way the Hub does when a
// repository declares nothing: push_to_hub's sharded names first, then
// split keywords in directory names, then in file names, else everything
// is "train".
func resolveSplitPatterns(dir string, files []string) (*Layout, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no data files in %s", ErrNotFound, dir)
	}
	rels := make([]string, len(files))
	for i, f := range files {
		rels[i], _ = filepath.Rel(dir, f)
		rels[i] = filepath.ToSlash(rels[i])
	}
	l := &Layout{Root: dir, Kind: LayoutHub}
	for i, rel := range rels {
		if m := shardedSplitFile.FindStringSubmatch(rel); m != nil {
			l.addFile(m[1], files[i])
		}
	}
	if len(l.Splits) > 0 {
		return l, nil
	}
	for _, patterns := range [][]string{dirNamePatterns, fileNamePatterns} {
		for _, sk := range splitKeywords {
			var matched []string
			for _, kw := range sk.keywords {
				for _, p := range patterns {
					re, err := globRegexp(strings.NewReplacer("{keyword}", kw, "{sep}", nonWordChars).Replace(p))
					if err != nil {
						return nil, err
					}
					for i, rel := range rels {
						if re.MatchString(rel) && !slices.Contains(matched, files[i]) {
							matched = append(matched, files[i])
						}
					}
				}
			}
			if len(matched) > 0 {
				sortNatural(matched)
				l.Splits = append(l.Splits, SplitLayout{Name: sk.split, Files: matched})
			}
		}
		if len(l.Splits) > 0 {
			return l, nil
		}
	}
	l.Splits = []SplitLayout{{Name: defaultSplitName, Files: files}}
	return l, nil
}

// readmeConfig is one entry of a dataset card's YAML `configs`.
type readmeConfig struct {
	Name      string    `yaml:"config_name"`
	DataFiles yaml.Node `yaml:"data_files"`
	DataDir   string    `yaml:"data_dir"`
	Default   bool      `yaml:"default"`
}

// resolveReadmeConfigs reads the `configs` of a dataset card (README.md
// front matter), the Hub's explicit way of naming splits.
func resolveReadmeConfigs(dir string, files []string, want string) (*Layout, bool, error) {
	front, ok, err := readmeFrontMatter(filepath.Join(dir, "README.md"))
	if err != nil || !ok {
		return nil, false, err
	}
	var card struct {
		Configs []readmeConfig `yaml:"configs"`
	}
	if err := yaml.Unmarshal(front, &card); err != nil {
		return nil, true, fmt.Errorf("%w: README.md front matter in %s: %v", ErrLayout, dir, err)
	}
	if len(card.Configs) == 0 {
		return nil, false, nil
	}
	l := &Layout{Root: dir, Kind: LayoutHub}
	var chosen *readmeConfig
	for i := range card.Configs {
		c := &card.Configs[i]
		l.Configs = append(l.Configs, c.Name)
		if (want == "" && (c.Default || c.Name == "default")) || (want != "" && c.Name == want) {
			chosen = c
		}
	}
	if chosen == nil && want == "" {
		chosen = &card.Configs[0]
	}
	if chosen == nil {
		return nil, true, fmt.Errorf("%w: config %q is not in %s/README.md (configs: %s)", ErrNotFound, want, dir, strings.Join(l.Configs, ", "))
	}
	l.Config = chosen.Name
	splits, err := configSplits(chosen)
	if err != nil {
		return nil, true, fmt.Errorf("%w: config %q in %s/README.md: %v", ErrLayout, chosen.Name, dir, err)
	}
	base := filepath.Join(dir, filepath.FromSlash(chosen.DataDir))
	for _, sp := range splits {
		var matched []string
		for _, pat := range sp.patterns {
			re, err := globRegexp(pat)
			if err != nil {
				return nil, true, err
			}
			for _, f := range files {
				rel, err := filepath.Rel(base, f)
				if err == nil && re.MatchString(filepath.ToSlash(rel)) && !slices.Contains(matched, f) {
					matched = append(matched, f)
				}
			}
		}
		split := SplitLayout{Name: sp.name, Files: matched}
		if len(matched) == 0 {
			split.Missing = sp.patterns
		}
		sortNatural(split.Files)
		l.Splits = append(l.Splits, split)
	}
	return l, true, nil
}

type splitPatterns struct {
	name     string
	patterns []string
}

// configSplits reads data_files in its three forms: a pattern, a list of
// patterns (both meaning "train"), or a list of {split, path} entries whose
// path is a pattern or a list of them.
func configSplits(c *readmeConfig) ([]splitPatterns, error) {
	n := &c.DataFiles
	switch n.Kind {
	case 0:
		return []splitPatterns{{defaultSplitName, []string{"**"}}}, nil
	case yaml.ScalarNode:
		return []splitPatterns{{defaultSplitName, []string{n.Value}}}, nil
	case yaml.SequenceNode:
		var plain []string
		if err := n.Decode(&plain); err == nil {
			return []splitPatterns{{defaultSplitName, plain}}, nil
		}
		var entries []struct {
			Split string    `yaml:"split"`
			Path  yaml.Node `yaml:"path"`
		}
		if err := n.Decode(&entries); err != nil {
			return nil, err
		}
		var out []splitPatterns
		for _, e := range entries {
			var paths []string
			if e.Path.Kind == yaml.ScalarNode {
				paths = []string{e.Path.Value}
			} else if err := e.Path.Decode(&paths); err != nil {
				return nil, err
			}
			name := e.Split
			if name == "" {
				name = defaultSplitName
			}
			out = append(out, splitPatterns{name, paths})
		}
		return out, nil
	}
	return nil, fmt.Errorf("data_files has an unexpected shape")
}

// readmeFrontMatter returns the YAML between the leading "---" lines.
func readmeFrontMatter(path string) ([]byte, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(b, []byte("---\n")) {
		return nil, false, nil
	}
	body := b[4:]
	end := bytes.Index(body, []byte("\n---"))
	if end < 0 {
		return nil, false, nil
	}
	return body[:end+1], true, nil
}

// dataExtensions are the file suffixes tome reads as data.
var dataExtensions = []string{
	".parquet", ".arrow", ".arrows", ".feather", ".ipc",
	".jsonl", ".ndjson", ".json", ".csv", ".tsv",
}

func isDataFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	if hiddenName(base) || atomicfile.IsTemp(base) {
		return false
	}
	switch base {
	case "dataset_info.json", "state.json", "dataset_dict.json", "dataset_infos.json", "package.json":
		return false
	}
	for _, suffix := range []string{".gz", ".zst", ".zstd"} {
		base = strings.TrimSuffix(base, suffix)
	}
	return slices.Contains(dataExtensions, filepath.Ext(base))
}

// hiddenName reports names the Hub ignores: dotfiles and "__" prefixes.
func hiddenName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "__")
}

// listDataFiles walks dir for data files, skipping hidden entries, in
// natural order of their relative paths.
func listDataFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && hiddenName(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isDataFile(p) {
			files = append(files, p)
		}
		return nil
	})
	sortNatural(files)
	return files, err
}

func sortNatural(s []string) {
	slices.SortFunc(s, func(a, b string) int {
		switch {
		case naturalLess(a, b):
			return -1
		case naturalLess(b, a):
			return 1
		}
		return 0
	})
}

// maxLayoutJSON bounds the small JSON files of a layout; a larger one is
// not what it claims to be.
const maxLayoutJSON = 16 << 20

func readJSON(path string, v any) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() > maxLayoutJSON {
		return fmt.Errorf("%w: %s is %d bytes, too large for a layout file", ErrLayout, path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrLayout, path, err)
	}
	return nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func isDir(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

func existing(p string) string {
	if exists(p) {
		return p
	}
	return ""
}
