package main

import (
	"os"
	"os/exec"
	"testing"
)

func TestAnonSampler(t *testing.T) {
	if rssAnonKB("self") <= 0 {
		t.Skip("no RssAnon in /proc/self/status")
	}
	s := &anonSampler{}
	s.start()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	peak := s.finish()
	if peak < 64<<10 {
		t.Errorf("peak %d KiB, want at least the 65536 KiB just touched", peak)
	}
	_ = buf[len(buf)-1]

	// A tracked subprocess counts while it runs, and untrack forgets it.
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer cmd.Process.Kill()
	s.track(cmd.Process.Pid)
	if len(s.pids) != 1 {
		t.Fatalf("tracking %v", s.pids)
	}
	s.untrack(cmd.Process.Pid)
	s.untrack(os.Getpid()) // not tracked: no-op
	if len(s.pids) != 0 {
		t.Errorf("still tracking %v", s.pids)
	}
}
