package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/shard"
)

// writeBigInput writes files of JSON Lines with rows rows each.
func writeBigInput(t *testing.T, dir string, files, rows int) []string {
	t.Helper()
	var paths []string
	for f := range files {
		p := filepath.Join(dir, fmt.Sprintf("in-%02d.jsonl", f))
		out, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(out)
		for i := range rows {
			id := f*rows + i
			fmt.Fprintf(w, `{"id":%d,"text":"%s","x":%d.5,"tags":["a","b%d"]}`+"\n", id, strings.Repeat("lorem ipsum ", 3+id%17), id, id%7)
		}
		w.Flush()
		out.Close()
		paths = append(paths, p)
	}
	return paths
}

// A conversion killed (SIGKILL) at random moments never leaves anything
// at DST that looks like a dataset unless it is the complete one, and
// --resume finishes it with exactly the shards an uninterrupted run
// writes.
func TestConvertKilledThenResumed(t *testing.T) {
	files, rows, kills := 6, 12000, 5
	if testing.Short() {
		files, rows, kills = 3, 4000, 2
	}
	dir := t.TempDir()
	inputs := writeBigInput(t, dir, files, rows)
	args := []string{"--to", "parquet", "--max-shard-size", "300kB", "--workers", "2"}

	ref := filepath.Join(dir, "ref")
	start := time.Now()
	convertOK(t, append(append(args, inputs...), ref)...)
	took := time.Since(start)
	want := mustJSON(t, readManifest(t, ref))

	dst := filepath.Join(dir, "out")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("an uninterrupted run takes %v; kill delays from seed %d", took, seed)
	interrupted := 0
	for k := range kills {
		run := append(withArgs(args, "--quiet"), inputs...)
		if k > 0 {
			run = append(run, "--resume")
		}
		cmd := exec.Command(os.Args[0], append(append([]string{"convert"}, run...), dst)...)
		cmd.Env = append(os.Environ(), "TOME_TEST_AS_CLI=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The process needs a moment to start; kill it within about
		// the time a run takes in-process.
		delay := 20*time.Millisecond + time.Duration(rng.Int64N(int64(took)*2/3))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d failed before the kill: %v", k, err)
			}
		case <-time.After(delay):
			cmd.Process.Kill()
			if err := <-done; err != nil {
				interrupted++
			}
		}
		checkNoHalfDataset(t, dst, want)
		t.Logf("run %d killed after %v: %d shards finished", k, delay, countParts(dst))
	}
	if interrupted == 0 {
		t.Fatal("no run was interrupted: every one finished before its kill")
	}
	convertOK(t, append(append(args, inputs...), "--resume", dst)...)
	if got := mustJSON(t, readManifest(t, dst)); got != want {
		t.Fatalf("resumed conversion differs from an uninterrupted one:\n%s\n%s", got, want)
	}
	if out, err := verify(t, dst, false); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if _, err := os.Stat(newStaging(dst).dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("staging directory left behind: %v", err)
	}
}

// countParts counts the finished shards in dst's staging directory.
func countParts(dst string) int {
	matches, _ := filepath.Glob(filepath.Join(newStaging(dst).dir, "units", "*", "p*.json"))
	return len(matches)
}

func withArgs(s []string, more ...string) []string {
	return append(append([]string(nil), s...), more...)
}

// checkNoHalfDataset fails unless dst is absent, or is the complete
// dataset.
func checkNoHalfDataset(t *testing.T, dst, want string) {
	t.Helper()
	if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
		if _, err := dataset.Open(t.Context(), dst); err == nil {
			t.Fatal("dataset.Open opened a DST that does not exist")
		}
		return
	}
	m, err := shard.ReadManifest(dst)
	if err != nil {
		t.Fatalf("DST exists without a manifest: %v", err)
	}
	if got := mustJSON(t, m); got != want {
		t.Fatalf("DST holds another dataset:\n%s", got)
	}
	if out, err := verify(t, dst, false); err != nil {
		t.Fatalf("DST is not complete: %v\n%s", err, out)
	}
}
