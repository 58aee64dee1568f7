package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A run killed while it removed a finished conversion's staging directory
// leaves wipe's renamed remains; rerunning with --resume removes them and
// leaves the dataset alone.
func TestResumeCleansAWipeKilledMidway(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out")
	convertOK(t, "--to", "parquet", reviews, dst)
	want := mustJSON(t, readManifest(t, dst))
	st := newStaging(dst)
	half := filepath.Join(st.trashDir(), "units", "u000000")
	if err := os.MkdirAll(half, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, "p00000.parquet"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	convertOK(t, "--to", "parquet", "--resume", reviews, dst)
	for _, d := range []string{st.dir, st.trashDir()} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s left behind: %v", d, err)
		}
	}
	if got := mustJSON(t, readManifest(t, dst)); got != want {
		t.Fatal("the dataset changed")
	}
}

// wipe removes the directory and whatever an earlier wipe left.
func TestWipe(t *testing.T) {
	st := newStaging(filepath.Join(t.TempDir(), "out"))
	for _, d := range []string{filepath.Join(st.dir, "units", "u000001"), filepath.Join(st.trashDir(), "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.wipe(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{st.dir, st.trashDir()} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s is still there: %v", d, err)
		}
	}
	if err := st.wipe(); err != nil {
		t.Fatalf("wiping nothing: %v", err)
	}
	if err := (&staging{dir: filepath.Join(t.TempDir(), "data")}).wipe(); err == nil {
		t.Fatal("wipe removed a directory that is not a staging directory")
	}
}
