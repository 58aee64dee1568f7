package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Peak RSS counts the pages of memory-mapped files that were touched, and
// tome maps its input files: a scan of a 641 MB Parquet file peaks near
// 1 GB of RSS of which two thirds are the file's own page-cache pages,
// shared and reclaimable, where DuckDB reads with pread into its own
// buffers. The anonymous memory (heap, stacks, decoded batches) is what a
// job's memory limit has to hold, so the child also samples RssAnon, of
// itself and of the subprocesses a side runs, while the side runs.

// anonSampleInterval trades the sampler's cost against the chance of
// missing a short peak.
const anonSampleInterval = 10 * time.Millisecond

// anonSampler tracks the largest sum of RssAnon over this process and the
// processes registered with track.
type anonSampler struct {
	mu   sync.Mutex
	pids []int
	peak int64
	stop chan struct{}
	done chan struct{}
}

// sampler is the process's sampler; sides register their subprocesses.
var sampler = &anonSampler{}

// start begins sampling.
func (s *anonSampler) start() {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(anonSampleInterval)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// finish stops sampling and returns the peak in KiB.
func (s *anonSampler) finish() int64 {
	close(s.stop)
	<-s.done
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// track adds a running subprocess to the sum; untrack it when it has
// exited.
func (s *anonSampler) track(pid int) {
	s.mu.Lock()
	s.pids = append(s.pids, pid)
	s.mu.Unlock()
}

// untrack removes a subprocess that has exited, before its pid can be
// reused by another process.
func (s *anonSampler) untrack(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.pids {
		if p == pid {
			s.pids = append(s.pids[:i], s.pids[i+1:]...)
			return
		}
	}
}

func (s *anonSampler) sample() {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := rssAnonKB("self")
	for _, pid := range s.pids {
		total += rssAnonKB(strconv.Itoa(pid)) // 0 once it has exited
	}
	s.peak = max(s.peak, total)
}

// rssAnonKB reads RssAnon of /proc/<pid>/status, 0 if there is none.
func rssAnonKB(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}
