package main

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tome-data/tome/shard"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Off a terminal, progress is a plain line: percentage, rows, rates,
// shards and ETA.
func TestProgressLogLine(t *testing.T) {
	var out syncBuffer
	p := newConvertProgress(&out, false)
	p.begin("converting", 4_000_000)
	p.started = time.Now().Add(-2 * time.Second)
	p.rowsDone(30_000)
	p.inputDone(1_000_000)
	p.shardDone(shard.WrittenShard{Bytes: 500})
	p.report()
	p.end()
	line := out.String()
	re := regexp.MustCompile(`^tome: converting: 25% of 4\.0 MB, 30000 rows \(15\.0k rows/s, 500\.0 kB/s\), 1 shards, ETA [56]s\n$`)
	if !re.MatchString(line) {
		t.Fatalf("line %q", line)
	}
}

// A conversion logs while it runs, and --quiet silences it.
func TestProgressDuringConversion(t *testing.T) {
	defer func(d time.Duration) { progressLogInterval = d }(progressLogInterval)
	progressLogInterval = time.Millisecond
	dir := t.TempDir()
	inputs := writeBigInput(t, dir, 2, 3000)
	for _, quiet := range []bool{false, true} {
		args := []string{"convert", "--to", "parquet", "--max-shard-size", "100kB"}
		if quiet {
			args = append(args, "-q")
		}
		_, errOut, code := tome(t, append(append(args, inputs...), t.TempDir()+"/out")...)
		if code != 0 {
			t.Fatal(errOut)
		}
		logged := strings.Contains(errOut, "tome: converting: ")
		if quiet && errOut != "" || !quiet && (!logged || !strings.Contains(errOut, "wrote 6000 rows in ")) {
			t.Fatalf("quiet=%v: stderr %q", quiet, errOut)
		}
	}
}
