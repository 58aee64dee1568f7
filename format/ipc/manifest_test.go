package ipc_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// manifestEntry is one row of a conformance MANIFEST.md table.
type manifestEntry struct {
	rows    int64
	batches int64
}

// readManifest reads the file tables of a conformance folder's MANIFEST.md,
// keyed by path relative to root. Tables list "file | size | format | rows
// | batches ..."; under a "## dir" heading (the hf/ layout) a file's path is
// relative to that directory. Rows without a row count are skipped.
func readManifest(t *testing.T, root string) map[string]manifestEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]manifestEntry)
	section := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if dir, ok := strings.CutPrefix(line, "## "); ok {
			section = strings.TrimSpace(dir)
			if strings.Contains(section, " ") {
				section = "" // a prose heading, not a directory
			}
			continue
		}
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 6 {
			continue
		}
		name := strings.TrimSpace(cells[1])
		rows, err := strconv.ParseInt(strings.TrimSpace(cells[4]), 10, 64)
		if err != nil {
			continue // a header, a separator, or a file without rows
		}
		batches, _ := strconv.ParseInt(strings.TrimSpace(cells[5]), 10, 64) // blank means none
		out[filepath.Join(section, name)] = manifestEntry{rows: rows, batches: batches}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
