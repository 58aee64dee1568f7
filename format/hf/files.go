package hf

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/atomicfile"
)

// maxFileSize bounds the JSON files read here. Real ones are kilobytes;
// a builder's download_checksums can reach megabytes.
const maxFileSize = 64 << 20

// ReadDatasetInfo reads dataset_info.json. path is the file, or a
// directory holding it.
func ReadDatasetInfo(path string) (*DatasetInfo, error) {
	data, name, err := readSmallFile(path, DatasetInfoFile)
	if err != nil {
		return nil, err
	}
	info, err := ParseDatasetInfo(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return info, nil
}

// ReadState reads state.json. path is the file, or a directory holding it.
func ReadState(path string) (*State, error) {
	data, name, err := readSmallFile(path, StateFile)
	if err != nil {
		return nil, err
	}
	s, err := ParseState(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// ReadDatasetDict reads dataset_dict.json. path is the file, or a
// directory holding it.
func ReadDatasetDict(path string) (*DatasetDict, error) {
	data, name, err := readSmallFile(path, DatasetDictFile)
	if err != nil {
		return nil, err
	}
	d, err := ParseDatasetDict(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// WriteDatasetInfo writes dataset_info.json atomically. path is the file,
// or an existing directory to write it in.
func WriteDatasetInfo(path string, info *DatasetInfo) error {
	return atomicfile.WriteFile(targetFile(path, DatasetInfoFile), info.Encode())
}

// WriteState writes state.json atomically. path is the file, or an
// existing directory to write it in.
func WriteState(path string, s *State) error {
	data, err := s.Encode()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(targetFile(path, StateFile), data)
}

// WriteDatasetDict writes dataset_dict.json atomically. path is the file,
// or an existing directory to write it in.
func WriteDatasetDict(path string, d *DatasetDict) error {
	return atomicfile.WriteFile(targetFile(path, DatasetDictFile), d.Encode())
}

// targetFile resolves a directory to the named file inside it.
func targetFile(path, name string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, name)
	}
	return path
}

// readSmallFile reads path (or name inside the directory path), refusing
// files too large to be what they claim.
func readSmallFile(path, name string) ([]byte, string, error) {
	path = targetFile(path, name)
	f, err := os.Open(path)
	if err != nil {
		return nil, path, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, path, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, path, fmt.Errorf("%s: %w: larger than %d bytes", path, format.ErrCorrupt, maxFileSize)
	}
	if len(data) == 0 {
		return nil, path, fmt.Errorf("%s: %w: empty file", path, format.ErrCorrupt)
	}
	if err := notJSON(data); err != nil {
		return nil, path, fmt.Errorf("%s: %w", path, err)
	}
	return data, path, nil
}

// notJSON recognises a Git LFS pointer committed in place of the file,
// which would otherwise be reported as a JSON syntax error.
func notJSON(data []byte) error {
	const lfs = "version https://git-lfs.github.com/spec/"
	if len(data) >= len(lfs) && string(data[:len(lfs)]) == lfs {
		return fmt.Errorf("%w: a Git LFS pointer, not the file it points to", format.ErrNotData)
	}
	return nil
}
