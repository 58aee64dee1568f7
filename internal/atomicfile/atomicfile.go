// Package atomicfile writes files so that a reader sees either the old file
// or the complete new one, never a partial write: the content goes to a
// uniquely named temporary file in the same directory, which is synced and
// renamed over the destination on Commit.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the name of every temporary file, so that readers and
// cleanup can recognise (and skip) unfinished output.
const TempPrefix = ".tome-tmp-"

// File is a file being written atomically. Write to it, then Commit or
// Abort; Abort after Commit is a no-op, so `defer f.Abort()` is safe.
type File struct {
	*os.File
	dest string
	done bool
}

// Create starts writing dest. The directory must exist.
func Create(dest string) (*File, error) {
	dir, base := filepath.Split(dest)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+base+"-*")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file for %s: %w", dest, err)
	}
	// CreateTemp makes the file private (0600); a finished dataset is
	// readable like any file the user writes.
	if err := f.Chmod(0o644); err != nil {
		return nil, errors.Join(err, f.Close(), os.Remove(f.Name()))
	}
	return &File{File: f, dest: dest}, nil
}

// Commit syncs the content, closes the file and renames it to its
// destination, replacing any file there.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("committing %s: already finished", f.dest)
	}
	f.done = true
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.File.Name(), f.dest)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("committing %s: %w", f.dest, err), os.Remove(f.File.Name()))
	}
	syncDir(filepath.Dir(f.dest))
	return nil
}

// Abort discards the temporary file.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	return errors.Join(f.File.Close(), os.Remove(f.File.Name()))
}

// IsTemp reports whether name (a base name or path) is an unfinished
// temporary file written by this package.
func IsTemp(name string) bool {
	return strings.HasPrefix(filepath.Base(name), TempPrefix)
}

// WriteFile writes data to dest atomically.
func WriteFile(dest string, data []byte) error {
	f, err := Create(dest)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", dest, err), f.Abort())
	}
	return f.Commit()
}

// syncDir makes a rename durable. Failure only weakens durability after a
// power loss, not atomicity, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
