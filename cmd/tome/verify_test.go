package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verify finds a flipped byte, a truncated shard and a missing one, in
// every output format.
func TestVerifyCatchesDamage(t *testing.T) {
	ctx := context.Background()
	for _, to := range []string{"parquet", "arrow", "jsonl", "hf"} {
		t.Run(to, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "ds")
			convertOK(t, "--to", to, "--max-shard-size", "30kB", reviews, base)
			if out, err := verify(t, base, false); err != nil || !strings.HasPrefix(out, "ok: ") {
				t.Fatalf("intact dataset: %v\n%s", err, out)
			}
			m := readManifest(t, base)
			shards := m.Splits[0].Shards
			if len(shards) < 3 {
				t.Fatalf("%d shards; the test needs 3", len(shards))
			}
			for _, tt := range []struct {
				name   string
				damage func(path string)
				shard  int
				quick  bool // --quick notices it too
				want   string
			}{
				{"flipped byte", func(p string) { flipByte(t, p) }, 1, false, "sha256"},
				{"truncated", func(p string) { truncate(t, p) }, 2, true, "bytes, manifest says"},
				{"missing", func(p string) { os.Remove(p) }, 0, true, "missing"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					dir := filepath.Join(t.TempDir(), "ds")
					copyDir(t, base, dir)
					path := filepath.Join(dir, filepath.FromSlash(shards[tt.shard].Path))
					tt.damage(path)
					for _, quick := range []bool{false, true} {
						out, err := verify(t, dir, quick)
						if quick && !tt.quick {
							continue
						}
						if err == nil || exitCode(ctx, err) != exitBadData {
							t.Fatalf("quick=%v: error %v, want exit %d\n%s", quick, err, exitBadData, out)
						}
						if !strings.Contains(out, shards[tt.shard].Path+": ") || !strings.Contains(out, tt.want) {
							t.Fatalf("quick=%v: output does not name %s and %q:\n%s", quick, shards[tt.shard].Path, tt.want, out)
						}
					}
				})
			}
		})
	}
}

// A dataset not written by tome has no manifest to verify against.
func TestVerifyNeedsAManifest(t *testing.T) {
	_, err := verify(t, t.TempDir(), false)
	if err == nil || exitCode(context.Background(), err) != exitNotFound || !strings.Contains(err.Error(), "tome.json") {
		t.Fatalf("error %v", err)
	}
}

func flipByte(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x20
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()-10); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies a directory tree of regular files.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
