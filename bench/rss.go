package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// peakRSSKB is this process's peak resident set size in KiB, counting the
// processes it ran and waited for.
//
// The parent cannot take it from the child's rusage alone: Go starts a child
// by vfork (the child shares the parent's memory until it execs) and Linux's
// exec carries the old memory's high-water mark into the new process's
// ru_maxrss, so every child would report at least the parent's peak (the
// first runs reported the parent's 165 MB for every side). VmHWM counts this
// process's own memory since exec; the RUSAGE_CHILDREN figure adds the
// programs a side runs (the tome binary of workload 7), whose floor is this
// small process rather than the harness.
func peakRSSKB() int64 {
	peak := vmHWM()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		peak = max(peak, ru.Maxrss)
	}
	return peak
}

// vmHWM reads VmHWM from /proc/self/status (0 where there is none).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}
